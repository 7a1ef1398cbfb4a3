// libFuzzer harness: bytes as an architecture spec (NetworkSpec JSON, one network). Reading it
// and inferring its shapes must throw a VAEGANError or succeed; a spec whose shapes check must
// survive json → read unchanged.
import FuzzEntry
@testable import VAEGAN

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let spec = try? NetworkSpec(json: text, source: "fuzz") else { return 0 }
    guard (try? spec.shapes()) != nil else { return 0 }
    let again = try? NetworkSpec(json: spec.json, source: "fuzz")
    precondition(again == spec, "spec round trip changed the spec:\n\(spec.json)")
    return 0
}

runFuzzer(fuzz)
