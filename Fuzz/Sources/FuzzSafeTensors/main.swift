// libFuzzer harness: bytes as a safetensors file. Parsing must throw a VAEGANError or succeed;
// a parsed file must survive serialize → parse unchanged, and loading it as a checkpoint of the
// kind it names (a training state or weights only) must throw or succeed, never trap.
import FuzzEntry
@testable import VAEGAN

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

runFuzzer(fuzz)
