// GANMetrics: the GAN's figures for one epoch, means over its steps.
import CVAEGAN

/// Means over an epoch's discriminator and generator steps.
public struct GANMetrics: GenerativeMetrics {
    /// BCE(D(x), real label) + BCE(D(G(z)), 0), per discriminator step.
    public var discriminatorLoss: Double
    /// The generator's objective, per generator step.
    public var generatorLoss: Double
    /// Mean D(x) and D(G(z)), probabilities.
    public var realProbability: Double
    public var fakeProbability: Double

    public var namedValues: [(name: String, value: Double)] {
        [("d_loss", discriminatorLoss), ("g_loss", generatorLoss), ("d_real", realProbability),
         ("d_fake", fakeProbability)]
    }

    public static let lossPanels = [(title: "losses", metrics: ["d_loss", "g_loss"]),
                                    (title: "mean D(x) and D(G(z))", metrics: ["d_real", "d_fake"])]

    public func write(into metrics: inout vg_metrics) {
        metrics.d_loss = discriminatorLoss
        metrics.g_loss = generatorLoss
        metrics.d_real = realProbability
        metrics.d_fake = fakeProbability
    }
}
