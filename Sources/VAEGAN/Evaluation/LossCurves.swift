// LossCurves: loss.png, the per-epoch metrics as stacked line plots.

public enum LossCurves {
    /// One panel per group of metric names (curves over epochs); names absent from the
    /// records are skipped, and so is a panel left empty.
    public static func render(_ history: [EpochRecord], panels: [(title: String, metrics: [String])]) -> Image {
        let epochs = history.map { Double($0.epoch) }
        let plots: [LinePlot] = panels.compactMap { panel in
            let series = panel.metrics.compactMap { name -> LinePlot.Series? in
                let values = history.map { $0[name] ?? .nan }
                guard values.contains(where: \.isFinite) else { return nil }
                return LinePlot.Series(name: name, x: epochs, y: values)
            }
            return series.isEmpty ? nil : LinePlot(title: panel.title, series: series, xLabel: "epoch")
        }
        return LinePlot.renderStacked(plots.isEmpty ? [LinePlot(title: "no data yet", series: [])] : plots,
                                      width: 640, panelHeight: 240)
    }
}
