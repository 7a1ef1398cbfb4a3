// KL(N(μ, σ²) ‖ N(0, I)) from (μ, log σ²), and the reparameterization z = μ + σ·ε.
import CVAEGAN

/// Σ KL(N(μ, σ²) ‖ N(0, 1)) over all elements = −½ Σ (1 + log σ² − μ² − σ²).
///
/// Adds `gradientScale`·∂KL/∂μ into `muGradient` and ·∂KL/∂logvar into `logvarGradient`
/// (accumulating: the reparameterization's backward shares those buffers). `perDimension`,
/// if given, accumulates each latent dimension's KL summed over rows.
@discardableResult
public func gaussianKL(mu: Matrix, logvar: Matrix, muGradient: Matrix?, logvarGradient: Matrix?,
                       gradientScale: Float = 1,
                       perDimension: UnsafeMutableBufferPointer<Double>? = nil) -> Double {
    precondition(mu.rows == logvar.rows && mu.columns == logvar.columns, "gaussianKL: μ and logvar differ in shape")
    precondition(perDimension.map { $0.count == mu.columns } ?? true, "gaussianKL: perDimension needs one slot per column")
    var kl = 0.0
    vg_gaussian_kl(&kl, muGradient?.base, logvarGradient?.base, perDimension?.baseAddress, mu.base,
                   logvar.base, Int64(mu.rows), Int64(mu.columns), gradientScale)
    return kl
}

/// z = μ + exp(½ logvar)·ε, into `z`.
public func reparameterize(into z: Matrix, mu: Matrix, logvar: Matrix, noise: Matrix) {
    precondition(z.count == mu.count && mu.count == logvar.count && logvar.count == noise.count,
                 "reparameterize: shapes differ")
    vg_reparameterize_forward(z.base, mu.base, logvar.base, noise.base, Int64(z.count))
}

/// Backward of `reparameterize`: ∂μ += ∂z; ∂logvar += ∂z·ε·½exp(½ logvar).
public func reparameterizeBackward(muGradient: Matrix, logvarGradient: Matrix, zGradient: Matrix,
                                   logvar: Matrix, noise: Matrix) {
    precondition(zGradient.count == logvar.count && logvar.count == noise.count
                 && muGradient.count == noise.count && logvarGradient.count == noise.count,
                 "reparameterizeBackward: shapes differ")
    vg_reparameterize_backward(muGradient.base, logvarGradient.base, zGradient.base, logvar.base,
                               noise.base, Int64(noise.count))
}
