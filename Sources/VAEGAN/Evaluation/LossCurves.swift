// LossCurves: loss.png, the per-epoch metrics as stacked line plots.

public enum LossCurves {
    /// One panel per group of metric names (curves over epochs); names absent from the
    /// records are skipped, and so is a panel left empty. Epochs without a finite value (a
    /// figure scored only every few epochs) are left out, so the points that exist are joined.
    ///
    /// - Throws: `.outOfMemory` when the picture cannot be allocated.
    public static func render(
        _ history: [EpochRecord], panels: [(title: String, metrics: [String])]
    ) throws(VAEGANError) -> Image {
        let plots: [LinePlot] = panels.compactMap { panel in
            let series = panel.metrics.compactMap { name -> LinePlot.Series? in
                let points = history.compactMap { record in
                    record[name].flatMap { $0.isFinite ? (Double(record.epoch), $0) : nil }
                }
                guard !points.isEmpty else { return nil }
                return LinePlot.Series(name: name, x: points.map(\.0), y: points.map(\.1))
            }
            return series.isEmpty ? nil : LinePlot(title: panel.title, series: series, xLabel: "epoch")
        }
        return try LinePlot.renderStacked(plots.isEmpty ? [LinePlot(title: "no data yet", series: [])] : plots,
                                          width: 640, panelHeight: 240)
    }
}
