// ImportanceWeightedLatent: the latent path of the importance-weighted bound (Burda et al.
// 2016), beside GaussianLatent's single z:
//
//   log p(x) ≥ L_K = log (1/K) Σ_k w_k,   w_k = p(x | z_k) p(z_k) / q(z_k | x),   z_k ~ q(z | x),
//
// K draws per example (rows example-major, so one decoder pass takes all K·B), the bound and
// the normalized weights w̃_k = w_k / Σ w, and the backward into μ and log σ²: the bound's own
// gradient, Σ_k w̃_k ∇ log w_k, or for the encoder the doubly reparameterized one (DReG,
// Tucker et al. 2018), Σ_k w̃_k² ∂log w_k/∂z_k ∂z_k/∂φ, whose variance does not grow with K.
// The hot loops are in iwae.c.
import CVAEGAN

/// K samples of z per example, the importance-weighted bound over them, and its backward, for
/// up to `batchCapacity` examples and `sampleCapacity` samples each.
///
/// ```swift
/// let z = latent.sample(mu: mu, logvar: logvar, samples: 5, noise: &rng) // 5·B rows
/// let output = decoder.forward(z)
/// // write −log p(x_b | z_r) of each row into latent.negativeLogLikelihoods
/// let boundSum = latent.combine()         // Σ_b L_K(x_b); weights in latent.weights
/// // decoder.backward of output gradients scaled by latent.weights[r]·s, s = 1/B
/// let (dmu, dlogvar) = latent.backward(zGradient: dz, gradientScale: s, doublyReparameterized: false)
/// ```
public final class ImportanceWeightedLatent {
    public let width: Int
    public let batchCapacity: Int
    public let sampleCapacity: Int
    // (batchCapacity·sampleCapacity, width): ε and z of every sample.
    private let noise: Tensor, z: Tensor
    // (batchCapacity, width).
    private let muGradient: Tensor, logvarGradient: Tensor
    /// Per sample row: log p(z) − log q(z | x), −log p(x | z) (the caller's to fill), and the
    /// normalized weight w̃.
    private let logRatios: HeapBuffer<Double>
    public let negativeLogLikelihoods: HeapBuffer<Double>
    public let weights: Tensor
    /// Per example: the bound L_K of the last `combine`.
    public let bounds: HeapBuffer<Double>
    /// What the last `sample` saved for `combine` and `backward`.
    private var saved: (logvar: Matrix, examples: Int, samples: Int)?

    /// - Throws: `.outOfMemory` when the workspaces cannot be allocated.
    public init(width: Int, batchCapacity: Int, sampleCapacity: Int) throws(VAEGANError) {
        precondition(width > 0 && batchCapacity > 0 && sampleCapacity > 0, "ImportanceWeightedLatent: sizes must be positive")
        self.width = width
        self.batchCapacity = batchCapacity
        self.sampleCapacity = sampleCapacity
        let (rows, overflow) = batchCapacity.multipliedReportingOverflow(by: sampleCapacity)
        guard !overflow else { throw .outOfMemory("\(batchCapacity) examples × \(sampleCapacity) samples overflow") }
        noise = try .zeros([rows, width])
        z = try .zeros([rows, width])
        muGradient = try .zeros([batchCapacity, width])
        logvarGradient = try .zeros([batchCapacity, width])
        logRatios = try HeapBuffer(zeroed: rows)
        negativeLogLikelihoods = try HeapBuffer(zeroed: rows)
        weights = try .zeros([rows])
        bounds = try HeapBuffer(zeroed: batchCapacity)
    }

    /// Draws ε from `generator` for `samples` z per row of μ and returns them, example-major
    /// (a view into a workspace, valid until the next call). Saves log σ² (a view: the encoder
    /// must not run again before `backward`) and the log ratios log p(z) − log q(z | x).
    public func sample(mu: Matrix, logvar: Matrix, samples: Int, noise generator: inout RandomGenerator) -> Matrix {
        precondition(mu.columns == width && logvar.columns == width && mu.rows == logvar.rows
                     && mu.rows > 0 && mu.rows <= batchCapacity && samples > 0 && samples <= sampleCapacity,
                     "ImportanceWeightedLatent: μ (\(mu.rows), \(mu.columns)), \(samples) samples for width \(width), capacity \(batchCapacity) × \(sampleCapacity)")
        let rows = mu.rows * samples
        let eps = Matrix(noise.pointer, rows: rows, columns: width)
        generator.fillNormal(eps)
        vg_iwae_sample(z.pointer, logRatios.pointer, mu.base, logvar.base, eps.base, Int64(mu.rows), Int64(samples), Int64(width))
        saved = (logvar, mu.rows, samples)
        return Matrix(z.pointer, rows: rows, columns: width)
    }

    /// From the log ratios and `negativeLogLikelihoods` of the last sample: each example's bound
    /// in `bounds` and each row's normalized weight in `weights`. Returns the bounds' sum.
    @discardableResult
    public func combine() -> Double {
        guard let saved else { preconditionFailure("ImportanceWeightedLatent.combine before sample") }
        vg_iwae_combine(bounds.pointer, weights.pointer, logRatios.pointer, negativeLogLikelihoods.pointer,
                        Int64(saved.examples), Int64(saved.samples))
        var sum = 0.0
        for b in 0..<saved.examples { sum += bounds.pointer[b] }
        return sum
    }

    /// Backward of −s·Σ_b L_K(x_b) (s = `gradientScale`) into ∂/∂μ and ∂/∂log σ² (views into
    /// workspaces, valid until the next call), given ∂/∂z of the decoder for output gradients
    /// scaled by weights[r]·s. With `doublyReparameterized`, the encoder's DReG estimator.
    public func backward(zGradient: Matrix, gradientScale: Float, doublyReparameterized: Bool)
        -> (muGradient: Matrix, logvarGradient: Matrix)
    {
        guard let saved else { preconditionFailure("ImportanceWeightedLatent.backward before sample") }
        precondition(zGradient.rows == saved.examples * saved.samples && zGradient.columns == width,
                     "ImportanceWeightedLatent.backward: ∂z is (\(zGradient.rows), \(zGradient.columns))")
        let dmu = Matrix(muGradient.pointer, rows: saved.examples, columns: width)
        let dlogvar = Matrix(logvarGradient.pointer, rows: saved.examples, columns: width)
        vg_iwae_latent_backward(dmu.base, dlogvar.base, zGradient.base, z.pointer, noise.pointer, saved.logvar.base,
                                weights.pointer, Int64(saved.examples), Int64(saved.samples), Int64(width),
                                gradientScale, doublyReparameterized)
        return (dmu, dlogvar)
    }

    /// The rows of the last sample: examples × samples.
    public var sampledRows: Int { saved.map { $0.examples * $0.samples } ?? 0 }
}
