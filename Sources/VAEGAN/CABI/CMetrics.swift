// Sample-quality metrics through the C ABI: the Fréchet distance between two sets of feature
// rows. No handle and no registry: each call checks the caller's rows, fits a Gaussian to
// each set in place with FeatureStatistics (Evaluation/FrechetDistance.swift, whose arithmetic is the C
// core's) and writes one double. Every workspace is allocated for real as it is needed and
// fails as .outOfMemory (no up-front estimate). Computing the features (a classifier) is the caller's part.
import CVAEGAN
#if canImport(Glibc)
import Glibc
#endif

@c @implementation
public func vg_frechet_distance_of_features(_ distance: UnsafeMutablePointer<Double>?,
                                            _ featuresA: UnsafePointer<Float>?, _ rowsA: Int64,
                                            _ featuresB: UnsafePointer<Float>?, _ rowsB: Int64,
                                            _ width: Int64) -> vg_status {
    cCall("vg_frechet_distance_of_features") { () throws(VAEGANError) in
        let distance = try nonNull(distance, "distance")
        let featuresA = try nonNull(featuresA, "features_a"), featuresB = try nonNull(featuresB, "features_b")
        let width = try positive(width, "width")
        let countA = try featureCount(rows: rowsA, width: width, "rows_a")
        let countB = try featureCount(rows: rowsB, width: width, "rows_b")
        // Sizes before contents: the two width² covariances are allocated (and kept) before a
        // row is read, so a width that cannot be served fails without touching the rows.
        let storageA = try FeatureStatistics.Storage(width: width), storageB = try FeatureStatistics.Storage(width: width)
        try requireFinite(featuresA, count: countA, columns: width, "features_a")
        try requireFinite(featuresB, count: countB, columns: width, "features_b")
        let a = try FeatureStatistics(features: UnsafeBufferPointer(start: featuresA, count: countA), width: width, storage: storageA)
        let b = try FeatureStatistics(features: UnsafeBufferPointer(start: featuresB, count: countB), width: width, storage: storageB)
        distance.pointee = try a.frechetDistance(to: b)
    }
}

/// rows × width floats of one feature set, after checking that a covariance can be fitted.
private func featureCount(rows: Int64, width: Int, _ rowsName: String) throws(VAEGANError) -> Int {
    try require(rows >= 2, "\(rowsName) must be at least 2 (a covariance needs two rows), not \(rows)")
    return try product(Int(rows), width, "\(rowsName) × width")
}
