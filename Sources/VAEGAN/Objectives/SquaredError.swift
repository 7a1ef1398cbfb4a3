// Squared error: the Gaussian likelihood's data term, and the VAE-GAN's feature distance.
import CVAEGAN

/// Σ (prediction − target)²; writes `gradientScale`·2(prediction − target) into `gradient`.
@discardableResult
public func squaredError(prediction: Matrix, target: Matrix, gradient: Matrix?,
                         gradientScale: Float = 1) -> Double {
    precondition(prediction.rows == target.rows && prediction.columns == target.columns,
                 "squaredError: prediction (\(prediction.rows), \(prediction.columns)) vs target (\(target.rows), \(target.columns))")
    var loss = 0.0
    vg_squared_error(&loss, gradient?.base, prediction.base, target.base, Int64(prediction.count), gradientScale)
    return loss
}
