// The GAN's per-epoch pictures: the generator's outputs for one fixed z, so epochs can be
// compared picture to picture (samples-epoch-NNN.png and the latest as samples.png), and
// samples-by-epoch.png, one row per epoch of the same first z's: how training went, at a
// glance. The rows behind it are kept in samples-by-epoch.npy, so a resumed run continues it.
import Foundation

/// Writes the GAN's sample grids into `directory` after each epoch.
public final class GANPictures: TrainingObserver {
    public let gan: GAN
    public let directory: String
    /// The fixed z of the grids (64 rows).
    private let fixedNoise: [Float]
    /// Samples per epoch in samples-by-epoch.png.
    public static let stripWidth = 10

    public init(gan: GAN, directory: String) {
        self.gan = gan
        self.directory = directory
        var generator = RandomGenerator(seed: 7)
        var noise = [Float](repeating: 0, count: 64 * gan.latentWidth)
        noise.withUnsafeMutableBufferPointer { generator.fillNormal($0.baseAddress!, count: $0.count) }
        fixedNoise = noise
    }

    /// Generator outputs for the fixed z (64 rows).
    public func fixedSamples() throws(VAEGANError) -> [Float] { try gan.generateAll(fixedNoise) }

    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
        guard let side = squareImageSide(gan.dataWidth) else { return }
        let samples = gan.inDisplayRange(try fixedSamples())
        let grid = try Image.grid(of: samples, side: side, columns: 8)
        try grid.writePNG(to: directory + String(format: "/samples-epoch-%03d.png", report.epoch))
        try grid.writePNG(to: directory + "/samples.png")
        try extendStrip(with: Array(samples.prefix(Self.stripWidth * gan.dataWidth)), epoch: report.epoch, side: side)
    }

    /// Appends this epoch's row to samples-by-epoch.npy (dropping rows of this epoch or later
    /// a run that was resumed from an earlier checkpoint left there) and draws the strip.
    private func extendStrip(with row: [Float], epoch: Int, side: Int) throws(VAEGANError) {
        let rowsPath = directory + "/samples-by-epoch.npy"
        let perEpoch = Self.stripWidth * gan.dataWidth
        var kept: [Float] = []
        if FileManager.default.fileExists(atPath: rowsPath),
           let earlier = try? NPYMatrix(contentsOfFile: rowsPath),
           earlier.columns == gan.dataWidth, case .floats(let values) = earlier.storage {
            kept = Array(values.prefix(min(values.count / perEpoch, epoch - 1) * perEpoch))
        }
        let rows = kept + row
        try NPYMatrix(rows: rows.count / gan.dataWidth, columns: gan.dataWidth, floats: rows).write(toFile: rowsPath)
        try Image.grid(of: rows, side: side, columns: Self.stripWidth).writePNG(to: directory + "/samples-by-epoch.png")
    }
}
