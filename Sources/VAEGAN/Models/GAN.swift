// GAN: generator G(z) and discriminator D(x) (Goodfellow et al. 2014), each an MLP of the
// engine's Dense layers, with the gradient computations of each player's step. Which player
// moves, and when, is the AlternatingOptimizer's business (Optimizers/AlternatingOptimizer.swift).
//
// Losses are on D's logits l (never on probabilities): BCE(l, 1) = softplus(−l),
// BCE(l, 0) = softplus(l), so nothing takes the log of a probability that can reach 0.
import CVAEGAN
import Foundation

/// One discriminator step's figures (batch means).
public struct DiscriminatorLosses: Sendable {
    /// BCE(D(x), real label) + BCE(D(G(z)), 0).
    public var loss: Double
    /// Mean D(x): the probability D gives real examples.
    public var realProbability: Double
    /// Mean D(G(z)).
    public var fakeProbability: Double
}

/// One generator step's figures (batch means).
public struct GeneratorLosses: Sendable {
    /// Non-saturating: BCE(D(G(z)), 1); minimax: −BCE(D(G(z)), 0) = E[log(1 − D(G(z)))].
    public var loss: Double
    public var fakeProbability: Double
}

/// A generator and a discriminator, with their workspaces.
public final class GAN {
    public let configuration: GANConfiguration
    public let batchCapacity: Int
    public let generator: Sequential
    public var decoderNetwork: Sequential { generator }
    public let discriminator: Sequential
    /// Each player's parameters in one buffer: the parts its optimizer steps over.
    public let generatorStore: ParameterStore
    public let discriminatorStore: ParameterStore
    /// Draws z for training steps; saved in checkpoints.
    public var rng: RandomGenerator
    /// The rows of each training batch this process trains on (data-parallel training); every
    /// row when training alone.
    public var shard = BatchShard.whole
    /// Told as D's layers finish their last backward pass of a D step (the fakes'); G's
    /// generator.backwardListener needs no such care, G having one pass per step.
    public var discriminatorListener: (any BackwardListener)?

    private let noise: Tensor          // z, (capacity, latent)
    private let logitGradient: Tensor  // ∂L/∂l, (capacity, 1)

    public init(_ configuration: GANConfiguration, batchCapacity: Int = 128, seed: UInt64 = 0)
        throws(VAEGANError)
    {
        try configuration.validate()
        try require(batchCapacity > 0, "batch size must be positive, not \(batchCapacity)")
        self.configuration = configuration
        self.batchCapacity = batchCapacity
        let c = configuration
        var rng = RandomGenerator(seed: seed)
        // G is initialized before D is built, so each draws from rng where it always has.
        let generatorLayout = ParameterStore.Layout(), discriminatorLayout = ParameterStore.Layout()
        generator = try c.generatorNetwork.build(name: "generator", initialization: c.initialization,
                                                 batchCapacity: batchCapacity, parameters: generatorLayout)
        generatorStore = try ParameterStore(generatorLayout, initializingWith: &rng)
        discriminator = try c.discriminatorNetwork.build(name: "discriminator", initialization: c.initialization,
                                                         batchCapacity: batchCapacity, parameters: discriminatorLayout)
        discriminatorStore = try ParameterStore(discriminatorLayout, initializingWith: &rng)
        self.rng = rng
        noise = try .zeros([batchCapacity, c.latentWidth])
        logitGradient = try .zeros([batchCapacity, 1])
    }

    public var latentWidth: Int { configuration.latentWidth }
    public var dataWidth: Int { configuration.dataWidth }

    /// Fresh z ~ N(0, I) for a batch of `rows` rows, from `rng`: the shard's rows of them.
    private func sampleNoise(rows: Int) -> Matrix {
        shard.normalRows(rows, columns: latentWidth, in: noise.pointer, from: &rng)
    }

    /// D's gradient for one batch of real examples and as many fakes from fresh z: adds
    /// ∂/∂θ_D [BCE(D(x), real label) + BCE(D(G(z)), 0)] (batch means) into D's gradients.
    /// G runs forward only: no gradient of G's parameters is computed. With a `shard`, only its
    /// rows are computed, and gradients and figures are their share of the batch's.
    public func accumulateDiscriminatorGradients(real batch: Matrix) -> DiscriminatorLosses {
        generator.updatesRunningStatistics = false // G is not trained here: its state stays as it is
        defer { generator.updatesRunningStatistics = true }
        let batchRows = batch.rows, real = shard.rows(of: batch), rows = real.rows
        let scale = 1 / Float(batchRows)
        let dLogits = Matrix(logitGradient.pointer, rows: rows, columns: 1)

        let realLogits = discriminator.forward(real)
        let realProbability = shard.share(ofMean: meanSigmoid(realLogits), batchRows: batchRows)
        let realLoss = binaryCrossEntropy(logits: realLogits, target: configuration.realLabel,
                                          gradient: dLogits, gradientScale: scale)
        discriminator.backward(dLogits, computeInputGradient: false, accumulateParameterGradients: true)

        let fake = generator.forward(sampleNoise(rows: batchRows))
        let fakeLogits = discriminator.forward(fake)
        let fakeProbability = shard.share(ofMean: meanSigmoid(fakeLogits), batchRows: batchRows)
        let fakeLoss = binaryCrossEntropy(logits: fakeLogits, target: 0, gradient: dLogits, gradientScale: scale)
        discriminator.backwardListener = discriminatorListener // D's last pass: its gradients end here
        discriminator.backward(dLogits, computeInputGradient: false, accumulateParameterGradients: true)
        discriminator.backwardListener = nil

        return DiscriminatorLosses(loss: (realLoss + fakeLoss) * Double(scale),
                                   realProbability: realProbability, fakeProbability: fakeProbability)
    }

    /// G's gradient for `rows` fresh z: the loss flows through D to G's output, but D's
    /// parameter gradients are neither computed nor touched.
    public func accumulateGeneratorGradients(rows batchRows: Int) -> GeneratorLosses {
        discriminator.updatesRunningStatistics = false // nor D here
        defer { discriminator.updatesRunningStatistics = true }
        precondition(batchRows > 0 && batchRows <= batchCapacity, "GAN: \(batchRows) rows, capacity \(batchCapacity)")
        let scale = 1 / Float(batchRows)
        let fake = generator.forward(sampleNoise(rows: batchRows))
        let dLogits = Matrix(logitGradient.pointer, rows: fake.rows, columns: 1)
        let logits = discriminator.forward(fake)
        let fakeProbability = shard.share(ofMean: meanSigmoid(logits), batchRows: batchRows)
        let loss: Double
        switch configuration.objective {
        case .nonSaturating: // minimize −log D(G(z)) = BCE(l, 1)
            loss = binaryCrossEntropy(logits: logits, target: 1, gradient: dLogits, gradientScale: scale)
        case .minimax: // minimize log(1 − D(G(z))) = −BCE(l, 0)
            loss = -binaryCrossEntropy(logits: logits, target: 0, gradient: dLogits, gradientScale: -scale)
        }
        let dFake = discriminator.backward(dLogits, computeInputGradient: true, accumulateParameterGradients: false)
        generator.backward(dFake, computeInputGradient: false, accumulateParameterGradients: true)
        return GeneratorLosses(loss: loss * Double(scale), fakeProbability: fakeProbability)
    }

    /// G(z) for given latent rows (a view into G's output buffer, valid until the next call), in
    /// evaluation mode: batch norms use their running statistics, so a sample does not depend on
    /// the others drawn with it.
    public func generate(_ z: Matrix) -> Matrix {
        generator.isTraining = false
        defer { generator.isTraining = true }
        return generator.forward(z)
    }

    /// Generator outputs mapped to [0, 1] for pictures (tanh outputs live in [−1, 1]).
    public func inDisplayRange(_ values: [Float]) -> [Float] {
        configuration.generatorOutput == .tanh ? values.map { ($0 + 1) / 2 } : values
    }
}
