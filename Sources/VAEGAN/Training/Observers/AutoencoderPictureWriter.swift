// The per-epoch pictures of a model with an encoder (samples, reconstructions, interpolations,
// and a traversal of the latent dimensions when the metrics rank them), and the β-VAE's
// latent_kl.csv, the test KL of each latent dimension.
import Foundation

/// Metrics that rank the latent dimensions, most used first (for traversal.png).
public protocol LatentRanking {
    var dimensionsByUse: [Int] { get }
}

extension VAEMetrics: LatentRanking {
    /// By test KL; none without an evaluation.
    public var dimensionsByUse: [Int] { evaluation?.dimensionsByKL ?? [] }
}

/// Writes an autoencoder's pictures into `directory` after each epoch (Autoencoding.writePictures).
public final class AutoencoderPictureWriter: TrainingObserver {
    public let model: any Autoencoding
    public let directory: String
    public let test: ImageDataset

    public init(model: any Autoencoding, directory: String, test: ImageDataset) {
        self.model = model
        self.directory = directory
        self.test = test
    }

    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
        let ranking = (report.metrics as? any LatentRanking)?.dimensionsByUse ?? []
        try model.writePictures(to: directory, test: test, dimensionsByKL: ranking)
    }
}

/// Appends each epoch's test KL per latent dimension to `directory`/latent_kl.csv.
public final class LatentKLWriter: TrainingObserver {
    public let path: String
    private let latentWidth: Int

    public init(directory: String, latentWidth: Int) {
        path = directory + "/latent_kl.csv"
        self.latentWidth = latentWidth
    }

    /// Keeps the lines of earlier epochs only (a resumed run rewrites later ones).
    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
        guard let evaluation = (report.metrics as? VAEMetrics)?.evaluation else { return }
        let epoch = report.epoch
        let line = "\(epoch)," + evaluation.klPerDimension.map { String(format: "%.5f", $0) }.joined(separator: ",") + "\n"
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        if text.isEmpty || epoch == 1 {
            text = "epoch," + (0..<latentWidth).map { "kl_\($0)" }.joined(separator: ",") + "\n"
        }
        let kept = text.split(separator: "\n").prefix { line in
            guard let e = Int(line.split(separator: ",").first ?? "") else { return true }
            return e < epoch
        }
        try AtomicFile.write(Array((kept.joined(separator: "\n") + "\n" + line).utf8), to: path)
    }
}
