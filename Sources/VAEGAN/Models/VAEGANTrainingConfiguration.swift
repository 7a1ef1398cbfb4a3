// VAEGANTrainingConfiguration: the VAE-GAN's training defaults, in one place. `vaegan train`'s
// flags, vg_config_init (and through it Python) start from VAEGANTrainingConfiguration().

/// The VAE-GAN with its three optimizers, before any weight exists.
public struct VAEGANTrainingConfiguration: TrainingConfiguration, Equatable, Sendable {
    public typealias Training = VAEGANTraining
    /// Architecture, loss weights and gate (the reference model).
    public var model = VAEGANConfiguration()
    /// The reference's lr 3e-4 for encoder, decoder and (unless set) D.
    public var learningRate: Float = 3e-4
    /// D's own rate; nil: `learningRate`.
    public var discriminatorLearningRate: Float?
    /// As for GANs since DCGAN, β₁ = 0.5: with PyTorch's default 0.9 the decoder and D fall out
    /// of balance here and the decoder's images turn to noise (Benchmarks/pytorch/README.md saw
    /// the same in PyTorch).
    public var beta1: Float = 0.5
    public var beta2: Float = 0.999
    /// Decay of the decoder's weight average (0: none kept); see GANTrainingConfiguration.
    public var emaDecay: Float = 0
    public var batchSize = defaultBatchSize
    public var seed: UInt64 = 0

    public init() {}

    public func makeTraining(stepsPerEpoch: Int) throws(VAEGANError) -> VAEGANTraining {
        try VAEGANTraining(model: try VAEGAN(model, batchCapacity: batchSize, seed: seed), learningRate: learningRate,
                           discriminatorLearningRate: discriminatorLearningRate, beta1: beta1, beta2: beta2,
                           emaDecay: emaDecay)
    }
}

extension VAEGANConfiguration: ModelConfiguration {}
