// The Fréchet distance between Gaussians fitted to two sets of feature rows: FID when the
// features are a domain classifier's (Heusel et al. 2017). The arithmetic is the C core's, in
// double, with square roots from LAPACK's symmetric eigensolver.
import CVAEGAN

/// The mean and covariance of feature rows, in double.
public struct FeatureStatistics: Sendable {
    public let dimension: Int
    public let mean: [Double]
    /// Row-major `dimension` × `dimension`, unbiased (divided by n − 1).
    public let covariance: [Double]

    /// Fits a Gaussian to `features`, rows of `width` values (at least two rows).
    public init(features: [Float], width: Int) throws(VAEGANError) {
        self = try features.withUnsafeBufferPointer { x throws(VAEGANError) in try FeatureStatistics(features: x, width: width) }
    }

    /// Fits a Gaussian to rows of `width` values read in place (the C ABI's callers' memory).
    public init(features: UnsafeBufferPointer<Float>, width: Int) throws(VAEGANError) {
        try require(width > 0 && features.count % width == 0,
                    "feature statistics: \(features.count) values are not rows of \(width)")
        var mean = [Double](repeating: 0, count: width)
        var covariance = [Double](repeating: 0, count: width * width)
        try check(vg_mean_covariance(&mean, &covariance, features.baseAddress, Int64(features.count / width), Int64(width)))
        self.init(mean: mean, covariance: covariance)
    }

    /// Statistics given directly (e.g. a closed-form Gaussian).
    public init(mean: [Double], covariance: [Double]) {
        precondition(covariance.count == mean.count * mean.count,
                     "FeatureStatistics: a covariance of \(covariance.count) values for \(mean.count) dimensions")
        dimension = mean.count
        self.mean = mean
        self.covariance = covariance
    }

    /// ‖μa − μb‖² + tr Σa + tr Σb − 2 tr (Σa^½ Σb Σa^½)^½ between this Gaussian and `other`.
    ///
    /// - Throws: `.shapeMismatch` for different dimensions; `.invalidArgument` when a covariance
    ///   is not positive semidefinite; `.nonFinite` for NaN or infinity.
    public func frechetDistance(to other: FeatureStatistics) throws(VAEGANError) -> Double {
        guard dimension == other.dimension else {
            throw .shapeMismatch("Fréchet distance between \(dimension) and \(other.dimension) dimensions")
        }
        var distance = 0.0
        try check(vg_frechet_distance(&distance, mean, covariance, other.mean, other.covariance, Int64(dimension)))
        return distance
    }
}
