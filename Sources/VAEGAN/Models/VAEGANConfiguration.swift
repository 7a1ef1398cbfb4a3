// The VAE-GAN's configuration (Larsen et al. 2016, "Autoencoding beyond pixels using a
// learned similarity metric").

/// Architecture, loss weights and the equilibrium gate of a VAE-GAN. The defaults are the
/// reference configuration: encoder and decoder as the reference β-VAE (latent 32), D
/// 784-512-256-1 LeakyReLU(0.2) with the 256-unit layer as the feature space Dis_l; plus our
/// pixel term with weight λ = 0.5.
public struct VAEGANConfiguration: Equatable, Sendable {
    public var inputWidth = 784
    public var encoderWidths = [512, 256]
    public var latentWidth = 32
    public var decoderWidths = [256, 512]
    public var discriminatorWidths = [512, 256]
    /// Index of D's hidden layer whose activations are Dis_l (0 = first hidden layer).
    public var featureLayer = 1
    public var leakySlope: Float = 0.2
    /// γ: weight of L_llike against L_GAN in the decoder's update. 1 by default: at 0.01 and
    /// 0.1 the GAN term drowns the feature-matching term and the decoder's images stay noise
    /// for the first epochs (L_llike here is ½‖ΔDis_l‖² summed over 256 features, per image).
    public var gamma: Float = 1
    /// The decoder's GAN term: minimax as in the paper, or non-saturating.
    public var objective = GANObjective.minimax
    /// λ: weight of L_pixel = ½ Σ (x − x̃)² (Gaussian NLL in pixels, σ = 1, per image) in the
    /// encoder's and the decoder's objectives; never in D's. Not in the paper: Dis_l has 256
    /// features for 784 pixels, and the noise it cannot see is left to the GAN term, which
    /// speckles the reconstructions (λ = 0). 0.5 by default: after 20 epochs on Fashion-MNIST
    /// λ 0.3 leaves a visible grain (sharpness 0.092), 0.5 only a faint texture while staying
    /// sharper than the β-VAE (0.071 against 0.049; test images 0.183); 0.1 is still speckled
    /// and 1 already blurrier than the β-VAE after 5 epochs (0.033).
    public var pixelWeight: Float = 0.5
    /// Also show reconstructions x̃ to D as fakes (the paper's equations; its published runs
    /// used prior samples only, which is the default here).
    public var reconstructionsAsFakes = false
    /// The equilibrium gate of the reference code: skip D's update while D wins by `margin`,
    /// the decoder's while D loses by it.
    public var gating = true
    public var gatingMargin: Float = 0.35
    public var gatingEquilibrium: Float = 0.69
    public var initialization = Initialization.pytorchDefault

    public init() {}

    public func validate() throws(VAEGANError) {
        try require(inputWidth > 0 && latentWidth > 0, "input and latent sizes must be positive")
        try require(!encoderWidths.isEmpty && encoderWidths.allSatisfy { $0 > 0 }
                    && decoderWidths.allSatisfy { $0 > 0 } && discriminatorWidths.allSatisfy { $0 > 0 },
                    "layer widths must be positive (and the encoder needs at least one hidden layer)")
        try require(featureLayer >= 0 && featureLayer < discriminatorWidths.count,
                    "feature layer must index one of D's \(discriminatorWidths.count) hidden layers, not \(featureLayer)")
        try require(gamma.isFinite && gamma >= 0, "γ must be non-negative and finite, not \(gamma)")
        try require(pixelWeight.isFinite && pixelWeight >= 0, "λ (pixel weight) must be non-negative and finite, not \(pixelWeight)")
        try require(gatingMargin >= 0 && gatingEquilibrium > 0, "gating margin and equilibrium must be positive")
        try require(leakySlope >= 0, "LeakyReLU slope must be non-negative, not \(leakySlope)")
    }
}
