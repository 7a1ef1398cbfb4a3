// ProgressReporter: what a person watching training sees. On a terminal, a live bar (batches,
// rate, ETA, running loss) redrawn in place; elsewhere (logs, CI), one line per epoch. It
// observes the training loop, and can be driven by hand for other long jobs (vaegan eval's
// likelihood).
import Foundation

/// Reports training progress to standard error.
public final class ProgressReporter {
    public let isInteractive: Bool
    private let epochs: Int
    private let batchesPerEpoch: Int
    private var epochStart = Date()
    private var lastDraw = Date.distantPast
    public var isQuiet = false
    /// The line written for a finished epoch (as a training observer).
    public var summaryLine: (EpochRecord) -> String = { $0.summary }

    public init(epochs: Int, batchesPerEpoch: Int, interactive: Bool = isatty(STDERR_FILENO) != 0) {
        self.epochs = epochs
        self.batchesPerEpoch = batchesPerEpoch
        isInteractive = interactive
    }

    public func startEpoch() { epochStart = Date() }

    /// Called after each batch; redraws at most ten times a second.
    public func update(epoch: Int, batch: Int, runningLoss: Double) {
        guard isInteractive, !isQuiet else { return }
        let now = Date()
        guard batch == batchesPerEpoch || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(epochStart)
        let rate = Double(batch) / max(elapsed, 1e-9)
        let eta = Double(batchesPerEpoch - batch) / max(rate, 1e-9)
        let width = 30
        let filled = batchesPerEpoch > 0 ? width * batch / batchesPerEpoch : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "epoch %d/%d %@ %d/%d  %.0f batch/s  ETA %.0fs  loss %.4f",
                          epoch, epochs, bar, batch, batchesPerEpoch, rate, eta, runningLoss)
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    /// One summary line for the finished epoch (replacing the bar on a terminal).
    public func finishEpoch(_ summary: String) {
        guard !isQuiet else { return }
        let prefix = isInteractive ? "\r\u{1B}[K" : ""
        FileHandle.standardError.write(Data((prefix + summary + "\n").utf8))
    }

    /// Erases the live bar (on a terminal), e.g. before an error is reported.
    public func clearBar() {
        guard isInteractive, !isQuiet else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    public func note(_ message: String) {
        guard !isQuiet else { return }
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

extension ProgressReporter: TrainingObserver {
    public func trainingWillStartEpoch(_ epoch: Int) { startEpoch() }

    public func trainingDidFinishStep(_ step: Int, ofEpoch epoch: Int, runningLoss: Double) {
        update(epoch: epoch, batch: step, runningLoss: runningLoss)
    }

    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
        finishEpoch(summaryLine(report.record))
    }

    public func trainingDidFail(atStep step: Int, ofEpoch epoch: Int) -> String? {
        clearBar()
        return nil
    }
}
