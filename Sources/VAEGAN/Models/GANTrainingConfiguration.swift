// GANTrainingConfiguration: the GAN's training defaults, in one place. `vaegan train`'s flags,
// vg_config_init (and through it Python) start from GANTrainingConfiguration().

/// The GAN with its optimizers and schedule, before any weight exists.
public struct GANTrainingConfiguration: TrainingConfiguration, Equatable, Sendable {
    public typealias Training = GANTraining
    /// Both players' architectures, objective and label smoothing (the reference model).
    public var model = GANConfiguration()
    /// Adam for both players with the reference's lr 2e-4, β₁ = 0.5 (DCGAN's), β₂ = 0.999.
    public var learningRate: Float = 2e-4
    public var beta1: Float = 0.5
    public var beta2: Float = 0.999
    /// Discriminator steps per round (k), then generator steps per round.
    public var discriminatorSteps = 1
    public var generatorSteps = 1
    /// Decay of the generator's weight average (0: none kept). 0.999 averages over ~1,000
    /// generator steps, about two epochs of Fashion-MNIST at batch 128.
    public var emaDecay: Float = 0
    public var batchSize = defaultBatchSize
    public var seed: UInt64 = 0

    public init() {}

    public func makeTraining(stepsPerEpoch: Int) throws(VAEGANError) -> GANTraining {
        try GANTraining(gan: try GAN(model, batchCapacity: batchSize, seed: seed), learningRate: learningRate,
                        beta1: beta1, beta2: beta2, discriminatorSteps: discriminatorSteps, generatorSteps: generatorSteps, emaDecay: emaDecay)
    }
}

extension GANConfiguration: ModelConfiguration {
    /// The data width (`dataWidth`), by the name every kind's configuration has.
    public var inputWidth: Int {
        get { dataWidth }
        set { dataWidth = newValue }
    }
}
