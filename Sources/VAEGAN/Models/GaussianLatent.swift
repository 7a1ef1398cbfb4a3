// GaussianLatent: the latent path the β-VAE and the VAE-GAN share, written once: ε ~ N(0, I),
// the reparameterization z = μ + σ·ε (Kingma & Welling 2014, §2.4), the KL of q(z|x) to the
// prior N(0, I), their backward, and the workspaces for one batch. The encoder in front of it
// is GaussianEncoder; the importance-weighted likelihood (VAE+Likelihood.swift) draws many z
// per x and keeps its own loop.
import CVAEGAN

/// ε, z = μ + exp(½ log σ²)·ε and KL(N(μ, σ²) ‖ N(0, I)) for batches of up to `batchCapacity`
/// rows, with their backward.
///
/// ```swift
/// let (mu, logvar) = encoder.forward(x)
/// let z = latent.sample(mu: mu, logvar: logvar, noise: &rng)
/// let dz = decoder.backward(/* ∂L/∂x̂ */ …)
/// let (dmu, dlogvar, kl) = latent.backward(zGradient: dz, klGradientScale: beta / Float(rows))
/// encoder.backward(muGradient: dmu, logvarGradient: dlogvar)
/// ```
public final class GaussianLatent {
    public let width: Int
    public let batchCapacity: Int
    // (capacity, width) each.
    private let noise: Tensor, z: Tensor, muGradient: Tensor, logvarGradient: Tensor
    /// What the last `sample` saved for `backward` and `kl`: μ and log σ² (views into the
    /// encoder's heads, which must not run forward again before the backward: the encoder's own
    /// backward needs that forward too) and ε (in `noise`). The backward needs ε and log σ² for
    /// ∂z/∂log σ² = ½·σ·ε, and μ and log σ² for the KL's gradient.
    private var saved: (mu: Matrix, logvar: Matrix, noise: Matrix)?

    /// - Throws: `.outOfMemory` when the workspaces cannot be allocated.
    public init(width: Int, batchCapacity: Int) throws(VAEGANError) {
        precondition(width > 0 && batchCapacity > 0, "GaussianLatent: sizes must be positive")
        self.width = width
        self.batchCapacity = batchCapacity
        let shape = [batchCapacity, width]
        noise = try .zeros(shape)
        z = try .zeros(shape)
        muGradient = try .zeros(shape)
        logvarGradient = try .zeros(shape)
    }

    /// Draws ε ~ N(0, I) from `generator` and returns z = μ + exp(½ log σ²)·ε (a view into a
    /// workspace, valid until the next call). Saves μ, log σ² and ε for `backward` and `kl`.
    /// With a `shard` of a data-parallel run, μ and log σ² are its rows of a batch of
    /// `batchRows`: ε is drawn for the whole batch and the shard keeps its rows of it.
    public func sample(mu: Matrix, logvar: Matrix, noise generator: inout RandomGenerator,
                       shard: BatchShard = .whole, batchRows: Int? = nil) -> Matrix {
        let drawn = batchRows ?? mu.rows
        precondition(mu.columns == width && logvar.columns == width && mu.rows == logvar.rows
                     && mu.rows > 0 && drawn <= batchCapacity && mu.rows == shard.range(ofRows: drawn).count,
                     "GaussianLatent: μ (\(mu.rows), \(mu.columns)) and log σ² (\(logvar.rows), \(logvar.columns)) for width \(width), capacity \(batchCapacity)")
        let eps = shard.normalRows(drawn, columns: width, in: noise.pointer, from: &generator)
        let zBatch = Matrix(z.pointer, rows: mu.rows, columns: width)
        reparameterize(into: zBatch, mu: mu, logvar: logvar, noise: eps)
        saved = (mu, logvar, eps)
        return zBatch
    }

    /// KL(q(z|x) ‖ N(0, I)) of the last sample's q, summed over its rows, without gradients;
    /// each dimension's share is added to `perDimension` (one slot per latent dimension) if given.
    public func kl(perDimension: UnsafeMutableBufferPointer<Double>? = nil) -> Double {
        guard let saved else { preconditionFailure("GaussianLatent.kl before sample") }
        return gaussianKL(mu: saved.mu, logvar: saved.logvar, muGradient: nil, logvarGradient: nil,
                          perDimension: perDimension)
    }

    /// Backward of the last `sample` for a loss L + c·KL (c = `klGradientScale`, the KL's weight
    /// over the batch, e.g. β/rows): given ∂L/∂z, returns ∂/∂μ and ∂/∂log σ² (views into
    /// workspaces, valid until the next call) and the KL summed over the rows. Each
    /// dimension's KL is added to `perDimension` if given.
    public func backward(zGradient: Matrix, klGradientScale: Float,
                         perDimension: UnsafeMutableBufferPointer<Double>? = nil)
        -> (muGradient: Matrix, logvarGradient: Matrix, kl: Double)
    {
        guard let saved else { preconditionFailure("GaussianLatent.backward before sample") }
        let rows = saved.mu.rows
        let dmu = Matrix(muGradient.pointer, rows: rows, columns: width)
        let dlogvar = Matrix(logvarGradient.pointer, rows: rows, columns: width)
        vg_fill(dmu.base, 0, Int64(dmu.count))
        vg_fill(dlogvar.base, 0, Int64(dlogvar.count))
        // z = μ + exp(½ log σ²)·ε  →  ∂μ += ∂z;  ∂log σ² += ∂z·ε·½exp(½ log σ²)
        reparameterizeBackward(muGradient: dmu, logvarGradient: dlogvar, zGradient: zGradient,
                               logvar: saved.logvar, noise: saved.noise)
        // KL = −½ Σ (1 + log σ² − μ² − σ²), its gradient added into the same buffers.
        let kl = gaussianKL(mu: saved.mu, logvar: saved.logvar, muGradient: dmu, logvarGradient: dlogvar,
                            gradientScale: klGradientScale, perDimension: perDimension)
        return (dmu, dlogvar, kl)
    }
}
