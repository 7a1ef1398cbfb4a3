// Trainer: the epoch loop shared by every model: batches, progress, per-epoch metrics,
// checkpoints after every epoch (atomic, so a crash keeps the last good one), the metrics
// log, loss.png, and a clean stop when training diverges.
import Foundation

/// Where and how long to train.
public struct TrainingOptions: Sendable {
    public var epochs: Int
    public var outputDirectory: String
    public var quiet = false
    /// Scores samples every this many epochs (and after the last) when the trainer has a
    /// sample-quality evaluator; 0 never does.
    public var sampleQualityEvery = 0
    /// Samples drawn for each of those scores.
    public var sampleQualityCount = 2000

    public init(epochs: Int, outputDirectory: String) {
        self.epochs = epochs
        self.outputDirectory = outputDirectory
    }

    public var checkpointPath: String { outputDirectory + "/checkpoint.safetensors" }
    public var metricsPath: String { outputDirectory + "/metrics.csv" }
    public var lossPlotPath: String { outputDirectory + "/loss.png" }
}

/// Runs epochs of a `Trainable` over a `BatchLoader`.
public final class Trainer {
    public let model: any Trainable
    public let loader: BatchLoader
    public let test: ImageDataset
    public let options: TrainingOptions
    /// Records of the epochs finished so far (restored on resume).
    public private(set) var history: [EpochRecord]
    public let progress: ProgressReporter
    /// Scores samples for FID, precision/recall and coverage (see TrainingOptions).
    public let sampleQuality: SampleQualityEvaluator?

    public init(model: any Trainable, loader: BatchLoader, test: ImageDataset, options: TrainingOptions,
                history: [EpochRecord] = [], sampleQuality: SampleQualityEvaluator? = nil) throws(VAEGANError) {
        try require(options.epochs >= 0, "epochs must be non-negative, not \(options.epochs)")
        try require(loader.examples.featureCount == model.inputWidth && test.featureCount == model.inputWidth,
                    "the model takes rows of \(model.inputWidth) values; the data has \(loader.examples.featureCount) (train) and \(test.featureCount) (test)")
        self.model = model
        self.loader = loader
        self.test = test
        self.options = options
        self.history = history
        self.sampleQuality = sampleQuality
        try require(options.sampleQualityEvery >= 0 && options.sampleQualityCount >= 4,
                    "sample-quality interval must be non-negative and the sample count at least 4")
        progress = ProgressReporter(epochs: options.epochs, batchesPerEpoch: loader.batchesPerEpoch)
        progress.isQuiet = options.quiet
        do {
            try FileManager.default.createDirectory(atPath: options.outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create output folder \(options.outputDirectory): \(error.localizedDescription)")
        }
    }

    /// The first epoch still to run (1-based).
    public var nextEpoch: Int { (history.last?.epoch ?? 0) + 1 }

    /// Trains until `options.epochs` epochs are done; returns all records.
    @discardableResult
    public func run() throws(VAEGANError) -> [EpochRecord] {
        while nextEpoch <= options.epochs {
            try runEpoch(nextEpoch)
        }
        return history
    }

    private func runEpoch(_ epoch: Int) throws(VAEGANError) {
        let started = Date()
        model.startEpoch(epoch)
        loader.startEpoch()
        progress.startEpoch()
        var batchIndex = 0, lossSum = 0.0
        while let batch = loader.nextBatch() {
            let loss: Double
            do {
                loss = try model.trainStep(on: batch)
            } catch {
                let kept = history.isEmpty
                    ? "no checkpoint was written yet"
                    : "the last good checkpoint (epoch \(history.last!.epoch)) is kept at \(options.checkpointPath)"
                progress.clearBar()
                throw .nonFinite("training diverged at epoch \(epoch), batch \(batchIndex + 1): \(error.message); \(kept)")
            }
            batchIndex += 1
            lossSum += loss
            progress.update(epoch: epoch, batch: batchIndex, runningLoss: lossSum / Double(batchIndex))
        }
        var values = model.finishEpoch(test: test)
        values.append(("seconds", Date().timeIntervalSince(started)))
        values += try sampleQualityFigures(epoch: epoch)
        let record = EpochRecord(epoch: epoch, values: values)
        history.append(record)

        var file = model.checkpoint()
        file.metadata["epoch"] = String(epoch)
        file.metadata["loader_rng"] = loader.rng.stateWords.map(String.init).joined(separator: ",")
        try file.write(to: options.checkpointPath)
        try MetricsLog.write(history, to: options.metricsPath)
        try model.writeEpochOutputs(to: options.outputDirectory, epoch: epoch)
        try LossCurves.render(history, panels: model.lossPanels + Self.sampleQualityPanels).writePNG(to: options.lossPlotPath)
        progress.finishEpoch(record.summary)
    }

    static let sampleQualityPanels = [(title: "FID (domain classifier features)", metrics: ["fid"]),
                                      (title: "precision and recall (k-NN manifolds)", metrics: ["precision", "recall"])]

    /// FID, precision, recall and classes covered of fresh samples on the epochs that score
    /// them (the metrics log leaves the other epochs blank); none without an evaluator.
    private func sampleQualityFigures(epoch: Int) throws(VAEGANError) -> [(name: String, value: Double)] {
        guard let sampleQuality, options.sampleQualityEvery > 0,
              epoch % options.sampleQualityEvery == 0 || epoch == options.epochs else { return [] }
        // Seeded by the epoch: comparable across epochs, and the model's own generators untouched.
        let samples = try model.trainedModel.sampleImages(count: options.sampleQualityCount, seed: UInt64(epoch))
        let quality = try sampleQuality.evaluate(samples)
        return [("fid", quality.fid), ("precision", quality.precisionRecall.precision),
                ("recall", quality.precisionRecall.recall), ("classes_covered", Double(quality.coverage.classesCovered))]
    }

    /// Restores the loader's generator and the history from a checkpoint and the metrics log
    /// beside it, for `--resume`.
    public func restore(from file: SafeTensorsFile) throws(VAEGANError) {
        guard let epochText = file.metadata["epoch"], let epoch = Int(epochText), epoch >= 0,
              let words = file.metadata["loader_rng"]?.split(separator: ",").compactMap({ UInt64($0) }),
              words.count == 4
        else { throw .format("checkpoint has no valid training position (epoch, loader_rng)") }
        loader.rng.stateWords = words
        // The log beside the checkpoint supplies the earlier epochs' figures; without it (or if
        // it does not match) those epochs are known by number only.
        let logged = MetricsLog.read(from: options.metricsPath).filter { $0.epoch <= epoch }
        history = logged.count == epoch ? logged : (0..<epoch).map { EpochRecord(epoch: $0 + 1, values: []) }
    }
}
