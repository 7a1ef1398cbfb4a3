// libFuzzer harness: bytes as a .npy file. Parsing must throw a VAEGANError or succeed; a parsed
// matrix must survive write → parse unchanged.
import FuzzEntry
@testable import VAEGAN

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let matrix = try? NPYMatrix(npyBytes: bytes, source: "fuzz") else { return 0 }
    let again = try? NPYMatrix(npyBytes: matrix.npyBytes(), source: "fuzz")
    precondition(again == matrix, "npy round trip changed the matrix")
    return 0
}

runFuzzer(fuzz)
