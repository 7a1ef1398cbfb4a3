// MetricsLogWriter: the records of every epoch so far (restored from the log on resume), and
// metrics.csv rewritten from them after each epoch (MetricsLog).

/// Keeps the run's records and writes them to `path` after each epoch.
public final class MetricsLogWriter: TrainingObserver {
    public let path: String
    /// Every epoch's record, oldest first.
    public var records: [EpochRecord]

    public init(path: String, records: [EpochRecord] = []) {
        self.path = path
        self.records = records
    }

    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
        records.append(report.record)
        try MetricsLog.write(records, to: path)
    }
}
