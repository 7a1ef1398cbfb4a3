// ConvModelTests: the models built from the conv presets (the DCGAN; the conv β-VAE): a short
// training run whose loss falls, each player's parameters and batch-norm statistics fixed
// during the other's step, checkpoints that carry the specs and rebuild the same networks, and
// specs that do not fit the model refused with both shapes.
import CVAEGAN
import Foundation
import Testing
@testable import VAEGAN

@Suite(.serialized) struct ConvModelTests {
    static let batch = 16

    /// Images with structure a model can learn: a bright square at one of four places.
    static func squares(rows: Int, seed: UInt64) -> Tensor {
        let t = Tensor(shape: [rows, 784])
        var rng = RandomGenerator(seed: seed)
        for r in 0..<rows {
            let corner = Int(rng.next() % 4), (top, left) = (4 + (corner / 2) * 12, 4 + (corner % 2) * 12)
            for y in top..<(top + 8) { for x in left..<(left + 8) { t.pointer[r * 784 + y * 28 + x] = 1 } }
        }
        return t
    }

    private func dcgan() throws -> GANTraining {
        var c = GANTrainingConfiguration()
        c.model.use(.conv)
        c.batchSize = Self.batch
        return try c.makeTraining(inputWidth: 784, stepsPerEpoch: 10)
    }

    @Test("DCGAN: D's loss on a fixed batch falls as D trains, and every figure stays finite")
    func dcganTrains() throws {
        let training = try dcgan()
        #expect(training.gan.generator.parameters.scalarCount == 552_513)
        let x = Self.squares(rows: Self.batch, seed: 1)
        var losses: [Double] = []
        for _ in 0..<12 { losses.append(try training.trainStep(on: x.matrix)) }
        withExtendedLifetime(x) {}  // a Matrix is a view: its tensor must outlive the steps
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(losses.suffix(3).reduce(0, +) < losses.prefix(3).reduce(0, +), "D's loss \(losses)")
    }

    @Test("DCGAN: G's parameters and batch-norm statistics are bitwise fixed during D's step, and D's during G's")
    func playersStayFixed() throws {
        let training = try dcgan()
        let gan = training.gan
        let x = Self.squares(rows: Self.batch, seed: 2)
        _ = try training.trainStep(on: x.matrix)  // moments and statistics away from their start
        func snapshot(_ store: ParameterStore) -> [Float] { store.values.values + store.stateValues.values }
        let g0 = snapshot(gan.generatorStore), d0 = snapshot(gan.discriminatorStore)
        let dOptimizer = training.schedule.discriminatorOptimizer, gOptimizer = training.schedule.generatorOptimizer
        // D's step alone: G runs forward (normalizing with its batch's statistics) but neither
        // its weights nor its running statistics may change.
        gan.discriminatorStore.zeroGradients()
        _ = gan.accumulateDiscriminatorGradients(real: x.matrix)
        dOptimizer.step()
        #expect(KernelCheck.firstBitMismatch(snapshot(gan.generatorStore), g0) == nil, "G changed during D's step")
        let d1 = snapshot(gan.discriminatorStore)
        #expect(KernelCheck.firstBitMismatch(d1, d0) != nil, "D's step changed nothing")
        // G's step alone: D runs forward and backward; its weights and statistics stay.
        gan.generatorStore.zeroGradients()
        _ = gan.accumulateGeneratorGradients(rows: Self.batch)
        gOptimizer.step()
        #expect(KernelCheck.firstBitMismatch(snapshot(gan.discriminatorStore), d1) == nil, "D changed during G's step")
        #expect(KernelCheck.firstBitMismatch(snapshot(gan.generatorStore), g0) != nil, "G's step changed nothing")
        withExtendedLifetime(x) {}
    }

    @Test("Conv β-VAE: the loss on a fixed batch falls over a few steps")
    func convVAETrains() throws {
        var c = VAETrainingConfiguration()
        c.model.use(.conv)
        c.batchSize = Self.batch
        let training = try c.makeTraining(inputWidth: 784, stepsPerEpoch: 10)
        let x = Self.squares(rows: Self.batch, seed: 3)
        var losses: [Double] = []
        for _ in 0..<8 { losses.append(try training.trainStep(on: x.matrix)) }
        withExtendedLifetime(x) {}
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(losses.last! < losses.first! * 0.9, "negative ELBO \(losses)")
    }

    @Test("A conv checkpoint carries its specs and loads into the same networks: the same samples")
    func checkpointRoundTrip() throws {
        let training = try dcgan()
        let x = Self.squares(rows: Self.batch, seed: 4)
        try withExtendedLifetime(x) { _ = try training.trainStep(on: x.matrix) }  // a Matrix is a view: keep its tensor
        let file = training.checkpoint()
        #expect(try file.spec("generator_spec") == NetworkSpec.dcganGenerator())
        #expect(try file.spec("discriminator_spec") == NetworkSpec.dcganDiscriminator())
        let path = NSTemporaryDirectory() + "conv-gan-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try file.write(to: path)
        let loaded = try GANTraining.load(from: try SafeTensorsFile.read(from: path))
        #expect(loaded.gan.configuration == training.gan.configuration)
        let a = try training.gan.sample(count: 4, seed: 9)
        let b = try loaded.gan.sample(count: 4, seed: 9)
        #expect(a == b && a.allSatisfy { $0 >= 0 && $0 <= 1 })
        // Evaluation mode: a sample does not depend on the others drawn with it.
        let one = try training.gan.sample(count: 1, seed: 9)
        #expect(one == Array(a.prefix(784)))
    }

    @Test("Conv VAE-GAN: Dis_l is the DCGAN D's second block (6272 features); its reconstructions of a fixed batch improve")
    func convVAEGANTrains() throws {
        var c = VAEGANTrainingConfiguration()
        c.model.use(.conv)
        c.batchSize = Self.batch
        c.learningRate = 1e-3 // a few steps must show the fall
        let training = try c.makeTraining(inputWidth: 784, stepsPerEpoch: 10)
        #expect(training.model.featureWidth == 6272)
        let x = Self.squares(rows: Self.batch, seed: 5)
        /// Pixel squared error of Dec(μ(x)) against x, per image.
        func reconstructionError() -> Double {
            let r = training.model.reconstruct(x.matrix)
            var sum = 0.0
            for i in 0..<(Self.batch * 784) { sum += Double((r.base[i] - x.pointer[i]) * (r.base[i] - x.pointer[i])) }
            return sum / Double(Self.batch)
        }
        let before = reconstructionError()
        for _ in 0..<20 { #expect(try training.trainStep(on: x.matrix).isFinite) }
        let after = reconstructionError()
        withExtendedLifetime(x) {}
        #expect(after < 0.8 * before, "reconstruction error \(before) → \(after)")
    }

    @Test("The VAE-GAN's presets carry their loss settings: conv γ 0.01, non-saturating, ungated; mlp back to the defaults")
    func vaeganPresetLossSettings() {
        var c = VAEGANConfiguration()
        c.use(.conv)
        #expect(c.gamma == 0.01 && c.objective == .nonSaturating && !c.gating && c.featureLayer == 3)
        c.use(.mlp)
        let defaults = VAEGANConfiguration()
        #expect(c == defaults)
    }

    @Test("A spec that changes a width trains, and its checkpoint holds the new shapes and loads")
    func changedWidth() throws {
        var c = GANTrainingConfiguration()
        c.batchSize = Self.batch
        try c.model.use(networksJSON: """
            {"discriminator": {"input": [784], "layers": [
              {"type": "dense", "width": 300, "activation": "leaky_relu(0.2)"},
              {"type": "dense", "width": 1}]}}
            """, source: "test")
        let training = try c.makeTraining(inputWidth: 784, stepsPerEpoch: 10)
        let x = Self.squares(rows: Self.batch, seed: 6)
        try withExtendedLifetime(x) { _ = try training.trainStep(on: x.matrix) }
        let file = training.checkpoint()
        #expect(try file.floats("discriminator.0.weight", shape: [300, 784]).count == 300 * 784)
        #expect(try file.floats("discriminator.1.weight", shape: [1, 300]).count == 300)
        let path = NSTemporaryDirectory() + "wide-gan-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try file.write(to: path)
        let loaded = try GANTraining.load(from: try SafeTensorsFile.read(from: path))
        #expect(loaded.gan.discriminator.parameters.map(\.shape) == [[300, 784], [300], [1, 300], [1]])
    }

    @Test("Specs that do not fit the model are refused naming both shapes")
    func mismatchedSpecs() {
        var gan = GANConfiguration()
        gan.generatorSpec = NetworkSpec(input: [64], layers: [.dense(width: 100)])
        #expect(throws: VAEGANError.self) { try gan.validate() }
        do { try gan.validate() } catch {
            #expect(error.message.contains("[64] to [100]") && error.message.contains("784"), "\(error.message)")
        }
        var vae = VAEConfiguration()
        vae.decoderSpec = NetworkSpec(input: [16], layers: [.dense(width: 784)])
        do { try vae.validate(); Issue.record("a decoder from [16] was accepted for latent 32") } catch {
            #expect(error.message.contains("[16]") && error.message.contains("[32]"), "\(error.message)")
        }
    }
}
