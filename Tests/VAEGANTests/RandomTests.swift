// vg_rng: xoshiro256** seeded through splitmix64. Reproducibility, golden values for seed 0
// checked against an independent implementation written here, and the distributions of
// vg_rng_below, vg_rng_uniform_fill and vg_rng_normal_fill.

import CVAEGAN
import Foundation
import Testing

/// xoshiro256** and splitmix64 from Blackman & Vigna's reference C code (prng.di.unimi.it),
/// written independently of rng.c.
struct KernelXoshiro256StarStar {
    var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var x = seed
        func splitmix64() -> UInt64 {
            x = x &+ 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix64(), splitmix64(), splitmix64(), splitmix64())
    }

    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    mutating func next() -> UInt64 {
        let result = Self.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = Self.rotl(s.3, 45)
        return result
    }
}

struct RandomTests {
    /// The first outputs for seed 0, recorded from rng.c (and equal to the independent
    /// implementation above; the first splitmix64 output for 0 is the well-known 0xe220a8397b1dcdaf).
    static let goldenSeed0: [UInt64] = [
        0x99ec_5f36_cb75_f2b4, 0xbf6e_1f78_4956_452a, 0x1a5f_849d_4933_e6e0,
        0x6aa5_94f1_262d_2d2c, 0xbba5_ad4a_1f84_2e59, 0xffef_8375_d9eb_caca,
    ]

    @Test func seedZeroGoldenValues() {
        var rng = vg_rng()
        vg_rng_seed(&rng, 0)
        #expect(rng.s.0 == 0xe220_a839_7b1d_cdaf)
        var independent = KernelXoshiro256StarStar(seed: 0)
        #expect(independent.s.0 == rng.s.0 && independent.s.1 == rng.s.1 && independent.s.2 == rng.s.2 && independent.s.3 == rng.s.3)
        for golden in Self.goldenSeed0 {
            let value = vg_rng_next(&rng)
            #expect(value == golden, "0x\(String(value, radix: 16))")
            #expect(independent.next() == golden)
        }
        // Uniform floats are the top 24 bits over 2^24; seed 0's first four.
        vg_rng_seed(&rng, 0)
        var u = [Float](repeating: 0, count: 4)
        vg_rng_uniform_fill(&rng, &u, 4)
        #expect(u == [0x1.33d8bep-1, 0x1.7edc3ep-1, 0x1.a5f84p-4, 0x1.aa965p-2])
        #expect(u == Self.goldenSeed0.prefix(4).map { Float($0 >> 40) * 0x1p-24 })
        // Normals: the polar method on 53-bit uniforms in [−1, 1); seed 0's first five, and
        // the same computation in Double with the platform log (rng.c has its own log).
        vg_rng_seed(&rng, 0)
        var z = [Float](repeating: 0, count: 5)
        vg_rng_normal_fill(&rng, &z, 5)
        #expect(z == [0x1.323a82p-1, 0x1.76a55p+0, -0x1.ca4454p-1, -0x1.81270ep-3, -0x1.35329ap+1])
        var generator = KernelXoshiro256StarStar(seed: 0)
        var polar: [Float] = []
        while polar.count < 5 {
            let a = Double(generator.next() >> 11) * 0x1p-52 - 1, b = Double(generator.next() >> 11) * 0x1p-52 - 1
            let s = a * a + b * b
            guard s < 1 && s != 0 else { continue }
            let f = (-2 * Foundation.log(s) / s).squareRoot()
            polar += [Float(a * f), Float(b * f)]
        }
        for i in 0..<5 {
            #expect(KernelCheck.isApproximatelyEqual(z[i], polar[i], relativeTolerance: 1e-6), "normal \(i): \(z[i]) vs \(polar[i])")
        }
    }

    @Test func sameSeedSameStream() {
        for seed: UInt64 in [0, 1, 42, .max] {
            var a = vg_rng(), b = vg_rng()
            vg_rng_seed(&a, seed)
            vg_rng_seed(&b, seed)
            var independent = KernelXoshiro256StarStar(seed: seed)
            for _ in 0..<1000 {
                let x = vg_rng_next(&a)
                #expect(x == vg_rng_next(&b))
                #expect(x == independent.next())
            }
            // Filling twice from the same seed gives the same floats.
            var x = [Float](repeating: 0, count: 1001), y = x
            vg_rng_seed(&a, seed); vg_rng_normal_fill(&a, &x, 1001)
            vg_rng_seed(&b, seed); vg_rng_normal_fill(&b, &y, 1001)
            #expect(KernelCheck.firstBitMismatch(x, y) == nil)
        }
    }

    @Test func differentSeedsDiffer() {
        var seen = Set<UInt64>()
        for seed: UInt64 in 0..<100 {
            var rng = vg_rng()
            vg_rng_seed(&rng, seed)
            let first = (0..<4).map { _ in vg_rng_next(&rng) }
            #expect(seen.insert(first[0]).inserted, "seed \(seed) repeats a first output")
            var other = vg_rng()
            vg_rng_seed(&other, seed + 1)
            let second = (0..<4).map { _ in vg_rng_next(&other) }
            #expect(first != second)
        }
    }

    /// In range for every bound (including 1 and bounds near 2^63 where rejection is common),
    /// and a chi-square on 10 buckets: 100,000 draws, 9 degrees of freedom, bound 40 (p ≈ 5e-6).
    @Test func belowIsInRangeAndUniform() {
        var rng = vg_rng()
        vg_rng_seed(&rng, 0xB0)
        for bound: UInt64 in [1, 2, 3, 7, 10, 1000, 1 << 32 + 1, 1 << 63 + 1, .max] {
            for _ in 0..<2000 { #expect(vg_rng_below(&rng, bound) < bound) }
        }
        #expect((0..<100).allSatisfy { _ in vg_rng_below(&rng, 1) == 0 })
        for bound: UInt64 in [10, 1 << 63 + 1] {
            var buckets = [Int](repeating: 0, count: 10)
            let draws = 100_000
            for _ in 0..<draws {
                let x = vg_rng_below(&rng, bound)
                buckets[bound == 10 ? Int(x) : Int(Double(x) / Double(bound) * 10)] += 1
            }
            let expected = Double(draws) / 10
            let chi2 = buckets.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
            print("kernel vg_rng_below bound=\(bound) chi2(9 dof)=\(KernelCheck.format(chi2)) buckets=\(buckets)")
            #expect(chi2 < 40, "buckets \(buckets)")
        }
    }

    @Test func uniformFill() {
        var rng = vg_rng()
        vg_rng_seed(&rng, 0x0F)
        let n = 1_000_000
        var x = [Float](repeating: -1, count: n)
        vg_rng_uniform_fill(&rng, &x, Int64(n))
        var sum = 0.0, sumSquares = 0.0, inRange = true, onGrid = true
        x.withUnsafeBufferPointer { x in
            for v in x {
                sum += Double(v); sumSquares += Double(v) * Double(v)
                inRange = inRange && v >= 0 && v < 1
                onGrid = onGrid && (v * 0x1p24).rounded() == v * 0x1p24  // 24 random bits
            }
        }
        let mean = sum / Double(n), variance = sumSquares / Double(n) - mean * mean
        print("kernel vg_rng_uniform_fill n=\(n) mean=\(KernelCheck.format(mean)) var=\(KernelCheck.format(variance))")
        #expect(inRange && onGrid)
        #expect(abs(mean - 0.5) < 0.003)  // σ of the mean ≈ 0.00029
        #expect(abs(variance - 1.0 / 12) < 0.002)
        // n = 0 writes nothing.
        var untouched: [Float] = [5]
        vg_rng_uniform_fill(&rng, &untouched, 0)
        #expect(untouched == [5])
    }

    /// 1e6 normals: mean ≈ 0 (σ 0.001), variance ≈ 1 (σ 0.0014), P(|z| < 1) ≈ 0.6827 (σ 0.0005),
    /// P(|z| < 2) ≈ 0.9545; bounds at about 5σ, which a generator with a wrong scale, shift or
    /// shape fails.
    @Test func normalFill() {
        var rng = vg_rng()
        vg_rng_seed(&rng, 0x2A)
        let n = 1_000_001  // odd: the last pair's second value is dropped
        var x = [Float](repeating: .nan, count: n)
        vg_rng_normal_fill(&rng, &x, Int64(n))
        var sum = 0.0, sumSquares = 0.0, within1 = 0, within2 = 0, finite = true
        x.withUnsafeBufferPointer { x in
            for v in x {
                let d = Double(v)
                sum += d; sumSquares += d * d
                if abs(d) < 1 { within1 += 1 }
                if abs(d) < 2 { within2 += 1 }
                finite = finite && v.isFinite
            }
        }
        let mean = sum / Double(n), variance = sumSquares / Double(n) - mean * mean
        let p1 = Double(within1) / Double(n), p2 = Double(within2) / Double(n)
        print("kernel vg_rng_normal_fill n=\(n) mean=\(KernelCheck.format(mean)) var=\(KernelCheck.format(variance)) P(|z|<1)=\(KernelCheck.format(p1)) P(|z|<2)=\(KernelCheck.format(p2))")
        #expect(finite)
        #expect(abs(mean) < 0.005)
        #expect(abs(variance - 1) < 0.007)
        #expect(abs(p1 - 0.682_689) < 0.0025)
        #expect(abs(p2 - 0.954_500) < 0.0015)
    }
}
