// ExponentialMovingAverageTests: the average of a part's weights — its update against the
// formula (statistics averaged, counters copied), the in-place exchange, the GAN's and the
// VAE-GAN's averages following their generating part's trajectory, checkpoints that resume the
// average bit for bit, and loading a checkpoint's raw or averaged weights.
import CVAEGAN
import Foundation
import Testing
@testable import VAEGAN

@Suite struct ExponentialMovingAverageTests {
    static let rows = 16

    /// A GAN whose generator has a batch norm (so it has statistics and a counter to average).
    static func training(emaDecay: Float, seed: UInt64 = 0, batchSize: Int = rows) throws -> GANTraining {
        var c = GANTrainingConfiguration()
        c.model = GANTests.smallConfiguration()
        try c.model.use(networks: ["generator": NetworkSpec(input: [3], layers: [
            .dense(width: 8), .batchNorm(), .activation(.relu), .dense(width: 4, activation: .sigmoid),
        ])])
        c.batchSize = batchSize
        c.seed = seed
        c.emaDecay = emaDecay
        return try c.makeTraining(inputWidth: 4, stepsPerEpoch: 10)
    }

    static func bits(_ t: Tensor) -> [UInt32] { t.values.map(\.bitPattern) }

    @Test("The warm-up: the n-th update's decay is min(d, (1 + n)/(10 + n))")
    func warmUp() throws {
        let average = try #require(try Self.training(emaDecay: 0.999).averagedWeights)
        var decays: [Float] = []
        for _ in 0..<10_000 {
            decays.append(average.nextDecay)
            average.update()
        }
        #expect(decays[0] == Float(2.0 / 11.0) && decays[89] == Float(91.0 / 100.0))
        #expect(decays[9999] == 0.999 && decays[8000] < 0.999)  // reached at n = 8990
        #expect(average.updateCount == 10_000)
    }

    @Test("update: θ̄ ← d·θ̄ + (1 − d)·θ over the parameters; the state is left to the re-estimate")
    func updateFollowsTheFormula() throws {
        let training = try Self.training(emaDecay: 0.75)
        let store = training.gan.generatorStore
        let average = try #require(training.averagedWeights)
        average.updateCount = 100  // past the warm-up: d is 0.75
        #expect(Self.bits(average.values) == Self.bits(store.values), "the average starts at the weights")
        var rng = RandomGenerator(seed: 5)
        rng.fillUniform(store.values.pointer, count: store.values.count)
        rng.fillUniform(store.stateValues.pointer, count: store.stateValues.count)
        var expected = average.values.values
        let value = store.values.values, state = Self.bits(average.stateValues)
        for i in expected.indices { expected[i] = 0.75 * expected[i] + 0.25 * value[i] }
        average.update()
        #expect(KernelCheck.firstBitMismatch(average.values.values, expected) == nil)
        #expect(Self.bits(average.stateValues) == state)
    }

    @Test("Re-estimated statistics are the plain average of the batches' statistics for the weights in place")
    func reestimatedStatistics() throws {
        let training = try Self.training(emaDecay: 0.9)
        let gan = training.gan
        let noise = try gan.makeReestimationNoise()
        let norm = try #require(gan.generator.layers[1] as? BatchNorm)
        gan.reestimateDecoderStatistics(noise: noise)
        let first = (norm.runningMean.values, norm.runningVariance.values)
        #expect(norm.batchesTracked == 256)  // 4,096 z in batches of 16
        gan.reestimateDecoderStatistics(noise: noise)
        #expect(norm.runningMean.values == first.0 && norm.runningVariance.values == first.1, "the same on every call")
        // The same by hand: the mean over 32 batches of each batch's mean of the layer's input.
        var draws = RandomGenerator(seed: 0x5747)
        let dense = try #require(gan.generator.layers[0] as? Dense)
        var meanOfMeans = [Double](repeating: 0, count: 8)
        gan.generator.isTraining = true
        for _ in 0..<256 {
            draws.fillNormal(noise.matrix)
            let h = dense.forward(noise.matrix)
            for c in 0..<8 {
                var sum = 0.0
                for r in 0..<h.rows { sum += Double(h.base[r * 8 + c]) }
                meanOfMeans[c] += sum / Double(h.rows) / 256
            }
        }
        for c in 0..<8 { #expect(abs(Double(first.0[c]) - meanOfMeans[c]) < 1e-5, "channel \(c)") }
        // The GAN re-estimates its average's statistics at the end of each epoch, leaving its own.
        let average = try #require(training.averagedWeights)
        let raw = Self.bits(gan.generatorStore.stateValues), before = Self.bits(average.stateValues)
        _ = training.finishEpoch(test: nil)
        #expect(Self.bits(gan.generatorStore.stateValues) == raw)
        let estimated = Self.bits(average.stateValues)
        #expect(estimated != before)
        average.withAveragedWeights { gan.reestimateDecoderStatistics(noise: noise) }
        #expect(Self.bits(average.stateValues) == estimated)
    }

    @Test("Each batch norm is re-estimated on the inputs sampling gives it: the ones before it in evaluation mode")
    func reestimationCascades() throws {
        var c = GANTrainingConfiguration()
        c.model = GANTests.smallConfiguration()
        try c.model.use(networks: ["generator": NetworkSpec(input: [3], layers: [
            .dense(width: 8), .batchNorm(), .activation(.relu), .dense(width: 6), .batchNorm(), .activation(.relu),
            .dense(width: 4, activation: .sigmoid),
        ])])
        c.batchSize = Self.rows
        let gan = try c.makeTraining(inputWidth: 4, stepsPerEpoch: 10).gan
        let noise = try gan.makeReestimationNoise()
        gan.reestimateDecoderStatistics(noise: noise)
        let second = try #require(gan.generator.layers[4] as? BatchNorm)
        let estimate = second.runningMean.values
        // By hand: the second dense layer's batch means over the same 256 batches, with the first
        // batch norm in evaluation mode (as `generate` runs it) or, for contrast, in training mode.
        func meanOfMeans(firstInTraining: Bool) -> [Double] {
            var draws = RandomGenerator(seed: 0x5747)
            let first = gan.generator.layers[1] as! BatchNorm
            gan.generator.isTraining = false
            first.isTraining = firstInTraining
            first.updatesRunningStatistics = false
            defer { first.updatesRunningStatistics = true }
            var means = [Double](repeating: 0, count: 6)
            for _ in 0..<256 {
                draws.fillNormal(noise.matrix)
                var h = noise.matrix
                for layer in gan.generator.layers[0..<4] { h = layer.forward(h) }
                for j in 0..<6 {
                    var sum = 0.0
                    for r in 0..<h.rows { sum += Double(h.base[r * 6 + j]) }
                    means[j] += sum / Double(h.rows) / 256
                }
            }
            return means
        }
        let cascaded = meanOfMeans(firstInTraining: false), allTraining = meanOfMeans(firstInTraining: true)
        for j in 0..<6 { #expect(abs(Double(estimate[j]) - cascaded[j]) < 1e-5, "channel \(j)") }
        #expect((0..<6).contains { abs(Double(estimate[$0]) - allTraining[$0]) > 1e-4 },
                "the contrast is visible: batch statistics of 16 rows are not the running ones")
    }

    @Test("withAveragedWeights puts θ̄ in the store for its body and the weights back after")
    func exchangeRestores() throws {
        let training = try Self.training(emaDecay: 0.5)
        let x = Tensor.uniform([Self.rows, 4], seed: 3)
        for _ in 0..<3 { _ = try training.trainStep(on: x.matrix) }
        let store = training.gan.generatorStore, average = try #require(training.averagedWeights)
        let raw = Self.bits(store.values), rawState = Self.bits(store.stateValues)
        let averaged = Self.bits(average.values)
        #expect(raw != averaged)
        let seen = average.withAveragedWeights { Self.bits(store.values) }
        #expect(seen == averaged)
        #expect(Self.bits(store.values) == raw && Self.bits(store.stateValues) == rawState)
        #expect(Self.bits(average.values) == averaged)
    }

    @Test("The GAN's average follows G's trajectory: one update after each generator step, none after D's")
    func ganAverageFollowsGenerator() throws {
        var c = GANTrainingConfiguration()
        c.model = GANTests.smallConfiguration()
        c.batchSize = Self.rows
        c.emaDecay = 0.9
        c.discriminatorSteps = 2
        let training = try c.makeTraining(inputWidth: 4, stepsPerEpoch: 10)
        let store = training.gan.generatorStore
        var expected = store.values.values
        let x = Tensor.uniform([Self.rows, 4], seed: 4)
        for step in 1...6 {
            _ = try training.trainStep(on: x.matrix)
            if step % 2 == 0 { // a round of k = 2 ended with a generator step
                let value = store.values.values, n = Double(step / 2)
                let d = min(Float(0.9), Float((1 + n) / (10 + n)))
                for i in expected.indices { expected[i] = d * expected[i] + (1 - d) * value[i] }
            }
            #expect(KernelCheck.firstBitMismatch(training.averagedWeights!.values.values, expected) == nil, "step \(step)")
        }
    }

    @Test("A checkpoint keeps the average under ema.<name>; resuming continues it bit for bit")
    func resumeIsBitExact() throws {
        let x = Tensor.uniform([Self.rows, 4], seed: 6)
        let straight = try Self.training(emaDecay: 0.99)
        for _ in 0..<6 { _ = try straight.trainStep(on: x.matrix) }

        let first = try Self.training(emaDecay: 0.99)
        for _ in 0..<3 { _ = try first.trainStep(on: x.matrix) }
        let file = try SafeTensorsFile(serialized: first.checkpoint().serialized(), source: "checkpoint")
        #expect(file.metadata["ema_decay"] == "0.99" && file.metadata["ema_updates"] == "3")
        #expect(file.tensors["ema.generator.1.running_var"] != nil && file.tensors["ema.generator.0.weight"] != nil)
        let resumed = try GANTraining.load(from: file)
        for _ in 0..<3 { _ = try resumed.trainStep(on: x.matrix) }
        #expect(Self.bits(resumed.averagedWeights!.values) == Self.bits(straight.averagedWeights!.values))
        #expect(Self.bits(resumed.averagedWeights!.stateValues) == Self.bits(straight.averagedWeights!.stateValues))
        #expect(Self.bits(resumed.gan.generatorStore.values) == Self.bits(straight.gan.generatorStore.values))
    }

    /// A fresh folder for `body`, removed after it.
    static func withFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-ema-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try body(folder)
    }

    /// A GAN with an average of decay 0.8 after four steps of `batchSize` rows of data of `seed`.
    static func trainedWithAverage(dataSeed seed: UInt64, batchSize: Int = rows) throws -> GANTraining {
        let x = Tensor.uniform([batchSize, 4], seed: seed)
        let training = try Self.training(emaDecay: 0.8, batchSize: batchSize)
        for _ in 0..<4 { _ = try training.trainStep(on: x.matrix) }
        return training
    }

    @Test("Loading: the averaged weights by default, the raw ones on request; ema from a file without one is refused")
    func loadingChoosesWeights() throws { try Self.withFolder { folder in
        let training = try Self.trainedWithAverage(dataSeed: 7)
        _ = training.finishEpoch(test: nil)  // the average's statistics, re-estimated
        let path = folder + "/checkpoint.safetensors"
        try training.checkpoint().write(to: path)
        let average = training.averagedWeights!

        let byDefault = try TrainedModel.load(from: path)
        #expect(byDefault.weights == .ema)
        let loaded = try #require(byDefault.model as? GAN)
        #expect(Self.bits(loaded.generatorStore.values) == Self.bits(average.values))
        #expect(Self.bits(loaded.generatorStore.stateValues) == Self.bits(average.stateValues))
        let raw = try #require(try TrainedModel.load(from: path, weights: .raw).model as? GAN)
        #expect(Self.bits(raw.generatorStore.values) == Self.bits(training.gan.generatorStore.values))
        #expect(Self.bits(raw.discriminatorStore.values) == Self.bits(loaded.discriminatorStore.values))

        let plain = try Self.training(emaDecay: 0)
        #expect(plain.averagedWeights == nil)
        let plainPath = folder + "/plain.safetensors"
        try plain.checkpoint().write(to: plainPath)
        #expect(try TrainedModel.load(from: plainPath).weights == .raw)
        #expect(throws: VAEGANError.self) { try TrainedModel.load(from: plainPath, weights: .ema) }
        #expect(throws: VAEGANError.self) { try Self.training(emaDecay: 1) }
    } }

    /// Batch 8 too: the handle's capacity is the file's batch size, below the 16 rows per batch
    /// the statistics are re-estimated from.
    @Test("Through the C ABI: vg_model_load_averaged samples what the averaged weights do, vg_model_load the last iterate",
          arguments: [16, 8])
    func cLoadChoosesWeights(batchSize: Int) throws { try Self.withFolder { folder in
        let path = folder + "/checkpoint.safetensors"
        try Self.trainedWithAverage(dataSeed: 11, batchSize: batchSize).checkpoint().write(to: path)

        func samplesFromC(_ load: (UnsafeMutablePointer<OpaquePointer?>, UnsafePointer<CChar>) -> vg_status) -> [Float]? {
            var handle: OpaquePointer?
            guard path.withCString({ load(&handle, $0) }) == VG_OK, let handle else { return nil }
            defer { vg_model_free(handle) }
            var out = [Float](repeating: .nan, count: 32 * 4)
            guard vg_model_sample(handle, &out, Int64(out.count), 32, 5) == VG_OK else { return nil }
            return out
        }
        let averaged = try #require(samplesFromC { vg_model_load_averaged($0, $1) })
        let last = try #require(samplesFromC { vg_model_load($0, $1) })
        #expect(averaged.map(\.bitPattern) == (try TrainedModel.load(from: path, weights: .ema).sample(count: 32, seed: 5)).map(\.bitPattern))
        #expect(last.map(\.bitPattern) == (try TrainedModel.load(from: path, weights: .raw).sample(count: 32, seed: 5)).map(\.bitPattern))
        #expect(averaged != last, "four steps at d = 0.8 leave the average apart from the last iterate")

        let plainPath = folder + "/plain.safetensors"
        try Self.training(emaDecay: 0).checkpoint().write(to: plainPath)
        var handle: OpaquePointer? = OpaquePointer(bitPattern: 1)
        #expect(plainPath.withCString { vg_model_load_averaged(&handle, $0) } == VG_ERROR_INVALID_ARGUMENT)
        #expect(handle == nil)
        #expect(String(cString: vg_last_error_message()).contains("keeps no averaged weights"))
    } }

    @Test("The VAE-GAN's average is of the decoder and moves only when the decoder steps")
    func vaeganAverageIsTheDecoders() throws {
        var c = VAEGANTrainingConfiguration()
        c.model = VAEGANModelTests.tinyConfiguration()
        c.batchSize = Self.rows
        c.emaDecay = 0.9
        let training = try c.makeTraining(inputWidth: VAEGANModelTests.tinyConfiguration().inputWidth, stepsPerEpoch: 10)
        let average = try #require(training.averagedWeights)
        #expect(average.store === training.model.decoderStore)
        let x = Tensor.uniform([Self.rows, training.inputWidth], seed: 8)
        for _ in 0..<4 {
            let before = average.values.values
            let steps = training.decoderOptimizer.stepCount
            _ = try training.trainStep(on: x.matrix)
            let moved = KernelCheck.firstBitMismatch(average.values.values, before) != nil
            #expect(moved == (training.decoderOptimizer.stepCount > steps))
        }
        let file = training.checkpoint()
        #expect(file.tensors.keys.contains { $0.hasPrefix("ema.decoder.") })
        #expect(!file.tensors.keys.contains { $0.hasPrefix("ema.encoder.") || $0.hasPrefix("ema.discriminator.") })
    }
}
