// The β-VAE's configuration: architecture, likelihood and β, validated in one place.

/// How the decoder's output scores the data, p(x | z).
public enum Likelihood: Equatable, Sendable {
    /// Bernoulli on logits (binary cross-entropy); data in [0, 1].
    case bernoulli
    /// Gaussian with standard deviation σ, fixed or learned (one σ for all pixels).
    case gaussian(sigma: Float, learned: Bool)
}

/// Widths, latent size, likelihood and β of a β-VAE. The defaults are the reference
/// configuration: encoder 784-512-256 ReLU, latent 32, decoder 32-256-512-784, Bernoulli, β = 1.
public struct VAEConfiguration: Equatable, Sendable {
    public var inputWidth = 784
    public var encoderWidths = [512, 256]
    public var latentWidth = 32
    public var decoderWidths = [256, 512]
    public var likelihood = Likelihood.bernoulli
    /// Weight of the KL term in the loss (the β of β-VAE); warm-up scales it per epoch.
    public var beta: Float = 1
    public var initialization = Initialization.pytorchDefault

    public init() {}

    public func validate() throws(VAEGANError) {
        try require(inputWidth > 0, "input width must be positive, not \(inputWidth)")
        try require(latentWidth > 0, "latent size must be positive, not \(latentWidth)")
        try require(!encoderWidths.isEmpty && encoderWidths.allSatisfy { $0 > 0 },
                    "encoder widths must be one or more positive numbers, not \(encoderWidths)")
        try require(decoderWidths.allSatisfy { $0 > 0 }, "decoder widths must be positive, not \(decoderWidths)")
        try require(beta.isFinite && beta >= 0, "β must be non-negative and finite, not \(beta)")
        if case .gaussian(let sigma, _) = likelihood {
            try require(sigma.isFinite && sigma > 0, "Gaussian σ must be positive, not \(sigma)")
        }
    }
}
