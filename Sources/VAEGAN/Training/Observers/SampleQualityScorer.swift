// SampleQualityScorer: every few epochs (and after the last), FID, precision, recall and
// classes covered of fresh samples, added to the epoch's record (the log leaves the other
// epochs blank). In a data-parallel run every rank draws the same z, decodes and classifies its
// own share of the rows, and the shares are combined on every rank before the score
// (SampleFeatures+Ranks.swift): the figures are one process's, up to summation order.

/// Scores `options.sampleQualityCount` samples of `model` with `evaluator` on the epochs
/// `options.sampleQualityEvery` divides and on the last (none when it is 0).
public final class SampleQualityScorer: TrainingObserver {
    private let evaluator: SampleQualityEvaluator
    private let model: TrainedModel
    private let options: TrainingOptions
    private let communicator: (any Communicator)?

    /// loss.png's panels for the figures this observer adds.
    public static let panels = [(title: "FID (domain classifier features)", metrics: ["fid"]),
                                (title: "precision and recall (k-NN manifolds)", metrics: ["precision", "recall"])]

    /// `options` as Trainer checks them (an interval ≥ 0, at least 4 samples). With the
    /// `communicator` of a data-parallel run, every rank must have a scorer: each scores its
    /// share of the samples and every rank gets the figures of all of them.
    public init(evaluator: SampleQualityEvaluator, model: TrainedModel, options: TrainingOptions,
                communicator: (any Communicator)? = nil) {
        self.evaluator = evaluator
        self.model = model
        self.options = options
        self.communicator = communicator
    }

    public func figures(afterEpoch epoch: Int) throws(VAEGANError) -> [(name: String, value: Double)] {
        let every = options.sampleQualityEvery
        guard every > 0, epoch % every == 0 || epoch == options.epochs else { return [] }
        // Seeded by the epoch: comparable across epochs, and the model's own generators untouched.
        let count = options.sampleQualityCount
        let shard = communicator.map(BatchShard.init(of:)) ?? .whole
        let samples = try model.sampleImages(count: count, seed: UInt64(epoch), rows: shard.range(ofRows: count))
        var features = try evaluator.features(of: samples)
        if let communicator { features = try features.combined(over: communicator, totalRows: count) }
        let quality = try evaluator.score(features)
        return [("fid", quality.fid), ("precision", quality.precisionRecall.precision),
                ("recall", quality.precisionRecall.recall), ("classes_covered", Double(quality.coverage.classesCovered))]
    }
}
