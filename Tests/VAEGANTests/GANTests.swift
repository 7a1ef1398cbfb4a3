// GANTests: the GAN and its alternating optimizer. The fixed player of each step keeps its
// parameters, gradients and optimizer state bit for bit, and k is honoured; both players'
// gradients (minimax and non-saturating, with and without label smoothing) match finite
// differences; on a ring of 8 Gaussians a small GAN covers at least 6 of the 8 modes; and the
// training state survives a checkpoint.
import Foundation
import Testing
@testable import VAEGAN

@Suite struct GANTests {
    // MARK: Fixtures

    /// latent 3 → 8 → 4 (sigmoid) for G, 4 → 8 → 1 for D.
    static func smallConfiguration(objective: GANObjective = .nonSaturating, realLabel: Float = 1) -> GANConfiguration {
        var c = GANConfiguration()
        c.latentWidth = 3
        c.generatorWidths = [8]
        c.dataWidth = 4
        c.discriminatorWidths = [8]
        c.objective = objective
        c.realLabel = realLabel
        return c
    }

    static let rows = 16
    let real = Tensor.uniform([GANTests.rows, 4], seed: 21)

    private static func bits(_ parameters: [Parameter]) -> [[UInt32]] {
        parameters.map { $0.value.values.map(\.bitPattern) }
    }

    private static func gradientBits(_ parameters: [Parameter]) -> [[UInt32]] {
        parameters.map { $0.gradient.values.map(\.bitPattern) }
    }

    private static func stateBits(_ optimizer: any Optimizer) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: optimizer.stateTensors.map { ($0.name, $0.tensor.values.map(\.bitPattern)) })
    }

    /// Fills every gradient with a value no backward pass produces.
    private static func setSentinel(_ parameters: [Parameter]) {
        for p in parameters { p.gradient.buffer.update(repeating: 1234.5) }
    }

    private static func makeSchedule(_ gan: GAN, k: Int, generatorSteps: Int = 1) throws -> AlternatingOptimizer {
        try AlternatingOptimizer(
            gan: gan,
            discriminatorOptimizer: try Adam(parameters: gan.discriminator.parameters, learningRate: 1e-2, beta1: 0.5),
            generatorOptimizer: try Adam(parameters: gan.generator.parameters, learningRate: 1e-2, beta1: 0.5),
            discriminatorSteps: k, generatorSteps: generatorSteps)
    }

    // MARK: The fixed player

    @Test("With k = 2, the D-only call leaves G's parameters, gradients and optimizer state untouched",
          arguments: GANObjective.allCases)
    func discriminatorStepFixesGenerator(objective: GANObjective) throws {
        let gan = try GAN(Self.smallConfiguration(objective: objective), batchCapacity: Self.rows, seed: 3)
        let schedule = try Self.makeSchedule(gan, k: 2)
        let g = gan.generator.parameters, d = gan.discriminator.parameters
        // One whole round first, so both optimizers have state worth protecting.
        #expect(schedule.step(real: real.matrix).generator == nil)
        #expect(schedule.step(real: real.matrix).generator != nil)
        #expect(schedule.discriminatorOptimizer.stepCount == 2 && schedule.generatorOptimizer.stepCount == 1)

        let gValues = Self.bits(g), gState = Self.stateBits(schedule.generatorOptimizer)
        let gSteps = schedule.generatorOptimizer.stepCount, dValues = Self.bits(d)
        Self.setSentinel(g)
        let sentinels = Self.gradientBits(g)
        let report = schedule.step(real: real.matrix) // the round's first D step: D only
        #expect(report.generator == nil)
        #expect(schedule.discriminatorStepsInRound == 1)
        #expect(Self.bits(g) == gValues)
        #expect(Self.gradientBits(g) == sentinels)
        #expect(Self.stateBits(schedule.generatorOptimizer) == gState)
        #expect(schedule.generatorOptimizer.stepCount == gSteps)
        #expect(Self.bits(d) != dValues)
        #expect(schedule.discriminatorOptimizer.stepCount == 3)

        // The call that completes the round moves G once.
        #expect(schedule.step(real: real.matrix).generator != nil)
        #expect(schedule.generatorOptimizer.stepCount == gSteps + 1)
        #expect(Self.bits(g) != gValues)
    }

    @Test("A generator step leaves D's parameters, gradients and optimizer state untouched; a D step leaves G's",
          arguments: GANObjective.allCases)
    func eachStepFixesTheOtherPlayer(objective: GANObjective) throws {
        let gan = try GAN(Self.smallConfiguration(objective: objective), batchCapacity: Self.rows, seed: 4)
        let schedule = try Self.makeSchedule(gan, k: 1)
        for _ in 0..<3 { _ = schedule.step(real: real.matrix) }
        let g = gan.generator.parameters, d = gan.discriminator.parameters
        let dOptimizer = schedule.discriminatorOptimizer, gOptimizer = schedule.generatorOptimizer

        // G step, D fixed.
        var dValues = Self.bits(d)
        let dState = Self.stateBits(dOptimizer), dSteps = dOptimizer.stepCount
        Self.setSentinel(d)
        var sentinels = Self.gradientBits(d)
        var gValues = Self.bits(g)
        g.zeroGradients()
        let losses = gan.accumulateGeneratorGradients(rows: Self.rows)
        gOptimizer.step()
        #expect(losses.loss.isFinite)
        #expect(Self.bits(d) == dValues)
        #expect(Self.gradientBits(d) == sentinels)
        #expect(Self.stateBits(dOptimizer) == dState && dOptimizer.stepCount == dSteps)
        #expect(Self.bits(g) != gValues)
        #expect(g.gradientNorm() > 0)

        // D step, G fixed.
        gValues = Self.bits(g)
        let gState = Self.stateBits(gOptimizer), gSteps = gOptimizer.stepCount
        Self.setSentinel(g)
        sentinels = Self.gradientBits(g)
        dValues = Self.bits(d)
        d.zeroGradients()
        _ = gan.accumulateDiscriminatorGradients(real: real.matrix)
        dOptimizer.step()
        #expect(Self.bits(g) == gValues)
        #expect(Self.gradientBits(g) == sentinels)
        #expect(Self.stateBits(gOptimizer) == gState && gOptimizer.stepCount == gSteps)
        #expect(Self.bits(d) != dValues)
        #expect(dOptimizer.stepCount == dSteps + 1)
    }

    @Test("k = 3 steps G once per 3 calls; generatorSteps = 2 steps it twice per round")
    func roundsHonourK() throws {
        let gan = try GAN(Self.smallConfiguration(), batchCapacity: Self.rows, seed: 5)
        let schedule = try Self.makeSchedule(gan, k: 3)
        for call in 1...9 {
            let report = schedule.step(real: real.matrix)
            #expect(schedule.discriminatorOptimizer.stepCount == call)
            #expect(schedule.generatorOptimizer.stepCount == call / 3, "after call \(call)")
            #expect((report.generator != nil) == (call % 3 == 0), "after call \(call)")
            #expect(schedule.discriminatorStepsInRound == call % 3)
        }

        let twice = try Self.makeSchedule(try GAN(Self.smallConfiguration(), batchCapacity: Self.rows, seed: 5),
                                          k: 1, generatorSteps: 2)
        for call in 1...3 {
            _ = twice.step(real: real.matrix)
            #expect(twice.generatorOptimizer.stepCount == 2 * call)
        }

        expectVAEGANError(VAEGANError.invalidArgument, mentioning: ["exactly its player's"]) {
            _ = try AlternatingOptimizer(
                gan: gan, discriminatorOptimizer: schedule.generatorOptimizer,
                generatorOptimizer: schedule.discriminatorOptimizer)
        }
        expectVAEGANError(VAEGANError.invalidArgument, mentioning: ["(k)"]) {
            _ = try Self.makeSchedule(gan, k: 0)
        }
    }

    // MARK: Gradients

    /// The hidden units' sides of the LeakyReLU kink for G(z) and D on `real` and on the fakes,
    /// with z drawn from `rng` as the GAN draws it; and the fakes' logits.
    private static func forwardPieces(_ gan: GAN, real: Tensor, rng: RandomGenerator)
        -> (pattern: [Bool], realLogits: [Float], fakeLogits: [Float])
    {
        var pattern: [Bool] = []
        /// The net's output, copied into a Tensor that outlives the next forward.
        func run(_ net: Sequential, _ input: Tensor) -> Tensor {
            withExtendedLifetime(input) {
                var h = input.matrix
                for layer in net.layers {
                    h = layer.forward(h)
                    if let dense = layer as? Dense { pattern += kinkPattern(h, dense.activation) }
                }
                return Tensor(shape: [h.rows, h.columns], values: h.values)
            }
        }
        let realLogits = run(gan.discriminator, real).values
        var generator = rng
        let z = Tensor(shape: [real.shape[0], gan.latentWidth])
        generator.fillNormal(z.matrix)
        let fakeLogits = run(gan.discriminator, run(gan.generator, z)).values
        return (pattern, realLogits, fakeLogits)
    }

    /// BCE(l, t) = max(l, 0) − l·t + log(1 + e^−|l|), in Double.
    private static func bce(_ logit: Float, _ target: Double) -> Double {
        let l = Double(logit)
        return max(l, 0) - l * target + log1p(exp(-abs(l)))
    }

    private static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    @Test("D's gradient of its BCE loss, and G's gradient of its objective through D, match finite differences",
          arguments: GANObjective.allCases, [Float(1), 0.9])
    func gradientsMatchFiniteDifferences(objective: GANObjective, realLabel: Float) throws {
        var c = Self.smallConfiguration(objective: objective, realLabel: realLabel)
        c.generatorWidths = [5]
        c.discriminatorWidths = [6]
        let rows = 6
        let gan = try GAN(c, batchCapacity: rows, seed: 8)
        let real = Tensor.uniform([rows, 4], seed: 22)
        let saved = gan.rng
        let kinks = { Self.forwardPieces(gan, real: real, rng: saved).pattern }
        let tag = "gan.\(objective.rawValue).label\(realLabel)"

        // D: BCE(D(x), real label) + BCE(D(G(z)), 0), batch means.
        gan.discriminator.parameters.zeroGradients()
        let dLosses = gan.accumulateDiscriminatorGradients(real: real.matrix)
        let pieces = Self.forwardPieces(gan, real: real, rng: saved)
        let byHand = Self.mean(pieces.realLogits.map { Self.bce($0, Double(realLabel)) })
            + Self.mean(pieces.fakeLogits.map { Self.bce($0, 0) })
        #expect(isClose(dLosses.loss, byHand, relative: 1e-6), "D loss \(dLosses.loss) vs \(byHand)")
        // Every evaluation of the loss adds to the gradients again: keep the analytic ones first.
        let dGradients = gan.discriminator.parameters.map(\.gradient.values)
        for (p, analytic) in zip(gan.discriminator.parameters, dGradients) {
            checkGradient("\(tag).D.\(p.name)", of: p.value, analytic: analytic, kinks: kinks) {
                gan.rng = saved
                return gan.accumulateDiscriminatorGradients(real: real.matrix).loss
            }
        }

        // G: through D, D's parameters fixed.
        gan.rng = saved
        gan.generator.parameters.zeroGradients()
        let gLosses = gan.accumulateGeneratorGradients(rows: rows)
        let fakes = Self.forwardPieces(gan, real: real, rng: saved).fakeLogits
        let gByHand = switch objective {
        case .nonSaturating: Self.mean(fakes.map { Self.bce($0, 1) })
        case .minimax: -Self.mean(fakes.map { Self.bce($0, 0) })
        }
        #expect(isClose(gLosses.loss, gByHand, relative: 1e-6), "G loss \(gLosses.loss) vs \(gByHand)")
        let gGradients = gan.generator.parameters.map(\.gradient.values)
        for (p, analytic) in zip(gan.generator.parameters, gGradients) {
            checkGradient("\(tag).G.\(p.name)", of: p.value, analytic: analytic, kinks: kinks) {
                gan.rng = saved
                return gan.accumulateGeneratorGradients(rows: rows).loss
            }
        }
    }

    @Test("Label smoothing 0.9 makes D's real term BCE with target 0.9")
    func labelSmoothing() throws {
        let plain = try GAN(Self.smallConfiguration(realLabel: 1), batchCapacity: Self.rows, seed: 9)
        let smoothed = try GAN(Self.smallConfiguration(realLabel: 0.9), batchCapacity: Self.rows, seed: 9)
        let a = plain.accumulateDiscriminatorGradients(real: real.matrix)
        let b = smoothed.accumulateDiscriminatorGradients(real: real.matrix)
        // BCE(l, 0.9) − BCE(l, 1) = 0.1·l, and the fake term is the same in both.
        let logits = plain.discriminator.forward(real.matrix).values
        let shift = 0.1 * Self.mean(logits.map { Double($0) })
        #expect(b.loss != a.loss)
        #expect(isClose(b.loss - a.loss, shift, relative: 1e-4, absolute: 1e-7),
                "smoothed \(b.loss) − plain \(a.loss) vs 0.1·mean logit \(shift)")
        #expect(a.fakeProbability == b.fakeProbability && a.realProbability == b.realProbability)
    }

    // MARK: Checkpoint

    @Test("GANTraining's checkpoint round-trips both players, both optimizers, counters, generator and round position")
    func checkpointRoundTrip() throws {
        var c = Self.smallConfiguration(objective: .minimax, realLabel: 0.9)
        c.generatorOutput = .tanh
        c.leakySlope = 0.1
        let training = try GANTraining(gan: try GAN(c, batchCapacity: Self.rows, seed: 6), learningRate: 5e-4,
                                       beta1: 0.6, beta2: 0.99, discriminatorSteps: 2, generatorSteps: 1)
        for _ in 0..<3 { _ = try training.trainStep(on: real.matrix) }
        #expect(training.schedule.discriminatorStepsInRound == 1)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-gan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try training.checkpoint().write(to: folder + "/gan.safetensors")
        let file = try SafeTensorsFile.read(from: folder + "/gan.safetensors")
        let loaded = try GANTraining.load(from: file)

        #expect(loaded.gan.configuration == c)
        #expect(loaded.gan.batchCapacity == Self.rows)
        #expect(file.tensors["generator.0.weight"]?.shape == [8, 3])
        #expect(file.tensors["discriminator.1.weight"]?.shape == [1, 8])
        for (a, b) in [(loaded.gan.generator, training.gan.generator),
                       (loaded.gan.discriminator, training.gan.discriminator)] {
            #expect(a.parameters.map(\.name) == b.parameters.map(\.name))
            #expect(Self.bits(a.parameters) == Self.bits(b.parameters))
        }
        for (a, b) in [(loaded.schedule.generatorOptimizer, training.schedule.generatorOptimizer),
                       (loaded.schedule.discriminatorOptimizer, training.schedule.discriminatorOptimizer)] {
            #expect(Self.stateBits(a) == Self.stateBits(b))
            #expect(a.stepCount == b.stepCount)
            #expect(a.learningRate == b.learningRate)
            let (adamA, adamB) = (try #require(a as? Adam), try #require(b as? Adam))
            #expect(adamA.beta1 == adamB.beta1 && adamA.beta2 == adamB.beta2 && adamA.epsilon == adamB.epsilon,
                    "betas (\(adamA.beta1), \(adamA.beta2)) after loading, (\(adamB.beta1), \(adamB.beta2)) before")
        }
        #expect(loaded.schedule.discriminatorOptimizer.stepCount == 3)
        #expect(loaded.schedule.generatorOptimizer.stepCount == 1)
        #expect(loaded.gan.rng.stateWords == training.gan.rng.stateWords)
        #expect(loaded.schedule.discriminatorStepsInRound == 1)
        #expect(loaded.schedule.discriminatorSteps == 2 && loaded.schedule.generatorSteps == 1)

        // Both go on identically: the next call completes the round with a G step.
        _ = try training.trainStep(on: real.matrix)
        _ = try loaded.trainStep(on: real.matrix)
        #expect(loaded.schedule.generatorOptimizer.stepCount == 2)
        #expect(Self.bits(loaded.gan.generator.parameters) == Self.bits(training.gan.generator.parameters))
        #expect(Self.bits(loaded.gan.discriminator.parameters) == Self.bits(training.gan.discriminator.parameters))

        expectVAEGANError(VAEGANError.wrongModel, mentioning: ["gan", "vaegan"]) {
            _ = try VAEGANTraining.load(from: file)
        }
    }
}

// MARK: The ring

extension GANTests {
    /// 2-D data on a ring of 8 Gaussians (radius 2, σ = 0.05), the classic mode-collapse test.
    /// Each case runs a few thousand steps of small 128-row GEMMs, too small to gain from the
    /// pool while other suites keep the cores busy, so the cases run one at a time.
    @Suite(.serialized) struct Ring {
        /// Centres of the 8 modes, every 45°.
        static let centres: [(x: Double, y: Double)] = (0..<8).map {
            let angle = Double($0) * Double.pi / 4
            return (2 * cos(angle), 2 * sin(angle))
        }

        /// Trains a GAN (z of 8, G 8-64-64-2, D 2-64-64-1, Adam lr 1e-3 β₁ 0.5 for both, batches
        /// of 128 fresh from the ring) and returns how many of 1000 samples fall within 0.25 of
        /// each centre.
        static func modeCounts(objective: GANObjective, seed: UInt64, steps: Int) throws -> [Int] {
            let sigma: Float = 0.05, batchSize = 128
            var c = GANConfiguration()
            c.latentWidth = 8
            c.generatorWidths = [64, 64]
            c.dataWidth = 2
            c.discriminatorWidths = [64, 64]
            c.generatorOutput = .identity
            c.objective = objective
            let gan = try GAN(c, batchCapacity: batchSize, seed: seed)
            let training = try GANTraining(gan: gan, learningRate: 1e-3, beta1: 0.5)
            var data = RandomGenerator(seed: seed &+ 1000)
            let batch = Tensor(shape: [batchSize, 2])
            for _ in 0..<steps {
                data.fillNormal(batch.pointer, count: batch.count)
                for r in 0..<batchSize {
                    let centre = centres[data.next(below: 8)]
                    batch.pointer[2 * r] = Float(centre.x) + sigma * batch.pointer[2 * r]
                    batch.pointer[2 * r + 1] = Float(centre.y) + sigma * batch.pointer[2 * r + 1]
                }
                _ = try training.trainStep(on: batch.matrix)
            }
            let samples = try TrainedModel(gan).sample(count: 1000, seed: seed &+ 2000)
            var counts = [Int](repeating: 0, count: 8)
            for i in 0..<1000 {
                let (x, y) = (Double(samples[2 * i]), Double(samples[2 * i + 1]))
                for (m, centre) in centres.enumerated()
                where (x - centre.x) * (x - centre.x) + (y - centre.y) * (y - centre.y) <= 0.25 * 0.25 {
                    counts[m] += 1
                }
            }
            return counts
        }

        static let seed: UInt64 = 1
        static let steps = 1500

        @Test("A small GAN covers at least 6 of the 8 modes of a ring of Gaussians", arguments: GANObjective.allCases)
        func modesCovered(objective: GANObjective) throws {
            let threads = Threads.count
            try Threads.set(1)
            defer { try? Threads.set(threads) }
            let counts = try Self.modeCounts(objective: objective, seed: Self.seed, steps: Self.steps)
            let covered = counts.filter { $0 >= 20 }.count
            print("ring test \(objective.rawValue): \(covered) of 8 modes (seed \(Self.seed), \(Self.steps) steps; "
                  + "samples per mode \(counts), \(counts.reduce(0, +)) of 1000 within 0.25 of a centre)")
            #expect(covered >= 6, "\(objective.rawValue) covered \(covered) of 8 modes: \(counts)")
        }
    }
}

@Suite struct GANPicturesTests {
    @Test("samples-by-epoch.png gets one row per epoch; a run resumed from an earlier epoch replaces the later rows")
    func stripGrowsByEpoch() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-strip-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let gan = try GAN(GANTests.smallConfiguration(), batchCapacity: 64, seed: 1)  // 2 × 2 images
        let pictures = GANPictures(gan: gan, directory: folder)
        func finish(_ epoch: Int) throws {
            let metrics = GANMetrics(discriminatorLoss: 1, generatorLoss: 1, realProbability: 0.5, fakeProbability: 0.5)
            try pictures.trainingDidFinishEpoch(EpochReport(epoch: epoch, metrics: metrics, steps: 1, meanLoss: 1,
                                                            seconds: 0, extraFigures: []))
        }
        func rows() throws -> Int { try NPYMatrix(contentsOfFile: folder + "/samples-by-epoch.npy").rows }
        for epoch in 1...3 { try finish(epoch) }
        #expect(try rows() == 3 * GANPictures.stripWidth)
        #expect(FileManager.default.fileExists(atPath: folder + "/samples-by-epoch.png"))
        #expect(FileManager.default.fileExists(atPath: folder + "/samples-epoch-003.png"))
        try finish(2)  // resumed from epoch 1's checkpoint: epoch 2 again
        #expect(try rows() == 2 * GANPictures.stripWidth)
    }
}
