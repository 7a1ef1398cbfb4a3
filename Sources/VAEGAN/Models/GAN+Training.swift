// GANTraining: the GAN with its alternating optimizer, as the training loop sees it, and its
// checkpoint (its pictures are in GAN+Pictures.swift).
import Foundation

/// A GAN being trained: both players, their Adam optimizers in an `AlternatingOptimizer`.
public final class GANTraining: GenerativeTraining {
    public typealias Configuration = GANTrainingConfiguration
    public let gan: GAN
    public let schedule: AlternatingOptimizer
    /// Both players' Adam β₁ and β₂, for the checkpoint.
    private let adamBetas: (beta1: Float, beta2: Float)
    private var sums = (discriminator: 0.0, generator: 0.0, real: 0.0, fake: 0.0, steps: 0, generatorSteps: 0)

    /// Adam for both players, and an average of G's weights when `emaDecay` > 0; the defaults
    /// are GANTrainingConfiguration's.
    public init(gan: GAN, learningRate: Float = Configuration().learningRate, beta1: Float = Configuration().beta1,
                beta2: Float = Configuration().beta2, discriminatorSteps: Int = Configuration().discriminatorSteps,
                generatorSteps: Int = Configuration().generatorSteps,
                emaDecay: Float = Configuration().emaDecay) throws(VAEGANError) {
        self.gan = gan
        adamBetas = (beta1, beta2)
        schedule = try AlternatingOptimizer(
            gan: gan,
            discriminatorOptimizer: try Adam(parameters: gan.discriminator.parameters, learningRate: learningRate,
                                             beta1: beta1, beta2: beta2),
            generatorOptimizer: try Adam(parameters: gan.generator.parameters, learningRate: learningRate,
                                         beta1: beta1, beta2: beta2),
            discriminatorSteps: discriminatorSteps, generatorSteps: generatorSteps,
            generatorAverage: emaDecay == 0 ? nil : try ExponentialMovingAverage(of: gan.generatorStore, decay: emaDecay))
        reestimationNoise = emaDecay == 0 ? nil : try gan.makeReestimationNoise()
    }

    /// z for re-estimating the average's batch-norm statistics at the end of each epoch.
    private let reestimationNoise: Tensor?

    public var averagedWeights: ExponentialMovingAverage? { schedule.generatorAverage }

    public var generativeModel: GAN { gan }
    public var stepCount: Int { schedule.discriminatorOptimizer.stepCount }

    public var dataRange: (values: ClosedRange<Float>, reason: String)? {
        switch gan.configuration.generatorOutput {
        case .sigmoid: (0...1, "the generator's sigmoid output covers [0, 1]")
        case .tanh: (-1...1, "the generator's tanh output covers [-1, 1]")
        default: nil
        }
    }

    public func startEpoch(_ epoch: Int) { sums = (0, 0, 0, 0, 0, 0) }

    public func trainStep(on batch: Matrix) throws(VAEGANError) -> Double {
        let report = schedule.step(real: batch)
        let d = report.discriminator
        guard d.loss.isFinite, report.generator.map({ $0.loss.isFinite }) ?? true else {
            throw .nonFinite("D loss \(d.loss), G loss \(report.generator?.loss ?? .nan)")
        }
        sums.discriminator += d.loss
        sums.real += d.realProbability
        sums.fake += d.fakeProbability
        sums.steps += 1
        if let g = report.generator {
            sums.generator += g.loss
            sums.generatorSteps += 1
        }
        return d.loss
    }

    public func distribute(with reducer: GradientReducer) throws(VAEGANError) {
        gan.shard = reducer.shard
        schedule.reducer = reducer
        schedule.buckets = (reducer.buckets(for: gan.discriminatorStore), reducer.buckets(for: gan.generatorStore))
        gan.discriminatorListener = schedule.buckets.discriminator
        gan.generator.backwardListener = schedule.buckets.generator
    }

    public func finishEpoch(test: ImageDataset?) -> GANMetrics {
        if let average = schedule.generatorAverage, let noise = reestimationNoise {
            average.withAveragedWeights { gan.reestimateDecoderStatistics(noise: noise) }
        }
        let n = Double(max(sums.steps, 1))
        return GANMetrics(discriminatorLoss: sums.discriminator / n,
                          generatorLoss: sums.generator / Double(max(sums.generatorSteps, 1)),
                          realProbability: sums.real / n, fakeProbability: sums.fake / n)
    }

    public func outputObservers(directory: String, test: ImageDataset) -> [any TrainingObserver] {
        [GANPictures(gan: gan, directory: directory)]
    }

    // MARK: Checkpoint

    public func checkpoint() -> SafeTensorsFile {
        let c = gan.configuration
        var file = SafeTensorsFile(metadata: [
            "model": Self.kind, "format": "vaegan-checkpoint-1",
            "latent_width": String(c.latentWidth), "data_width": String(c.dataWidth),
            "generator_widths": c.generatorWidths.map(String.init).joined(separator: ","),
            "discriminator_widths": c.discriminatorWidths.map(String.init).joined(separator: ","),
            "leaky_slope": String(c.leakySlope), "generator_output": c.generatorOutput.description,
            "objective": c.objective.rawValue, "real_label": String(c.realLabel),
            "batch_size": String(gan.batchCapacity),
            "learning_rate": String(schedule.generatorOptimizer.learningRate),
            "beta1": String(adamBetas.beta1), "beta2": String(adamBetas.beta2),
            "discriminator_steps": String(schedule.discriminatorSteps),
            "generator_steps": String(schedule.generatorSteps),
            "discriminator_steps_in_round": String(schedule.discriminatorStepsInRound),
            "generator_spec": c.generatorNetwork.compactJSON, "discriminator_spec": c.discriminatorNetwork.compactJSON,
        ])
        file.store([gan.generatorStore, gan.discriminatorStore])
        file.store(schedule.discriminatorOptimizer, part: "discriminator")
        file.store(schedule.generatorOptimizer, part: "generator")
        file.store(gan.rng, key: "rng")
        if let average = schedule.generatorAverage { file.store(average) }
        return file
    }

    static func configuration(from file: SafeTensorsFile) throws(VAEGANError) -> GANConfiguration {
        var c = GANConfiguration()
        c.latentWidth = try file.integer("latent_width")
        c.dataWidth = try file.dataWidth()
        c.generatorWidths = try file.integers("generator_widths")
        c.discriminatorWidths = try file.integers("discriminator_widths")
        c.leakySlope = try file.float("leaky_slope")
        guard let output = Activation(description: try file.string("generator_output")),
              let objective = GANObjective(rawValue: try file.string("objective"))
        else { throw .format("\(file.source): unknown generator output or objective") }
        c.generatorOutput = output
        c.objective = objective
        c.realLabel = try file.float("real_label")
        // Checkpoints from before specs existed have widths only: their MLPs.
        c.adopt(generator: try file.spec("generator_spec"), discriminator: try file.spec("discriminator_spec"))
        do { try c.validate() } catch { throw .format("\(file.source): \(error.message)") }
        return c
    }

    public static func load(from file: SafeTensorsFile) throws(VAEGANError) -> GANTraining {
        try file.requireModel(kind)
        let gan = try GAN(try configuration(from: file), batchCapacity: try file.integer("batch_size"))
        let training = try GANTraining(gan: gan, learningRate: try file.float("learning_rate"),
                                       beta1: try file.float("beta1"), beta2: try file.float("beta2"),
                                       discriminatorSteps: try file.integer("discriminator_steps"),
                                       generatorSteps: try file.integer("generator_steps"),
                                       emaDecay: try file.averageDecay())
        try file.restore([gan.generatorStore, gan.discriminatorStore])
        if let average = training.schedule.generatorAverage { try file.restore(average) }
        try file.restore(training.schedule.discriminatorOptimizer, part: "discriminator")
        try file.restore(training.schedule.generatorOptimizer, part: "generator")
        try file.restore(&gan.rng, key: "rng")
        training.schedule.discriminatorStepsInRound = try file.integer("discriminator_steps_in_round")
        return training
    }

    public static func loadModel(from file: SafeTensorsFile, batchCapacity: Int) throws(VAEGANError) -> GAN {
        try file.requireModel(kind)
        let gan = try GAN(try configuration(from: file), batchCapacity: batchCapacity)
        try file.restore([gan.generatorStore, gan.discriminatorStore])
        return gan
    }
}
