// TrainingLoop: the one training loop. Each epoch: the model's tallies reset, a fresh shuffle,
// one step per batch, then the model's typed metrics (with an evaluation pass when a test set
// is given) in an EpochReport. It writes nothing and prints nothing: whatever happens around
// the steps (checkpoints, logs, pictures, a progress bar) is an observer's business. The
// command-line tool attaches its observers through Trainer; the C ABI and the domain
// classifier run the loop directly.
import Foundation

/// Runs a `Trainable` over the batches of a `BatchLoader`.
///
/// ```swift
/// let loop = try TrainingLoop(model: training, loader: loader)
/// loop.observers = [progress]
/// let reports = try loop.run(through: 10, test: test)
/// print(reports.last!.metrics)          // e.g. a VAEMetrics
/// ```
public final class TrainingLoop<Model: Trainable> {
    public let model: Model
    public let loader: BatchLoader
    /// Told about every epoch and step, in this order.
    public var observers: [any TrainingObserver] = []
    /// Epochs finished so far (set it to resume).
    public var epoch: Int
    /// Asked before every step (once its batch is drawn): true stops the run there with
    /// `.cancelled`, the steps before it applied and an unfinished epoch not counted. The C ABI's
    /// stop flag and progress callback answer it; nil never stops.
    public var shouldStop: (() -> Bool)?

    public init(model: Model, loader: BatchLoader, epoch: Int = 0) throws(VAEGANError) {
        try require(loader.examples.featureCount == model.inputWidth,
                    "the model takes rows of \(model.inputWidth) values; the data has \(loader.examples.featureCount)")
        try require(epoch >= 0, "the epoch must be non-negative, not \(epoch)")
        self.model = model
        self.loader = loader
        self.epoch = epoch
    }

    /// Trains epochs `epoch + 1 ... lastEpoch`, each followed by an evaluation on `test` (when
    /// given), and returns their reports.
    @discardableResult
    public func run(through lastEpoch: Int, test: ImageDataset?) throws(VAEGANError) -> [EpochReport<Model.Metrics>] {
        if let test {
            try require(test.featureCount == model.inputWidth,
                        "the model takes rows of \(model.inputWidth) values; the test set has \(test.featureCount)")
        }
        var reports: [EpochReport<Model.Metrics>] = []
        while epoch < lastEpoch {
            let started = Date()
            let (steps, meanLoss) = try trainEpoch(epoch + 1, stepLimit: nil)
            let metrics = model.finishEpoch(test: test)
            epoch += 1
            var report = EpochReport(epoch: epoch, metrics: metrics, steps: steps, meanLoss: meanLoss,
                                     seconds: Date().timeIntervalSince(started), extraFigures: [])
            for observer in observers { report.extraFigures += try observer.figures(afterEpoch: epoch) }
            for observer in observers { try observer.trainingDidFinishEpoch(report) }
            reports.append(report)
        }
        return reports
    }

    /// Takes `steps` steps, starting a new shuffled pass whenever one ends, without counting
    /// an epoch or evaluating; the report's metrics are the means over these steps.
    public func run(steps: Int) throws(VAEGANError) -> EpochReport<Model.Metrics> {
        try require(steps > 0, "steps must be positive, not \(steps)")
        let started = Date()
        let (taken, meanLoss) = try trainEpoch(epoch + 1, stepLimit: steps)
        return EpochReport(epoch: epoch + 1, metrics: model.finishEpoch(test: nil), steps: taken, meanLoss: meanLoss,
                           seconds: Date().timeIntervalSince(started), extraFigures: [])
    }

    /// One pass over the loader (`stepLimit` nil), or `stepLimit` steps over as many passes as
    /// they need. Returns the steps taken and the mean of their losses.
    private func trainEpoch(_ number: Int, stepLimit: Int?) throws(VAEGANError) -> (steps: Int, meanLoss: Double) {
        model.startEpoch(number)
        loader.startEpoch()
        for observer in observers { observer.trainingWillStartEpoch(number) }
        var step = 0, lossSum = 0.0
        while stepLimit.map({ step < $0 }) ?? true {
            var next = loader.nextBatch()
            if next == nil, stepLimit != nil {
                loader.startEpoch()
                next = loader.nextBatch()
            }
            guard let batch = next else { break }
            if let shouldStop, shouldStop() {
                let place = stepLimit == nil ? "step \(step + 1) of epoch \(number)" : "step \(step + 1) of this call"
                throw .cancelled("stopped on request before \(place) (\(step) steps of it taken)")
            }
            let loss: Double
            do {
                loss = try model.trainStep(on: batch)
            } catch {
                let notes = observers.compactMap { $0.trainingDidFail(atStep: step + 1, ofEpoch: number) }
                let place = stepLimit == nil ? "epoch \(number), batch \(step + 1)" : "step \(step + 1) of this call"
                throw .nonFinite((["training diverged at \(place): \(error.message)"] + notes).joined(separator: "; "))
            }
            step += 1
            lossSum += loss
            for observer in observers { observer.trainingDidFinishStep(step, ofEpoch: number, runningLoss: lossSum / Double(step)) }
        }
        return (step, lossSum / Double(max(step, 1)))
    }
}
