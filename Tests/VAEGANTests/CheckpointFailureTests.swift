// CheckpointFailureTests: `vaegan train` (the debug tool built beside this test binary) killed
// with SIGKILL at random moments during hundreds of checkpoint writes, and run on a full disk.
// After every kill the checkpoint on disk must load and hold an epoch no earlier than before;
// temporary files must not pile up; and a chain of `--resume` runs, each killed, must end with
// the very bytes of one uninterrupted run (one thread: training is deterministic), which holds
// only if every checkpoint it resumed from was a complete, unmixed training state. On a full
// disk the run fails with an error naming the checkpoint's path, the previous checkpoint stays
// as it was, and training continues exactly once space is back.
//
// A tiny β-VAE (784 → 4 → μ, log σ² of 2 → 4 → 784) on 40 random images, one batch per epoch;
// the runs go to /dev/shm when it exists (tmpfs: fsync is free, and a kill is a process death,
// not a power cut, so the page cache is what matters).
import Foundation
import Testing
@testable import VAEGAN

@Suite("Checkpoints under kill -9 and a full disk", .serialized)
struct CheckpointFailureTests {
    /// The tool, next to this test binary (`swift build --build-tests` builds both).
    static let tool: String = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("vaegan").path
    }()

    /// A fresh folder holding the data set and the spec.
    private func workspace(_ name: String) throws -> String {
        let base = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let folder = "\(base)/vaegan-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var generator = RandomGenerator(seed: 5)
        var pixels = [Float](repeating: 0, count: 40 * 784)
        pixels.withUnsafeMutableBufferPointer { generator.fillUniform($0.baseAddress!, count: $0.count) }
        try NPYMatrix(shape: [40, 28, 28], storage: .bytes(pixels.map { UInt8($0 * 255) })).write(toFile: "\(folder)/data.npy")
        let spec = """
            {"encoder": {"input": [784], "layers": [{"type": "dense", "width": 4, "activation": "relu"}]},
             "decoder": {"input": [2], "layers": [{"type": "dense", "width": 4, "activation": "relu"},
                                                  {"type": "dense", "width": 784, "activation": "identity"}]}}
            """
        try spec.write(toFile: "\(folder)/spec.json", atomically: false, encoding: .utf8)
        return folder
    }

    /// `vaegan train` of the tiny model into `out` up to `epochs` (total), optionally resuming.
    private func trainArguments(_ folder: String, out: String, epochs: Int, resume: Bool) -> [String] {
        ["train", "--model", "vae", "--data", "\(folder)/data.npy", "--spec", "\(folder)/spec.json",
         "--latent", "2", "--batch-size", "64", "--epochs", String(epochs), "--threads", "1",
         "--seed", "3", "--out", out, "--quiet"] + (resume ? ["--resume"] : [])
    }

    /// Starts the tool; the caller waits for it (or kills it).
    private func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.tool)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(
            environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { a, _ in a }) { _, b in b }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    /// Runs the tool to its end: its exit status and standard error.
    private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        let (process, errors) = try start(arguments, environment: environment)
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// The checkpoint's epoch, after loading it as the tool does (nil: no checkpoint yet).
    private func loadedEpoch(_ path: String) throws -> Int? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let file = try SafeTensorsFile.read(from: path)
        _ = try VAETraining.loadTraining(from: file)
        return try TrainingPosition(from: file).epoch
    }

    /// Names in `folder` that are temporary files of atomic writes.
    private func temporaryFiles(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.contains(".tmp-") }
    }

    @Test("kill -9 at random moments: the checkpoint always loads, resume is bit-exact")
    func killedAtRandomMoments() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.tool), "no tool at \(Self.tool): run swift build --build-tests")
        let folder = try workspace("kill")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let epochs = 200
        let (status, errors) = try run(trainArguments(folder, out: "\(folder)/reference", epochs: epochs, resume: false))
        try #require(status == 0, "the reference run failed: \(errors)")
        let reference = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/reference/checkpoint.safetensors"))

        let out = "\(folder)/chain", path = "\(out)/checkpoint.safetensors"
        var generator = SystemRandomNumberGenerator()
        var epoch = 0, kills = 0, writes = 0, leftovers = 0, completed = false
        while !completed {
            let (process, _) = try start(trainArguments(folder, out: out, epochs: epochs, resume: true))
            // Every other run is killed after 50–500 ms, from before its first write (a start
            // costs about 100 ms) to several epochs in; the others after 100–400 ms and then as
            // soon as a checkpoint write is seen under way (its temporary file exists), so
            // kills also land inside writes, which take a small part of each epoch.
            if kills % 2 == 0 {
                usleep(UInt32.random(in: 50_000...500_000, using: &generator))
            } else {
                usleep(UInt32.random(in: 100_000...400_000, using: &generator))
                let deadline = Date().addingTimeInterval(1)
                while process.isRunning, Date() < deadline,
                      !temporaryFiles(in: out).contains(where: { $0.hasPrefix("checkpoint.safetensors.tmp-") }) {
                    usleep(50)
                }
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            completed = process.terminationReason == .exit
            if completed { #expect(process.terminationStatus == 0, "a resumed run failed") }
            let now = try #require(try loadedEpoch(path) ?? 0, "the checkpoint does not load after kill \(kills)")
            #expect(now >= epoch, "the checkpoint went back from epoch \(epoch) to \(now)")
            writes += now - epoch
            epoch = now
            // The killed run's own temporary files may remain (one per file it was writing);
            // older ones must have been removed by the next run.
            let pids = Set(temporaryFiles(in: out).compactMap { $0.split(separator: "-").last.map(String.init) })
            if !pids.isEmpty { leftovers += 1 }
            #expect(pids.count <= 1, "temporary files of several runs remain: \(temporaryFiles(in: out))")
        }
        #expect(epoch == epochs)
        #expect(writes >= 200)
        #expect(kills >= 10, "only \(kills) runs were killed")
        #expect(temporaryFiles(in: out).isEmpty, "temporary files left after the last run: \(temporaryFiles(in: out))")
        let final = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(final == reference, "the resumed chain's checkpoint differs from the uninterrupted run's")
        print("kill -9: \(kills) runs killed during \(writes) checkpoint writes (\(leftovers) left a temporary file, removed by the next run); the chain's final checkpoint equals the uninterrupted run's")
    }

    @Test("a full disk: an error naming the checkpoint, the previous one kept, training continues")
    func fullDisk() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.tool), "no tool at \(Self.tool): run swift build --build-tests")
        let folder = try workspace("full")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (referenceStatus, referenceErrors) = try run(trainArguments(folder, out: "\(folder)/reference", epochs: 4, resume: false))
        try #require(referenceStatus == 0, "the reference run failed: \(referenceErrors)")
        let reference = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/reference/checkpoint.safetensors"))

        let out = "\(folder)/small", path = "\(out)/checkpoint.safetensors"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // A small tmpfs of our own when we may mount one (root); otherwise a file size limit
        // (RLIMIT_FSIZE, SIGXFSZ ignored) below the checkpoint's size makes its write fail.
        let mounted = geteuid() == 0 && (try? run(["-t", "tmpfs", "-o", "size=1m", "tmpfs", out], tool: "/bin/mount").0) == 0
        defer { if mounted { _ = try? run([out], tool: "/bin/umount") } }
        let (status, errors) = try run(trainArguments(folder, out: out, epochs: 2, resume: false))
        try #require(status == 0, "training to epoch 2 failed: \(errors)")
        let previous = try Data(contentsOf: URL(fileURLWithPath: path))

        let failedStatus: Int32, failedErrors: String
        if mounted {
            // Fill what is left of the tmpfs.
            let filler = "\(out)/filler"
            FileManager.default.createFile(atPath: filler, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
            let block = Data(count: 64 * 1024)
            while (try? handle.write(contentsOf: block)) != nil {}
            try? handle.close()
            (failedStatus, failedErrors) = try run(trainArguments(folder, out: out, epochs: 4, resume: true))
            try FileManager.default.removeItem(atPath: filler)
        } else {
            let command = (trainArguments(folder, out: out, epochs: 4, resume: true)).map { "'\($0)'" }.joined(separator: " ")
            (failedStatus, failedErrors) = try run(["-c", "trap '' XFSZ; ulimit -f 32; exec '\(Self.tool)' \(command)"], tool: "/bin/sh")
        }
        #expect(failedStatus != 0, "training on a full disk did not fail")
        #expect(failedErrors.contains(path), "the error does not name the checkpoint: \(failedErrors)")
        #expect(failedErrors.contains(mounted ? "No space left on device" : "File too large"), "\(failedErrors)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == previous, "the previous checkpoint was changed")
        #expect(temporaryFiles(in: out).isEmpty, "temporary files left: \(temporaryFiles(in: out))")

        // Space is back: the run continues from epoch 2 and ends where the uninterrupted one did.
        let (resumedStatus, resumedErrors) = try run(trainArguments(folder, out: out, epochs: 4, resume: true))
        try #require(resumedStatus == 0, "resuming after the full disk failed: \(resumedErrors)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == reference, "resumed training differs from the uninterrupted run")
        print("full disk (\(mounted ? "1 MB tmpfs" : "RLIMIT_FSIZE")): \(failedErrors.trimmingCharacters(in: .whitespacesAndNewlines))")
    }

    /// Runs another program to its end.
    private func run(_ arguments: [String], tool: String) throws -> (Int32, String) {
        let (process, errors) = try runToEnd(tool, arguments, capturing: .errors)
        return (process.terminationStatus, errors)
    }
}
