// vg_gemm (VAEGAN's packed-panel kernels, whichever set this CPU runs) against vg_gemm_ref
// (plain loops in double) for all four transpose combinations, and the dense layer (with its
// fused bias, activation and bias gradient) against GEMM reference + bias/activation reference.
//
// Tolerance. vg_gemm accumulates in float, so element (i, j) may differ from the double
// reference by up to about (K + 2)·2^-24 · (|α|·Σ_k |a_ik||b_kj| + |β|·|c_ij|) (the standard
// dot-product error bound); the bound is computed by running the reference on |A|, |B|, |C|.

import CVAEGAN
import Foundation
import Testing

/// One GEMM problem: op(A) is M×K, op(B) is K×N, C is M×N, with padded leading dimensions.
struct KernelGemmCase: Sendable, CustomTestStringConvertible {
    var transA: Bool
    var transB: Bool
    var m: Int, n: Int, k: Int
    var alpha: Float, beta: Float
    var padding = 3

    var lda: Int { (transA ? m : k) + padding }
    var ldb: Int { (transB ? k : n) + padding }
    var ldc: Int { n + padding }
    var countA: Int { (transA ? k : m) * lda }
    var countB: Int { (transB ? n : k) * ldb }
    var countC: Int { m * ldc }
    var name: String { (transA ? "T" : "N") + (transB ? "T" : "N") }
    var testDescription: String { "\(name) \(m)x\(n)x\(k) α=\(alpha) β=\(beta)" }

    /// Every transpose combination for each shape; the large shape (128×784×100 ≈ 10M
    /// multiply-adds, the reference being O(MNK) at -O0) once per combination.
    static let all: [KernelGemmCase] = {
        var cases: [KernelGemmCase] = []
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            for (m, n, k) in [(1, 1, 1), (3, 5, 7), (16, 17, 15), (1, 33, 64), (40, 1, 9), (17, 16, 1)] {
                for (alpha, beta): (Float, Float) in [(1, 0), (0.75, -0.5), (-2, 1)] {
                    cases.append(.init(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alpha, beta: beta))
                }
            }
            cases.append(.init(transA: ta, transB: tb, m: 128, n: 784, k: 100, alpha: 0.5, beta: 0.25, padding: 0))
        }
        return cases
    }()

    /// The sizes around the kernels' edges: each of M, N and K in turn runs through them (the
    /// others 17 and 33, not multiples of any vector width), for NN, NT and TN with β 0 and 1,
    /// leading dimensions 3 past the rows.
    static let edges: [KernelGemmCase] = {
        let sizes = [1, 2, 15, 16, 17, 31, 32, 33, 127, 128, 129, 784, 1000]
        var cases: [KernelGemmCase] = []
        for (ta, tb) in [(false, false), (false, true), (true, false)] {
            for size in sizes {
                for (m, n, k) in [(size, 33, 17), (17, size, 33), (33, 17, size)] {
                    for beta: Float in [0, 1] {
                        cases.append(.init(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, beta: beta))
                    }
                }
            }
        }
        return cases
    }()
}

enum KernelGemm {
    /// C (as an array with leading dimension ldc) after vg_gemm or vg_gemm_ref.
    @discardableResult
    static func run(_ c: KernelGemmCase, _ a: [Float], _ b: [Float], _ out: inout [Float],
                    reference: Bool, alpha: Float? = nil, beta: Float? = nil) -> vg_status {
        let alpha = alpha ?? c.alpha, beta = beta ?? c.beta
        if reference {
            vg_gemm_ref(c.transA, c.transB, Int64(c.m), Int64(c.n), Int64(c.k), alpha, a, Int64(c.lda),
                        b, Int64(c.ldb), beta, &out, Int64(c.ldc))
            return VG_OK
        }
        return vg_gemm(c.transA, c.transB, Int64(c.m), Int64(c.n), Int64(c.k), alpha, a, Int64(c.lda),
                       b, Int64(c.ldb), beta, &out, Int64(c.ldc))
    }

    /// Checks `got` against `want` element by element with tolerance
    /// (k + 2)·2^-24·bound[i] + slack[i]; returns the largest |Δ| and |Δ|/bound.
    static func compare(_ got: [Float], _ want: [Float], bound: [Float], k: Int, slack: [Float]? = nil,
                        what: String) -> (abs: Double, relToBound: Double) {
        var worstAbs = 0.0, worstRel = 0.0
        var failures = 0
        for i in 0..<got.count {
            let d = KernelCheck.difference(Double(got[i]), Double(want[i]))
            let allowed = Double(k + 2) * 0x1p-24 * Double(bound[i]) + Double(slack?[i] ?? 0) + 1e-37
            worstAbs = Swift.max(worstAbs, d)
            if bound[i] > 0 { worstRel = Swift.max(worstRel, d / Double(bound[i])) }
            if !(d <= allowed) {
                failures += 1
                if failures <= 3 { Issue.record("\(what) element \(i): got \(got[i]) want \(want[i]) allowed ±\(allowed)") }
            }
        }
        return (worstAbs, worstRel)
    }
}

struct GemmKernelTests {
    @Test(arguments: KernelGemmCase.all + KernelGemmCase.edges)
    func gemmMatchesReference(_ c: KernelGemmCase) {
        var random = KernelRandom(seed: UInt64(c.m * 1_000_003 + c.n * 1009 + c.k) &+ (c.transA ? 1 << 40 : 0) &+ (c.transB ? 1 << 41 : 0))
        let a = random.uniform(c.countA, -1, 1), b = random.uniform(c.countB, -1, 1)
        // β = 0 must ignore C entirely (BLAS): start from NaN there.
        let start = c.beta == 0 ? [Float](repeating: .nan, count: c.countC) : random.uniform(c.countC, -1, 1)
        var kernel = start, reference = start
        let status = KernelGemm.run(c, a, b, &kernel, reference: false)
        #expect(status == VG_OK, "\(String(cString: vg_last_error_message()))")
        KernelGemm.run(c, a, b, &reference, reference: true)
        // Bound: the product of absolute values (by OpenBLAS: a bound needs no precision).
        var bound = start.map { $0.isNaN ? 0 : abs($0) }
        KernelGemm.run(c, a.map(abs), b.map(abs), &bound, reference: false, alpha: abs(c.alpha), beta: abs(c.beta))
        // Compare the M×N block; the padding columns must be untouched.
        var got: [Float] = [], want: [Float] = [], limit: [Float] = []
        for i in 0..<c.m {
            for j in 0..<c.ldc {
                let index = i * c.ldc + j
                if j < c.n {
                    got.append(kernel[index]); want.append(reference[index]); limit.append(bound[index])
                } else {
                    #expect(kernel[index].bitPattern == start[index].bitPattern, "padding at (\(i), \(j)) written")
                }
            }
        }
        #expect(got.allSatisfy { $0.isFinite })
        let (worst, relToBound) = KernelGemm.compare(got, want, bound: limit, k: c.k, what: c.testDescription)
        KernelCheck.report("vg_gemm", c.testDescription, maxAbs: worst, maxRel: relToBound)
    }

    /// K = 0: C = β·C exactly (and 0 for β = 0, whatever C held); M or N = 0: C untouched.
    @Test(arguments: [false, true], [false, true])
    func gemmDegenerateSizes(transA: Bool, transB: Bool) {
        let a: [Float] = [.nan], b: [Float] = [.nan]  // never read
        for beta: Float in [0, 1, -0.5, 3] {
            let start: [Float] = [1, -2, 3.5, .nan, 7, 0.1]
            var kernel = beta == 0 ? start : start.map { $0.isNaN ? 4 : $0 }
            let expected = kernel.map { beta == 0 ? 0 : beta * $0 }
            var reference = kernel
            // M = 2, N = 3, K = 0, ldc = 3; lda/ldb 1 (the minimum for an empty dimension).
            let status = vg_gemm(transA, transB, 2, 3, 0, 1.5, a, transA ? 2 : 1, b, transB ? 1 : 3, beta, &kernel, 3)
            vg_gemm_ref(transA, transB, 2, 3, 0, 1.5, a, transA ? 2 : 1, b, transB ? 1 : 3, beta, &reference, 3)
            #expect(status == VG_OK, "\(String(cString: vg_last_error_message()))")
            #expect(KernelCheck.firstBitMismatch(kernel, expected) == nil, "β=\(beta): \(kernel) vs \(expected)")
            #expect(KernelCheck.firstBitMismatch(reference, expected) == nil, "ref β=\(beta): \(reference)")
        }
        for (m, n) in [(0, 3), (2, 0), (0, 0)] {
            var c: [Float] = [9, 9, 9, 9, 9, 9]
            let status = vg_gemm(transA, transB, Int64(m), Int64(n), 4, 1, [Float](repeating: 1, count: 16), 4,
                                 [Float](repeating: 1, count: 16), 4, 0, &c, 4)
            #expect(status == VG_OK)
            #expect(c == [9, 9, 9, 9, 9, 9])
        }
    }

    /// A status for negative sizes and short leading dimensions, with a message naming the
    /// problem; C is untouched.
    @Test func gemmRejectsBadArguments() {
        let a = [Float](repeating: 1, count: 64), b = a
        struct Bad { var ta, tb: Bool; var m, n, k, lda, ldb, ldc: Int64; var message: String }
        let bad: [Bad] = [
            .init(ta: false, tb: false, m: -1, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2, message: "negative size"),
            .init(ta: false, tb: false, m: 2, n: -3, k: 2, lda: 2, ldb: 2, ldc: 2, message: "N=-3"),
            .init(ta: false, tb: false, m: 2, n: 2, k: -1, lda: 2, ldb: 2, ldc: 2, message: "K=-1"),
            .init(ta: false, tb: false, m: 2, n: 3, k: 5, lda: 4, ldb: 3, ldc: 3, message: "leading dimension of A is 4, needs at least 5"),
            .init(ta: true, tb: false, m: 6, n: 3, k: 5, lda: 5, ldb: 3, ldc: 3, message: "leading dimension of A is 5, needs at least 6"),
            .init(ta: false, tb: false, m: 2, n: 3, k: 5, lda: 5, ldb: 2, ldc: 3, message: "leading dimension of B is 2, needs at least 3"),
            .init(ta: false, tb: true, m: 2, n: 3, k: 5, lda: 5, ldb: 4, ldc: 3, message: "leading dimension of B is 4, needs at least 5"),
            .init(ta: true, tb: true, m: 2, n: 3, k: 5, lda: 2, ldb: 5, ldc: 2, message: "leading dimension of C is 2, needs at least 3"),
            .init(ta: false, tb: false, m: 2, n: 3, k: 5, lda: -5, ldb: 3, ldc: 3, message: "leading dimension of A is -5"),
        ]
        for x in bad {
            vg_error_clear()
            var c = [Float](repeating: 7, count: 64)
            let status = vg_gemm(x.ta, x.tb, x.m, x.n, x.k, 1, a, x.lda, b, x.ldb, 0, &c, x.ldc)
            let message = String(cString: vg_last_error_message())
            #expect(status == VG_ERROR_INVALID_ARGUMENT, "\(x.message)")
            #expect(message.contains(x.message), "message: \(message)")
            #expect(message.contains("gemm"), "message: \(message)")
            #expect(c.allSatisfy { $0 == 7 })
        }
        // An empty dimension still needs a leading dimension of at least 1 (BLAS), and says so.
        vg_error_clear()
        var c = [Float](repeating: 7, count: 4)
        let status = vg_gemm(false, false, 2, 2, 0, 1, a, 0, b, 2, 0, &c, 2)
        #expect(status == VG_ERROR_INVALID_ARGUMENT)
        let message = String(cString: vg_last_error_message())
        #expect(message.contains("leading dimension of A is 0, needs at least 1"), "message: \(message)")
    }

    // MARK: dense layer

    /// y = act(x·Wᵀ + b) against vg_gemm_ref + vg_bias_activation_forward_ref.
    @Test(arguments: KernelActivation.allCases, [false, true])
    func denseForwardMatchesComposition(activation: KernelActivation, withBias: Bool) {
        var random = KernelRandom(seed: 0xDE45 &+ UInt64(activation.c.rawValue) &* 2 &+ (withBias ? 1 : 0))
        for (batch, inputs, outputs) in [(1, 1, 1), (3, 5, 7), (16, 17, 15), (32, 784, 64), (300, 33, 70)] {
            let x = random.uniform(batch * inputs, 0, 1), w = random.uniform(outputs * inputs, -0.2, 0.2)
            let bias = random.uniform(outputs, -1, 1)
            var y = [Float](repeating: .nan, count: batch * outputs)
            let status = withBias
                ? vg_dense_forward(&y, x, w, bias, Int64(batch), Int64(inputs), Int64(outputs), activation.c, activation.alpha)
                : vg_dense_forward(&y, x, w, nil, Int64(batch), Int64(inputs), Int64(outputs), activation.c, activation.alpha)
            #expect(status == VG_OK)
            var expected = [Float](repeating: .nan, count: batch * outputs)
            vg_gemm_ref(false, true, Int64(batch), Int64(outputs), Int64(inputs), 1, x, Int64(inputs), w, Int64(inputs),
                        0, &expected, Int64(outputs))
            var bound = expected
            _ = vg_gemm(false, true, Int64(batch), Int64(outputs), Int64(inputs), 1, x, Int64(inputs), w.map(abs),
                        Int64(inputs), 0, &bound, Int64(outputs))
            if withBias {
                vg_bias_activation_forward_ref(&expected, bias, Int64(batch), Int64(outputs), activation.c, activation.alpha)
            } else {
                vg_bias_activation_forward_ref(&expected, nil, Int64(batch), Int64(outputs), activation.c, activation.alpha)
            }
            // The activations are Lipschitz with constant ≤ 1 (LeakyReLU: max(1, α)); add the
            // bias add's rounding and the stated activation tolerance.
            let slack = (0..<(batch * outputs)).map { i in
                (withBias ? abs(bias[i % outputs]) + bound[i] : 0) * 0x1p-23 + (activation.forwardTolerance ?? 0)
            }
            let (worst, _) = KernelGemm.compare(y, expected, bound: bound, k: inputs, slack: slack,
                                                what: "dense forward \(activation) \(batch)x\(inputs)→\(outputs)")
            if batch == 32 {
                KernelCheck.report("vg_dense_forward", "act=\(activation) bias=\(withBias) \(batch)x\(inputs)→\(outputs)", maxAbs: worst)
            }
        }
    }

    /// dw += dyᵀx, db += Σ_rows dy, dx = dy·W + β·dx, each against its reference composition,
    /// for β = 0 (dx starts as NaN: it must be ignored) and β = 1 (accumulate).
    @Test(arguments: [Float(0), 1])
    func denseBackwardMatchesComposition(dxBeta: Float) {
        var random = KernelRandom(seed: 0xDEBA &+ UInt64(dxBeta))
        for (batch, inputs, outputs) in [(1, 1, 1), (3, 5, 7), (16, 17, 15), (32, 784, 64), (500, 20, 200)] {
            let x = random.uniform(batch * inputs, 0, 1), w = random.uniform(outputs * inputs, -0.2, 0.2)
            let dy = random.uniform(batch * outputs, -1, 1)
            let dw0 = random.uniform(outputs * inputs, -1, 1), db0 = random.uniform(outputs, -1, 1)
            let dx0 = dxBeta == 0 ? [Float](repeating: .nan, count: batch * inputs) : random.uniform(batch * inputs, -1, 1)
            var dw = dw0, db = db0, dx = dx0
            let status = vg_dense_backward(&dx, &dw, &db, dy, x, w, Int64(batch), Int64(inputs), Int64(outputs), dxBeta)
            #expect(status == VG_OK)
            let (b, i, o) = (Int64(batch), Int64(inputs), Int64(outputs))
            var dwRef = dw0, dbRef = db0, dxRef = dx0, dwBound = dw0.map(abs), dxBound = dx0.map { $0.isNaN ? 0 : abs($0) }
            vg_gemm_ref(true, false, o, i, b, 1, dy, o, x, i, 1, &dwRef, i)
            _ = vg_gemm(true, false, o, i, b, 1, dy.map(abs), o, x, i, 1, &dwBound, i)
            vg_column_sums_accumulate_ref(&dbRef, dy, b, o)
            vg_gemm_ref(false, false, b, i, o, 1, dy, o, w, i, dxBeta, &dxRef, i)
            _ = vg_gemm(false, false, b, i, o, 1, dy.map(abs), o, w.map(abs), i, dxBeta, &dxBound, i)
            let (worstW, _) = KernelGemm.compare(dw, dwRef, bound: dwBound, k: batch, what: "dw \(batch)x\(inputs)→\(outputs)")
            let (worstX, _) = KernelGemm.compare(dx, dxRef, bound: dxBound, k: outputs, what: "dx β=\(dxBeta) \(batch)x\(inputs)→\(outputs)")
            #expect(KernelCheck.firstBitMismatch(db, dbRef) == nil, "db is vg_column_sums_accumulate: bit for bit")
            #expect(dx.allSatisfy { $0.isFinite })
            if batch == 32 {
                KernelCheck.report("vg_dense_backward", "dw (β=\(dxBeta) run) \(batch)x\(inputs)→\(outputs)", maxAbs: worstW)
                KernelCheck.report("vg_dense_backward", "dx β=\(dxBeta) \(batch)x\(inputs)→\(outputs)", maxAbs: worstX)
            }
        }
    }

    /// NULL dw, db or dx skips that output (and then x or w may be NULL too).
    @Test func denseBackwardSkipsNullOutputs() {
        var random = KernelRandom(seed: 0xD0)
        let (batch, inputs, outputs) = (4, 6, 5)
        let x = random.uniform(batch * inputs, 0, 1), w = random.uniform(outputs * inputs, -1, 1)
        let dy = random.uniform(batch * outputs, -1, 1)
        let (b, i, o) = (Int64(batch), Int64(inputs), Int64(outputs))
        // Everything, as the baseline.
        var dwAll = [Float](repeating: 0, count: outputs * inputs), dbAll = [Float](repeating: 0, count: outputs)
        var dxAll = [Float](repeating: 0, count: batch * inputs)
        #expect(vg_dense_backward(&dxAll, &dwAll, &dbAll, dy, x, w, b, i, o, 0) == VG_OK)
        // No dw (and no x).
        var db = [Float](repeating: 0, count: outputs), dx = [Float](repeating: 0, count: batch * inputs)
        #expect(vg_dense_backward(&dx, nil, &db, dy, nil, w, b, i, o, 0) == VG_OK)
        #expect(db == dbAll && dx == dxAll)
        // No dx (and no w).
        var dw = [Float](repeating: 0, count: outputs * inputs)
        db = [Float](repeating: 0, count: outputs)
        #expect(vg_dense_backward(nil, &dw, &db, dy, x, nil, b, i, o, 0) == VG_OK)
        #expect(dw == dwAll && db == dbAll)
        // No db.
        dw = [Float](repeating: 0, count: outputs * inputs)
        dx = [Float](repeating: 0, count: batch * inputs)
        #expect(vg_dense_backward(&dx, &dw, nil, dy, x, w, b, i, o, 0) == VG_OK)
        #expect(dw == dwAll && dx == dxAll)
        // Nothing at all is a no-op.
        #expect(vg_dense_backward(nil, nil, nil, dy, nil, nil, b, i, o, 0) == VG_OK)
    }

    @Test func denseRejectsBadArguments() {
        let buffer = [Float](repeating: 1, count: 64)
        var out = [Float](repeating: 0, count: 64), out2 = out
        for (b, i, o) in [(0, 2, 2), (2, 0, 2), (2, 2, 0), (-1, 2, 2), (2, -4, 2), (2, 2, -3)] {
            vg_error_clear()
            let f = vg_dense_forward(&out, buffer, buffer, nil, Int64(b), Int64(i), Int64(o), VG_ACTIVATION_RELU, 0)
            #expect(f == VG_ERROR_INVALID_ARGUMENT)
            #expect(String(cString: vg_last_error_message()).contains("dense forward: sizes must be positive"))
            vg_error_clear()
            let g = vg_dense_backward(&out, &out2, nil, buffer, buffer, buffer, Int64(b), Int64(i), Int64(o), 0)
            #expect(g == VG_ERROR_INVALID_ARGUMENT)
            #expect(String(cString: vg_last_error_message()).contains("dense backward: sizes must be positive (B=\(b), IN=\(i), OUT=\(o))"))
        }
        let forwardNulls: [(String, vg_status)] = [
            ("y", vg_dense_forward(nil, buffer, buffer, nil, 2, 2, 2, VG_ACTIVATION_RELU, 0)),
            ("x", vg_dense_forward(&out, nil, buffer, nil, 2, 2, 2, VG_ACTIVATION_RELU, 0)),
            ("w", vg_dense_forward(&out, buffer, nil, nil, 2, 2, 2, VG_ACTIVATION_RELU, 0)),
        ]
        for (name, status) in forwardNulls {
            #expect(status == VG_ERROR_INVALID_ARGUMENT, "NULL \(name)")
        }
        vg_error_clear()
        _ = vg_dense_forward(&out, buffer, nil, nil, 2, 2, 2, VG_ACTIVATION_RELU, 0)
        #expect(String(cString: vg_last_error_message()).contains("NULL"))
        var dw = [Float](repeating: 0, count: 4), dx = dw
        let backwardNulls: [(String, () -> vg_status)] = [
            ("dy", { vg_dense_backward(&dx, &dw, nil, nil, buffer, buffer, 2, 2, 2, 0) }),
            ("x", { vg_dense_backward(nil, &dw, nil, buffer, nil, buffer, 2, 2, 2, 0) }),
            ("w", { vg_dense_backward(&dx, nil, nil, buffer, buffer, nil, 2, 2, 2, 0) }),
        ]
        for (name, call) in backwardNulls {
            vg_error_clear()
            #expect(call() == VG_ERROR_INVALID_ARGUMENT, "NULL \(name)")
            #expect(String(cString: vg_last_error_message()).contains("NULL \(name)"))
        }
    }
}
