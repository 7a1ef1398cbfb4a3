// The β-VAE's per-epoch pictures (samples, reconstructions, interpolations, a traversal of the
// dimensions with the most KL) and latent_kl.csv, the test KL of each latent dimension.
import Foundation

/// Writes the β-VAE's pictures and latent_kl.csv into `directory` after each epoch.
public final class VAEPictures: TrainingObserver {
    public let vae: VAE
    public let directory: String
    public let test: ImageDataset

    public init(vae: VAE, directory: String, test: ImageDataset) {
        self.vae = vae
        self.directory = directory
        self.test = test
    }

    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
        guard let evaluation = (report.metrics as? VAEMetrics)?.evaluation else { return }
        try writeLatentKL(evaluation.klPerDimension, epoch: report.epoch)
        try vae.writePictures(to: directory, test: test, dimensionsByKL: evaluation.dimensionsByKL)
    }

    /// Appends the epoch's line to latent_kl.csv, keeping only the lines of earlier epochs (a
    /// resumed run rewrites later ones).
    private func writeLatentKL(_ klPerDimension: [Double], epoch: Int) throws(VAEGANError) {
        let line = "\(epoch)," + klPerDimension.map { String(format: "%.5f", $0) }.joined(separator: ",") + "\n"
        let path = directory + "/latent_kl.csv"
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        if text.isEmpty || epoch == 1 {
            text = "epoch," + (0..<vae.latentWidth).map { "kl_\($0)" }.joined(separator: ",") + "\n"
        }
        let kept = text.split(separator: "\n").prefix { line in
            guard let e = Int(line.split(separator: ",").first ?? "") else { return true }
            return e < epoch
        }
        try AtomicFile.write(Array((kept.joined(separator: "\n") + "\n" + line).utf8), to: path)
    }
}
