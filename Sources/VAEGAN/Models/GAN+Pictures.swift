// The GAN's per-epoch pictures: the generator's outputs for one fixed z, so epochs can be
// compared picture to picture (samples-epoch-NNN.png and the latest as samples.png).

/// Writes the GAN's sample grids into `directory` after each epoch.
public final class GANPictures: TrainingObserver {
    public let gan: GAN
    public let directory: String
    /// The fixed z of the grids (64 rows).
    private let fixedNoise: [Float]

    public init(gan: GAN, directory: String) {
        self.gan = gan
        self.directory = directory
        var generator = RandomGenerator(seed: 7)
        var noise = [Float](repeating: 0, count: 64 * gan.latentWidth)
        noise.withUnsafeMutableBufferPointer { generator.fillNormal($0.baseAddress!, count: $0.count) }
        fixedNoise = noise
    }

    /// Generator outputs for the fixed z (64 rows).
    public func fixedSamples() -> [Float] { gan.generateAll(fixedNoise) }

    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
        guard let side = squareImageSide(gan.dataWidth) else { return }
        let grid = Image.grid(of: gan.inDisplayRange(fixedSamples()), side: side, columns: 8)
        try grid.writePNG(to: directory + String(format: "/samples-epoch-%03d.png", report.epoch))
        try grid.writePNG(to: directory + "/samples.png")
    }
}
