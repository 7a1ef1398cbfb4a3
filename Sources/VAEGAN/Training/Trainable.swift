// Trainable: what the training loop needs from a model and its optimizers, and nothing else:
// no files, no pictures, no printing. VAE, GAN, VAE-GAN and the domain classifier each have
// one adapter (Models/*+Training.swift); the loop is TrainingLoop, and what is written while
// it runs is up to its observers (Training/Observers/).

/// A model together with its optimizers and schedule, trained batch by batch.
public protocol Trainable: AnyObject {
    /// The typed figures of one epoch (or of one run of steps).
    associatedtype Metrics: EpochMetrics
    /// Rows of a batch: the data's width.
    var inputWidth: Int { get }
    /// Called before each epoch (1-based): resets the epoch's tallies.
    func startEpoch(_ epoch: Int)
    /// One optimization step on `batch`. Returns the loss shown in the progress bar; throws
    /// `.nonFinite` when the loss is NaN or infinite (training diverged).
    func trainStep(on batch: Matrix) throws(VAEGANError) -> Double
    /// The tallies since `startEpoch`, plus figures over `test` when it is given (none when nil).
    func finishEpoch(test: ImageDataset?) -> Metrics
}
