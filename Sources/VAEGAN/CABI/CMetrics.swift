// Sample-quality metrics through the C ABI: the Fréchet distance between two sets of feature
// rows. No handle and no registry: each call checks the caller's rows, fits a Gaussian to
// each set in place with FeatureStatistics (Evaluation/FrechetDistance.swift, whose arithmetic is the C
// core's) and writes one double. Computing the features (a classifier) is the caller's part.
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
        // Sizes before contents: a width that cannot be served fails without reading the rows.
        try requireWorkspace(width: width)
        try requireFinite(featuresA, count: countA, columns: width, "features_a")
        try requireFinite(featuresB, count: countB, columns: width, "features_b")
        let a = try FeatureStatistics(features: UnsafeBufferPointer(start: featuresA, count: countA), width: width)
        let b = try FeatureStatistics(features: UnsafeBufferPointer(start: featuresB, count: countB), width: width)
        distance.pointee = try a.frechetDistance(to: b)
    }
}

/// rows × width floats of one feature set, after checking that a covariance can be fitted.
private func featureCount(rows: Int64, width: Int, _ rowsName: String) throws(VAEGANError) -> Int {
    try require(rows >= 2, "\(rowsName) must be at least 2 (a covariance needs two rows), not \(rows)")
    return try product(Int(rows), width, "\(rowsName) × width")
}

/// `.outOfMemory` unless the process can allocate the call's workspaces now, all in doubles:
/// two means and covariances (FeatureStatistics; the rows are read in place), the C core's
/// three width² squares and its centering chunk (frechet.c), and LAPACK's eigensolver work.
/// Checked up front because a Swift array that cannot be allocated traps instead of failing.
private func requireWorkspace(width: Int) throws(VAEGANError) {
    let d = Double(width)
    let bytes = 8 * (8 * d * d + 1040 * d)
    guard bytes < 0x1p40, let probe = malloc(Int(bytes)) else {
        throw .outOfMemory("width \(width) would need about \(Int(bytes / 1e6)) MB of workspace")
    }
    free(probe)
}
