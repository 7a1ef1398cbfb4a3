// Trainer: a training run in an output folder, as `vaegan train` makes one: the one training
// loop (TrainingLoop) with the observers the tool attaches (the shape of PyTorch Lightning's
// Trainer and its default callbacks): the progress bar, sample-quality scores, the checkpoint
// after every epoch, metrics.csv, the model's pictures and loss.png. Resuming restores the
// loader's generator and the earlier epochs' records from the folder.
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
    /// Estimates a β-VAE's test log-likelihood every this many epochs (and after the last);
    /// 0 never does. With K = `likelihoodSamples` importance samples on the first
    /// `likelihoodImages` test images (the final K = 5000 figure is `vaegan eval --likelihood`'s).
    public var likelihoodEvery = 0
    public var likelihoodSamples = 1000
    public var likelihoodImages = 1000
    /// False on the ranks of a data-parallel run other than 0: they train and evaluate their
    /// shares but write nothing (no folder, checkpoint, metrics or pictures).
    public var writesOutput = true
    /// Appends each step's running loss and a hash of the weights to this file (one per rank
    /// under MPI); the data-parallel tests compare them.
    public var stepLogPath: String?

    public init(epochs: Int, outputDirectory: String) {
        self.epochs = epochs
        self.outputDirectory = outputDirectory
    }

    public var checkpointPath: String { outputDirectory + "/checkpoint.safetensors" }
    public var metricsPath: String { outputDirectory + "/metrics.csv" }
    public var lossPlotPath: String { outputDirectory + "/loss.png" }
}

/// Trains a model into `options.outputDirectory`.
public final class Trainer {
    public let model: any GenerativeTraining
    public let loader: BatchLoader
    public let test: ImageDataset
    public let options: TrainingOptions
    public let progress: ProgressReporter
    /// Scores samples for FID, precision/recall and coverage (see TrainingOptions).
    public let sampleQuality: SampleQualityEvaluator?
    /// The ranks of a data-parallel run (the model's reducer's): the sample scores are split
    /// across them. Nil in one process.
    public let communicator: (any Communicator)?
    private let log: MetricsLogWriter

    /// Records of the epochs finished so far (restored on resume).
    public var history: [EpochRecord] { log.records }

    public init(model: any GenerativeTraining, loader: BatchLoader, test: ImageDataset, options: TrainingOptions,
                history: [EpochRecord] = [], sampleQuality: SampleQualityEvaluator? = nil,
                communicator: (any Communicator)? = nil) throws(VAEGANError) {
        try require(options.epochs >= 0, "epochs must be non-negative, not \(options.epochs)")
        try require(loader.examples.featureCount == model.inputWidth && test.featureCount == model.inputWidth,
                    "the model takes rows of \(model.inputWidth) values; the data has \(loader.examples.featureCount) (train) and \(test.featureCount) (test)")
        try require(options.sampleQualityEvery >= 0 && options.sampleQualityCount >= 4,
                    "sample-quality interval must be non-negative and the sample count at least 4")
        try require(options.likelihoodEvery >= 0 && options.likelihoodSamples >= 1 && options.likelihoodImages >= 1,
                    "likelihood interval must be non-negative, its samples and images positive")
        try require(options.likelihoodEvery == 0 || model.generativeModel is VAE,
                    "the test log-likelihood is estimated for the β-VAE only")
        self.model = model
        self.loader = loader
        self.test = test
        self.options = options
        self.sampleQuality = sampleQuality
        self.communicator = communicator
        log = MetricsLogWriter(path: options.metricsPath, records: history)
        progress = ProgressReporter(epochs: options.epochs, batchesPerEpoch: loader.batchesPerEpoch)
        progress.isQuiet = options.quiet
        guard options.writesOutput else { return }
        do {
            try FileManager.default.createDirectory(atPath: options.outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create output folder \(options.outputDirectory): \(error.localizedDescription)")
        }
        // A run killed while writing leaves temporary files; this one may have nothing left to
        // write (killed after its last checkpoint), so they are cleared here, not only by the
        // next write of the same file.
        AtomicFile.removeAbandonedTemporaryFiles(inFolder: options.outputDirectory)
    }

    /// The first epoch still to run (1-based).
    public var nextEpoch: Int { (history.last?.epoch ?? 0) + 1 }

    /// Trains until `options.epochs` epochs are done; returns all records.
    @discardableResult
    public func run() throws(VAEGANError) -> [EpochRecord] {
        try run(model)
        return history
    }

    private func run<Model: GenerativeTraining>(_ model: Model) throws(VAEGANError) {
        let loop = try TrainingLoop(model: model, loader: loader, epoch: nextEpoch - 1)
        loop.observers = observers()
        try loop.run(through: options.epochs, test: test)
    }

    /// What `vaegan train` writes and shows, in the order they run after an epoch.
    private func observers() -> [any TrainingObserver] {
        var observers: [any TrainingObserver] = []
        if let path = options.stepLogPath { observers.append(StepLogWriter(path: path, model: model.generativeModel)) }
        // Every rank scores its share of the samples; only the first writes the figures.
        let scoresSamples = sampleQuality != nil && options.sampleQualityEvery > 0
        if let sampleQuality, scoresSamples {
            observers += [SampleQualityScorer(evaluator: sampleQuality, model: model.trainedModel, options: options,
                                              communicator: communicator)]
                .seeing(model.averagedWeights)
        }
        guard options.writesOutput else { return observers }
        var extraPanels: [(title: String, metrics: [String])] = scoresSamples ? SampleQualityScorer.panels : []
        if options.likelihoodEvery > 0, let vae = model.generativeModel as? VAE {
            observers.append(LikelihoodScorer(vae: vae, test: test, options: options))
            extraPanels += LikelihoodScorer.panels
        }
        let written = history.last?.epoch
        observers.append(CheckpointWriter(path: options.checkpointPath, model: model, loader: loader, writtenEpoch: written))
        observers.append(log)
        observers += model.outputObservers(directory: options.outputDirectory, test: test).seeing(model.averagedWeights)
        observers.append(LossPlotWriter(path: options.lossPlotPath, log: log, extraPanels: extraPanels))
        // The progress line last: the epoch's summary once all its files are written.
        observers.append(progress)
        return observers
    }

    /// Restores the loader's generator and the history from a checkpoint and the metrics log
    /// beside it, for `--resume`.
    public func restore(from file: SafeTensorsFile) throws(VAEGANError) {
        let position = try TrainingPosition(from: file)
        loader.rng = position.loaderRNG
        // The log beside the checkpoint supplies the earlier epochs' figures; without it (or if
        // it does not match) those epochs are known by number only.
        let logged = MetricsLog.read(from: options.metricsPath).filter { $0.epoch <= position.epoch }
        log.records = logged.count == position.epoch
            ? logged : (0..<position.epoch).map { EpochRecord(epoch: $0 + 1, values: []) }
    }
}
