// libFuzzer harness: bytes as a gzip stream and as a zlib stream. Inflating must throw a
// VAEGANError or succeed; what inflates must survive compress → inflate unchanged.
import FuzzEntry
@testable import VAEGAN

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let inflated = try? Gzip.decompress(bytes, format: .gzip, source: "fuzz") {
        let again = try? Gzip.decompress(Gzip.compress(inflated), format: .gzip, source: "fuzz")
        precondition(again == inflated, "gzip round trip changed the data")
    }
    _ = try? Gzip.decompress(bytes, format: .zlib, source: "fuzz")
    return 0
}

runFuzzer(fuzz)
