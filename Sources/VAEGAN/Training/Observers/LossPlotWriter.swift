// LossPlotWriter: loss.png redrawn after each epoch from the metrics log's records, with the
// model's panels (its metrics type's lossPanels) and any extra ones (sample quality).

/// Renders the run's curves to `path` after each epoch.
public final class LossPlotWriter: TrainingObserver {
    public let path: String
    private let log: MetricsLogWriter
    private let extraPanels: [(title: String, metrics: [String])]

    /// `log` must be attached before this observer, so it holds the epoch's record already.
    public init(path: String, log: MetricsLogWriter, extraPanels: [(title: String, metrics: [String])] = []) {
        self.path = path
        self.log = log
        self.extraPanels = extraPanels
    }

    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
        try LossCurves.render(log.records, panels: Metrics.lossPanels + extraPanels).writePNG(to: path)
    }
}
