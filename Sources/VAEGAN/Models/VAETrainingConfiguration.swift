// VAETrainingConfiguration: the β-VAE's training defaults, in one place. `vaegan train`'s
// flags, vg_config_init (and through it Python) start from VAETrainingConfiguration().

extension Likelihood {
    /// σ of a Gaussian likelihood unless one is given (the tool's --sigma, vg_config's sigma).
    /// 0.1, not 1: the data are pixels in [0, 1], so a squared error of 1 per pixel is the
    /// worst possible and σ = 1 makes −log p(x | z) = ½‖x − x̂‖²/σ² + const nearly flat: at most
    /// ½ nat per pixel, against a KL that costs the encoder several nats per latent dimension,
    /// so the posterior collapses to the prior and the decoder draws the mean image. σ = 0.1
    /// weighs the pixel error 100 times more, which keeps the latents in use.
    public static let defaultGaussianSigma: Float = 0.1
}

/// The β-VAE with its optimizer and schedule, before any weight exists.
public struct VAETrainingConfiguration: TrainingConfiguration, Equatable, Sendable {
    public typealias Training = VAETraining
    /// Architecture, likelihood and β (VAEConfiguration's defaults: the reference model).
    public var model = VAEConfiguration()
    /// Adam's step size (β₁ 0.9, β₂ 0.999, PyTorch's defaults).
    public var learningRate: Float = 1e-3
    /// How the rate moves from `learningRate` over the run (see LearningRateSchedule).
    public var learningRateSchedule = LearningRateSchedule.constant
    /// Epochs the schedule spans. nil: the run's epochs, which only the caller knows, so a
    /// schedule other than `.constant` needs it set (`vaegan train` sets it from --epochs).
    public var scheduleEpochs: Int?
    /// Epochs over which β rises linearly from 0 (0: no warm-up).
    public var warmupEpochs = 0
    public var batchSize = defaultBatchSize
    public var seed: UInt64 = 0

    public init() {}

    public func makeTraining(stepsPerEpoch: Int) throws(VAEGANError) -> VAETraining {
        try require(learningRateSchedule == .constant || scheduleEpochs != nil,
                    "a \(learningRateSchedule.name) learning-rate schedule needs the epochs it spans (scheduleEpochs)")
        return try VAETraining(vae: try VAE(model, batchCapacity: batchSize, seed: seed), learningRate: learningRate,
                               learningRateSchedule: learningRateSchedule, scheduleEpochs: scheduleEpochs ?? 0,
                               warmupEpochs: warmupEpochs, stepsPerEpoch: stepsPerEpoch)
    }
}

extension VAEConfiguration: ModelConfiguration {}
