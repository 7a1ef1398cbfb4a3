// libFuzzer harness: bytes as a safetensors file. Parsing must throw a VAEGANError or succeed;
// a parsed file must survive serialize → parse unchanged, and loading it as a checkpoint of the
// kind it names (a training state or weights only) must throw or succeed, never trap.
import FuzzDriver
@testable import VAEGAN
#if canImport(Glibc)
import Glibc
#endif

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? SafeTensorsFile(serialized: bytes, source: "fuzz") else { return 0 }
    let again = try? SafeTensorsFile(serialized: file.serialized(), source: "fuzz")
    precondition(again?.tensors == file.tensors && again?.metadata == file.metadata, "safetensors round trip changed the file")
    if let name = try? file.string("model"), let kind = try? ModelRegistry.kind(named: name) {
        _ = try? kind.loadTraining(from: file)
    }
    return 0
}

// libFuzzer's own main() refers to this name; the driver below is what runs.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 { fuzz(data ?? UnsafePointer(bitPattern: 1)!, size) }

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in testOneInput(data, size) })
