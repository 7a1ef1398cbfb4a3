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
    /// The networks as specs (the encoder's body before its heads, the decoder, D); nil (the
    /// default) means the MLPs of the widths. With a D spec, `featureLayer` indexes its layer
    /// list: Dis_l is that layer's output (for an MLP, the same hidden layer as before).
    public var encoderSpec: NetworkSpec?
    public var decoderSpec: NetworkSpec?
    public var discriminatorSpec: NetworkSpec?

    public init() {}

    public var encoderNetwork: NetworkSpec {
        encoderSpec ?? .mlp(input: inputWidth, widths: encoderWidths, hidden: .relu, output: .relu)
    }

    /// The decoder ends in a sigmoid: its images are what D compares with the data.
    public var decoderNetwork: NetworkSpec {
        decoderSpec ?? .mlp(input: latentWidth, widths: decoderWidths + [inputWidth], hidden: .relu, output: .sigmoid)
    }

    public var discriminatorNetwork: NetworkSpec {
        discriminatorSpec ?? .mlp(input: inputWidth, widths: discriminatorWidths + [1],
                                  hidden: .leakyReLU(slope: leakySlope), output: .identity)
    }

    /// Switches to a preset's networks and the loss settings that go with them: the MLPs of the
    /// widths with the defaults above; or, for 1 × 28 × 28, the conv β-VAE's encoder and decoder
    /// (sigmoid output) with the DCGAN's D, Dis_l the output of its second convolution block
    /// (layer 3: 128 × 7 × 7 features), and the conv reference's γ 0.01, non-saturating GAN
    /// term and no gate. Why those: a conv D beats the decoder's fakes from the first epoch, so
    /// the gate (D skipped while its fake BCE < 0.34) froze D for 461–469 of 469 steps an epoch
    /// and the minimax term saturated (FID 86.6 after 20 epochs at γ 1). Ungated and
    /// non-saturating, 1 epoch gave FID 119 at γ 0.04, 81 at γ 0.01 and 91 at γ 0.0025.
    public mutating func use(_ architecture: ArchitecturePreset) {
        let defaults = VAEGANConfiguration()
        switch architecture {
        case .mlp:
            (encoderSpec, decoderSpec, discriminatorSpec) = (nil, nil, nil)
            featureLayer = defaults.featureLayer
            (gamma, objective, gating) = (defaults.gamma, defaults.objective, defaults.gating)
        case .conv:
            encoderSpec = .convEncoderBody()
            decoderSpec = .convDecoder(latentWidth: latentWidth, output: .sigmoid)
            discriminatorSpec = .dcganDiscriminator(slope: leakySlope)
            featureLayer = 3
            (gamma, objective, gating) = (0.01, .nonSaturating, false)
        }
    }

    /// Keeps a spec only where it differs from the widths' MLP.
    mutating func adopt(encoder: NetworkSpec?, decoder: NetworkSpec?, discriminator: NetworkSpec?) {
        (encoderSpec, decoderSpec, discriminatorSpec) = (nil, nil, nil)
        if let encoder, encoder != encoderNetwork { encoderSpec = encoder }
        if let decoder, decoder != decoderNetwork { decoderSpec = decoder }
        if let discriminator, discriminator != discriminatorNetwork { discriminatorSpec = discriminator }
    }

    public func validate() throws(VAEGANError) {
        try require(inputWidth > 0 && latentWidth > 0, "input and latent sizes must be positive")
        try require(!encoderWidths.isEmpty && encoderWidths.allSatisfy { $0 > 0 }
                    && decoderWidths.allSatisfy { $0 > 0 } && discriminatorWidths.allSatisfy { $0 > 0 },
                    "layer widths must be positive (and the encoder needs at least one hidden layer)")
        let d = discriminatorNetwork, e = encoderNetwork, g = decoderNetwork
        try require(featureLayer >= 0 && featureLayer < d.layers.count - 1,
                    "feature layer must index one of D's \(d.layers.count - 1) layers before its last, not \(featureLayer)")
        guard e.inputWidth == inputWidth, try e.outputShape().count == 1 else {
            throw .shapeMismatch("the encoder maps \(e.input) to \(try e.outputShape()); the VAE-GAN needs \(inputWidth) values to [features]")
        }
        guard g.inputWidth == latentWidth, try g.outputShape().reduce(1, *) == inputWidth else {
            throw .shapeMismatch("the decoder maps \(g.input) to \(try g.outputShape()); the VAE-GAN needs [\(latentWidth)] (z) to \(inputWidth) values")
        }
        guard d.inputWidth == inputWidth, try d.outputShape() == [1] else {
            throw .shapeMismatch("the discriminator maps \(d.input) to \(try d.outputShape()); the VAE-GAN needs \(inputWidth) values to [1] (a logit)")
        }
        try require(gamma.isFinite && gamma >= 0, "γ must be non-negative and finite, not \(gamma)")
        try require(pixelWeight.isFinite && pixelWeight >= 0, "λ (pixel weight) must be non-negative and finite, not \(pixelWeight)")
        try require(gatingMargin >= 0 && gatingEquilibrium > 0, "gating margin and equilibrium must be positive")
        try require(leakySlope >= 0, "LeakyReLU slope must be non-negative, not \(leakySlope)")
    }
}
