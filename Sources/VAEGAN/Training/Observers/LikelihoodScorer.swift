// LikelihoodScorer: every few epochs (and after the last), the β-VAE's test log-likelihood by
// importance sampling (VAE+Likelihood.swift) on a fixed slice of the test set, added to the
// epoch's record as test_nll (nats, −L_K) and test_nll_se (its standard error over the images).
// It runs after the epoch's clock stops, so metrics.csv's seconds stay training time and
// `vaegan plot-likelihood` can draw NLL against minutes of training.

/// Scores the first `options.likelihoodImages` test images with `options.likelihoodSamples`
/// importance samples on the epochs `options.likelihoodEvery` divides and on the last.
public final class LikelihoodScorer: TrainingObserver {
    private let vae: VAE
    private let test: ImageDataset
    private let options: TrainingOptions

    /// loss.png's panel for the figure this observer adds.
    public static let panels = [(title: "test -log p(x), importance-weighted bound (nats)", metrics: ["test_nll"])]

    public init(vae: VAE, test: ImageDataset, options: TrainingOptions) {
        self.vae = vae
        self.options = options
        self.test = test // converted when scored, where running out of memory can be reported
    }

    public func figures(afterEpoch epoch: Int) throws(VAEGANError) -> [(name: String, value: Double)] {
        let every = options.likelihoodEvery
        guard every > 0, epoch % every == 0 || epoch == options.epochs else { return [] }
        let images = try test.rowsAsFloats(0..<min(options.likelihoodImages, test.count))
        // One seed for every epoch: the curve compares weights, not draws.
        let estimate = try vae.likelihoodEstimate(of: images, samples: options.likelihoodSamples, seed: 0x11CE)
        return [("test_nll", -estimate.mean), ("test_nll_se", estimate.standardError)]
    }
}
