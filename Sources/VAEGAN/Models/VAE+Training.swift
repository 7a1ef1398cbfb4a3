// VAETraining: the β-VAE with its Adam optimizer and KL warm-up, as the training loop sees it
// (its checkpoint is in VAE+Checkpoint.swift, its pictures in VAE+Pictures.swift).
import CVAEGAN

/// A β-VAE being trained: model, optimizer, warm-up schedule and epoch tallies.
public final class VAETraining: GenerativeTraining {
    public typealias Configuration = VAETrainingConfiguration
    public let vae: VAE
    public let optimizer: Adam
    /// Epochs over which β rises linearly from 0 to its configured value (0: no warm-up).
    public let warmupEpochs: Int
    /// Batches per epoch, for the warm-up's per-step schedule.
    public private(set) var stepsPerEpoch: Int
    /// Optimization steps taken.
    public var step: Int { optimizer.stepCount }
    /// The rate the schedule scales (`optimizer.learningRate` is the current, scheduled one).
    public let baseLearningRate: Float
    public let learningRateSchedule: LearningRateSchedule
    /// Epochs the schedule spans, in epochs of `stepsPerEpoch` steps (unused by `.constant`).
    public let scheduleEpochs: Int

    /// Sums gradients and figures across the ranks of a data-parallel run; nil alone.
    public private(set) var reducer: GradientReducer?
    private var buckets: GradientBuckets?

    private var sums = (loss: 0.0, reconstruction: 0.0, kl: 0.0, beta: 0.0, batches: 0)
    /// The test set's batches, allocated here so that finishing an epoch cannot run out of memory.
    private let evaluationBatch: Tensor
    /// A fixed generator for test ε and pictures, so epochs are compared on equal terms.
    public static let evaluationSeed: UInt64 = 0x5EED

    public init(vae: VAE, learningRate: Float = Configuration().learningRate,
                learningRateSchedule: LearningRateSchedule = Configuration().learningRateSchedule,
                scheduleEpochs: Int = 0, warmupEpochs: Int = Configuration().warmupEpochs,
                stepsPerEpoch: Int) throws(VAEGANError)
    {
        try require(warmupEpochs >= 0, "warm-up epochs must be non-negative, not \(warmupEpochs)")
        try require(stepsPerEpoch > 0, "steps per epoch must be positive")
        try require(scheduleEpochs >= 0 && (learningRateSchedule == .constant || scheduleEpochs > 0),
                    "a \(learningRateSchedule.name) learning-rate schedule spans a positive number of epochs, not \(scheduleEpochs)")
        self.vae = vae
        optimizer = try Adam(parameters: vae.parameters, learningRate: learningRate)
        baseLearningRate = learningRate
        self.learningRateSchedule = learningRateSchedule
        self.scheduleEpochs = scheduleEpochs
        self.warmupEpochs = warmupEpochs
        self.stepsPerEpoch = stepsPerEpoch
        evaluationBatch = try vae.makeEvaluationBatch()
    }

    public var generativeModel: VAE { vae }
    public var stepCount: Int { step }

    /// β for the next step: linear in steps from 0 to the configured β over the warm-up.
    public var currentBeta: Float {
        let beta = vae.configuration.beta
        guard warmupEpochs > 0 else { return beta }
        return beta * min(1, Float(step) / Float(warmupEpochs * stepsPerEpoch))
    }

    public var dataRange: (values: ClosedRange<Float>, reason: String)? {
        vae.configuration.likelihood == .bernoulli ? (0...1, "the Bernoulli likelihood needs values in [0, 1]") : nil
    }

    /// The rate for the next step, from the schedule.
    public var currentLearningRate: Float {
        learningRateSchedule.rate(base: baseLearningRate, step: step, stepsPerEpoch: stepsPerEpoch,
                                  totalEpochs: scheduleEpochs)
    }

    /// Before the first step only (no optimizer state depends on it yet), and only when the
    /// warm-up or the learning-rate schedule needs it.
    public func prepare(stepsPerEpoch: Int) throws(VAEGANError) {
        try require(stepsPerEpoch > 0, "steps per epoch must be positive")
        guard warmupEpochs > 0 || learningRateSchedule != .constant, step == 0 else { return }
        self.stepsPerEpoch = stepsPerEpoch
    }

    public func startEpoch(_ epoch: Int) {
        sums = (0, 0, 0, 0, 0)
    }

    public func trainStep(on batch: Matrix) throws(VAEGANError) -> Double {
        let beta = currentBeta
        vae.store.zeroGradients()
        buckets?.begin()
        var losses = vae.accumulateGradients(on: batch, beta: beta)
        if let reducer {
            reducer.reduce(vae.store, buckets: buckets)
            reducer.sum(&losses)
        }
        guard losses.loss.isFinite else {
            throw .nonFinite("loss is \(losses.loss) (reconstruction \(losses.reconstruction), KL \(losses.kl))")
        }
        optimizer.learningRate = currentLearningRate
        optimizer.step()
        sums.loss += losses.loss
        sums.reconstruction += losses.reconstruction
        sums.kl += losses.kl
        sums.beta += Double(beta)
        sums.batches += 1
        return losses.loss
    }

    public func distribute(with reducer: GradientReducer) throws(VAEGANError) {
        guard vae.configuration.objective == .elbo else {
            throw .invalidArgument("data-parallel training of the β-VAE takes --objective elbo; the importance-weighted bound trains in one process")
        }
        vae.shard = reducer.shard
        self.reducer = reducer
        // The decoder's backward and then the encoder's finish the store from its end (log σ,
        // decoder) to its start (encoder), one pass each.
        buckets = reducer.buckets(for: vae.store)
        vae.decoder.backwardListener = buckets
        vae.encoder.body.backwardListener = buckets
    }

    public func finishEpoch(test: ImageDataset?) -> VAEMetrics {
        let n = Double(max(sums.batches, 1))
        return VAEMetrics(loss: sums.loss / n, reconstruction: sums.reconstruction / n, kl: sums.kl / n,
                          beta: sums.beta / n, evaluation: test.map(evaluate))
    }

    /// The test set's figures; in a data-parallel run each rank computes its rows of each batch
    /// and the sums are the whole set's, on every rank.
    private func evaluate(_ test: ImageDataset) -> VAEEvaluation {
        let shard = reducer?.shard ?? .whole
        var evaluation = vae.evaluate(test, seed: Self.evaluationSeed, batch: evaluationBatch, shard: shard)
        reducer?.sum(&evaluation)
        return evaluation
    }

    public func outputObservers(directory: String, test: ImageDataset) -> [any TrainingObserver] {
        [LatentKLWriter(directory: directory, latentWidth: vae.latentWidth),
         AutoencoderPictureWriter(model: vae, directory: directory, test: test)]
    }
}
