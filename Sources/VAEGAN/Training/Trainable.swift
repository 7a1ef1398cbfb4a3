// Trainable: what the training loop needs from a model and its optimizers. VAE, GAN and
// VAE-GAN each have one adapter (Models/*+Training.swift); the loop itself is Trainer.

/// A model together with its optimizers and schedule, trained batch by batch.
public protocol Trainable: AnyObject {
    /// "vae", "gan" or "vaegan": written into checkpoints.
    static var kind: String { get }
    /// Rows of a batch: the data's width.
    var inputWidth: Int { get }
    /// Called before each epoch (1-based).
    func startEpoch(_ epoch: Int)
    /// One optimization step on `batch`. Returns the loss shown in the progress bar; throws
    /// `.nonFinite` when the loss is NaN or infinite (training diverged).
    func trainStep(on batch: Matrix) throws(VAEGANError) -> Double
    /// The finished epoch's figures: training means, then test-set metrics.
    func finishEpoch(test: ImageDataset) -> [(name: String, value: Double)]
    /// Pictures and logs written after each epoch (may write none).
    func writeEpochOutputs(to directory: String, epoch: Int) throws(VAEGANError)
    /// The full training state (weights, optimizer state, counters, generator state).
    func checkpoint() -> SafeTensorsFile
    /// How loss.png groups the epoch figures into panels.
    var lossPanels: [(title: String, metrics: [String])] { get }
    /// The model being trained, as inference sees it (for samples scored during training).
    var trainedModel: TrainedModel { get }
}

extension Trainable {
    public func writeEpochOutputs(to directory: String, epoch: Int) throws(VAEGANError) {}
}
