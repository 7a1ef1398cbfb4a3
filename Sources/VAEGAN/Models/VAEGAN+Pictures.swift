// The VAE-GAN's per-epoch pictures: samples, reconstructions and interpolations (no traversal:
// its prior term does not rank the latent dimensions as the β-VAE's KL does).

/// Writes the VAE-GAN's pictures into `directory` after each epoch.
public final class VAEGANPictures: TrainingObserver {
    public let model: VAEGAN
    public let directory: String
    public let test: ImageDataset

    public init(model: VAEGAN, directory: String, test: ImageDataset) {
        self.model = model
        self.directory = directory
        self.test = test
    }

    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
        try model.writePictures(to: directory, test: test, dimensionsByKL: [])
    }
}
