// SampleQualityScorer: every few epochs (and after the last), FID, precision, recall and
// classes covered of fresh samples, added to the epoch's record (the log leaves the other
// epochs blank).

/// Scores samples of `model` with `evaluator` on the epochs `every` divides and on `lastEpoch`.
public final class SampleQualityScorer: TrainingObserver {
    private let evaluator: SampleQualityEvaluator
    private let model: TrainedModel
    private let every: Int, lastEpoch: Int, sampleCount: Int

    /// loss.png's panels for the figures this observer adds.
    public static let panels = [(title: "FID (domain classifier features)", metrics: ["fid"]),
                                (title: "precision and recall (k-NN manifolds)", metrics: ["precision", "recall"])]

    public init(evaluator: SampleQualityEvaluator, model: TrainedModel, every: Int, lastEpoch: Int,
                sampleCount: Int) throws(VAEGANError) {
        try require(every > 0 && sampleCount >= 4,
                    "sample-quality interval must be positive and the sample count at least 4")
        self.evaluator = evaluator
        self.model = model
        self.every = every
        self.lastEpoch = lastEpoch
        self.sampleCount = sampleCount
    }

    public func figures(afterEpoch epoch: Int) throws(VAEGANError) -> [(name: String, value: Double)] {
        guard epoch % every == 0 || epoch == lastEpoch else { return [] }
        // Seeded by the epoch: comparable across epochs, and the model's own generators untouched.
        let quality = try evaluator.evaluate(try model.sampleImages(count: sampleCount, seed: UInt64(epoch)))
        return [("fid", quality.fid), ("precision", quality.precisionRecall.precision),
                ("recall", quality.precisionRecall.recall), ("classes_covered", Double(quality.coverage.classesCovered))]
    }
}
