// CheckpointWriter: checkpoint.safetensors after every epoch (atomic, so a crash keeps the
// last good one), with the training position beside the model's state.

/// Writes the model's checkpoint after each epoch.
public final class CheckpointWriter: TrainingObserver {
    public let path: String
    private let model: any GenerativeTraining
    private let loader: BatchLoader
    /// The epoch of the checkpoint at `path` (nil: none yet), named when training diverges.
    public private(set) var writtenEpoch: Int?

    public init(path: String, model: any GenerativeTraining, loader: BatchLoader, writtenEpoch: Int? = nil) {
        self.path = path
        self.model = model
        self.loader = loader
        self.writtenEpoch = writtenEpoch
    }

    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
        var file = model.checkpoint()
        TrainingPosition(epoch: report.epoch, loaderRNG: loader.rng).store(into: &file)
        try file.write(to: path)
        writtenEpoch = report.epoch
    }

    public func trainingDidFail(atStep step: Int, ofEpoch epoch: Int) -> String? {
        guard let writtenEpoch else { return "no checkpoint was written yet" }
        return "the last good checkpoint (epoch \(writtenEpoch)) is kept at \(path)"
    }
}
