// Running another program (the tool, or this test binary again) to its end, for the tests that
// need a process of their own: a kill, a file size limit, a capped address space.
import Foundation

/// Which of a child's streams a test reads; the other goes to /dev/null.
enum CapturedStream { case output, errors }

/// Runs `executable` with `arguments` to its end, with Swift's backtracer off (a crash fails the
/// test either way, and a backtrace takes long), `environment` added to this process's. Returns
/// the finished process and the text it wrote to `stream`.
func runToEnd(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
              capturing stream: CapturedStream) throws -> (process: Process, text: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(
        environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { a, _ in a }) { _, b in b }
    let pipe = Pipe()
    process.standardOutput = stream == .output ? pipe : FileHandle.nullDevice
    process.standardError = stream == .errors ? pipe : FileHandle.nullDevice
    try process.run()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process, text)
}
