// The β-VAE's configuration: architecture, likelihood and β, validated in one place.

/// How the decoder's output scores the data, p(x | z).
public enum Likelihood: Equatable, Sendable {
    /// Bernoulli on logits (binary cross-entropy); data in [0, 1].
    case bernoulli
    /// Gaussian with standard deviation σ, fixed or learned (one σ for all pixels).
    case gaussian(sigma: Float, learned: Bool)
}

/// What training maximizes.
public enum VAEObjective: Equatable, Sendable {
    /// The evidence lower bound with the KL in closed form, weighted by β.
    case elbo
    /// The importance-weighted bound L_K with K = `samples` draws of z per example (Burda et al.
    /// 2016; K = 1 is the ELBO with a sampled KL); with `doublyReparameterized` the encoder
    /// takes the DReG gradient (Tucker et al. 2018). β must be 1: L_K has no KL term to weigh.
    case importanceWeighted(samples: Int, doublyReparameterized: Bool)

    /// Draws of z per example in a training step.
    public var samplesPerExample: Int {
        if case .importanceWeighted(let samples, _) = self { return samples }
        return 1
    }
}

/// Widths, latent size, likelihood, β and objective of a β-VAE. The defaults are the reference
/// configuration: encoder 784-512-256 ReLU, latent 32, decoder 32-256-512-784, Bernoulli, β = 1.
public struct VAEConfiguration: Equatable, Sendable {
    public var inputWidth = 784
    public var encoderWidths = [512, 256]
    public var latentWidth = 32
    public var decoderWidths = [256, 512]
    public var likelihood = Likelihood.bernoulli
    /// Weight of the KL term in the loss (the β of β-VAE); warm-up scales it per epoch.
    public var beta: Float = 1
    public var objective = VAEObjective.elbo
    public var initialization = Initialization.pytorchDefault
    /// The encoder's body (before the μ and log σ² heads) and the decoder as network specs;
    /// nil (the default) means the ReLU MLPs of the widths above.
    public var encoderSpec: NetworkSpec?
    public var decoderSpec: NetworkSpec?

    public init() {}

    /// The encoder's body as built: `encoderSpec`, or input → encoderWidths with ReLU after each.
    public var encoderNetwork: NetworkSpec {
        encoderSpec ?? .mlp(input: inputWidth, widths: encoderWidths, hidden: .relu, output: .relu)
    }

    /// The decoder as built: `decoderSpec`, or latent → decoderWidths → input, ReLU between,
    /// nothing after the last (Bernoulli logits, Gaussian means).
    public var decoderNetwork: NetworkSpec {
        decoderSpec ?? .mlp(input: latentWidth, widths: decoderWidths + [inputWidth], hidden: .relu, output: .identity)
    }

    /// Switches both networks to a preset: the MLPs of the widths, or the conv β-VAE for
    /// 1 × 28 × 28 (Conv2d 32, 64 → Linear 256; Linear 256, 3136 → ConvTranspose2d 32, 1).
    public mutating func use(_ architecture: ArchitecturePreset) {
        switch architecture {
        case .mlp: (encoderSpec, decoderSpec) = (nil, nil)
        case .conv: (encoderSpec, decoderSpec) = (.convEncoderBody(), .convDecoder(latentWidth: latentWidth))
        }
    }

    /// Keeps a spec only where it differs from the widths' MLP.
    mutating func adopt(encoder: NetworkSpec?, decoder: NetworkSpec?) {
        (encoderSpec, decoderSpec) = (nil, nil)
        if let encoder, encoder != encoderNetwork { encoderSpec = encoder }
        if let decoder, decoder != decoderNetwork { decoderSpec = decoder }
    }

    public func validate() throws(VAEGANError) {
        try require(inputWidth > 0, "input width must be positive, not \(inputWidth)")
        try require(latentWidth > 0, "latent size must be positive, not \(latentWidth)")
        try require(!encoderWidths.isEmpty && encoderWidths.allSatisfy { $0 > 0 },
                    "encoder widths must be one or more positive numbers, not \(encoderWidths)")
        try require(decoderWidths.allSatisfy { $0 > 0 }, "decoder widths must be positive, not \(decoderWidths)")
        try require(beta.isFinite && beta >= 0, "β must be non-negative and finite, not \(beta)")
        if case .importanceWeighted(let samples, _) = objective {
            try require(samples >= 1 && samples <= 100_000, "importance samples must be in 1…100000, not \(samples)")
            try require(beta == 1, "the importance-weighted bound has no KL term to weigh: β must be 1, not \(beta)")
        }
        if case .gaussian(let sigma, _) = likelihood {
            try require(sigma.isFinite && sigma > 0, "Gaussian σ must be positive, not \(sigma)")
        }
        let e = encoderNetwork, d = decoderNetwork
        guard e.inputWidth == inputWidth, try e.outputShape().count == 1 else {
            throw .shapeMismatch("the encoder maps \(e.input) to \(try e.outputShape()); the β-VAE needs \(inputWidth) values to [features] (then the μ and log σ² heads)")
        }
        guard d.inputWidth == latentWidth, try d.outputShape().reduce(1, *) == inputWidth else {
            throw .shapeMismatch("the decoder maps \(d.input) to \(try d.outputShape()); the β-VAE needs [\(latentWidth)] (z) to \(inputWidth) values")
        }
    }
}
