// EpochMetrics: a model's typed figures for one epoch, with the name → value view that the
// metrics log, loss.png and the summary line read. Each kind has its own struct (VAEMetrics,
// GANMetrics, VAEGANMetrics, ClassifierMetrics); the C ABI's vg_metrics is filled from the
// typed fields by each struct itself, so a renamed figure is a compile error, not a NaN.
import CVAEGAN

/// One epoch's figures of one kind of model.
public protocol EpochMetrics: Sendable {
    /// The figures by name, in the order of the CSV columns and of the summary line.
    var namedValues: [(name: String, value: Double)] { get }
    /// How loss.png groups the named figures into panels.
    static var lossPanels: [(title: String, metrics: [String])] { get }
}

/// The figures of a model the C ABI trains.
public protocol GenerativeMetrics: EpochMetrics {
    /// Sets the fields of `metrics` this kind has; the loop's own fields (size, kind, epoch,
    /// steps, loss) and the other kinds' fields are left as they are (NaN, see vg_metrics.unset).
    func write(into metrics: inout vg_metrics)
}
