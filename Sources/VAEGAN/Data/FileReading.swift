// Reading a whole file into memory, with errors that name the file and the system's reason.
// Decompression lives in Gzip.swift; writing lives in AtomicFile.swift.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of the file at `path`, read to its end.
///
/// Missing, unreadable or directory paths throw `.io("<path>: <reason>")`; a file larger than
/// the memory to be had throws `.outOfMemory("<path>: …")`.
func readFileBytes(atPath path: String) throws(VAEGANError) -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        throw .io("\(path): cannot open: \(describeSystemError(errno))")
    }
    defer { close(descriptor) }

    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
        throw .io("\(path): cannot stat: \(describeSystemError(errno))")
    }
    var bytes: [UInt8] = []
    // The size is only a hint: the file may grow or shrink while we read, so read to EOF.
    try bytes.reserveCapacity(checked: Int(max(status.st_size, 0)), path)
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let readCount = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if readCount < 0 {
            if errno == EINTR { continue }
            throw .io("\(path): cannot read: \(describeSystemError(errno))")
        }
        if readCount == 0 { return bytes }
        if bytes.count + readCount > bytes.capacity {
            // The file grew since fstat: double, as append would, but fallibly.
            try bytes.reserveCapacity(checked: max(2 * bytes.capacity, bytes.count + readCount), path)
        }
        bytes.append(contentsOf: chunk[0..<readCount])
    }
}

/// The C library's text for an `errno` value, e.g. "No such file or directory".
func describeSystemError(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}
