// Weights-only checkpoints: exporting each old fixture keeps its weights and configuration and
// drops its training state; the export samples what the checkpoint samples, through the Swift
// loader and the C ABI; training from one starts fresh optimizer state; the output types name
// logits and probabilities; and the conv presets export and load as well.
import CVAEGAN
import Foundation
import Testing

@testable import VAEGAN

@Suite struct WeightsCheckpointTests {
    static func fixture(_ kind: String) throws -> (file: SafeTensorsFile, record: CheckpointFixtureTests.Record) {
        let (record, path) = try CheckpointFixtureTests.record(kind)
        return (try SafeTensorsFile.read(from: path), record)
    }

    /// The weights-only file of `kind`'s fixture, written to a temporary path.
    static func exported(_ kind: String) throws -> (path: String, weights: SafeTensorsFile) {
        let (file, _) = try fixture(kind)
        let weights = try ModelRegistry.kind(of: file).loadTraining(from: file).training.weightsCheckpoint()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(kind)-\(UUID().uuidString).safetensors").path
        try weights.write(to: path)
        return (path, weights)
    }

    @Test(arguments: ["vae", "gan", "vaegan"])
    func exportKeepsWeightsAndDropsTrainingState(kind: String) throws {
        let (file, record) = try Self.fixture(kind)
        let (path, weights) = try Self.exported(kind)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(weights.metadata["format"] == SafeTensorsFile.weightsFormat && weights.isWeightsOnly)
        #expect(weights.tensors.keys.allSatisfy { !$0.hasPrefix("optimizer.") })
        #expect(weights.metadata.keys.allSatisfy { !$0.hasPrefix("optimizer.") && !["rng", "loader_rng", "epoch"].contains($0) })
        #expect(weights.metadata["data_width"] == String(record.width))
        for (name, tensor) in file.tensors where !name.hasPrefix("optimizer.") { #expect(weights.tensors[name] == tensor, "\(name)") }
        // The same samples from the export, through `vaegan sample`'s loader and the C ABI.
        let samples = try TrainedModel.load(from: path).sample(count: record.sample_count, seed: record.sample_seed)
        #expect(CheckpointFixtureTests.maximumDifference(samples, record.samples) <= CheckpointFixtureTests.tolerance)
        var handle: OpaquePointer?
        try #require(vg_model_load(&handle, path) == VG_OK, "\(String(cString: vg_last_error_message()))")
        defer { vg_model_free(handle) }
        var fromC = [Float](repeating: .nan, count: samples.count)
        #expect(vg_model_sample(handle, &fromC, Int64(fromC.count), Int64(record.sample_count), record.sample_seed) == VG_OK)
        #expect(fromC == samples)
    }

    @Test(arguments: ["vae", "gan", "vaegan"])
    func trainingFromWeightsStartsFreshOptimizerState(kind: String) throws {
        let (path, _) = try Self.exported(kind)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let weights = try SafeTensorsFile.read(from: path)
        let (training, fresh) = try ModelRegistry.kind(of: weights).loadTraining(from: weights)
        #expect(fresh && training.stepCount == 0)
        let (full, _) = try Self.fixture(kind)
        #expect(try ModelRegistry.kind(of: full).loadTraining(from: full).fresh == false)
        // It trains, and its checkpoint is a full one again.
        var rng = RandomGenerator(seed: 3)
        let batch = Tensor(shape: [16, 16])
        rng.fillUniform(batch.pointer, count: batch.count)
        training.startEpoch(1)
        #expect(try training.trainStep(on: Matrix(batch.pointer, rows: 16, columns: 16)).isFinite)
        #expect(training.checkpoint().metadata["format"] == "vaegan-checkpoint-1")
    }

    @Test func outputTypesSayLogitsOrProbabilities() throws {
        let gan = try Self.exported("gan"), vae = try Self.exported("vae"), vaegan = try Self.exported("vaegan")
        for path in [gan.path, vae.path, vaegan.path] { try? FileManager.default.removeItem(atPath: path) }
        #expect(gan.weights.metadata["generator_output_type"] == "probabilities")
        #expect(gan.weights.metadata["discriminator_output_type"] == "logits")
        #expect(vae.weights.metadata["decoder_output_type"] == "logits") // Bernoulli: sigmoid outside
        #expect(vae.weights.metadata["encoder_output_type"] == "features")
        #expect(vaegan.weights.metadata["decoder_output_type"] == "probabilities")
    }

    @Test("A weights-only file keeps the generator's average (ema.<name>, ema_decay); training from it keeps averaging")
    func averagedWeightsTravel() throws {
        var configuration = GANTrainingConfiguration()
        configuration.model.generatorWidths = [8]
        configuration.model.discriminatorWidths = [8]
        configuration.model.dataWidth = 16
        configuration.latentWidth = 3
        configuration.batchSize = 4
        configuration.emaDecay = 0.9
        let training = try configuration.makeTraining(inputWidth: 16, stepsPerEpoch: 1)
        let batch = Tensor(shape: [4, 16])
        var rng = RandomGenerator(seed: 2)
        rng.fillUniform(batch.pointer, count: batch.count)
        for _ in 0..<3 { _ = try training.trainStep(on: Matrix(batch.pointer, rows: 4, columns: 16)) }
        let weights = try training.weightsCheckpoint()
        #expect(weights.hasAveragedWeights && weights.metadata["ema_decay"] != nil)
        let (fresh, isFresh) = try GANTraining.loadTraining(from: weights)
        #expect(isFresh)
        let average = try #require(fresh.averagedWeights), original = try #require(training.averagedWeights)
        #expect(average.values.values == original.values.values)
    }

    @Test func convPresetExportsAndLoads() throws {
        var configuration = GANTrainingConfiguration()
        configuration.model.use(.conv)
        configuration.batchSize = 4
        let training = try configuration.makeTraining(inputWidth: 784, stepsPerEpoch: 1)
        let weights = try training.weightsCheckpoint()
        #expect(weights.tensors["generator.4.weight"]?.shape == [128, 64, 4, 4]) // ConvTranspose2d(128, 64)
        let gan = try GANTraining.loadModel(from: weights, batchCapacity: 4)
        #expect(try gan.sample(count: 2, seed: 1) == (try training.gan.sample(count: 2, seed: 1)))
        #expect(try SafeTensorsFile(serialized: weights.serialized(), source: "memory").isWeightsOnly)
    }
}
