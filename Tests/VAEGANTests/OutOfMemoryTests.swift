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
// the cap but cost no memory.
import Foundation
import Testing
@testable import VAEGAN

@Suite("Out of memory in the Swift API", .serialized)
struct OutOfMemoryTests {
    /// A case prepares what the caller owns, calls `cap()`, then makes the one call.
    typealias Case = @Sendable (_ cap: () -> Void) throws(VAEGANError) -> Void

    static let headroom = 128 << 20
    static let childVariable = "VAEGAN_OOM_CASE"

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
    ]

    @Test("each call whose sizes need more than the capped address space throws .outOfMemory",
          arguments: cases.map(\.name))
    func outOfMemoryIsThrown(_ name: String) throws {
        let (process, text) = try runToEnd(
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path,
            ["--testing-library", "swift-testing", "--filter", "OutOfMemoryTests/child"],
            environment: [Self.childVariable: name], capturing: .output)
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
            report(message.isEmpty ? 1 : 0, ".outOfMemory: \(message)")
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

    /// `count` images of `width` byte pixels, untouched.
    static func dataset(count: Int, width: Int) -> ImageDataset {
        ImageDataset(count: count, rows: 1, columns: width, pixels: .bytes(untouched(UInt8.self, count: count * width)))
    }
}
