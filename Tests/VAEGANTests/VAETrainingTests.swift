// VAETrainingTests: the β-VAE end to end on synthetic 8×8 images made here (blurred blobs and
// bars plus noise): a short run through Trainer whose loss falls and which writes every output;
// the checkpoint's round trip and PyTorch-style names; resuming that repeats an uninterrupted
// run bit for bit; typed errors for damaged checkpoints; the KL warm-up schedule; a diverging
// run that keeps its last good checkpoint; and the test-set evaluation against a hand tally.
//
// The suite is serialized because the resume test sets the process-wide thread count.
import Foundation
import Testing
@testable import VAEGAN

@Suite(.serialized) final class VAETrainingTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("vaegan-vae-training-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func path(_ name: String) -> String { "\(folder)/\(name)" }

    // MARK: Fixtures

    /// 8×8 images in [0, 1]: a blob, a horizontal bar or a vertical bar (in turn) at a random
    /// position: pixels where the blurred shape exceeds ½ are in [0.9, 1], the others in [0, 0.1].
    static func images(count: Int, seed: UInt64) -> ImageDataset {
        var rng = RandomGenerator(seed: seed)
        var pixels: [Float] = []
        pixels.reserveCapacity(count * 64)
        for index in 0..<count {
            let a = Double(rng.next(below: 6) + 1), b = Double(rng.next(below: 6) + 1)
            for row in 0..<8 {
                for column in 0..<8 {
                    let (y, x) = (Double(row), Double(column))
                    let value = switch index % 3 {
                    case 0: exp(-((y - a) * (y - a) + (x - b) * (x - b)) / (2 * 1.2 * 1.2))
                    case 1: exp(-(y - a) * (y - a) / (2 * 0.8 * 0.8))
                    default: exp(-(x - b) * (x - b) / (2 * 0.8 * 0.8))
                    }
                    let noise = Float.random(in: 0...0.1, using: &rng)
                    pixels.append(value > 0.5 ? 1 - noise : noise)
                }
            }
        }
        return ImageDataset(count: count, rows: 8, columns: 8, pixels: .floats(pixels))
    }

    static let train = images(count: 256, seed: 11)
    static let test = images(count: 64, seed: 12)
    static let batchSize = 32

    /// 64-32-(4)-32-64, Bernoulli.
    static func configuration(beta: Float = 1, decoderWidths: [Int] = [32]) -> VAEConfiguration {
        var c = VAEConfiguration()
        c.inputWidth = 64
        c.encoderWidths = [32]
        c.latentWidth = 4
        c.decoderWidths = decoderWidths
        c.beta = beta
        return c
    }

    private func makeTraining(seed: UInt64 = 1, learningRate: Float = 3e-3, warmupEpochs: Int = 0,
                              beta: Float = 1, decoderWidths: [Int] = [32]) throws -> VAETraining {
        let vae = try VAE(Self.configuration(beta: beta, decoderWidths: decoderWidths),
                          batchCapacity: Self.batchSize, seed: seed)
        return try VAETraining(vae: vae, learningRate: learningRate, warmupEpochs: warmupEpochs,
                               stepsPerEpoch: (Self.train.count + Self.batchSize - 1) / Self.batchSize)
    }

    private func options(epochs: Int, _ name: String) -> TrainingOptions {
        var options = TrainingOptions(epochs: epochs, outputDirectory: path(name))
        options.quiet = true
        return options
    }

    /// Everything a resumed run depends on, as bits.
    private struct State: Equatable {
        var parameters: [String: [UInt32]]
        var moments: [String: [UInt32]]
        var step: Int
        var rng: [UInt64]
    }

    private func state(_ training: VAETraining) -> State {
        State(parameters: Dictionary(uniqueKeysWithValues: training.vae.parameters.map {
                  ($0.name, $0.value.values.map(\.bitPattern)) }),
              moments: Dictionary(uniqueKeysWithValues: training.optimizer.stateTensors.map {
                  ($0.name, $0.tensor.values.map(\.bitPattern)) }),
              step: training.step, rng: training.vae.rng.stateWords)
    }

    /// A few steps on the first batches, so Adam's moments and the generator have moved.
    private func trainSteps(_ training: VAETraining, _ count: Int) throws {
        let loader = try BatchLoader(Self.train, batchSize: Self.batchSize, seed: 5)
        loader.startEpoch()
        for _ in 0..<count { _ = try training.trainStep(on: loader.nextBatch()!) }
    }

    // MARK: Training

    @Test("A short run through Trainer lowers the loss and writes every output")
    func shortRunLowersLoss() throws {
        let training = try makeTraining(learningRate: 1e-2)
        let loader = try BatchLoader(Self.train, batchSize: Self.batchSize, seed: 2)
        let options = options(epochs: 4, "run")
        let records = try Trainer(model: training, loader: loader, test: Self.test, options: options).run()
        #expect(records.map(\.epoch) == [1, 2, 3, 4])
        let first = try #require(records.first?["loss"]), last = try #require(records.last?["loss"])
        let firstTest = try #require(records.first?["test_nelbo"]), lastTest = try #require(records.last?["test_nelbo"])
        print("vae short run: loss \(first) → \(last), test nelbo \(firstTest) → \(lastTest)")
        #expect(last < 0.8 * first, "loss fell only from \(first) to \(last)")
        #expect(lastTest < firstTest)
        for name in ["metrics.csv", "loss.png", "samples.png", "reconstructions.png", "interpolation.png",
                     "traversal.png", "latent_kl.csv", "checkpoint.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: options.outputDirectory + "/" + name), "\(name) missing")
        }
        let metrics = try String(contentsOfFile: options.metricsPath, encoding: .utf8).split(separator: "\n")
        #expect(metrics.count == 5)
        #expect(metrics.first?.hasPrefix("epoch,loss,reconstruction,kl,beta,test_nelbo") == true)
        let kl = try String(contentsOfFile: options.outputDirectory + "/latent_kl.csv", encoding: .utf8)
        #expect(kl.split(separator: "\n") .map { $0.split(separator: ",").first.map(String.init) ?? "" }
                == ["epoch", "1", "2", "3", "4"])
        let checkpoint = try SafeTensorsFile.read(from: options.checkpointPath)
        #expect(checkpoint.metadata["epoch"] == "4")
        #expect(checkpoint.metadata["optimizer.vae.step"] == String(4 * loader.batchesPerEpoch))
    }

    // MARK: Checkpoints

    @Test("The checkpoint round-trips weights, Adam's moments, step count and generator state under PyTorch names")
    func checkpointRoundTrip() throws {
        let training = try makeTraining(warmupEpochs: 3, beta: 0.5, decoderWidths: [32, 16])
        try trainSteps(training, 3)
        let file = path("vae.safetensors")
        try training.checkpoint().write(to: file)
        let read = try SafeTensorsFile.read(from: file)
        let loaded = try VAETraining.load(from: read)

        #expect(state(loaded) == state(training))
        #expect(loaded.step == 3)
        #expect(loaded.vae.configuration == training.vae.configuration)
        #expect(loaded.warmupEpochs == 3 && loaded.stepsPerEpoch == training.stepsPerEpoch)
        #expect(loaded.optimizer.learningRate == training.optimizer.learningRate)
        #expect(loaded.currentBeta == training.currentBeta)

        // Dense layers are numbered in order; weights are [out, in] as in nn.Linear.
        let shapes: [String: [Int]] = [
            "encoder.0.weight": [32, 64], "encoder.0.bias": [32],
            "mu.weight": [4, 32], "mu.bias": [4], "logvar.weight": [4, 32], "logvar.bias": [4],
            "decoder.0.weight": [32, 4], "decoder.0.bias": [32], "decoder.1.weight": [16, 32],
            "decoder.1.bias": [16], "decoder.2.weight": [64, 16], "decoder.2.bias": [64],
        ]
        let weights = read.tensors.filter { !$0.key.hasPrefix("optimizer.") }
        #expect(Set(weights.keys) == Set(shapes.keys))
        for (name, shape) in shapes {
            #expect(read.tensors[name]?.shape == shape, "\(name)")
            #expect(read.tensors["optimizer.vae.\(name).exp_avg"]?.shape == shape, "\(name) exp_avg")
            #expect(read.tensors["optimizer.vae.\(name).exp_avg_sq"]?.shape == shape, "\(name) exp_avg_sq")
        }
        #expect(read.tensors.count == 3 * shapes.count)
        #expect(read.metadata["model"] == "vae")

        // The weights alone, for inference, at another batch capacity.
        let inference = try VAE.load(from: read, batchCapacity: 7)
        #expect(inference.parameters.map { $0.value.values.map(\.bitPattern) }
                == training.vae.parameters.map { $0.value.values.map(\.bitPattern) })
    }

    @Test("Resuming from the epoch-2 checkpoint repeats the uninterrupted third epoch exactly")
    func resumeIsDeterministic() throws {
        let threads = Threads.count
        try Threads.set(1)
        defer { try? Threads.set(threads) }

        // Three epochs straight.
        let straight = try makeTraining(warmupEpochs: 2)
        let straightRecords = try Trainer(
            model: straight, loader: try BatchLoader(Self.train, batchSize: Self.batchSize, seed: 2),
            test: Self.test, options: options(epochs: 3, "straight")).run()

        // Two epochs, then a restart as a new process would do it.
        let interrupted = try makeTraining(warmupEpochs: 2)
        let resumedOptions = options(epochs: 3, "resumed")
        var twoEpochs = resumedOptions
        twoEpochs.epochs = 2
        try Trainer(model: interrupted, loader: try BatchLoader(Self.train, batchSize: Self.batchSize, seed: 2),
                    test: Self.test, options: twoEpochs).run()

        let file = try SafeTensorsFile.read(from: resumedOptions.checkpointPath)
        let restarted = try VAETraining.load(from: file)
        let trainer = try Trainer(model: restarted,
                                  loader: try BatchLoader(Self.train, batchSize: Self.batchSize, seed: 2),
                                  test: Self.test, options: resumedOptions)
        try trainer.restore(from: file)
        #expect(trainer.nextEpoch == 3)
        let resumedRecords = try trainer.run()

        #expect(resumedRecords.map(\.epoch) == [1, 2, 3])
        let expected = straightRecords[2], actual = resumedRecords[2]
        for name in ["loss", "reconstruction", "kl", "beta", "test_nelbo", "test_kl", "active_units"] {
            #expect(actual[name] != nil && actual[name] == expected[name],
                    "\(name): resumed \(actual[name] ?? .nan), straight \(expected[name] ?? .nan)")
        }
        // The first two epochs come back from metrics.csv.
        #expect(resumedRecords[1]["test_nelbo"] == straightRecords[1]["test_nelbo"])
        #expect(state(restarted) == state(straight))
    }

    @Test("Damaged checkpoints and checkpoints of the wrong kind give typed errors")
    func damagedCheckpoints() throws {
        let training = try makeTraining()
        try trainSteps(training, 1)
        let good = path("good.safetensors")
        try training.checkpoint().write(to: good)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        func write(_ bytes: [UInt8], _ name: String) -> String {
            _ = FileManager.default.createFile(atPath: path(name), contents: Data(bytes))
            return path(name)
        }

        // Truncated in the data section, and inside the header.
        let short = write(Array(bytes.dropLast(6)), "short.safetensors")
        expectVAEGANError(VAEGANError.format, mentioning: [short, "outside"]) { _ = try SafeTensorsFile.read(from: short) }
        let stub = write(Array(bytes.prefix(100)), "stub.safetensors")
        expectVAEGANError(VAEGANError.format, mentioning: [stub, "truncated"]) { _ = try SafeTensorsFile.read(from: stub) }

        // A shape rewritten in the header, which keeps its length.
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { ($0 << 8) | UInt64($1) })
        let header = try #require(String(bytes: bytes[8..<(8 + headerLength)], encoding: .utf8))
        let entry = "\"encoder.0.weight\":{\"dtype\":\"F32\",\"shape\":[32,64]"
        #expect(header.components(separatedBy: entry).count == 2)
        func rewrite(shape: String, _ name: String) -> String {
            let edited = Array(header.replacingOccurrences(
                of: entry, with: "\"encoder.0.weight\":{\"dtype\":\"F32\",\"shape\":\(shape)").utf8)
            precondition(edited.count == headerLength)
            return write(Array(bytes[0..<8]) + edited + Array(bytes[(8 + headerLength)...]), name)
        }
        // Same element count, other shape: the file is valid, the model refuses it.
        let transposed = rewrite(shape: "[64,32]", "transposed.safetensors")
        expectVAEGANError(VAEGANError.shapeMismatch, mentioning: ["encoder.0.weight", "[64, 32]", "[32, 64]"]) {
            _ = try VAETraining.load(from: try SafeTensorsFile.read(from: transposed))
        }
        // Another element count: the offsets no longer match the shape.
        let resized = rewrite(shape: "[31,64]", "resized.safetensors")
        expectVAEGANError(VAEGANError.format, mentioning: [resized, "encoder.0.weight", "[31, 64]"]) {
            _ = try SafeTensorsFile.read(from: resized)
        }

        // Another model's checkpoint.
        var gc = GANConfiguration()
        gc.latentWidth = 2; gc.generatorWidths = [4]; gc.dataWidth = 64; gc.discriminatorWidths = [4]
        let gan = try GANTraining(gan: try GAN(gc, batchCapacity: 4))
        let ganFile = path("gan.safetensors")
        try gan.checkpoint().write(to: ganFile)
        expectVAEGANError(VAEGANError.wrongModel, mentioning: ["gan", "vae"]) {
            _ = try VAETraining.load(from: try SafeTensorsFile.read(from: ganFile))
        }
        expectVAEGANError(VAEGANError.wrongModel, mentioning: ["gan"]) {
            _ = try VAE.load(from: try SafeTensorsFile.read(from: ganFile))
        }

        // A missing metadata key, generator state or tensor.
        for key in ["latent_width", "beta", "optimizer.vae.step", "rng", "model"] {
            var file = training.checkpoint()
            file.metadata.removeValue(forKey: key)
            let damaged = path("no-\(key).safetensors")
            try file.write(to: damaged)
            expectVAEGANError(VAEGANError.format, mentioning: [damaged, key]) {
                _ = try VAETraining.load(from: try SafeTensorsFile.read(from: damaged))
            }
        }
        var file = training.checkpoint()
        file.tensors.removeValue(forKey: "optimizer.vae.mu.bias.exp_avg_sq")
        try file.write(to: path("no-moment.safetensors"))
        expectVAEGANError(VAEGANError.format, mentioning: ["optimizer.vae.mu.bias.exp_avg_sq"]) {
            _ = try VAETraining.load(from: try SafeTensorsFile.read(from: self.path("no-moment.safetensors")))
        }
    }

    // MARK: Schedule and divergence

    @Test("KL warm-up: β is 0 at step 0, rises linearly, and reaches the configured β after 2 epochs")
    func klWarmup() throws {
        let stepsPerEpoch = 4, beta: Float = 0.5
        let vae = try VAE(Self.configuration(beta: beta), batchCapacity: Self.batchSize, seed: 1)
        let training = try VAETraining(vae: vae, learningRate: 1e-3, warmupEpochs: 2, stepsPerEpoch: stepsPerEpoch)
        let batch = try BatchLoader(Self.train, batchSize: Self.batchSize, shuffle: false)
        batch.startEpoch()
        let x = try #require(batch.nextBatch())

        training.startEpoch(1)
        var betas: [Float] = []
        for step in 0...(2 * stepsPerEpoch + 2) {
            #expect(training.step == step)
            betas.append(training.currentBeta)
            _ = try training.trainStep(on: x)
        }
        #expect(betas.first == 0)
        let rise = betas[1] - betas[0]
        #expect(rise == beta / Float(2 * stepsPerEpoch))
        for step in 1...(2 * stepsPerEpoch) {
            #expect(isClose(Double(betas[step] - betas[step - 1]), Double(rise), relative: 1e-6), "step \(step)")
        }
        #expect(betas[2 * stepsPerEpoch] == beta)
        #expect(betas.suffix(3).allSatisfy { $0 == beta })
        // The epoch's mean β is the mean of the βs the steps used.
        let metrics = training.finishEpoch(test: try Self.test.prefix(8))
        let meanBeta = try #require(metrics.namedValues.first { $0.name == "beta" }?.value)
        #expect(isClose(meanBeta, betas.map(Double.init).reduce(0, +) / Double(betas.count), relative: 1e-9))

        let noWarmup = try VAETraining(vae: vae, warmupEpochs: 0, stepsPerEpoch: stepsPerEpoch)
        #expect(noWarmup.step == 0 && noWarmup.currentBeta == beta)
    }

    @Test("A diverging run throws .nonFinite and keeps the checkpoint of the last good epoch")
    func divergenceKeepsLastCheckpoint() throws {
        let training = try makeTraining()
        let loader = try BatchLoader(Self.train, batchSize: Self.batchSize, seed: 2)
        let options = options(epochs: 1, "diverged")
        let first = try Trainer(model: training, loader: loader, test: Self.test, options: options)
        try first.run()
        let afterEpoch1 = state(training)

        // A NaN in the last layer's bias makes every logit of that pixel NaN.
        let bias = try #require(training.vae.decoder.parameters.last)
        #expect(bias.name == "decoder.1.bias")
        bias.value.pointer[0] = .nan
        var twoEpochs = options
        twoEpochs.epochs = 2
        let second = try Trainer(model: training, loader: loader, test: Self.test, options: twoEpochs,
                                 history: first.history)
        expectVAEGANError(VAEGANError.nonFinite, mentioning: ["diverged", "epoch 2", "batch 1", "epoch 1", "kept"]) {
            try second.run()
        }
        #expect(second.history.count == 1)

        let kept = try VAETraining.load(from: try SafeTensorsFile.read(from: options.checkpointPath))
        #expect(state(kept) == afterEpoch1)
        #expect(try SafeTensorsFile.read(from: options.checkpointPath).metadata["epoch"] == "1")
    }

    // MARK: Evaluation

    @Test("evaluate(dataset) is the per-example mean of the batch losses; activeUnits counts KL > 0.01")
    func evaluation() throws {
        let training = try makeTraining()
        try trainSteps(training, 6)
        let vae = training.vae
        // 70 examples: batches of 32, 32 and 6, so the last batch weighs less than the others.
        let odd = ImageDataset(count: 70, rows: 8, columns: 8,
                               pixels: .floats(try Self.test.rowsAsFloats(0..<64) + Self.train.rowsAsFloats(0..<6)))
        let evaluation = try vae.evaluate(odd)

        // By hand: the same ε stream, batch by batch, weighted by rows.
        var generator = RandomGenerator(seed: VAETraining.evaluationSeed)
        var nelbo = 0.0, kl = 0.0
        var klPerDimension = [Double](repeating: 0, count: vae.latentWidth)
        let batch = Tensor(shape: [vae.batchCapacity, 64])
        var batches = 0
        for start in stride(from: 0, to: odd.count, by: vae.batchCapacity) {
            let rows = min(vae.batchCapacity, odd.count - start)
            for r in 0..<rows { odd.copyRow(start + r, to: batch.pointer + r * 64) }
            let x = Matrix(batch.pointer, rows: rows, columns: 64)
            let (mu, logvar) = vae.encode(x)
            for i in 0..<rows {
                for j in 0..<vae.latentWidth {
                    let m = Double(mu[i, j]), lv = Double(logvar[i, j])
                    klPerDimension[j] += -0.5 * (1 + lv - m * m - exp(lv))
                }
            }
            let losses = vae.evaluate(x, noise: &generator)
            nelbo += losses.negativeELBO * Double(rows)
            kl += losses.kl * Double(rows)
            batches += 1
        }
        #expect(batches == 3)
        nelbo /= Double(odd.count)
        kl /= Double(odd.count)
        klPerDimension = klPerDimension.map { $0 / Double(odd.count) }
        print("vae evaluation: nelbo \(evaluation.negativeELBO) (by hand \(nelbo)), KL per dimension \(evaluation.klPerDimension)")
        #expect(isClose(evaluation.negativeELBO, nelbo, relative: 1e-12))
        #expect(isClose(evaluation.kl, kl, relative: 1e-12))
        for j in klPerDimension.indices {
            #expect(isClose(evaluation.klPerDimension[j], klPerDimension[j], relative: 1e-4, absolute: 1e-7), "dimension \(j)")
        }
        #expect(isClose(evaluation.klPerDimension.reduce(0, +), evaluation.kl, relative: 1e-9))
        #expect(evaluation.activeUnits == klPerDimension.filter { $0 > 0.01 }.count)
        // A second call sees the same ε.
        #expect(try vae.evaluate(odd).negativeELBO == evaluation.negativeELBO)

        // The threshold is strict.
        let made = VAEEvaluation(reconstruction: 0, kl: 0, klPerDimension: [0, 0.005, 0.01, 0.0100001, 2, 0.3])
        #expect(made.activeUnits == 3)
        #expect(made.dimensionsByKL == [4, 5, 3, 2, 1, 0])
    }
}
