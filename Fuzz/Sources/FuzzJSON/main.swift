// libFuzzer harness: bytes as a JSON document (the reader of safetensors headers and specs).
// Parsing must throw a VAEGANError or succeed, whatever the nesting depth or the bytes.
import FuzzDriver
@testable import VAEGAN
#if canImport(Glibc)
import Glibc
#endif

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

// libFuzzer's own main() refers to this name; the driver below is what runs.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 { fuzz(data ?? UnsafePointer(bitPattern: 1)!, size) }

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in testOneInput(data, size) })
