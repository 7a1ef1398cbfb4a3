// VAETraining: the β-VAE with its Adam optimizer and KL warm-up, as the training loop sees it.
import CVAEGAN
import Foundation

/// A β-VAE being trained: model, optimizer, warm-up schedule and epoch tallies.
public final class VAETraining: Trainable {
    public static let kind = "vae"
    public let vae: VAE
    public let optimizer: Adam
    /// Epochs over which β rises linearly from 0 to its configured value (0: no warm-up).
    public let warmupEpochs: Int
    /// Batches per epoch, for the warm-up's per-step schedule.
    public let stepsPerEpoch: Int
    /// Optimization steps taken.
    public var step: Int { optimizer.stepCount }
    /// KL per latent dimension on the test set at the end of the last epoch (nats per image).
    public private(set) var testKLPerDimension: [Double] = []
    /// The test set of the last epoch, for the pictures.
    private var test: ImageDataset?

    private var sums = (loss: 0.0, reconstruction: 0.0, kl: 0.0, beta: 0.0, batches: 0)
    /// A fixed generator for test ε and pictures, so epochs are compared on equal terms.
    public static let evaluationSeed: UInt64 = 0x5EED

    public init(vae: VAE, learningRate: Float = 1e-3, warmupEpochs: Int = 0, stepsPerEpoch: Int)
        throws(VAEGANError)
    {
        try require(warmupEpochs >= 0, "warm-up epochs must be non-negative, not \(warmupEpochs)")
        try require(stepsPerEpoch > 0, "steps per epoch must be positive")
        self.vae = vae
        optimizer = try Adam(parameters: vae.parameters, learningRate: learningRate)
        self.warmupEpochs = warmupEpochs
        self.stepsPerEpoch = stepsPerEpoch
    }

    public var inputWidth: Int { vae.inputWidth }

    /// β for the next step: linear in steps from 0 to the configured β over the warm-up.
    public var currentBeta: Float {
        let beta = vae.configuration.beta
        guard warmupEpochs > 0 else { return beta }
        return beta * min(1, Float(step) / Float(warmupEpochs * stepsPerEpoch))
    }

    public func startEpoch(_ epoch: Int) {
        sums = (0, 0, 0, 0, 0)
    }

    public func trainStep(on batch: Matrix) throws(VAEGANError) -> Double {
        let beta = currentBeta
        vae.parameters.zeroGradients()
        let losses = vae.accumulateGradients(on: batch, beta: beta)
        guard losses.loss.isFinite else {
            throw .nonFinite("loss is \(losses.loss) (reconstruction \(losses.reconstruction), KL \(losses.kl))")
        }
        optimizer.step()
        sums.loss += losses.loss
        sums.reconstruction += losses.reconstruction
        sums.kl += losses.kl
        sums.beta += Double(beta)
        sums.batches += 1
        return losses.loss
    }

    public func finishEpoch(test: ImageDataset) -> [(name: String, value: Double)] {
        let n = Double(max(sums.batches, 1))
        let evaluation = vae.evaluate(test)
        testKLPerDimension = evaluation.klPerDimension
        self.test = test
        return [("loss", sums.loss / n), ("reconstruction", sums.reconstruction / n), ("kl", sums.kl / n),
                ("beta", sums.beta / n), ("test_nelbo", evaluation.negativeELBO),
                ("test_reconstruction", evaluation.reconstruction), ("test_kl", evaluation.kl),
                ("active_units", Double(evaluation.activeUnits))]
    }

    public var trainedModel: TrainedModel { .vae(vae) }

    public var lossPanels: [(title: String, metrics: [String])] {
        [("negative ELBO (nats/image)", ["loss", "test_nelbo"]),
         ("reconstruction", ["reconstruction", "test_reconstruction"]),
         ("KL", ["kl", "test_kl"]), ("active latent units", ["active_units"])]
    }

    public func writeEpochOutputs(to directory: String, epoch: Int) throws(VAEGANError) {
        let line = "\(epoch)," + testKLPerDimension.map { String(format: "%.5f", $0) }.joined(separator: ",") + "\n"
        let path = directory + "/latent_kl.csv"
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        if text.isEmpty || epoch == 1 {
            text = "epoch," + (0..<vae.latentWidth).map { "kl_\($0)" }.joined(separator: ",") + "\n"
        }
        // Keep the lines of earlier epochs only (a resumed run rewrites later ones).
        let kept = text.split(separator: "\n").prefix { line in
            guard let e = Int(line.split(separator: ",").first ?? "") else { return true }
            return e < epoch
        }
        try AtomicFile.write(Array((kept.joined(separator: "\n") + "\n" + line).utf8), to: path)
        if let test {
            let order = testKLPerDimension.indices.sorted { testKLPerDimension[$0] > testKLPerDimension[$1] }
            try vae.writePictures(to: directory, test: test, dimensionsByKL: order)
        }
    }
}
