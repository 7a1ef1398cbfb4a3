// SampleQualityScorer: every few epochs (and after the last), FID, precision, recall and
// classes covered of fresh samples, added to the epoch's record (the log leaves the other
// epochs blank).

/// Scores `options.sampleQualityCount` samples of `model` with `evaluator` on the epochs
/// `options.sampleQualityEvery` divides and on the last (none when it is 0).
public final class SampleQualityScorer: TrainingObserver {
    private let evaluator: SampleQualityEvaluator
    private let model: TrainedModel
    private let options: TrainingOptions

    /// loss.png's panels for the figures this observer adds.
    public static let panels = [(title: "FID (domain classifier features)", metrics: ["fid"]),
                                (title: "precision and recall (k-NN manifolds)", metrics: ["precision", "recall"])]

    /// `options` as Trainer checks them (an interval ≥ 0, at least 4 samples).
    public init(evaluator: SampleQualityEvaluator, model: TrainedModel, options: TrainingOptions) {
        self.evaluator = evaluator
        self.model = model
        self.options = options
    }

    public func figures(afterEpoch epoch: Int) throws(VAEGANError) -> [(name: String, value: Double)] {
        let every = options.sampleQualityEvery
        guard every > 0, epoch % every == 0 || epoch == options.epochs else { return [] }
        // Seeded by the epoch: comparable across epochs, and the model's own generators untouched.
        let samples = try model.sampleImages(count: options.sampleQualityCount, seed: UInt64(epoch))
        let quality = try evaluator.evaluate(samples)
        return [("fid", quality.fid), ("precision", quality.precisionRecall.precision),
                ("recall", quality.precisionRecall.recall), ("classes_covered", Double(quality.coverage.classesCovered))]
    }
}
