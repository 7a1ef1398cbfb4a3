// VAEGANMetrics: the VAE-GAN's figures for one epoch, means over its steps, and how often the
// equilibrium gate skipped each player.
import CVAEGAN

/// Means over an epoch's steps (Larsen et al. 2016's terms), and the gate's skip counts.
public struct VAEGANMetrics: GenerativeMetrics {
    /// L_prior = KL, nats per example.
    public var prior: Double
    /// L_llike in D's feature space.
    public var llike: Double
    /// L_pixel = ½‖x − x̃‖², before its weight λ.
    public var pixel: Double
    /// L_GAN as D sees it.
    public var gan: Double
    /// Mean D(x) and D(Dec(z_p)), probabilities.
    public var realProbability: Double
    public var fakeProbability: Double
    /// Steps in which the gate skipped D's update, and the decoder's.
    public var discriminatorSkips: Int
    public var decoderSkips: Int

    public var namedValues: [(name: String, value: Double)] {
        [("prior", prior), ("llike", llike), ("pixel", pixel), ("gan", gan), ("d_real", realProbability),
         ("d_fake", fakeProbability), ("d_skips", Double(discriminatorSkips)), ("decoder_skips", Double(decoderSkips))]
    }

    public static let lossPanels = [(title: "L_prior, L_llike and L_pixel", metrics: ["prior", "llike", "pixel"]),
                                    (title: "L_GAN", metrics: ["gan"]),
                                    (title: "mean D(x) and D(Dec(z_p))", metrics: ["d_real", "d_fake"]),
                                    (title: "gate skips per epoch", metrics: ["d_skips", "decoder_skips"])]

    public func write(into metrics: inout vg_metrics) {
        metrics.prior = prior
        metrics.llike = llike
        metrics.gan = gan
        metrics.d_real = realProbability
        metrics.d_fake = fakeProbability
        metrics.d_skips = Double(discriminatorSkips)
        metrics.decoder_skips = Double(decoderSkips)
    }
}
