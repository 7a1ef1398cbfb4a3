// FuzzEntry: what every harness's main.swift would otherwise repeat: the symbol libFuzzer's
// runtime refers to and the call into its driver (FuzzDriver's header says why the harness
// starts the driver itself). A harness is its `fuzz` function and one `runFuzzer(fuzz)`.
import FuzzDriver
#if canImport(Glibc)
import Glibc
#endif

/// The harness being run; set once, before the driver starts.
nonisolated(unsafe) private var harness: ((UnsafePointer<UInt8>, Int) -> Int32)?

// libFuzzer's own main() refers to this name; the driver below is what runs.
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    harness?(data ?? UnsafePointer(bitPattern: 1)!, size) ?? 0
}

/// Runs libFuzzer's driver on `fuzz` with the process's arguments, and exits with its status.
public func runFuzzer(_ fuzz: @escaping (UnsafePointer<UInt8>, Int) -> Int32) -> Never {
    harness = fuzz
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in testOneInput(data, size) })
}
