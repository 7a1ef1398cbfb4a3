// VAEGANTraining: the VAE-GAN with its three optimizers and the equilibrium gate, as the
// training loop sees it, and its checkpoint (its pictures by AutoencoderPictureWriter).
import Foundation

/// A VAE-GAN being trained: one Adam per part; the gate decides which of D and the decoder
/// step; the encoder always does.
public final class VAEGANTraining: GenerativeTraining {
    public typealias Configuration = VAEGANTrainingConfiguration
    public let model: VAEGAN
    public let encoderOptimizer: Adam
    public let decoderOptimizer: Adam
    public let discriminatorOptimizer: Adam
    /// The decoder's weight average, updated after each decoder step (when kept).
    public let decoderAverage: ExponentialMovingAverage?
    /// Sums gradients and figures across the ranks of a data-parallel run; nil alone.
    public private(set) var reducer: GradientReducer?
    private var buckets: (encoder: GradientBuckets?, decoder: GradientBuckets?, discriminator: GradientBuckets?) = (nil, nil, nil)
    private var sums = (prior: 0.0, llike: 0.0, pixel: 0.0, gan: 0.0, real: 0.0, fake: 0.0, steps: 0,
                        discriminatorSkips: 0, decoderSkips: 0)

    /// Three Adam optimizers; the defaults are VAEGANTrainingConfiguration's (why β₁ is 0.5 is
    /// said there). `discriminatorLearningRate` (default: `learningRate`) lets D learn more
    /// slowly than the encoder and decoder. `emaDecay` > 0 keeps an average of the decoder.
    public init(model: VAEGAN, learningRate: Float = Configuration().learningRate,
                discriminatorLearningRate: Float? = Configuration().discriminatorLearningRate,
                beta1: Float = Configuration().beta1, beta2: Float = Configuration().beta2,
                emaDecay: Float = Configuration().emaDecay) throws(VAEGANError)
    {
        self.model = model
        encoderOptimizer = try Adam(parameters: model.encoderParameters, learningRate: learningRate,
                                    beta1: beta1, beta2: beta2)
        decoderOptimizer = try Adam(parameters: model.decoderParameters, learningRate: learningRate,
                                    beta1: beta1, beta2: beta2)
        discriminatorOptimizer = try Adam(parameters: model.discriminatorParameters,
                                          learningRate: discriminatorLearningRate ?? learningRate,
                                          beta1: beta1, beta2: beta2)
        decoderAverage = emaDecay == 0 ? nil : try ExponentialMovingAverage(of: model.decoderStore, decay: emaDecay)
        reestimationNoise = emaDecay == 0 ? nil : try model.makeReestimationNoise()
    }

    /// z for re-estimating the average's batch-norm statistics at the end of each epoch.
    private let reestimationNoise: Tensor?

    public var averagedWeights: ExponentialMovingAverage? { decoderAverage }

    public var generativeModel: VAEGAN { model }
    public var stepCount: Int { encoderOptimizer.stepCount }

    public var dataRange: (values: ClosedRange<Float>, reason: String)? {
        (0...1, "the VAE-GAN's sigmoid decoder covers [0, 1]")
    }

    public func startEpoch(_ epoch: Int) { sums = (0, 0, 0, 0, 0, 0, 0, 0, 0) }

    public func trainStep(on batch: Matrix) throws(VAEGANError) -> Double {
        model.encoderStore.zeroGradients()
        model.decoderStore.zeroGradients()
        model.discriminatorStore.zeroGradients()
        buckets.encoder?.begin()
        buckets.decoder?.begin()
        buckets.discriminator?.begin()
        var step = model.accumulateGradients(on: batch)
        if let reducer {
            reducer.reduce(model.encoderStore, buckets: buckets.encoder)
            reducer.reduce(model.decoderStore, buckets: buckets.decoder)
            reducer.reduce(model.discriminatorStore, buckets: buckets.discriminator)
            reducer.sum(&step)
            // Each rank's gate saw its shard only; the batch's losses decide, alike everywhere.
            (step.updatedDiscriminator, step.updatedDecoder) =
                model.gate(realLoss: step.discriminatorRealLoss, fakeLoss: step.discriminatorFakeLoss)
        }
        guard step.prior.isFinite, step.llike.isFinite, step.gan.isFinite else {
            throw .nonFinite("L_prior \(step.prior), L_llike \(step.llike), L_GAN \(step.gan)")
        }
        encoderOptimizer.step()
        if step.updatedDecoder {
            decoderOptimizer.step()
            decoderAverage?.update()
        } else {
            sums.decoderSkips += 1
        }
        if step.updatedDiscriminator { discriminatorOptimizer.step() } else { sums.discriminatorSkips += 1 }
        sums.prior += step.prior
        sums.llike += step.llike
        sums.pixel += step.pixel
        sums.gan += step.gan
        sums.real += step.realProbability
        sums.fake += step.fakeProbability
        sums.steps += 1
        return step.prior + step.llike
    }

    public func distribute(with reducer: GradientReducer) throws(VAEGANError) {
        model.shard = reducer.shard
        self.reducer = reducer
        buckets = (reducer.buckets(for: model.encoderStore), reducer.buckets(for: model.decoderStore),
                   reducer.buckets(for: model.discriminatorStore))
        model.listenToLastBackwardPasses(encoder: buckets.encoder, decoder: buckets.decoder,
                                         discriminator: buckets.discriminator)
    }

    public func finishEpoch(test: ImageDataset?) -> VAEGANMetrics {
        if let decoderAverage, let noise = reestimationNoise {
            decoderAverage.withAveragedWeights { model.reestimateDecoderStatistics(noise: noise) }
        }
        let n = Double(max(sums.steps, 1))
        return VAEGANMetrics(prior: sums.prior / n, llike: sums.llike / n, pixel: sums.pixel / n, gan: sums.gan / n,
                             realProbability: sums.real / n, fakeProbability: sums.fake / n,
                             discriminatorSkips: sums.discriminatorSkips, decoderSkips: sums.decoderSkips)
    }

    /// Pictures without a traversal: the prior term does not rank the latent dimensions.
    public func outputObservers(directory: String, test: ImageDataset) -> [any TrainingObserver] {
        [AutoencoderPictureWriter(model: model, directory: directory, test: test)]
    }

    // MARK: Checkpoint

    public func checkpoint() -> SafeTensorsFile {
        let c = model.configuration
        var file = SafeTensorsFile(metadata: [
            "model": Self.kind, "format": SafeTensorsFile.checkpointFormat,
            "latent_width": String(c.latentWidth),
            "encoder_widths": c.encoderWidths.map(String.init).joined(separator: ","),
            "decoder_widths": c.decoderWidths.map(String.init).joined(separator: ","),
            "discriminator_widths": c.discriminatorWidths.map(String.init).joined(separator: ","),
            "feature_layer": String(c.featureLayer), "leaky_slope": String(c.leakySlope),
            "gamma": String(c.gamma), "pixel_weight": String(c.pixelWeight), "objective": c.objective.rawValue,
            "reconstructions_as_fakes": String(c.reconstructionsAsFakes), "gating": String(c.gating),
            "gating_margin": String(c.gatingMargin), "gating_equilibrium": String(c.gatingEquilibrium),
            "batch_size": String(model.batchCapacity), "learning_rate": String(encoderOptimizer.learningRate),
            "discriminator_learning_rate": String(discriminatorOptimizer.learningRate),
            "beta1": String(encoderOptimizer.beta1), "beta2": String(encoderOptimizer.beta2),
            "encoder_spec": c.encoderNetwork.compactJSON, "decoder_spec": c.decoderNetwork.compactJSON,
            "discriminator_spec": c.discriminatorNetwork.compactJSON,
        ])
        file.storeDataWidth(c.inputWidth, alsoAsInputWidth: true)
        file.store([model.encoderStore, model.decoderStore, model.discriminatorStore])
        file.store(encoderOptimizer, part: "encoder")
        file.store(decoderOptimizer, part: "decoder")
        file.store(discriminatorOptimizer, part: "discriminator")
        file.store(model.rng, key: "rng")
        if let decoderAverage { file.store(decoderAverage) }
        return file
    }

    static func configuration(from file: SafeTensorsFile) throws(VAEGANError) -> VAEGANConfiguration {
        var c = VAEGANConfiguration()
        c.inputWidth = try file.dataWidth()
        c.latentWidth = try file.integer("latent_width")
        c.encoderWidths = try file.integers("encoder_widths")
        c.decoderWidths = try file.integers("decoder_widths")
        c.discriminatorWidths = try file.integers("discriminator_widths")
        c.featureLayer = try file.integer("feature_layer")
        c.leakySlope = try file.float("leaky_slope")
        c.gamma = try file.float("gamma")
        // Checkpoints from before L_pixel have no pixel_weight: they trained without it.
        c.pixelWeight = file.metadata["pixel_weight"] == nil ? 0 : try file.float("pixel_weight")
        guard let objective = GANObjective(rawValue: try file.string("objective")) else {
            throw .format("\(file.source): unknown objective")
        }
        c.objective = objective
        c.reconstructionsAsFakes = try file.boolean("reconstructions_as_fakes")
        c.gating = try file.boolean("gating")
        c.gatingMargin = try file.float("gating_margin")
        c.gatingEquilibrium = try file.float("gating_equilibrium")
        // Checkpoints from before specs existed have widths only: their MLPs.
        c.adopt(encoder: try file.spec("encoder_spec"), decoder: try file.spec("decoder_spec"),
                discriminator: try file.spec("discriminator_spec"))
        do { try c.validate() } catch { throw .format("\(file.source): \(error.message)") }
        return c
    }

    public static func load(from file: SafeTensorsFile) throws(VAEGANError) -> VAEGANTraining {
        try file.requireModel(kind)
        let model = try VAEGAN(try configuration(from: file), batchCapacity: try file.integer("batch_size"))
        let learningRate = try file.float("learning_rate")
        // Checkpoints from before the separate rate have none: D used the common one.
        let discriminatorLearningRate = file.metadata["discriminator_learning_rate"] == nil
            ? learningRate : try file.float("discriminator_learning_rate")
        let training = try VAEGANTraining(model: model, learningRate: learningRate,
                                          discriminatorLearningRate: discriminatorLearningRate,
                                          beta1: try file.float("beta1"), beta2: try file.float("beta2"),
                                          emaDecay: try file.averageDecay())
        try file.restore([model.encoderStore, model.decoderStore, model.discriminatorStore])
        if let average = training.decoderAverage { try file.restore(average) }
        try file.restore(training.encoderOptimizer, part: "encoder")
        try file.restore(training.decoderOptimizer, part: "decoder")
        try file.restore(training.discriminatorOptimizer, part: "discriminator")
        try file.restore(&model.rng, key: "rng")
        return training
    }

    public static func loadModel(from file: SafeTensorsFile, batchCapacity: Int) throws(VAEGANError) -> VAEGAN {
        try file.requireModel(kind)
        let model = try VAEGAN(try configuration(from: file), batchCapacity: batchCapacity)
        try file.restore([model.encoderStore, model.decoderStore, model.discriminatorStore])
        return model
    }
}
