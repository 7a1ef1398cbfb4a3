// libFuzzer harness: bytes as a JSON document (the reader of safetensors headers and specs).
// Parsing must throw a VAEGANError or succeed, whatever the nesting depth or the bytes.
import FuzzEntry
@testable import VAEGAN

func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let value = try? JSONValue(parsing: bytes[...], what: "document", source: "fuzz"),
       case .string(let text) = value {
        // A string written back as a literal must read as the same string.
        let again = try? JSONValue(parsing: Array(JSONValue.quoted(text).utf8)[...], what: "document", source: "fuzz")
        precondition(again == value, "JSON string round trip changed the string")
    }
    return 0
}

runFuzzer(fuzz)
