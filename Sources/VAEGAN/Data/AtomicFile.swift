// Atomic file replacement, shared by every writer (PNG, NPY, IDX, safetensors).
// Readers of `path` see either the old file or the complete new one, never a partial write,
// even if the process dies midway: the bytes go to a temporary file in the same folder,
// are flushed to disk, and only then renamed over `path` (rename is atomic within a file system).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes whole files atomically.
///
/// ```swift
/// try AtomicFile.write(pngBytes, to: "runs/vae/samples.png")
/// ```
public enum AtomicFile {
    /// Replaces the file at `path` with `bytes`, or leaves it untouched if anything fails.
    ///
    /// The temporary file is `<path>.tmp-<pid>`; it is removed on every failure. A process
    /// killed mid-write (kill -9, a crash) leaves its temporary file behind: the next write of
    /// `path` removes every `<path>.tmp-<pid>` whose process is gone, so they never pile up.
    /// Two threads of one process must not write the same path at the same time.
    /// - Throws: `.io("<path>: <reason>")` when the folder is missing or not writable,
    ///   the disk is full, or `path` names a folder.
    public static func write(_ bytes: [UInt8], to path: String) throws(VAEGANError) {
        try write(chunks: [bytes], to: path)
    }

    /// Like `write(_:to:)` for contents given in pieces, written one after another (so a large
    /// file never has to be joined into one buffer first).
    public static func write(chunks: [[UInt8]], to path: String) throws(VAEGANError) {
        // The pid keeps two processes writing the same path from sharing a temporary file.
        let temporaryPath = "\(path).tmp-\(getpid())"
        removeAbandonedTemporaryFiles(of: path)
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .io("\(path): cannot create temporary file \(temporaryPath): \(describeSystemError(errno))")
        }
        var isOpen = true
        do throws(VAEGANError) {
            for chunk in chunks { try writeAll(chunk, to: descriptor, path: path) }
            guard fsync(descriptor) == 0 else {
                throw .io("\(path): cannot flush to disk: \(describeSystemError(errno))")
            }
            isOpen = false
            // close can report a deferred write error (e.g. on network file systems).
            guard close(descriptor) == 0 else {
                throw .io("\(path): cannot close: \(describeSystemError(errno))")
            }
            guard rename(temporaryPath, path) == 0 else {
                throw .io("\(path): cannot replace with \(temporaryPath): \(describeSystemError(errno))")
            }
        } catch {
            if isOpen { close(descriptor) }
            unlink(temporaryPath)
            throw error
        }
        syncFolder(containing: path)
    }

    /// Removes `<path>.tmp-<pid>` files left by processes that no longer exist (killed while
    /// writing). A live process's temporary file is its own business; so is a name that does
    /// not end in a pid. (A dead writer's pid reused by a new process keeps its file until that
    /// process ends too.)
    private static func removeAbandonedTemporaryFiles(of path: String) {
        let (folder, name) = split(path)
        removeAbandonedTemporaryFiles(inFolder: folder) { $0 == name }
    }

    /// Removes every `<name>.tmp-<pid>` in `folder` left by a process that no longer exists,
    /// for each `name` that `accepts` (all by default): a run starting in its output folder
    /// clears what a killed predecessor left. Best effort; errors are ignored.
    public static func removeAbandonedTemporaryFiles(inFolder folder: String, accepting accepts: (String) -> Bool = { _ in true }) {
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            // The name in place: readdir's records are only as long as their name, so loading
            // the whole struct dirent (256 bytes of d_name) would read past the record.
            let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
            let entryName = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            guard let marker = entryName.ranges(of: ".tmp-").last,
                  accepts(String(entryName[..<marker.lowerBound])),
                  let pid = pid_t(entryName[marker.upperBound...]), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder + "/" + entryName) }
        }
    }

    /// The folder of `path` ("." for a bare name) and its last component.
    private static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = slash == path.startIndex ? "/" : String(path[..<slash])
        return (folder, String(path[path.index(after: slash)...]))
    }

    /// Flushes the folder entry so the rename itself survives a crash. Best effort: some file
    /// systems refuse to fsync a folder, and the data is already safe in the renamed file.
    private static func syncFolder(containing path: String) {
        let descriptor = open(split(path).folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

/// Writes every byte, retrying short writes and interrupted calls.
private func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(VAEGANError) {
    var written = 0
    while written < bytes.count {
        let result = bytes.withUnsafeBytes { buffer in
            write(descriptor, buffer.baseAddress! + written, buffer.count - written)
        }
        if result < 0 {
            if errno == EINTR { continue }
            throw .io("\(path): cannot write: \(describeSystemError(errno))")
        }
        written += result
    }
}
