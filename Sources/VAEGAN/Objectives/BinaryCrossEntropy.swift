// Binary cross-entropy on logits: the Bernoulli likelihood of the β-VAE and the GAN's loss.
import CVAEGAN
import Glibc

/// Σ BCE(logits, targets) over all elements; writes `gradientScale`·∂/∂logits into `gradient`.
///
/// Stable for any finite logit: computed as max(l, 0) − l·t + log(1 + e^−|l|), never as the
/// log of a probability.
/// - Returns: the sum (not the mean) in Double.
@discardableResult
public func binaryCrossEntropy(logits: Matrix, targets: Matrix, gradient: Matrix?,
                               gradientScale: Float = 1) -> Double {
    precondition(logits.rows == targets.rows && logits.columns == targets.columns,
                 "binaryCrossEntropy: logits (\(logits.rows), \(logits.columns)) vs targets (\(targets.rows), \(targets.columns))")
    var loss = 0.0
    vg_bce_logits(&loss, gradient?.base, logits.base, targets.base, Int64(logits.count), gradientScale)
    return loss
}

/// Σ BCE(logits, target) against one target for every element (the GAN's real/fake labels).
@discardableResult
public func binaryCrossEntropy(logits: Matrix, target: Float, gradient: Matrix?,
                               gradientScale: Float = 1) -> Double {
    var loss = 0.0
    vg_bce_logits_constant(&loss, gradient?.base, logits.base, target, Int64(logits.count), gradientScale)
    return loss
}

/// The mean of sigmoid(logits): the mean probability D gives a batch (reported, not trained on).
func meanSigmoid(_ logits: Matrix) -> Double {
    var sum = 0.0
    for i in 0..<logits.count { sum += 1 / (1 + exp(-Double(logits.base[i]))) }
    return sum / Double(logits.count)
}
