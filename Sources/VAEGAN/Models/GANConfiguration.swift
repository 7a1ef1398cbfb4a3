// The GAN's configuration: both players' architectures, the objective, label smoothing.

/// What the generator optimizes (the discriminator's objective is the same in both).
public enum GANObjective: String, Equatable, Sendable, CaseIterable {
    /// Goodfellow et al. 2014's minimax game: G minimizes E[log(1 − D(G(z)))].
    case minimax
    /// The non-saturating variant from the same paper: G maximizes E[log D(G(z))].
    case nonSaturating = "nonsaturating"
}

/// Widths, activations and objective of a GAN. The defaults are the reference configuration:
/// z of 64 from N(0, I); G 64-256-512-784 LeakyReLU(0.2), sigmoid output; D 784-512-256-1
/// LeakyReLU(0.2); non-saturating.
public struct GANConfiguration: Equatable, Sendable {
    public var latentWidth = 64
    public var generatorWidths = [256, 512]
    public var dataWidth = 784
    public var discriminatorWidths = [512, 256]
    /// Slope of the LeakyReLU in both players.
    public var leakySlope: Float = 0.2
    /// The generator's last activation, matched to the data's range: sigmoid for [0, 1],
    /// tanh for [−1, 1], identity for unbounded data.
    public var generatorOutput = Activation.sigmoid
    public var objective = GANObjective.nonSaturating
    /// The discriminator's target for real examples: 1, or e.g. 0.9 for one-sided label
    /// smoothing (Salimans et al. 2016).
    public var realLabel: Float = 1
    public var initialization = Initialization.pytorchDefault
    /// The players as network specs; nil (the default) means the MLPs of the widths above.
    public var generatorSpec: NetworkSpec?
    public var discriminatorSpec: NetworkSpec?

    public init() {}

    /// G as built: `generatorSpec`, or the MLP latent → generatorWidths → data.
    public var generatorNetwork: NetworkSpec {
        generatorSpec ?? .mlp(input: latentWidth, widths: generatorWidths + [dataWidth],
                              hidden: .leakyReLU(slope: leakySlope), output: generatorOutput)
    }

    /// D as built: `discriminatorSpec`, or the MLP data → discriminatorWidths → 1 logit.
    public var discriminatorNetwork: NetworkSpec {
        discriminatorSpec ?? .mlp(input: dataWidth, widths: discriminatorWidths + [1],
                                  hidden: .leakyReLU(slope: leakySlope), output: .identity)
    }

    /// Switches both players to a preset: the MLPs of the widths, or the DCGAN for 1 × 28 × 28
    /// (its G ends in `generatorOutput`, its D's LeakyReLUs have `leakySlope`).
    public mutating func use(_ architecture: ArchitecturePreset) {
        switch architecture {
        case .mlp:
            (generatorSpec, discriminatorSpec) = (nil, nil)
        case .conv:
            generatorSpec = .dcganGenerator(latentWidth: latentWidth, output: generatorOutput)
            discriminatorSpec = .dcganDiscriminator(slope: leakySlope)
        }
    }

    /// Keeps a spec only where it differs from the widths' MLP, so a checkpoint's spec of an
    /// MLP reads back as the plain configuration.
    mutating func adopt(generator: NetworkSpec?, discriminator: NetworkSpec?) {
        (generatorSpec, discriminatorSpec) = (nil, nil)
        if let generator, generator != generatorNetwork { generatorSpec = generator }
        if let discriminator, discriminator != discriminatorNetwork { discriminatorSpec = discriminator }
    }

    public func validate() throws(VAEGANError) {
        try require(latentWidth > 0, "latent size must be positive, not \(latentWidth)")
        try require(dataWidth > 0, "data width must be positive, not \(dataWidth)")
        try require(generatorWidths.allSatisfy { $0 > 0 } && discriminatorWidths.allSatisfy { $0 > 0 },
                    "layer widths must be positive")
        try require(leakySlope >= 0 && leakySlope.isFinite, "LeakyReLU slope must be non-negative, not \(leakySlope)")
        try require(realLabel > 0.5 && realLabel <= 1, "the real label must be in (0.5, 1], not \(realLabel)")
        let g = generatorNetwork, d = discriminatorNetwork
        guard g.inputWidth == latentWidth, try g.outputShape().reduce(1, *) == dataWidth else {
            throw .shapeMismatch("the generator maps \(g.input) to \(try g.outputShape()); the GAN needs [\(latentWidth)] (z) to \(dataWidth) values")
        }
        guard d.inputWidth == dataWidth, try d.outputShape() == [1] else {
            throw .shapeMismatch("the discriminator maps \(d.input) to \(try d.outputShape()); the GAN needs \(dataWidth) values to [1] (a logit)")
        }
    }
}
