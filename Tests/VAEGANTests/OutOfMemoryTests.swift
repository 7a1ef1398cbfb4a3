// OutOfMemoryTests: running out of memory is an error, never a trap, in the Swift API too (the
// C ABI's cases are Tests/CABI/oom_test.c). Each case runs in a child process, this test binary
// again running only `child()`, which warms the library up (one thread, OpenBLAS and the Swift
// runtime initialized), lets the case prepare its inputs, caps the address space (RLIMIT_AS) at
// its current size + 128 MB, then makes one public call whose sizes need far more. The child
// exits 0 only when the call threw `.outOfMemory` with a message; a trap kills it with a signal.
// A subprocess rather than fork(): the parent runs other tests on other threads, whose locks a
// forked child could inherit held.
//
// Large inputs are uninitialized arrays of fresh (zero, untouched) pages: they count against
// the cap but cost no memory. Large files are sparse (a header, then a hole made by truncate),
// in a folder the parent makes for each case and removes after it: they cost no disk.
import Foundation
import Testing
@testable import VAEGAN

@Suite("Out of memory in the Swift API", .serialized)
struct OutOfMemoryTests {
    /// A case prepares what the caller owns, calls `cap()`, then makes the one call.
    typealias Case = @Sendable (_ cap: () -> Void) throws(VAEGANError) -> Void

    static let headroom = 128 << 20
    static let childVariable = "VAEGAN_OOM_CASE"
    static let folderVariable = "VAEGAN_OOM_FOLDER"

    static let cases: [(name: String, run: Case)] = [
        ("VAE(_:batchCapacity:): a 131072-wide layer", { cap throws(VAEGANError) in
            var c = tinyVAE(input: 784)
            c.encoderWidths = [131072]
            cap()
            _ = try VAE(c, batchCapacity: 1)
        }),
        ("BatchLoader: batch size 1048576 of 784", { cap throws(VAEGANError) in
            let data = dataset(count: 4, width: 784)
            cap()
            _ = try BatchLoader(data, batchSize: 1 << 20)
        }),
        ("decodeAll: 2^22 latents into rows of 784", { cap throws(VAEGANError) in
            let vae = try VAE(tinyVAE(input: 784), batchCapacity: 64)
            let z = untouched(Float.self, count: (1 << 22) * vae.latentWidth)
            cap()
            _ = try vae.decodeAll(z)
        }),
        ("sample(count:seed:): 2^22 samples of 784", { cap throws(VAEGANError) in
            let vae = try VAE(tinyVAE(input: 784), batchCapacity: 64)
            cap()
            _ = try vae.sample(count: 1 << 22, seed: 1)
        }),
        ("TrainedModel.sampleImages: 2^30 samples (z alone 8 GB)", { cap throws(VAEGANError) in
            let model = TrainedModel(try VAE(tinyVAE(input: 784), batchCapacity: 64))
            cap()
            _ = try model.sampleImages(count: 1 << 30, seed: 1)
        }),
        ("encodeMeans: 2^20 rows of 4 into means of 512", { cap throws(VAEGANError) in
            var c = tinyVAE(input: 4)
            c.latentWidth = 512
            let vae = try VAE(c, batchCapacity: 64)
            let x = untouched(Float.self, count: (1 << 20) * 4)
            cap()
            _ = try vae.encodeMeans(x)
        }),
        ("GAN.discriminateAll: 2^26 rows of 2", { cap throws(VAEGANError) in
            var c = GANConfiguration()
            (c.latentWidth, c.generatorWidths, c.dataWidth, c.discriminatorWidths) = (2, [4], 2, [4])
            let gan = try GAN(c, batchCapacity: 64)
            let x = untouched(Float.self, count: (1 << 26) * 2)
            cap()
            _ = try gan.discriminateAll(x)
        }),
        ("Classifier.featuresAll: 2^20 rows of 4 into features of 512", { cap throws(VAEGANError) in
            let classifier = try wideClassifier()
            let x = untouched(Float.self, count: (1 << 20) * 4)
            cap()
            _ = try classifier.featuresAll(x)
        }),
        ("Classifier.predictAll: 2^24 rows of 4 into logits of 10", { cap throws(VAEGANError) in
            let classifier = try wideClassifier()
            let x = untouched(Float.self, count: (1 << 24) * 4)
            cap()
            _ = try classifier.predictAll(x)
        }),
        ("ImageDataset.rowsAsFloats: 2^28 pixels as Floats", { cap throws(VAEGANError) in
            let data = dataset(count: 1 << 18, width: 1024)
            cap()
            _ = try data.rowsAsFloats(0..<data.count)
        }),
        ("ImageDataset.subset: a copy of 2^28 pixels", { cap throws(VAEGANError) in
            let data = dataset(count: 1 << 18, width: 1024)
            cap()
            _ = try data.subset(0..<data.count)
        }),
        ("ImageDataset.binarized: a copy of 2^28 pixels", { cap throws(VAEGANError) in
            let data = dataset(count: 1 << 18, width: 1024)
            cap()
            _ = try data.binarized(seed: 1)
        }),
        ("FeatureStatistics: width 6000", { cap throws(VAEGANError) in
            let features = [Float](repeating: 1, count: 2 * 6000)
            cap()
            _ = try FeatureStatistics(features: features, width: 6000)
        }),

        // Files: reading one whole, inflating it, decoding or copying what it holds.
        ("NPYMatrix: an 8 GB float32 file", { cap throws(VAEGANError) in
            let path = sparseFile("big.npy", NPYFormat.preambleAndHeader(
                NPYHeader(descr: "<f4", fortranOrder: false, shape: [1 << 21, 1024])), dataBytes: 1 << 33)
            cap()
            _ = try NPYMatrix(contentsOfFile: path)
        }),
        ("NPYMatrix: 96 MB of float32 read, then decoded beside its bytes", { cap throws(VAEGANError) in
            let path = sparseFile("floats.npy", NPYFormat.preambleAndHeader(
                NPYHeader(descr: "<f4", fortranOrder: false, shape: [24 << 10, 1024])), dataBytes: 96 << 20)
            cap()
            _ = try NPYMatrix(contentsOfFile: path)
        }),
        ("IDXImages: a raw 4 GB image file", { cap throws(VAEGANError) in
            let path = sparseFile("images-idx3-ubyte", IDX.header(sizes: [1 << 20, 64, 64]), dataBytes: 1 << 32)
            cap()
            _ = try IDXImages(contentsOfFile: path)
        }),
        ("IDXImages: 256 gzip members of 1 MB, inflated by doubling", { cap throws(VAEGANError) in
            // The last member's trailer suggests 1 MB, so the output grows step by step.
            let member = Gzip.compress([UInt8](repeating: 0, count: 1 << 20))
            let path = file("images-idx3-ubyte.gz", Gzip.compress(IDX.header(sizes: [256, 1024, 1024]))
                + Array([[UInt8]](repeating: member, count: 256).joined()))
            cap()
            _ = try IDXImages(contentsOfFile: path)
        }),
        ("SafeTensorsFile.read: a 96 MB tensor read, then copied out", { cap throws(VAEGANError) in
            let count = 96 << 20
            var header = Array(#"{"t":{"dtype":"U8","shape":[\#(count)],"data_offsets":[0,\#(count)]}}"#.utf8)
            header += [UInt8](repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
            let path = sparseFile("big.safetensors", LittleEndian.encode([UInt64(header.count)]) + header, dataBytes: count)
            cap()
            _ = try SafeTensorsFile.read(from: path)
        }),

        // Pictures whose size the caller chooses.
        ("Image.scaled(by:): a 28×28 image by 2^16", { cap throws(VAEGANError) in
            let image = Image(grayscaleIntensities: [Float](repeating: 0.5, count: 784), width: 28, height: 28)
            cap()
            _ = try image.scaled(by: 1 << 16)
        }),
        ("Image(filledWith:): 2^16 × 2^16 RGB", { cap throws(VAEGANError) in
            cap()
            _ = try Image(width: 1 << 16, height: 1 << 16, channels: 3, filledWith: 255)
        }),
        ("Image.grid: 4 tiles of 28×28 in rows of 2^22", { cap throws(VAEGANError) in
            let tiles = [Float](repeating: 0.5, count: 4 * 784)
            cap()
            _ = try Image.grid(of: tiles, side: 28, columns: 1 << 22)
        }),
        ("LinePlot.render: 2^17 × 2^17", { cap throws(VAEGANError) in
            let plot = LinePlot(title: "loss", series: [.init(name: "train", values: [3, 2, 1])])
            cap()
            _ = try plot.render(width: 1 << 17, height: 1 << 17)
        }),
    ]

    @Test("each call whose sizes need more than the capped address space throws .outOfMemory",
          arguments: cases.map(\.name))
    func outOfMemoryIsThrown(_ name: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-oom-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (process, text) = try runToEnd(
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path,
            ["--testing-library", "swift-testing", "--filter", "OutOfMemoryTests/child"],
            environment: [Self.childVariable: name, Self.folderVariable: folder], capturing: .output)
        let result = text.split(separator: "\n").first { $0.hasPrefix("oom-case:") } ?? "no result line"
        #expect(process.terminationReason == .exit && process.terminationStatus == 0,
                "\(name): \(process.terminationReason == .uncaughtSignal ? "killed by signal \(process.terminationStatus)" : String(result))")
        print("\(name): \(result)")
    }

    /// The child's side: runs the case named in the environment and exits; skipped otherwise.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childVariable] != nil))
    func child() throws {
        let name = ProcessInfo.processInfo.environment[Self.childVariable]!
        guard let entry = Self.cases.first(where: { $0.name == name }) else { report(3, "no case named \(name)") }
        try warmUp()
        do {
            try entry.run(Self.cap)
            report(1, "no error")
        } catch .outOfMemory(let message) {
            // A file's error names the file.
            let named = Self.filePath.map { message.contains($0) } ?? !message.isEmpty
            report(named ? 0 : 1, ".outOfMemory: \(message)")
        } catch {
            report(1, "\(error)")
        }
    }

    // MARK: The child's helpers

    /// Prints the result line and ends the child process with `status`.
    private func report(_ status: Int32, _ line: String) -> Never {
        print("oom-case: \(line)")
        fflush(nil) // every stream: print wrote through stdout
        exit(status)
    }

    /// What is set up lazily: the pool at one thread, OpenBLAS (evaluation's GEMMs), a model pass.
    private func warmUp() throws {
        try Threads.set(1)
        let vae = try VAE(Self.tinyVAE(input: 16), batchCapacity: 4)
        _ = try vae.decodeAll([Float](repeating: 0, count: 4 * vae.latentWidth))
        _ = try FeatureStatistics(features: (0..<64).map { Float($0 % 7) }, width: 4).frechetDistance(
            to: FeatureStatistics(features: (0..<64).map { Float($0 % 5) }, width: 4))
    }

    /// Caps the address space at what is mapped now + `headroom`.
    static func cap() {
        let pages = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))?.split(separator: " ").first.flatMap { Int($0) } ?? 0
        let limit = rlim_t(pages * sysconf(Int32(_SC_PAGESIZE)) + headroom)
        var r = rlimit(rlim_cur: limit, rlim_max: limit)
        guard setrlimit(Int32(RLIMIT_AS.rawValue), &r) == 0 else {
            print("oom-case: setrlimit failed")
            exit(3)
        }
    }

    static func tinyVAE(input: Int) -> VAEConfiguration {
        var c = VAEConfiguration()
        (c.inputWidth, c.encoderWidths, c.latentWidth, c.decoderWidths) = (input, [8], 2, [8])
        return c
    }

    static func wideClassifier() throws(VAEGANError) -> Classifier {
        var c = ClassifierConfiguration()
        (c.inputWidth, c.hiddenWidths, c.classCount) = (4, [512], 10)
        return try Classifier(c, batchCapacity: 64)
    }

    /// `count` values the test never writes: fresh pages from mmap, zero and not yet touched.
    static func untouched<Value: BitwiseCopyable>(_: Value.Type, count: Int) -> [Value] {
        [Value](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// The file the child's case made, if any; only the child's one thread sets it.
    nonisolated(unsafe) static var filePath: String?

    /// `bytes` written to `name` in the case's folder; returns its path.
    static func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = ProcessInfo.processInfo.environment[folderVariable]! + "/" + name
        filePath = path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            print("oom-case: cannot write \(path)")
            exit(3)
        }
        return path
    }

    /// A file of `header` and then `dataBytes` zeros, which truncate leaves as a hole.
    static func sparseFile(_ name: String, _ header: [UInt8], dataBytes: Int) -> String {
        let path = file(name, header)
        guard truncate(path, off_t(header.count + dataBytes)) == 0 else {
            print("oom-case: cannot extend \(path): \(String(cString: strerror(errno)))")
            exit(3)
        }
        return path
    }

    /// `count` images of `width` byte pixels, untouched.
    static func dataset(count: Int, width: Int) -> ImageDataset {
        ImageDataset(count: count, rows: 1, columns: width, pixels: .bytes(untouched(UInt8.self, count: count * width)))
    }
}
