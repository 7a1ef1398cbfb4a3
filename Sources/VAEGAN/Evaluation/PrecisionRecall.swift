// Improved precision and recall (Kynkäänniemi et al. 2019): each set of feature rows stands for
// the union of balls reaching from its points to their k-th nearest neighbours. Precision is the
// share of generated rows inside the real manifold (are samples realistic?), recall the share of
// real rows inside the generated one (is the data's variety covered?).
import CVAEGAN

/// A set of feature rows and its k-NN radii: one side of the precision/recall comparison.
public struct FeatureManifold: Sendable {
    public let features: [Float]
    public let width: Int
    public let k: Int
    /// Distance from each row to its k-th nearest other row.
    public let radii: [Float]

    public init(features: [Float], width: Int, k: Int = 3) throws(VAEGANError) {
        try require(width > 0 && features.count % width == 0, "manifold: \(features.count) values are not rows of \(width)")
        let n = features.count / width
        var radii = [Float](repeating: 0, count: n)
        try features.withUnsafeBufferPointer { x throws(VAEGANError) in
            try check(vg_kth_neighbor_distances(&radii, x.baseAddress, Int64(n), Int64(width), Int64(k)))
        }
        self.features = features
        self.width = width
        self.k = k
        self.radii = radii
    }

    public var count: Int { radii.count }

    /// The share of `queries` (rows of the same width) that fall inside this manifold.
    public func fractionContaining(_ queries: [Float]) throws(VAEGANError) -> Double {
        try require(queries.count % width == 0 && !queries.isEmpty,
                    "manifold: \(queries.count) query values are not rows of \(width)")
        var fraction = 0.0
        try check(vg_manifold_fraction(&fraction, queries, Int64(queries.count / width), features, radii,
                                       Int64(count), Int64(width)))
        return fraction
    }
}

/// Precision and recall of generated features against real ones.
public struct PrecisionRecall: Sendable, Equatable {
    public var precision: Double
    public var recall: Double

    public init(precision: Double, recall: Double) {
        self.precision = precision
        self.recall = recall
    }

    /// Both figures for `generated` against a prepared `real` manifold (k from it).
    public init(real: FeatureManifold, generated: [Float]) throws(VAEGANError) {
        let fake = try FeatureManifold(features: generated, width: real.width, k: real.k)
        self.init(precision: try real.fractionContaining(generated), recall: try fake.fractionContaining(real.features))
    }
}
