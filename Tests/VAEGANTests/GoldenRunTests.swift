// Golden runs, as llm.c's test_gpt2.c: the first ten training steps of each reference model
// (β-VAE `VAEConfiguration()`, GAN `GANConfiguration()`, VAE-GAN `VAEGANConfiguration()`,
// batch 128, model seed 0) on a fixed sequence of synthetic batches, compared with the figures
// recorded in Fixtures/golden-runs.json by the code at the commit named there, before the
// engine refactor of issue 12. Every figure a step returns is compared (the losses, D's
// probabilities, the VAE-GAN's terms and gate decisions), and after the ten steps the sum of
// each part's parameters, so the last optimizer update is checked too.
//
// Bitwise: each Double's bit pattern must equal the recorded one. The arithmetic is
// deterministic for any thread count (our GEMM and the pool split work in fixed chunks), so
// the runs are checked on one thread and on two. Two things can legitimately change the bits
// and nothing else may: (1) the GEMM kernel set, chosen by CPUID ("avx2" here; "avx512" slices
// K by 256 instead of 384 and "portable" uses 4×8 tiles, so FMA accumulation orders differ);
// (2) the C library's exp and log, which Swift's Foundation calls for the Gaussian terms. When
// the kernel set differs from the recorded one the test compares within a relative 1e-3
// instead and says so: that bound is an estimate (ten steps of Adam amplify last-bit
// differences), not a measured one, because no other kernel set was available when recording.
//
// The models are driven as their training adapters drive them (zero the gradients, accumulate,
// step the optimizers); each adapter's `trainStep` is then checked against the recorded
// headline loss too, so the adapters cannot drift from the model-level path unseen.
//
// To record (only at a commit whose arithmetic is the reference; never to make a failing test
// pass): VAEGAN_RECORD_GOLDEN=<path> VAEGAN_RECORD_COMMIT=<hash> swift test --filter GoldenRunTests
import CVAEGAN
import Foundation
import Testing
@testable import VAEGAN

/// One model's figures, step by step, by name; plus parameter sums after the last step.
struct GoldenRun: Equatable {
    var metrics: [String: [Double]] = [:]
    var parameterSums: [String: Double] = [:]

    mutating func append(_ name: String, _ value: Double) { metrics[name, default: []].append(value) }
}

@Suite(.serialized) struct GoldenRunTests {
    static let steps = 10
    static let batch = 128
    static let modelSeed: UInt64 = 0
    static let dataSeed: UInt64 = 0x601D
    static let fixtureName = "golden-runs.json"
    static let relativeTolerance = 1e-3

    // MARK: The runs

    /// The synthetic batches: uniform in [0, 1), drawn one after another from one generator,
    /// so batch i differs from batch j.
    struct Batches {
        private var rng = RandomGenerator(seed: GoldenRunTests.dataSeed)
        let tensor: Tensor
        init(width: Int) { tensor = Tensor(shape: [GoldenRunTests.batch, width]) }
        mutating func next() -> Matrix {
            rng.fillUniform(tensor.pointer, count: tensor.count)
            return tensor.matrix
        }
    }

    /// Σ of every value, in Double, in the parts' order.
    static func sum(_ parameters: [Parameter]) -> Double {
        var total = 0.0
        for p in parameters { for i in 0..<p.value.count { total += Double(p.value.pointer[i]) } }
        return total
    }

    /// As `VAETraining.trainStep` with its defaults (Adam lr 1e-3, no warm-up: β = 1).
    static func vaeRun() throws -> GoldenRun {
        let vae = try VAE(VAEConfiguration(), batchCapacity: batch, seed: modelSeed)
        let adam = try Adam(store: vae.store, learningRate: 1e-3)
        var batches = Batches(width: vae.inputWidth)
        var run = GoldenRun()
        for _ in 0..<steps {
            vae.store.zeroGradients()
            let losses = vae.accumulateGradients(on: batches.next(), beta: 1)
            adam.step()
            run.append("loss", losses.loss)
            run.append("reconstruction", losses.reconstruction)
            run.append("kl", losses.kl)
        }
        run.parameterSums["vae"] = sum(vae.parameters)
        return run
    }

    /// As `GANTraining.trainStep` with its defaults (Adam lr 2e-4, β₁ 0.5, β₂ 0.999; k = 1).
    static func ganRun() throws -> GoldenRun {
        let gan = try GAN(GANConfiguration(), batchCapacity: batch, seed: modelSeed)
        let schedule = try AlternatingOptimizer(
            gan: gan,
            discriminatorOptimizer: try Adam(store: gan.discriminatorStore, learningRate: 2e-4,
                                             beta1: 0.5, beta2: 0.999),
            generatorOptimizer: try Adam(store: gan.generatorStore, learningRate: 2e-4,
                                         beta1: 0.5, beta2: 0.999))
        var batches = Batches(width: gan.dataWidth)
        var run = GoldenRun()
        for _ in 0..<steps {
            let report = schedule.step(real: batches.next())
            let g = try #require(report.generator, "k = 1: every step ends with a generator step")
            run.append("d_loss", report.discriminator.loss)
            run.append("d_real", report.discriminator.realProbability)
            run.append("d_fake", report.discriminator.fakeProbability)
            run.append("g_loss", g.loss)
            run.append("g_fake", g.fakeProbability)
        }
        run.parameterSums["generator"] = sum(gan.generator.parameters)
        run.parameterSums["discriminator"] = sum(gan.discriminator.parameters)
        return run
    }

    /// As `VAEGANTraining.trainStep` with its defaults (three Adams, lr 3e-4, β₁ 0.5, β₂ 0.999;
    /// the gate decides which of D and the decoder step).
    static func vaeganRun() throws -> GoldenRun {
        let model = try VAEGAN(VAEGANConfiguration(), batchCapacity: batch, seed: modelSeed)
        func adam(_ store: ParameterStore) throws -> Adam {
            try Adam(store: store, learningRate: 3e-4, beta1: 0.5, beta2: 0.999)
        }
        let encoderAdam = try adam(model.encoderStore)
        let decoderAdam = try adam(model.decoderStore)
        let discriminatorAdam = try adam(model.discriminatorStore)
        var batches = Batches(width: model.inputWidth)
        var run = GoldenRun()
        for _ in 0..<steps {
            model.encoderStore.zeroGradients()
            model.decoderStore.zeroGradients()
            model.discriminatorStore.zeroGradients()
            let step = model.accumulateGradients(on: batches.next())
            encoderAdam.step()
            if step.updatedDecoder { decoderAdam.step() }
            if step.updatedDiscriminator { discriminatorAdam.step() }
            run.append("prior", step.prior)
            run.append("llike", step.llike)
            run.append("pixel", step.pixel)
            run.append("gan", step.gan)
            run.append("d_real", step.realProbability)
            run.append("d_fake", step.fakeProbability)
            run.append("d_real_loss", step.discriminatorRealLoss)
            run.append("d_fake_loss", step.discriminatorFakeLoss)
            run.append("updated_discriminator", step.updatedDiscriminator ? 1 : 0)
            run.append("updated_decoder", step.updatedDecoder ? 1 : 0)
        }
        run.parameterSums["encoder"] = sum(model.encoderParameters)
        run.parameterSums["decoder"] = sum(model.decoderParameters)
        run.parameterSums["discriminator"] = sum(model.discriminatorParameters)
        return run
    }

    static func run(_ kind: String) throws -> GoldenRun {
        switch kind {
        case "vae": try vaeRun()
        case "gan": try ganRun()
        default: try vaeganRun()
        }
    }

    /// The reference trainers as `vaegan-bench` builds them (StepTable.swift `makeTrainable`),
    /// and the recorded figure their `trainStep` returns.
    static func adapter(_ kind: String) throws -> (trainer: any Trainable, headline: (GoldenRun) -> [Double]) {
        switch kind {
        case "vae":
            return (try VAETraining(vae: VAE(VAEConfiguration(), batchCapacity: batch, seed: modelSeed),
                                    stepsPerEpoch: 1000), { $0.metrics["loss"]! })
        case "gan":
            return (try GANTraining(gan: GAN(GANConfiguration(), batchCapacity: batch, seed: modelSeed)),
                    { $0.metrics["d_loss"]! })
        default:
            return (try VAEGANTraining(model: VAEGAN(VAEGANConfiguration(), batchCapacity: batch, seed: modelSeed)),
                    { zip($0.metrics["prior"]!, $0.metrics["llike"]!).map { $0 + $1 } })
        }
    }

    // MARK: The fixture

    struct Fixture: Codable {
        var commit: String
        var gemmKernels: String
        var steps: Int
        var batch: Int
        var modelSeed: UInt64
        var dataSeed: UInt64
        /// kind → metric → the bit patterns as 16 hex digits (the authoritative values).
        var bits: [String: [String: [String]]]
        /// kind → part → the bit pattern of the parameter sum after the last step.
        var parameterSumBits: [String: [String: String]]
        /// The same values in decimal, for people (not read by the test).
        var decimal: [String: [String: [Double]]]

        enum CodingKeys: String, CodingKey {
            case commit, steps, batch, bits, decimal
            case gemmKernels = "gemm_kernels", modelSeed = "model_seed", dataSeed = "data_seed"
            case parameterSumBits = "parameter_sum_bits"
        }

        static func hex(_ value: Double) -> String {
            let digits = String(value.bitPattern, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }

        static func double(_ hex: String) throws -> Double {
            Double(bitPattern: try #require(UInt64(hex, radix: 16), "not a bit pattern: \(hex)"))
        }

        func run(_ kind: String) throws -> GoldenRun {
            var run = GoldenRun()
            for (name, values) in try #require(bits[kind]) { run.metrics[name] = try values.map(Self.double) }
            for (part, value) in try #require(parameterSumBits[kind]) { run.parameterSums[part] = try Self.double(value) }
            return run
        }
    }

    static func fixture() throws -> Fixture {
        let folder = try #require(Bundle.module.resourcePath).appending("/Fixtures")
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(fixtureName)"))
        return try JSONDecoder().decode(Fixture.self, from: data)
    }

    static var kinds: [String] { ["vae", "gan", "vaegan"] }

    // MARK: Comparison

    /// Every difference between `actual` and `expected`, one line each ("" when none): bitwise,
    /// or within `relativeTolerance` when `bitwise` is false.
    static func differences(_ actual: GoldenRun, _ expected: GoldenRun, bitwise: Bool) -> [String] {
        func same(_ a: Double, _ b: Double) -> Bool {
            bitwise ? a.bitPattern == b.bitPattern : abs(a - b) <= relativeTolerance * max(abs(a), abs(b))
        }
        var lines: [String] = []
        for name in Set(actual.metrics.keys).union(expected.metrics.keys).sorted() {
            let a = actual.metrics[name] ?? [], e = expected.metrics[name] ?? []
            guard a.count == e.count else {
                lines.append("\(name): \(a.count) values, recorded \(e.count)")
                continue
            }
            for step in a.indices where !same(a[step], e[step]) {
                lines.append("\(name) step \(step + 1): \(a[step]) (\(Fixture.hex(a[step]))), recorded "
                             + "\(e[step]) (\(Fixture.hex(e[step]))), difference \(a[step] - e[step])")
            }
        }
        for part in Set(actual.parameterSums.keys).union(expected.parameterSums.keys).sorted() {
            let a = actual.parameterSums[part] ?? .nan, e = expected.parameterSums[part] ?? .nan
            if !same(a, e) { lines.append("parameter sum of \(part): \(a), recorded \(e), difference \(a - e)") }
        }
        return lines
    }

    static func withThreads<T>(_ count: Int, _ body: () throws -> T) throws -> T {
        let previous = Threads.count
        try Threads.set(count)
        defer { try? Threads.set(previous) }
        return try body()
    }

    // MARK: Tests

    @Test("The first ten steps reproduce the recorded figures bit for bit", arguments: kinds, [1, 2])
    func runReproducesTheRecordedFigures(kind: String, threads: Int) throws {
        let fixture = try Self.fixture()
        #expect(fixture.steps == Self.steps && fixture.batch == Self.batch
                && fixture.modelSeed == Self.modelSeed && fixture.dataSeed == Self.dataSeed)
        let kernels = String(cString: vg_gemm_kernel_name())
        let bitwise = kernels == fixture.gemmKernels
        if !bitwise {
            print("golden runs were recorded with the \(fixture.gemmKernels) GEMM kernels; this CPU uses "
                  + "\(kernels): comparing within \(Self.relativeTolerance) relative, not bitwise")
        }
        let actual = try Self.withThreads(threads) { try Self.run(kind) }
        let lines = Self.differences(actual, try fixture.run(kind), bitwise: bitwise)
        let report = lines.joined(separator: "\n")
        #expect(lines.isEmpty, "\(kind) on \(threads) thread(s) differs from the run recorded at \(fixture.commit):\n\(report)")
    }

    @Test("Each training adapter's trainStep returns the recorded headline loss", arguments: kinds)
    func adapterReturnsTheRecordedLoss(kind: String) throws {
        let fixture = try Self.fixture()
        let bitwise = String(cString: vg_gemm_kernel_name()) == fixture.gemmKernels
        let (trainer, headline) = try Self.adapter(kind)
        var batches = Batches(width: trainer.inputWidth)
        trainer.startEpoch(1)
        var actual = GoldenRun()
        for _ in 0..<Self.steps { actual.append("headline", try trainer.trainStep(on: batches.next())) }
        var expected = GoldenRun()
        expected.metrics["headline"] = headline(try fixture.run(kind))
        let lines = Self.differences(actual, expected, bitwise: bitwise)
        let report = lines.joined(separator: "\n")
        #expect(lines.isEmpty, "\(kind)'s trainStep differs from the recorded run:\n\(report)")
    }

    /// The comparison can fail: one last-bit change in one step's loss is reported, and only it.
    @Test func comparisonSeesADifferentRun() throws {
        var run = try Self.fixture().run("vae")
        run.metrics["loss"]![3] = run.metrics["loss"]![3].nextUp
        let lines = Self.differences(run, try Self.fixture().run("vae"), bitwise: true)
        #expect(lines.count == 1 && lines[0].hasPrefix("loss step 4"))
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["VAEGAN_RECORD_GOLDEN"] != nil))
    func record() throws {
        let environment = ProcessInfo.processInfo.environment
        let path = try #require(environment["VAEGAN_RECORD_GOLDEN"])
        let commit = try #require(environment["VAEGAN_RECORD_COMMIT"], "say which commit the figures come from")
        var fixture = Fixture(commit: commit, gemmKernels: String(cString: vg_gemm_kernel_name()), steps: Self.steps,
                              batch: Self.batch, modelSeed: Self.modelSeed, dataSeed: Self.dataSeed,
                              bits: [:], parameterSumBits: [:], decimal: [:])
        for kind in Self.kinds {
            let run = try Self.withThreads(1) { try Self.run(kind) }
            fixture.bits[kind] = run.metrics.mapValues { $0.map(Fixture.hex) }
            fixture.parameterSumBits[kind] = run.parameterSums.mapValues(Fixture.hex)
            var decimal = run.metrics
            for (part, value) in run.parameterSums { decimal["parameter_sum.\(part)"] = [value] }
            fixture.decimal[kind] = decimal
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(fixture).write(to: URL(fileURLWithPath: path))
    }
}
