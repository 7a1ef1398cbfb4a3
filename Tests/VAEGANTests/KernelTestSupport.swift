// Helpers for the C-kernel tests: seeded random inputs from vg_rng, largest differences,
// one approximate-equality helper, and the `max|Δ|` report lines.
//
// Everything here lives in `KernelCheck`/`KernelRandom` so that nothing shadows a name that
// another test file of this target imports from VAEGAN.
//
// Collect the report with: swift test 2>&1 | grep 'max|Δ|'

import CVAEGAN
import Foundation
import Testing

/// The largest difference between two arrays and the index where it occurs (-1 when empty).
struct KernelDifference {
    var value: Double
    var index: Int
}

enum KernelCheck {
    /// The sizes every element-wise kernel is compared at: empty, one, around the 16-float
    /// vector width, and large.
    static let elementwiseSizes = [0, 1, 15, 16, 17, 1000, 1 << 20]

    /// A subnormal float, about 1e-40 (a decimal literal would warn about underflow).
    static let subnormal = Float(bitPattern: 0x0001_16C2)

    /// Inputs that stress activations and logits: far tails (±80 and beyond the exp clamp),
    /// subnormals, signed zeros, tiny and moderate values.
    static let extremeInputs: [Float] = [
        80, -80, 0, -0.0, KernelCheck.subnormal, -KernelCheck.subnormal, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
        1e-30, -1e-30, 1e-7, -1e-7, 0.5, -0.5, 9, -9, 16, -16, 40, -40, 87, -87,
    ]

    // MARK: differences

    /// max |a[i] − b[i]|, in Double. A NaN on one side only counts as an infinite difference;
    /// NaN against NaN and equal infinities count as no difference.
    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> KernelDifference {
        maxDifference(a, b) { x, y in difference(x, y) }
    }

    /// max |a[i] − b[i]| / max(|a[i]|, |b[i]|, floor): relative difference, where `floor` keeps
    /// values near zero from dominating (0 compares the raw relative difference).
    static func maxRelDifference(_ a: [Float], _ b: [Float], floor: Double = 0) -> KernelDifference {
        maxDifference(a, b) { x, y in difference(x, y) / Swift.max(Swift.abs(x), Swift.abs(y), floor) }
    }

    /// The largest `measure(a[i], b[i])` over the elements that differ, and where it is.
    private static func maxDifference(_ a: [Float], _ b: [Float],
                                      _ measure: (Double, Double) -> Double) -> KernelDifference {
        precondition(a.count == b.count, "arrays of different lengths")
        var worst = KernelDifference(value: 0, index: a.isEmpty ? -1 : 0)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                // A while loop over raw pointers: range iteration is slow in debug builds.
                guard var p = a.baseAddress, var q = b.baseAddress else { return }
                var i = 0
                while i < a.count {
                    if p.pointee != q.pointee {
                        let d = measure(Double(p.pointee), Double(q.pointee))
                        if d > worst.value { worst = KernelDifference(value: d, index: i) }
                    }
                    p += 1; q += 1; i += 1
                }
            }
        }
        return worst
    }

    /// |x − y| with the NaN and infinity conventions of maxAbsDifference.
    static func difference(_ x: Double, _ y: Double) -> Double {
        if x == y || (x.isNaN && y.isNaN) { return 0 }
        if x.isNaN || y.isNaN { return .infinity }
        return Swift.abs(x - y)
    }

    /// The first index where the bit patterns differ, or nil when the arrays are identical
    /// bit for bit (so +0 and −0 differ, and equal NaNs match).
    static func firstBitMismatch(_ a: [Float], _ b: [Float]) -> Int? {
        precondition(a.count == b.count, "arrays of different lengths")
        guard !a.isEmpty else { return nil }
        return a.withUnsafeBufferPointer { a -> Int? in
            b.withUnsafeBufferPointer { b -> Int? in
                if memcmp(a.baseAddress!, b.baseAddress!, a.count * MemoryLayout<Float>.size) == 0 { return nil }
                return (0..<a.count).first { a[$0].bitPattern != b[$0].bitPattern }
            }
        }
    }

    /// firstBitMismatch, and the largest |Δ| (0 without a mismatch, skipping the scan).
    static func compareBits(_ a: [Float], _ b: [Float]) -> (mismatch: Int?, maxAbs: Double) {
        guard let i = firstBitMismatch(a, b) else { return (nil, 0) }
        return (i, maxAbsDifference(a, b).value)
    }

    // MARK: approximate equality

    /// True when a and b are equal, or both finite with
    /// |a − b| <= max(absoluteTolerance, relativeTolerance · max(|a|, |b|)).
    /// Symmetric in a and b; with absoluteTolerance = 0 it is invariant under scaling both
    /// by a power of two. NaN equals nothing; an infinity equals only itself.
    static func isApproximatelyEqual<T: FloatingPoint>(
        _ a: T, _ b: T, relativeTolerance: T, absoluteTolerance: T = 0
    ) -> Bool {
        precondition(relativeTolerance >= 0 && absoluteTolerance >= 0, "negative tolerance")
        if a == b { return true }
        guard a.isFinite && b.isFinite else { return false }
        let scale = Swift.max(a.magnitude, b.magnitude)
        return (a - b).magnitude <= Swift.max(absoluteTolerance, relativeTolerance * scale)
    }

    // MARK: report

    /// Prints `kernel NAME PARAMETERS max|Δ|=…` (and the relative difference when given), one
    /// line per comparison, for `grep 'max|Δ|'`.
    static func report(_ kernel: String, _ parameters: String, maxAbs: Double, maxRel: Double? = nil) {
        var line = "kernel \(kernel) \(parameters) max|Δ|=\(format(maxAbs))"
        if let maxRel { line += " max|Δ|/|x|=\(format(maxRel))" }
        print(line)
    }

    static func format(_ x: Double) -> String { String(format: "%.3g", x) }

    /// A float with its bit pattern, for failure messages: "1.0e-40 (0x000116c2)".
    static func describe(_ x: Float) -> String {
        "\(x) (0x\(String(x.bitPattern, radix: 16)))"
    }

    /// The SIMD path this process runs ("avx512", "avx2", or "scalar": then every dispatching
    /// kernel runs its own reference, and the kernel-vs-reference tests compare it with itself).
    static let simdPath = String(cString: vg_simd_name(vg_simd_level()))
}

/// Deterministic random inputs from the library's own generator (vg_rng), so a failure
/// reproduces from its seed.
struct KernelRandom {
    private var state = vg_rng()

    init(seed: UInt64) { vg_rng_seed(&state, seed) }

    /// Uniform floats in [low, high).
    mutating func uniform(_ count: Int, _ low: Float, _ high: Float) -> [Float] {
        var u = [Float](repeating: 0, count: count)
        vg_rng_uniform_fill(&state, &u, Int64(count))
        // x = low + (high − low)·u, by the C helpers (fast even in a debug build).
        var x = [Float](repeating: low, count: count)
        vg_axpy(&x, high - low, u, Int64(count))
        return x
    }

    /// Normal floats with the given standard deviation.
    mutating func normal(_ count: Int, standardDeviation: Float = 1) -> [Float] {
        var x = [Float](repeating: 0, count: count)
        vg_rng_normal_fill(&state, &x, Int64(count))
        vg_scale(&x, standardDeviation, Int64(count))
        return x
    }

    mutating func index(below bound: Int) -> Int { Int(vg_rng_below(&state, UInt64(bound))) }

    /// Writes `specials` at the start of x (as many as fit) and again at random positions
    /// (about one element in 32), so vector tails get them too.
    mutating func sprinkle(_ x: inout [Float], with specials: [Float]) {
        guard !x.isEmpty, !specials.isEmpty else { return }
        for i in 0..<Swift.min(specials.count, x.count) { x[i] = specials[i] }
        for _ in 0..<(x.count / 32 + 1) {
            x[index(below: x.count)] = specials[index(below: specials.count)]
        }
    }
}

// MARK: - tests of the helpers themselves

struct KernelTestSupportTests {
    /// Pairs and tolerances that exercise the edges of isApproximatelyEqual.
    static let pairs: [(Double, Double)] = [
        (1, 1), (1, 1.0000001), (1, 1.001), (-1, 1), (0, 1e-12), (0, -0.0), (1e-300, 2e-300),
        (3, 3.0000003), (-5, -5.00001), (.infinity, .infinity), (.infinity, 1e308),
        (.nan, .nan), (.nan, 1), (123456, 123457), (1e-8, 0),
    ]
    static let tolerances: [(Double, Double)] = [(0, 0), (1e-6, 0), (1e-3, 0), (0, 1e-9), (1e-6, 1e-7)]

    @Test func approximateEqualityIsSymmetric() {
        for (a, b) in Self.pairs {
            for (rel, abs) in Self.tolerances {
                #expect(
                    KernelCheck.isApproximatelyEqual(a, b, relativeTolerance: rel, absoluteTolerance: abs)
                        == KernelCheck.isApproximatelyEqual(b, a, relativeTolerance: rel, absoluteTolerance: abs),
                    "a=\(a) b=\(b) rel=\(rel) abs=\(abs)")
            }
        }
    }

    /// With no absolute tolerance, scaling both sides by 2^k (exact) never changes the answer.
    @Test func relativeToleranceIsScaleInvariant() {
        for (a, b) in Self.pairs where a.isFinite && b.isFinite && Swift.max(abs(a), abs(b)) > 1e-200 {
            for rel in [0, 1e-9, 1e-6, 1e-3, 0.5] {
                let base = KernelCheck.isApproximatelyEqual(a, b, relativeTolerance: rel)
                for k in stride(from: -40, through: 40, by: 5) {
                    let s = Double(sign: .plus, exponent: k, significand: 1)
                    #expect(KernelCheck.isApproximatelyEqual(a * s, b * s, relativeTolerance: rel) == base,
                            "a=\(a) b=\(b) rel=\(rel) scale=2^\(k)")
                }
            }
        }
    }

    @Test func approximateEqualityEdges() {
        #expect(KernelCheck.isApproximatelyEqual(1.0, 1.0, relativeTolerance: 0))
        #expect(!KernelCheck.isApproximatelyEqual(1.0, 1.0.nextUp, relativeTolerance: 0))
        #expect(KernelCheck.isApproximatelyEqual(1.0, 1.0.nextUp, relativeTolerance: Double.ulpOfOne))
        #expect(KernelCheck.isApproximatelyEqual(0.0, -0.0, relativeTolerance: 0))
        #expect(!KernelCheck.isApproximatelyEqual(0.0, 1e-12, relativeTolerance: 0.5))
        #expect(KernelCheck.isApproximatelyEqual(0.0, 1e-12, relativeTolerance: 0, absoluteTolerance: 1e-9))
        #expect(!KernelCheck.isApproximatelyEqual(Double.nan, .nan, relativeTolerance: 1))
        #expect(KernelCheck.isApproximatelyEqual(Double.infinity, .infinity, relativeTolerance: 0))
        #expect(!KernelCheck.isApproximatelyEqual(Double.infinity, .greatestFiniteMagnitude, relativeTolerance: 1))
        #expect(!KernelCheck.isApproximatelyEqual(1.0, -1.0, relativeTolerance: 1.9))
        #expect(KernelCheck.isApproximatelyEqual(1.0, -1.0, relativeTolerance: 2))
    }

    @Test func approximateEqualityFloat() {
        #expect(KernelCheck.isApproximatelyEqual(Float(1), Float(1).nextUp, relativeTolerance: Float.ulpOfOne))
        #expect(!KernelCheck.isApproximatelyEqual(Float(1), Float(1.001), relativeTolerance: 1e-4))
        #expect(KernelCheck.isApproximatelyEqual(KernelCheck.subnormal, Float(0), relativeTolerance: 0, absoluteTolerance: 1e-38))
        #expect(!KernelCheck.isApproximatelyEqual(Float.nan, Float.nan, relativeTolerance: 1))
    }

    @Test func differencesFindTheWorstElement() {
        let a: [Float] = [1, 2, 3, -0.0, .nan, .infinity]
        let b: [Float] = [1, 2.5, 3, 0, .nan, .infinity]
        let abs = KernelCheck.maxAbsDifference(a, b)
        #expect(abs.value == 0.5 && abs.index == 1)
        let rel = KernelCheck.maxRelDifference(a, b)
        #expect(rel.value == 0.2 && rel.index == 1)
        #expect(KernelCheck.firstBitMismatch(a, b) == 1)
        #expect(KernelCheck.firstBitMismatch([0, 1], [-0.0, 1]) == 0)  // signed zeros differ in bits
        #expect(KernelCheck.firstBitMismatch(a, a) == nil)
        #expect(KernelCheck.maxAbsDifference([1, .nan], [1, 2]).value == .infinity)
        #expect(KernelCheck.maxAbsDifference([], []).index == -1)
    }

    @Test func randomFillIsSeeded() {
        var r1 = KernelRandom(seed: 7), r2 = KernelRandom(seed: 7)
        let a = r1.uniform(100, -3, 5), b = r2.uniform(100, -3, 5)
        #expect(KernelCheck.firstBitMismatch(a, b) == nil)
        #expect(a.allSatisfy { $0 >= -3 && $0 < 5 })
        var c = r1.uniform(40, 0, 1)
        r1.sprinkle(&c, with: [42, -42])
        #expect(c[0] == 42 && c[1] == -42)
        print("kernel tests run the \(KernelCheck.simdPath) path")
    }
}
