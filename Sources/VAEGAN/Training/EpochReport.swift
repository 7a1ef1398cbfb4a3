// EpochReport: what the training loop hands its observers and callers after each epoch: the
// model's typed metrics, the loop's own counts, and figures observers add (sample quality).

/// The typed record of one finished epoch (or of one `run(steps:)` call).
public struct EpochReport<Metrics: EpochMetrics> {
    /// The epoch the steps belong to (1-based).
    public var epoch: Int
    public var metrics: Metrics
    /// Optimizer steps (batches) taken.
    public var steps: Int
    /// The mean of the losses the steps returned.
    public var meanLoss: Double
    /// Wall-clock time of the epoch, its evaluation included.
    public var seconds: Double
    /// Figures observers computed for this epoch (TrainingObserver.figures(afterEpoch:)).
    public var extraFigures: [(name: String, value: Double)]

    /// The name → value view: the model's figures, "seconds", then the observers' figures.
    public var record: EpochRecord {
        EpochRecord(epoch: epoch, values: metrics.namedValues + [("seconds", seconds)] + extraFigures)
    }
}
