// TrainingLoopTests: the one training loop and what hangs on it. Observers hear every epoch and
// step in order and can add figures; a diverging step names the place and what observers add;
// run(steps:) crosses passes; the C ABI's vg_metrics is filled from the typed metrics of each
// kind (no figure a kind has stays NaN); every registered kind round-trips its defaults through
// vg_config and its checkpoint through the registry.
import CVAEGAN
import Foundation
import Testing
@testable import VAEGAN

@Suite struct TrainingLoopTests {
    /// 40 rows of 16 values in [0, 1].
    static let data: ImageDataset = {
        var rng = RandomGenerator(seed: 4)
        var pixels = [Float](repeating: 0, count: 40 * 16)
        pixels.withUnsafeMutableBufferPointer { rng.fillUniform($0.baseAddress!, count: $0.count) }
        return ImageDataset(count: 40, rows: 4, columns: 4, pixels: .floats(pixels))
    }()

    static func vaeTraining() throws -> VAETraining {
        var c = VAETrainingConfiguration()
        c.model.encoderWidths = [8]
        c.model.decoderWidths = [8]
        c.latentWidth = 3
        c.batchSize = 16
        return try c.makeTraining(inputWidth: 16, stepsPerEpoch: 3)
    }

    /// Writes down what it hears.
    final class Recorder: TrainingObserver {
        var events: [String] = []
        var reports: [EpochRecord] = []
        func trainingWillStartEpoch(_ epoch: Int) { events.append("start \(epoch)") }
        func trainingDidFinishStep(_ step: Int, ofEpoch epoch: Int, runningLoss: Double) {
            events.append("step \(epoch).\(step)")
        }
        func figures(afterEpoch epoch: Int) throws(VAEGANError) -> [(name: String, value: Double)] {
            [("recorded", Double(10 * epoch))]
        }
        func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
            events.append("end \(report.epoch)")
            reports.append(report.record)
        }
        func trainingDidFail(atStep step: Int, ofEpoch epoch: Int) -> String? { "recorder saw step \(step)" }
    }

    @Test("shouldStop ends a run before the next step with .cancelled; the epoch is not counted, the steps stay")
    func shouldStopCancelsAtAStepBoundary() throws {
        let training = try Self.vaeTraining()
        let loop = try TrainingLoop(model: training, loader: try BatchLoader(Self.data, batchSize: 16, seed: 1))
        var asked = 0
        loop.shouldStop = {
            asked += 1
            return asked == 5 // before the second step of epoch 2
        }
        #expect(throws: VAEGANError.self) { try loop.run(through: 3, test: nil) }
        #expect(loop.epoch == 1 && training.stepCount == 4)
        loop.shouldStop = nil
        try loop.run(through: 2, test: nil)
        #expect(loop.epoch == 2 && training.stepCount == 7)
        do {
            loop.shouldStop = { true }
            _ = try loop.run(steps: 2)
            Issue.record("run(steps:) did not stop")
        } catch {
            guard case .cancelled(let message) = error else { Issue.record("\(error) is not .cancelled"); return }
            #expect(message.contains("step 1 of this call"))
            #expect(error.status == VG_CANCELLED)
        }
    }

    @Test("A model's named tensors are its checkpoint's, views of the live values")
    func namedTensorsAreTheCheckpoints() throws {
        let training = try Self.vaeTraining()
        let named = training.generativeModel.namedTensors
        let checkpoint = training.checkpoint()
        #expect(Set(named.map(\.name)) == Set(checkpoint.tensors.keys.filter { !$0.hasPrefix("optimizer.") }))
        for (name, value) in named { #expect(checkpoint.tensors[name]?.shape == value.shape, "\(name)") }
        let first = try #require(named.first)
        first.value.pointer[0] = 42
        #expect(try training.checkpoint().floats(first.name)[0] == 42)
    }

    @Test("Observers hear each epoch's start, steps and end in order, and their figures join the record")
    func observersHearEverything() throws {
        let training = try Self.vaeTraining()
        let loop = try TrainingLoop(model: training, loader: try BatchLoader(Self.data, batchSize: 16, seed: 1))
        let recorder = Recorder()
        loop.observers = [recorder]
        let reports = try loop.run(through: 2, test: Self.data)
        #expect(recorder.events == ["start 1", "step 1.1", "step 1.2", "step 1.3", "end 1",
                                    "start 2", "step 2.1", "step 2.2", "step 2.3", "end 2"])
        #expect(reports.map(\.epoch) == [1, 2] && reports.allSatisfy { $0.steps == 3 })
        #expect(loop.epoch == 2 && training.stepCount == 6)
        // Typed: the test-set evaluation is a field, not a name.
        let evaluation = try #require(reports.last?.metrics.evaluation)
        #expect(recorder.reports.last?["test_nelbo"] == evaluation.negativeELBO)
        #expect(recorder.reports.last?["recorded"] == 20)
        #expect(recorder.reports.last?.values.map(\.name).suffix(2) == ["seconds", "recorded"])
        // The record's mean loss is the mean of the step losses, as the metrics' own tally.
        #expect(isClose(reports[1].meanLoss, reports[1].metrics.loss, relative: 1e-12))
        // Resuming at epoch 2 of 2 trains nothing.
        #expect(try loop.run(through: 2, test: nil).isEmpty)
    }

    @Test("run(steps:) starts new passes as they end, counts no epoch and evaluates nothing")
    func stepsCrossPasses() throws {
        let training = try Self.vaeTraining()
        let loop = try TrainingLoop(model: training, loader: try BatchLoader(Self.data, batchSize: 16, seed: 1))
        let report = try loop.run(steps: 7)
        #expect(report.steps == 7 && training.stepCount == 7 && loop.epoch == 0)
        #expect(report.metrics.evaluation == nil)
        #expect(!report.record.values.contains { $0.name == "test_nelbo" })
    }

    @Test("A diverging step names epoch and batch, and what the observers add")
    func divergenceMessage() throws {
        let training = try Self.vaeTraining()
        training.vae.decoder.parameters.last!.value.pointer[0] = .nan
        let loop = try TrainingLoop(model: training, loader: try BatchLoader(Self.data, batchSize: 16, seed: 1))
        loop.observers = [Recorder()]
        expectVAEGANError(VAEGANError.nonFinite, mentioning: ["diverged at epoch 1, batch 1", "recorder saw step 1"]) {
            try loop.run(through: 1, test: nil)
        }
        #expect(loop.epoch == 0)
    }

    @Test("vg_metrics is filled from each kind's typed fields: every figure the kind names is set")
    func metricsFillTheCStruct() throws {
        let vae = VAEMetrics(loss: 1, reconstruction: 2, kl: 3, beta: 4,
                             evaluation: VAEEvaluation(reconstruction: 5, kl: 6, klPerDimension: [6, 0]))
        let gan = GANMetrics(discriminatorLoss: 1, generatorLoss: 2, realProbability: 0.5, fakeProbability: 0.25)
        let vaegan = VAEGANMetrics(prior: 1, llike: 2, pixel: 3, gan: 4, realProbability: 0.5, fakeProbability: 0.25,
                                   discriminatorSkips: 7, decoderSkips: 8)
        // The C field each named figure lands in (names differ only for the test-set figures).
        let cName = ["test_nelbo": "eval_nelbo", "test_reconstruction": "eval_reconstruction", "test_kl": "eval_kl"]
        for metrics in [vae, gan, vaegan] as [any GenerativeMetrics] {
            var m = vg_metrics.unset
            metrics.write(into: &m)
            let fields = Dictionary(uniqueKeysWithValues: Mirror(reflecting: m).children.compactMap { child in
                child.label.flatMap { label in (child.value as? Double).map { (label, $0) } }
            })
            for (name, value) in metrics.namedValues where name != "pixel" && name != "loss" {
                let field = cName[name] ?? name
                #expect(fields[field] == value, "\(type(of: metrics)).\(name) → vg_metrics.\(field)")
            }
        }
        var m = vg_metrics.unset
        vae.write(into: &m)
        #expect(m.d_loss.isNaN && m.prior.isNaN && m.active_units == 1)
    }

    @Test("Every registered kind: its vg_config defaults build the model its configuration builds, and its checkpoint loads through the registry",
          arguments: ModelRegistry.kinds.map { $0.kind })
    func registeredKindsRoundTrip(name: String) throws {
        let kind = try ModelRegistry.kind(named: name)
        var c = vg_config()
        #expect(vg_config_init(&c, Int64(MemoryLayout<vg_config>.size), Int32(bitPattern: kind.cKind.rawValue)) == VG_OK)
        c.input_width = 16
        c.latent_width = 3
        c.batch_size = 8
        let (training, seed) = try withUnsafePointer(to: &c) { try CModel.training(from: $0) }
        #expect(type(of: training).kind == name && seed == 0)
        #expect(training.inputWidth == 16 && training.generativeModel.latentWidth == 3)
        #expect(training.generativeModel.batchCapacity == 8)
        let file = training.checkpoint()
        #expect(try ModelRegistry.kind(of: file).kind == name)
        let loaded = try ModelRegistry.kind(of: file).load(from: file)
        #expect(loaded.checkpoint().tensors.keys.sorted() == file.tensors.keys.sorted())
        let model = try TrainedModel(ModelRegistry.kind(of: file).loadModel(from: file, batchCapacity: 5))
        #expect(model.kind == name && model.dataWidth == 16)
        #expect(try model.sample(count: 6, seed: 1) == TrainedModel(training.generativeModel).sample(count: 6, seed: 1))
    }

    @Test("One Gaussian σ: vg_config_init's sigma is Likelihood.defaultGaussianSigma")
    func oneGaussianSigma() {
        var c = vg_config()
        #expect(vg_config_init(&c, Int64(MemoryLayout<vg_config>.size), Int32(VG_MODEL_VAE.rawValue)) == VG_OK)
        #expect(c.sigma == Likelihood.defaultGaussianSigma && c.sigma == 0.1)
        #expect(c.learning_rate == VAETrainingConfiguration().learningRate)
        expectVAEGANError(VAEGANError.wrongModel, mentioning: ["classifier", "vae, gan, vaegan"]) {
            _ = try ModelRegistry.kind(named: "classifier")
        }
    }
}
