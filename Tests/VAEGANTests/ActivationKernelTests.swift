// vg_bias_activation_forward, vg_activation_backward and vg_column_sums_accumulate against
// their scalar references (vg_core.h: sigmoid within 2e-7 absolute, tanh within 4e-7
// absolute, everything else bit for bit), and sigmoid/tanh against Double math.

import CVAEGAN
import Foundation
import Testing

/// The activations with the accuracy vg_core.h states for the SIMD path against the reference.
enum KernelActivation: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case identity, relu, leakyRelu, sigmoid, tanh

    var c: vg_activation {
        switch self {
        case .identity: VG_ACTIVATION_IDENTITY
        case .relu: VG_ACTIVATION_RELU
        case .leakyRelu: VG_ACTIVATION_LEAKY_RELU
        case .sigmoid: VG_ACTIVATION_SIGMOID
        case .tanh: VG_ACTIVATION_TANH
        }
    }

    /// LeakyReLU's slope; the others ignore alpha (a nonzero value shows they do).
    var alpha: Float { self == .leakyRelu ? 0.2 : 0.37 }

    /// Absolute tolerance against the reference; nil means bit for bit.
    var forwardTolerance: Float? {
        switch self {
        case .sigmoid: 2e-7
        case .tanh: 4e-7
        default: nil
        }
    }

    var testDescription: String { rawValue }
}

/// A (rows, columns) shape for the row kernels.
struct KernelShape: Sendable, CustomTestStringConvertible {
    var rows: Int
    var columns: Int
    var count: Int { rows * columns }
    var testDescription: String { "\(rows)x\(columns)" }

    /// Widths 0, 1, 15, 16, 17, 1000 around the 16-lane vector, a few rows, and MNIST-sized.
    static let rowKernelShapes: [KernelShape] = [
        .init(rows: 0, columns: 16), .init(rows: 3, columns: 0), .init(rows: 1, columns: 1),
        .init(rows: 1, columns: 15), .init(rows: 1, columns: 16), .init(rows: 1, columns: 17),
        .init(rows: 1, columns: 1000), .init(rows: 3, columns: 17), .init(rows: 128, columns: 784),
    ]
}

struct ActivationKernelTests {
    // MARK: forward

    @Test(arguments: KernelActivation.allCases, [false, true])
    func forwardMatchesReference(activation: KernelActivation, withBias: Bool) {
        var random = KernelRandom(seed: 0xAC71 &+ UInt64(activation.c.rawValue) &* 2 &+ (withBias ? 1 : 0))
        for shape in KernelShape.rowKernelShapes {
            var x = random.uniform(shape.count, -8, 8)
            random.sprinkle(&x, with: KernelCheck.extremeInputs + [90, -90, 100, -100])
            var bias = random.uniform(shape.columns, -1, 1)
            // Exact zeros keep some of the extreme inputs extreme; a subnormal bias too.
            random.sprinkle(&bias, with: [0, -0.0, 0, KernelCheck.subnormal])
            var kernel = x, reference = x
            if withBias {
                vg_bias_activation_forward(&kernel, bias, Int64(shape.rows), Int64(shape.columns),
                                           activation.c, activation.alpha)
                vg_bias_activation_forward_ref(&reference, bias, Int64(shape.rows), Int64(shape.columns),
                                               activation.c, activation.alpha)
            } else {
                vg_bias_activation_forward(&kernel, nil, Int64(shape.rows), Int64(shape.columns),
                                           activation.c, activation.alpha)
                vg_bias_activation_forward_ref(&reference, nil, Int64(shape.rows), Int64(shape.columns),
                                               activation.c, activation.alpha)
            }
            let bits = KernelCheck.compareBits(kernel, reference)
            let worst = activation.forwardTolerance == nil
                ? KernelDifference(value: bits.maxAbs, index: bits.mismatch ?? 0)
                : KernelCheck.maxAbsDifference(kernel, reference)
            if shape.count > 0 {
                KernelCheck.report("vg_bias_activation_forward",
                                   "act=\(activation) bias=\(withBias) \(shape.testDescription)",
                                   maxAbs: worst.value)
            }
            func input(_ i: Int) -> String {
                let v = withBias ? x[i] + bias[i % shape.columns] : x[i]
                return KernelCheck.describe(v)
            }
            if let tolerance = activation.forwardTolerance {
                #expect(worst.value <= Double(tolerance),
                        "\(shape.testDescription) x+b=\(input(worst.index)) kernel=\(kernel[worst.index]) reference=\(reference[worst.index])")
            } else if let i = bits.mismatch {
                Issue.record("\(activation) \(shape.testDescription) not bit for bit at \(i): x+b=\(input(i)) kernel=\(KernelCheck.describe(kernel[i])) reference=\(KernelCheck.describe(reference[i]))")
            }
        }
    }

    /// NaN and ±inf through each activation, bit for bit as the reference (vg_core.h: sigmoid
    /// and tanh "exact at ±inf, NaN stays NaN"; ReLU and LeakyReLU pass NaN through, as PyTorch does).
    @Test(arguments: KernelActivation.allCases)
    func nonFiniteInputsMatchReference(activation: KernelActivation) {
        let x: [Float] = [.nan, -.nan, .infinity, -.infinity, 1, -1, .nan, 0, .nan, 2, 3, 4, 5, 6, 7, 8, .nan]
        var kernel = x, reference = x
        vg_bias_activation_forward(&kernel, nil, 1, Int64(x.count), activation.c, activation.alpha)
        vg_bias_activation_forward_ref(&reference, nil, 1, Int64(x.count), activation.c, activation.alpha)
        for i in x.indices where !(x[i].isFinite && activation.forwardTolerance != nil) {
            // NaNs compare as NaN (their payload may differ); everything else bit for bit.
            let same = kernel[i].isNaN ? reference[i].isNaN : kernel[i].bitPattern == reference[i].bitPattern
            #expect(same, "\(activation) x=\(x[i]): kernel=\(kernel[i]) reference=\(reference[i])")
        }
        let worst = KernelCheck.maxAbsDifference(kernel, reference)
        #expect(worst.value <= Double(activation.forwardTolerance ?? 0),
                "x=\(x[worst.index]) kernel=\(kernel[worst.index]) reference=\(reference[worst.index])")
        #expect(reference[0].isNaN && kernel[0].isNaN, "NaN must stay NaN so divergence shows")
    }

    /// Empty shapes must not touch the buffer (B or C zero, or negative).
    @Test func forwardIgnoresEmptyShapes() {
        var y: [Float] = [1, -2, 3]
        let bias: [Float] = [5, 5, 5]
        for (b, c) in [(0, 3), (1, 0), (-1, 3), (1, -3)] {
            vg_bias_activation_forward(&y, bias, Int64(b), Int64(c), VG_ACTIVATION_SIGMOID, 0)
        }
        #expect(y == [1, -2, 3])
    }

    // MARK: backward

    @Test(arguments: KernelActivation.allCases)
    func backwardMatchesReference(activation: KernelActivation) {
        var random = KernelRandom(seed: 0xBAC0 &+ UInt64(activation.c.rawValue))
        for n in KernelCheck.elementwiseSizes {
            // y as the forward produces it, plus the extreme outputs (0, 1, ±1, subnormals).
            var y = random.uniform(n, -6, 6)
            vg_bias_activation_forward_ref(&y, nil, 1, Int64(n), activation.c, activation.alpha)
            let outputs: [Float] = switch activation {
            case .sigmoid: [0, 1, 0.5, KernelCheck.subnormal, 1 - 6e-8]
            case .tanh: [1, -1, 0, -0.0, KernelCheck.subnormal, -KernelCheck.subnormal]
            default: [0, -0.0, KernelCheck.subnormal, -KernelCheck.subnormal, 80, -80 * activation.alpha]
            }
            random.sprinkle(&y, with: outputs)
            var dy = random.uniform(n, -2, 2)
            random.sprinkle(&dy, with: [0, -0.0, KernelCheck.subnormal, -KernelCheck.subnormal, 1e30, -1e30])
            var kernel = [Float](repeating: .nan, count: n), reference = kernel
            vg_activation_backward(&kernel, dy, y, Int64(n), activation.c, activation.alpha)
            vg_activation_backward_ref(&reference, dy, y, Int64(n), activation.c, activation.alpha)
            let bits = KernelCheck.compareBits(kernel, reference)
            if n > 0 {
                KernelCheck.report("vg_activation_backward", "act=\(activation) n=\(n)", maxAbs: bits.maxAbs)
            }
            if let i = bits.mismatch {
                Issue.record("\(activation) n=\(n) not bit for bit at \(i): y=\(KernelCheck.describe(y[i])) dy=\(KernelCheck.describe(dy[i])) kernel=\(KernelCheck.describe(kernel[i])) reference=\(KernelCheck.describe(reference[i]))")
            }
            // dx may alias dy.
            var inPlace = dy
            inPlace.withUnsafeMutableBufferPointer { d in
                vg_activation_backward(d.baseAddress, d.baseAddress, y, Int64(n), activation.c, activation.alpha)
            }
            #expect(KernelCheck.firstBitMismatch(inPlace, reference) == nil, "in place, n=\(n)")
        }
    }

    // MARK: column sums

    @Test func columnSumsMatchReference() {
        var random = KernelRandom(seed: 0xC01)
        for shape in KernelShape.rowKernelShapes + [KernelShape(rows: 1024, columns: 1024)] {
            var dy = random.uniform(shape.count, -1, 1)
            random.sprinkle(&dy, with: [0, -0.0, KernelCheck.subnormal, 1e20, -1e20])
            let start = random.uniform(shape.columns, -1, 1)
            var kernel = start, reference = start
            vg_column_sums_accumulate(&kernel, dy, Int64(shape.rows), Int64(shape.columns))
            vg_column_sums_accumulate_ref(&reference, dy, Int64(shape.rows), Int64(shape.columns))
            let bits = KernelCheck.compareBits(kernel, reference)
            if shape.count > 0 {
                KernelCheck.report("vg_column_sums_accumulate", shape.testDescription, maxAbs: bits.maxAbs)
            }
            if let i = bits.mismatch {
                Issue.record("\(shape.testDescription) not bit for bit at column \(i): kernel=\(KernelCheck.describe(kernel[i])) reference=\(KernelCheck.describe(reference[i]))")
            }
        }
    }

    @Test func columnSumsAreSumsOverRows() {
        // 3 rows of 17 columns with small integers: the sums are exact.
        let dy = (0..<51).map { Float($0 % 7) - 3 }
        var db = [Float](repeating: 0.5, count: 17)
        vg_column_sums_accumulate(&db, dy, 3, 17)
        for c in 0..<17 { #expect(db[c] == 0.5 + dy[c] + dy[17 + c] + dy[34 + c]) }
    }

    // MARK: accuracy against Double

    /// Sigmoid and tanh from the kernel on a dense sweep of [-90, 90] (and tiny inputs),
    /// against the Double formulas. The kernel may differ from its reference by the stated
    /// tolerance, and the reference (expf) from the truth by about an ulp of 1, so the bound
    /// is the stated tolerance plus 2^-23.
    @Test(arguments: [KernelActivation.sigmoid, .tanh])
    func accuracyAgainstDouble(activation: KernelActivation) {
        let count = 1 << 18  // steps of 0.0007
        var x = [Float](repeating: 0, count: count)
        for i in 0..<count { x[i] = Float(-90 + 180 * Double(i) / Double(count - 1)) }
        x += (-45...(-1)).flatMap { e in [Float(pow(10, Double(e))), -Float(pow(10, Double(e)))] }
        x += KernelCheck.extremeInputs
        var y = x
        vg_bias_activation_forward(&y, nil, 1, Int64(y.count), activation.c, 0)
        var worstAbs = KernelDifference(value: 0, index: 0)
        var worstRel = KernelDifference(value: 0, index: 0)
        let sigmoid = activation == .sigmoid
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                for i in 0..<x.count {
                    let v = Double(x[i])
                    let e = Foundation.exp(-Swift.abs(v))
                    let exact = sigmoid ? (v >= 0 ? 1 / (1 + e) : e / (1 + e)) : Foundation.tanh(v)
                    let d = Swift.abs(Double(y[i]) - exact)
                    if d > worstAbs.value { worstAbs = KernelDifference(value: d, index: i) }
                    // Relative error where the value is a normal float (reported, not asserted:
                    // sigmoid's far left tail and tanh near zero are held to absolute error).
                    if Swift.abs(exact) >= Double(Float.leastNormalMagnitude), d / Swift.abs(exact) > worstRel.value {
                        worstRel = KernelDifference(value: d / Swift.abs(exact), index: i)
                    }
                }
            }
        }
        KernelCheck.report("\(activation)-vs-double", "x∈[-90,90] n=\(x.count)",
                           maxAbs: worstAbs.value, maxRel: worstRel.value)
        print("  \(activation) worst abs at x=\(x[worstAbs.index]), worst rel at x=\(x[worstRel.index]) (y=\(y[worstRel.index]))")
        if sigmoid {
            // For x <= −17, 1 + e^x rounds to 1, so sigmoid(x) = e^x · 1 is the vectorized exp
            // itself: simd_kernels.h states it within 3 ulp where the result is a normal float.
            var worstUlp = 0.0, at: Float = 0
            for i in 0..<x.count where x[i] <= -17 && x[i] >= -87 {
                let exact = Foundation.exp(Double(x[i]))
                let ulps = Swift.abs(Double(y[i]) - exact) / Double(Float(exact).ulp)
                if ulps > worstUlp { worstUlp = ulps; at = x[i] }
            }
            print("kernel exp-approx (sigmoid tail x∈[-87,-17]) max|Δ|/ulp=\(KernelCheck.format(worstUlp)) at x=\(at)")
            #expect(worstUlp <= 3, "x=\(KernelCheck.describe(at))")
        }
        let bound = Double(activation.forwardTolerance!) + 0x1p-23
        #expect(worstAbs.value <= bound,
                "x=\(KernelCheck.describe(x[worstAbs.index])) y=\(y[worstAbs.index])")
        #expect(y.allSatisfy { $0.isFinite })
    }
}
