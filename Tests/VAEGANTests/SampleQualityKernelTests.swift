// SampleQualityKernelTests: the C core's evaluation kernels — softmax cross-entropy, moments,
// the Fréchet distance, k-NN radii and manifold membership — against formulas and references
// evaluated here or in the C core's *_ref twins.
import Foundation
import Testing
import CVAEGAN
@testable import VAEGAN

@Suite struct SampleQualityKernelTests {
    // MARK: Softmax cross-entropy

    @Test("softmax cross-entropy: value against the formula, ∂/∂logits by finite differences")
    func softmaxCrossEntropyValueAndGradient() throws {
        let logits = Tensor.normal([4, 5], seed: 41, scale: 3)
        let gradient = Tensor(shape: [4, 5])
        let labels: [Int32] = [0, 4, 2, 2]
        let scale: Float = 0.25
        let loss = try labels.withUnsafeBufferPointer { l in
            try softmaxCrossEntropy(logits: logits.matrix, labels: l, gradient: gradient.matrix, gradientScale: scale)
        }
        var expected = 0.0
        for r in 0..<4 {
            let row = (0..<5).map { Double(logits.matrix[r, $0]) }
            expected += log(row.map(exp).reduce(0, +)) - row[Int(labels[r])]
        }
        #expect(isClose(loss, expected, relative: 1e-6))
        checkGradient("softmax-ce.logits", of: logits, analytic: gradient.values) {
            Double(scale) * (try! labels.withUnsafeBufferPointer { l in
                try softmaxCrossEntropy(logits: logits.matrix, labels: l, gradient: nil)
            })
        }
    }

    @Test("softmax cross-entropy is finite for huge logits and rejects labels out of range")
    func softmaxCrossEntropyEdges() throws {
        let logits = Tensor(shape: [1, 3])
        logits.pointer.update(from: [1000, -1000, 0], count: 3)
        let loss = try [Int32(1)].withUnsafeBufferPointer { l in
            try softmaxCrossEntropy(logits: logits.matrix, labels: l, gradient: nil)
        }
        #expect(isClose(loss, 2000, relative: 1e-6))
        #expect(throws: VAEGANError.self) {
            try [Int32(3)].withUnsafeBufferPointer { l in try softmaxCrossEntropy(logits: logits.matrix, labels: l, gradient: nil) }
        }
        #expect(throws: VAEGANError.self) {
            try [Int32(-1)].withUnsafeBufferPointer { l in try softmaxCrossEntropy(logits: logits.matrix, labels: l, gradient: nil) }
        }
    }

    // MARK: Moments and the Fréchet distance

    @Test("mean and covariance against the definition")
    func meanAndCovariance() throws {
        var random = KernelRandom(seed: 42)
        let (n, d) = (37, 5)
        let x = random.normal(n * d, standardDeviation: 2)
        let statistics = try FeatureStatistics(features: x, width: d)
        for j in 0..<d {
            let mean = (0..<n).map { Double(x[$0 * d + j]) }.reduce(0, +) / Double(n)
            #expect(isClose(statistics.mean[j], mean, relative: 1e-12))
            for k in 0..<d {
                let meanK = (0..<n).map { Double(x[$0 * d + k]) }.reduce(0, +) / Double(n)
                let cov = (0..<n).map { (Double(x[$0 * d + j]) - mean) * (Double(x[$0 * d + k]) - meanK) }.reduce(0, +) / Double(n - 1)
                #expect(isClose(statistics.covariance[j * d + k], cov, relative: 1e-10, absolute: 1e-12))
            }
        }
        #expect(throws: VAEGANError.self) { try FeatureStatistics(features: [1, 2], width: 2) } // one row
    }

    @Test("the Fréchet distance of a set to itself is 0")
    func frechetDistanceToItself() throws {
        var random = KernelRandom(seed: 43)
        let statistics = try FeatureStatistics(features: random.normal(500 * 16), width: 16)
        let trace = (0..<16).map { statistics.covariance[$0 * 17] }.reduce(0, +)
        #expect(try statistics.frechetDistance(to: statistics) <= 1e-9 * trace)
    }

    /// A random rotation of d dimensions (QR of a Gaussian matrix through the C core).
    private func rotation(_ d: Int, seed: UInt64) -> [Double] {
        var rng = vg_rng()
        vg_rng_seed(&rng, seed)
        var w = [Float](repeating: 0, count: d * d)
        var workspace = [Float](repeating: 0, count: Int(vg_orthogonal_workspace_size(Int64(d), Int64(d))))
        #expect(vg_orthogonal_init(&w, Int64(d), Int64(d), 1, &rng, &workspace) == VG_OK)
        return w.map(Double.init)
    }

    /// R diag(values) Rᵀ.
    private func rotated(_ values: [Double], by r: [Double]) -> [Double] {
        let d = values.count
        var result = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { for k in 0..<d { result[i * d + j] += r[i * d + k] * values[k] * r[j * d + k] } } }
        return result
    }

    @Test("Fréchet distance between Gaussians sharing eigenvectors: ‖Δμ‖² + Σ(√a − √b)²")
    func frechetDistanceClosedFormSharedBasis() throws {
        let d = 6
        let r = rotation(d, seed: 44)
        let a = [4.0, 1, 0.25, 9, 2, 0.5], b = [1.0, 1, 1, 4, 8, 0.01]
        let muA = [0.0, 1, 2, 3, 4, 5], muB = [1.0, 1, 0, 3, 4, 6]
        let fid = try FeatureStatistics(mean: muA, covariance: rotated(a, by: r))
            .frechetDistance(to: FeatureStatistics(mean: muB, covariance: rotated(b, by: r)))
        let expected = zip(muA, muB).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            + zip(a, b).map { ($0.squareRoot() - $1.squareRoot()) * ($0.squareRoot() - $1.squareRoot()) }.reduce(0, +)
        // The rotation is orthogonal to Float precision only, so the bases agree to ~1e-7.
        #expect(isClose(fid, expected, relative: 1e-6))
    }

    @Test("Fréchet distance between non-commuting 2-D Gaussians: tr √M = √(tr M + 2√det M)")
    func frechetDistanceClosedFormTwoDimensions() throws {
        let a = [2.0, 0.7, 0.7, 1.0], b = [0.5, -0.3, -0.3, 3.0] // AB ≠ BA
        let ab = [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]]
        let detA = a[0] * a[3] - a[1] * a[2], detB = b[0] * b[3] - b[1] * b[2]
        let rootTrace = (ab[0] + ab[3] + 2 * (detA * detB).squareRoot()).squareRoot()
        let expected = 1.0 + 4.0 + (a[0] + a[3]) + (b[0] + b[3]) - 2 * rootTrace
        let fid = try FeatureStatistics(mean: [0, 0], covariance: a).frechetDistance(to: FeatureStatistics(mean: [1, 2], covariance: b))
        #expect(isClose(fid, expected, relative: 1e-10))
    }

    @Test("Fréchet distance: a covariance that is not positive semidefinite, NaN, or another dimension is an error")
    func frechetDistanceErrors() {
        let good = FeatureStatistics(mean: [0, 0], covariance: [1, 0, 0, 1])
        let indefinite = FeatureStatistics(mean: [0, 0], covariance: [1, 2, 2, 1]) // eigenvalues 3, −1
        for (a, b) in [(indefinite, good), (good, indefinite)] {
            guard case .invalidArgument(let message) = thrownError({ _ = try a.frechetDistance(to: b) }) else {
                Issue.record("an indefinite covariance must be an invalid argument"); continue
            }
            #expect(message.contains("positive semidefinite"))
        }
        let nan = FeatureStatistics(mean: [.nan, 0], covariance: [1, 0, 0, 1])
        guard case .nonFinite = thrownError({ _ = try good.frechetDistance(to: nan) }) else {
            Issue.record("NaN must be reported as non-finite"); return
        }
        guard case .shapeMismatch = thrownError({ _ = try good.frechetDistance(to: FeatureStatistics(mean: [0], covariance: [1])) }) else {
            Issue.record("different dimensions must be a shape mismatch"); return
        }
    }

    // MARK: k-NN manifolds

    @Test("k-th neighbour distances match the reference", arguments: [1, 3, 5])
    func kthNeighborDistances(k: Int) throws {
        var random = KernelRandom(seed: 45)
        let (n, d) = (300, 7) // more than one 256-row block
        let points = random.normal(n * d)
        var expected = [Float](repeating: 0, count: n)
        vg_kth_neighbor_distances_ref(&expected, points, Int64(n), Int64(d), Int64(k))
        let manifold = try FeatureManifold(features: points, width: d, k: k)
        let difference = KernelCheck.maxRelDifference(manifold.radii, expected, floor: 1e-3)
        #expect(difference.value <= 1e-4, "k=\(k): \(difference)")
    }

    @Test("manifold membership matches the reference away from the ball boundaries")
    func manifoldFraction() throws {
        var random = KernelRandom(seed: 46)
        let (n, m, d) = (280, 300, 6)
        let points = random.normal(n * d), queries = random.normal(m * d, standardDeviation: 1.3)
        let manifold = try FeatureManifold(features: points, width: d, k: 3)
        var expected = 0.0
        vg_manifold_fraction_ref(&expected, queries, Int64(m), points, manifold.radii, Int64(n), Int64(d))
        let fraction = try manifold.fractionContaining(queries)
        #expect(abs(fraction - expected) <= 1.0 / Double(m)) // one query on a boundary may flip
        #expect(fraction > 0.1 && fraction < 1)
    }

    @Test("manifold membership refuses NaN queries")
    func manifoldFractionErrors() throws {
        let manifold = try FeatureManifold(features: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4], width: 2, k: 3)
        guard case .nonFinite = thrownError({ _ = try manifold.fractionContaining([0, .nan]) }) else {
            Issue.record("a NaN query must be reported as non-finite"); return
        }
        #expect(throws: VAEGANError.self) { try manifold.fractionContaining([]) }
    }

    @Test("k-NN radii need more than k points and finite values")
    func manifoldErrors() {
        #expect(throws: VAEGANError.self) { try FeatureManifold(features: [0, 0, 1, 1, 2, 2], width: 2, k: 3) }
        #expect(throws: VAEGANError.self) { try FeatureManifold(features: [0, .nan, 1, 1, 2, 2, 3, 3, 4, 4], width: 2, k: 3) }
    }
}
