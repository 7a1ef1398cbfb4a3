// TrainingObserver: what listens to the training loop (the shape of Keras's callbacks and of
// PyTorch Lightning's hooks). Checkpoints, metrics.csv, loss.png, pictures and the progress bar
// are observers (Training/Observers/); the C ABI runs the loop with none.

/// Hooks the loop calls; every one has a default that does nothing.
public protocol TrainingObserver: AnyObject {
    /// Before the first step of `epoch`.
    func trainingWillStartEpoch(_ epoch: Int)
    /// After each step: `step` is 1-based within the epoch, `runningLoss` the mean so far.
    func trainingDidFinishStep(_ step: Int, ofEpoch epoch: Int, runningLoss: Double)
    /// Figures this observer adds to the epoch's record (after the model's own), e.g. scores of
    /// fresh samples; asked once per epoch, before any observer hears `trainingDidFinishEpoch`.
    func figures(afterEpoch epoch: Int) throws(VAEGANError) -> [(name: String, value: Double)]
    /// After the epoch's record is complete.
    func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError)
    /// A step threw (training diverged) at `step` of `epoch`. Returns what this observer adds to
    /// the error message (where the last good checkpoint is), or nil.
    func trainingDidFail(atStep step: Int, ofEpoch epoch: Int) -> String?
}

extension TrainingObserver {
    public func trainingWillStartEpoch(_ epoch: Int) {}
    public func trainingDidFinishStep(_ step: Int, ofEpoch epoch: Int, runningLoss: Double) {}
    public func figures(afterEpoch epoch: Int) throws(VAEGANError) -> [(name: String, value: Double)] { [] }
    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {}
    public func trainingDidFail(atStep step: Int, ofEpoch epoch: Int) -> String? { nil }
}
