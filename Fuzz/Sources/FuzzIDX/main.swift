// libFuzzer harness: bytes as an IDX file, raw or gzip-compressed (inflated first, as
// Gzip.readFileInflatingIfNeeded does), read both as images and as labels. Each must throw a
// VAEGANError or succeed; what parses must survive write → parse unchanged.
import FuzzEntry
@testable import VAEGAN

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if Gzip.isCompressed(bytes) {
        guard let inflated = try? Gzip.decompress(bytes, format: .gzip, source: "fuzz") else { return 0 }
        bytes = inflated
    }
    if let images = try? IDXImages(idxBytes: bytes, source: "fuzz") {
        let again = try? IDXImages(idxBytes: images.idxBytes(), source: "fuzz")
        precondition(again?.pixels == images.pixels && again?.count == images.count, "IDX images round trip")
    }
    if let labels = try? IDXLabels(idxBytes: bytes, source: "fuzz") {
        let again = try? IDXLabels(idxBytes: labels.idxBytes(), source: "fuzz")
        precondition(again?.labels == labels.labels, "IDX labels round trip")
    }
    return 0
}

runFuzzer(fuzz)
