// The Fréchet distance between Gaussians fitted to two sets of feature rows: FID when the
// features are a domain classifier's (Heusel et al. 2017). The arithmetic is the C core's, in
// double, with square roots from LAPACK's symmetric eigensolver.
import CVAEGAN

/// The mean and covariance of feature rows, in double.
public struct FeatureStatistics: Sendable {
    public let dimension: Int
    private let meanValues: Doubles
    private let covarianceValues: Doubles
    /// The mean row.
    public var mean: [Double] { meanValues.values }
    /// Row-major `dimension` × `dimension`, unbiased (divided by n − 1).
    public var covariance: [Double] { covarianceValues.values }

    /// Fits a Gaussian to `features`, rows of `width` values (at least two rows).
    public init(features: [Float], width: Int) throws(VAEGANError) {
        self = try features.withUnsafeBufferPointer { x throws(VAEGANError) in try FeatureStatistics(features: x, width: width) }
    }

    /// Fits a Gaussian to rows of `width` values read in place (the C ABI's callers' memory).
    ///
    /// - Throws: `.invalidArgument` for a width that does not divide the values or fewer than
    ///   two rows; `.outOfMemory` when the width² covariance cannot be allocated.
    public init(features: UnsafeBufferPointer<Float>, width: Int) throws(VAEGANError) {
        try self.init(features: features, width: width, storage: try Storage(width: width))
    }

    /// The memory of one fit, allocated before any row is read (the C ABI refuses a width it
    /// cannot serve without touching the caller's rows).
    struct Storage {
        let mean: HeapBuffer<Double>, covariance: HeapBuffer<Double>

        /// - Throws: `.outOfMemory` when width² doubles cannot be allocated.
        init(width: Int) throws(VAEGANError) {
            let (squared, overflow) = width.multipliedReportingOverflow(by: width)
            guard width > 0, !overflow else { throw .outOfMemory("a covariance of width \(width) has more values than an Int counts") }
            mean = try HeapBuffer(zeroed: width)
            covariance = try HeapBuffer(zeroed: squared)
        }
    }

    /// Fits into `storage` (made for `width`).
    init(features: UnsafeBufferPointer<Float>, width: Int, storage: Storage) throws(VAEGANError) {
        try require(width > 0 && features.count % width == 0,
                    "feature statistics: \(features.count) values are not rows of \(width)")
        precondition(storage.mean.count == width, "FeatureStatistics: storage of width \(storage.mean.count) for \(width)")
        try check(vg_mean_covariance(storage.mean.pointer, storage.covariance.pointer, features.baseAddress,
                                     Int64(features.count / width), Int64(width)))
        dimension = width
        meanValues = .buffer(storage.mean)
        covarianceValues = .buffer(storage.covariance)
    }

    /// Statistics given directly (e.g. a closed-form Gaussian).
    public init(mean: [Double], covariance: [Double]) {
        precondition(covariance.count == mean.count * mean.count,
                     "FeatureStatistics: a covariance of \(covariance.count) values for \(mean.count) dimensions")
        dimension = mean.count
        meanValues = .array(mean)
        covarianceValues = .array(covariance)
    }

    /// ‖μa − μb‖² + tr Σa + tr Σb − 2 tr (Σa^½ Σb Σa^½)^½ between this Gaussian and `other`.
    ///
    /// - Throws: `.shapeMismatch` for different dimensions; `.invalidArgument` when a covariance
    ///   is not positive semidefinite; `.nonFinite` for NaN or infinity; `.outOfMemory` when
    ///   the C core's workspace (three dimension² squares) cannot be allocated.
    public func frechetDistance(to other: FeatureStatistics) throws(VAEGANError) -> Double {
        guard dimension == other.dimension else {
            throw .shapeMismatch("Fréchet distance between \(dimension) and \(other.dimension) dimensions")
        }
        var distance = 0.0
        let status = meanValues.withPointer { meanA in
            covarianceValues.withPointer { covA in
                other.meanValues.withPointer { meanB in
                    other.covarianceValues.withPointer { covB in
                        vg_frechet_distance(&distance, meanA, covA, meanB, covB, Int64(dimension))
                    }
                }
            }
        }
        try check(status)
        return distance
    }
}

/// Doubles given as a Swift array, or computed into memory allocated fallibly (a width²
/// covariance can be larger than the machine: `.outOfMemory`, not a trap).
private enum Doubles: Sendable {
    case array([Double])
    case buffer(HeapBuffer<Double>)

    var values: [Double] {
        switch self {
        case .array(let values): values
        case .buffer(let buffer): buffer.values
        }
    }

    func withPointer<R>(_ body: (UnsafePointer<Double>) -> R) -> R {
        switch self {
        case .array(let values): values.withUnsafeBufferPointer { body($0.baseAddress!) }
        case .buffer(let buffer): body(buffer.pointer)
        }
    }
}
