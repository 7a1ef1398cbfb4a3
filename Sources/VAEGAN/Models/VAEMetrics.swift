// VAEMetrics: the β-VAE's figures for one epoch: training means, and the evaluation over the
// test set when there is one.
import CVAEGAN

/// Means over an epoch's steps, plus the test-set evaluation after it.
public struct VAEMetrics: GenerativeMetrics {
    /// reconstruction + β·KL, what the optimizer minimized (nats per example).
    public var loss: Double
    public var reconstruction: Double
    public var kl: Double
    /// The mean β the steps used (below the configured β during warm-up).
    public var beta: Double
    /// Negative ELBO, its terms, KL per dimension and active units over the test set; nil
    /// when the epoch had no evaluation.
    public var evaluation: VAEEvaluation?

    public var namedValues: [(name: String, value: Double)] {
        var values = [("loss", loss), ("reconstruction", reconstruction), ("kl", kl), ("beta", beta)]
        if let evaluation {
            values += [("test_nelbo", evaluation.negativeELBO), ("test_reconstruction", evaluation.reconstruction),
                       ("test_kl", evaluation.kl), ("active_units", Double(evaluation.activeUnits))]
        }
        return values
    }

    public static let lossPanels = [(title: "negative ELBO (nats/image)", metrics: ["loss", "test_nelbo"]),
                                    (title: "reconstruction", metrics: ["reconstruction", "test_reconstruction"]),
                                    (title: "KL", metrics: ["kl", "test_kl"]),
                                    (title: "active latent units", metrics: ["active_units"])]

    public func write(into metrics: inout vg_metrics) {
        metrics.reconstruction = reconstruction
        metrics.kl = kl
        metrics.beta = beta
        metrics.eval_nelbo = evaluation?.negativeELBO ?? .nan
        metrics.eval_reconstruction = evaluation?.reconstruction ?? .nan
        metrics.eval_kl = evaluation?.kl ?? .nan
        metrics.active_units = evaluation.map { Double($0.activeUnits) } ?? .nan
    }
}
