// libFuzzer harness: bytes as a .npy file. Parsing must throw a VAEGANError or succeed; a parsed
// matrix must survive write → parse unchanged.
import FuzzDriver
@testable import VAEGAN
#if canImport(Glibc)
import Glibc
#endif

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let matrix = try? NPYMatrix(npyBytes: bytes, source: "fuzz") else { return 0 }
    let again = try? NPYMatrix(npyBytes: matrix.npyBytes(), source: "fuzz")
    precondition(again == matrix, "npy round trip changed the matrix")
    return 0
}

// libFuzzer's own main() refers to this name; the driver below is what runs.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 { fuzz(data ?? UnsafePointer(bitPattern: 1)!, size) }

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in testOneInput(data, size) })
