// Softmax cross-entropy: the domain classifier's loss.
import CVAEGAN

/// Σ over rows of −log softmax(logits)[label]; writes `gradientScale`·∂/∂logits into `gradient`.
///
/// - Throws: `.invalidArgument` naming the first label outside [0, logits.columns).
/// - Returns: the sum (not the mean) in Double.
@discardableResult
public func softmaxCrossEntropy(logits: Matrix, labels: UnsafeBufferPointer<Int32>, gradient: Matrix?,
                                gradientScale: Float = 1) throws(VAEGANError) -> Double {
    precondition(labels.count == logits.rows, "softmaxCrossEntropy: \(labels.count) labels for \(logits.rows) rows")
    precondition(gradient.map { $0.rows == logits.rows && $0.columns == logits.columns } ?? true,
                 "softmaxCrossEntropy: gradient shape differs from the logits'")
    var loss = 0.0
    try check(vg_softmax_cross_entropy(&loss, gradient?.base, logits.base, labels.baseAddress,
                                       Int64(logits.rows), Int64(logits.columns), gradientScale))
    return loss
}
