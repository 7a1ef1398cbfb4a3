// Optimizer updates: vg_adam_step (Adam and AdamW) bit for bit against its reference, and
// Adam, AdamW and SGD with momentum against the update rules written out in Double.

import CVAEGAN
import Foundation
import Testing

/// Adam's hyperparameters for one run.
struct KernelAdamSettings: Sendable {
    var lr: Float = 1e-3
    var beta1: Float = 0.9
    var beta2: Float = 0.999
    var eps: Float = 1e-8
    var weightDecay: Float = 0.01
}

/// PyTorch's documented algorithms (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD),
/// one step, in Double, for one parameter:
///
///   Adam  (weight_decay λ is L2):  g ← g + λ·θ
///   AdamW (decoupled):             θ ← θ − γ·λ·θ
///   both:  m ← β1·m + (1 − β1)·g
///          v ← β2·v + (1 − β2)·g²
///          m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)
///          θ ← θ − γ·m̂ / (√v̂ + ε)
///
///   SGD with momentum μ (dampening 0, no Nesterov):
///          g ← g + λ·θ;  b ← μ·b + g  (b₁ = g₁, the same as starting from b = 0);  θ ← θ − γ·b
enum KernelOptimizerMath {
    static func adam(_ theta: inout Double, _ m: inout Double, _ v: inout Double, grad: Double, step t: Int,
                     _ s: KernelAdamSettings, decoupled: Bool) {
        let (lr, b1, b2, eps, wd) = (Double(s.lr), Double(s.beta1), Double(s.beta2), Double(s.eps), Double(s.weightDecay))
        var g = grad
        if decoupled { theta -= lr * wd * theta } else { g += wd * theta }
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        let mHat = m / (1 - Foundation.pow(b1, Double(t))), vHat = v / (1 - Foundation.pow(b2, Double(t)))
        theta -= lr * mHat / (vHat.squareRoot() + eps)
    }

    static func sgd(_ theta: inout Double, _ buffer: inout Double, grad: Double, lr: Double, momentum: Double,
                    weightDecay: Double) {
        let g = grad + weightDecay * theta
        buffer = momentum * buffer + g
        theta -= lr * buffer
    }
}

struct OptimizerKernelTests {
    static let settings = KernelAdamSettings()

    /// Three steps with fresh gradients; parameters, m and v bit for bit after each step.
    @Test(arguments: KernelCheck.elementwiseSizes, [false, true])
    func adamMatchesReference(n: Int, decoupled: Bool) {
        let s = Self.settings
        var random = KernelRandom(seed: 0xADA &+ UInt64(n) &+ (decoupled ? 1 << 32 : 0))
        var param = random.uniform(n, -1, 1)
        random.sprinkle(&param, with: [0, -0.0, KernelCheck.subnormal, -KernelCheck.subnormal, 80, -1e6])
        var kernel = (p: param, m: [Float](repeating: 0, count: n), v: [Float](repeating: 0, count: n))
        var reference = kernel
        var worst = 0.0
        for step in 1...3 {
            var grad = random.uniform(n, -0.3, 0.3)
            random.sprinkle(&grad, with: [0, -0.0, KernelCheck.subnormal, -KernelCheck.subnormal, 1e10, -1e-20, 3e18])
            vg_adam_step(&kernel.p, &kernel.m, &kernel.v, grad, Int64(n), s.lr, s.beta1, s.beta2, s.eps,
                         s.weightDecay, decoupled, Int64(step))
            vg_adam_step_ref(&reference.p, &reference.m, &reference.v, grad, Int64(n), s.lr, s.beta1, s.beta2,
                             s.eps, s.weightDecay, decoupled, Int64(step))
            for (name, k, r) in [("param", kernel.p, reference.p), ("m", kernel.m, reference.m), ("v", kernel.v, reference.v)] {
                let bits = KernelCheck.compareBits(k, r)
                worst = Swift.max(worst, bits.maxAbs)
                if let i = bits.mismatch {
                    Issue.record("step \(step) \(name)[\(i)] not bit for bit: grad=\(KernelCheck.describe(grad[i])) kernel=\(KernelCheck.describe(k[i])) reference=\(KernelCheck.describe(r[i]))")
                }
            }
        }
        #expect(kernel.p.allSatisfy { $0.isFinite })
        if n > 0 {
            KernelCheck.report("vg_adam_step", "\(decoupled ? "AdamW" : "Adam") n=\(n) 3 steps", maxAbs: worst)
        }
    }

    /// Three steps of Adam and AdamW against the Double formulas above. The float kernel rounds
    /// every operation, so parameters agree to a few ulps and m, v to about 1e-6 relative.
    @Test(arguments: [false, true])
    func adamAgainstDouble(decoupled: Bool) {
        let s = KernelAdamSettings(lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1)
        var param: [Float] = [0.5, -1.25, 0, 3, -0.01, 1e-3, 2, -2]
        let grads: [[Float]] = [
            [0.1, -0.2, 0.3, 0, 1e-4, -5, 0.02, -0.02],
            [0.05, 0.2, -0.3, 0, -1e-4, 4, 0.02, 0.03],
            [-0.1, 0.1, 0.3, 0, 2e-4, -3, -0.04, 0.01],
        ]
        var m = [Float](repeating: 0, count: param.count), v = m
        var thetaD = param.map(Double.init), mD = [Double](repeating: 0, count: param.count), vD = mD
        var worst = 0.0
        for (t, grad) in grads.enumerated() {
            vg_adam_step(&param, &m, &v, grad, Int64(param.count), s.lr, s.beta1, s.beta2, s.eps, s.weightDecay,
                         decoupled, Int64(t + 1))
            for i in param.indices {
                KernelOptimizerMath.adam(&thetaD[i], &mD[i], &vD[i], grad: Double(grad[i]), step: t + 1, s, decoupled: decoupled)
                worst = Swift.max(worst, abs(Double(param[i]) - thetaD[i]))
                #expect(KernelCheck.isApproximatelyEqual(Double(param[i]), thetaD[i], relativeTolerance: 1e-6, absoluteTolerance: 1e-8),
                        "step \(t + 1) θ[\(i)] kernel=\(param[i]) double=\(thetaD[i])")
                // m and v sum terms of both signs (g + λθ cancels): tolerance relative to |g|.
                #expect(KernelCheck.isApproximatelyEqual(Double(m[i]), mD[i], relativeTolerance: 1e-6,
                                                         absoluteTolerance: 1e-6 * Double(abs(grad[i])) + 1e-12),
                        "step \(t + 1) m[\(i)] kernel=\(m[i]) double=\(mD[i])")
                #expect(KernelCheck.isApproximatelyEqual(Double(v[i]), vD[i], relativeTolerance: 1e-6, absoluteTolerance: 1e-15),
                        "step \(t + 1) v[\(i)] kernel=\(v[i]) double=\(vD[i])")
            }
        }
        KernelCheck.report("vg_adam_step-vs-double", "\(decoupled ? "AdamW" : "Adam") 3 steps", maxAbs: worst)
    }

    /// L2 (Adam) against decoupled (AdamW) weight decay, where they differ most clearly: zero
    /// gradient, zero state, one step.
    @Test func weightDecayL2VersusDecoupled() {
        let (lr, wd): (Float, Float) = (0.1, 0.5)
        let start: [Float] = [2, -4, 0.25]
        let zero = [Float](repeating: 0, count: 3)
        // AdamW: m stays 0, so the only change is θ·(1 − lr·wd).
        var p = start, m = zero, v = zero
        vg_adam_step(&p, &m, &v, zero, 3, lr, 0.9, 0.999, 1e-8, wd, true, 1)
        #expect(p == start.map { $0 * (1 - lr * wd) })
        #expect(m == zero && v == zero)
        // Adam (L2): g = wd·θ, so m̂ = g, √v̂ = |g|: a step of lr·sign(θ) (up to ε).
        p = start; m = zero; v = zero
        vg_adam_step(&p, &m, &v, zero, 3, lr, 0.9, 0.999, 1e-8, wd, false, 1)
        for i in 0..<3 {
            let expected = Double(start[i]) - Double(lr) * (start[i] > 0 ? 1 : -1)
            #expect(KernelCheck.isApproximatelyEqual(Double(p[i]), expected, relativeTolerance: 1e-6), "\(p[i]) vs \(expected)")
        }
        // Without weight decay the two are the same update, bit for bit.
        var random = KernelRandom(seed: 0xDECA)
        let grad = random.normal(1000), theta = random.uniform(1000, -1, 1)
        var a = (p: theta, m: [Float](repeating: 0, count: 1000), v: [Float](repeating: 0, count: 1000)), b = a
        for step in 1...3 {
            vg_adam_step(&a.p, &a.m, &a.v, grad, 1000, 1e-3, 0.9, 0.999, 1e-8, 0, false, Int64(step))
            vg_adam_step(&b.p, &b.m, &b.v, grad, 1000, 1e-3, 0.9, 0.999, 1e-8, 0, true, Int64(step))
        }
        #expect(KernelCheck.firstBitMismatch(a.p, b.p) == nil)
    }

    @Test func sgdMatchesReference() {
        var random = KernelRandom(seed: 0x5CD)
        for n in KernelCheck.elementwiseSizes {
            let param = random.uniform(n, -1, 1)
            var kernel = (p: param, v: [Float](repeating: 0, count: n)), reference = kernel
            for _ in 1...3 {
                let grad = random.uniform(n, -1, 1)
                vg_sgd_step(&kernel.p, &kernel.v, grad, Int64(n), 0.05, 0.9, 1e-4)
                vg_sgd_step_ref(&reference.p, &reference.v, grad, Int64(n), 0.05, 0.9, 1e-4)
            }
            #expect(KernelCheck.firstBitMismatch(kernel.p, reference.p) == nil)
            #expect(KernelCheck.firstBitMismatch(kernel.v, reference.v) == nil)
        }
    }

    /// The EMA of weights, split over the pool, against its reference (bit for bit, sizes up to
    /// 1 M so the pool's chunks are crossed) and against the formula in Double.
    @Test func emaMatchesReference() {
        var random = KernelRandom(seed: 0xE3A)
        for n in KernelCheck.elementwiseSizes {
            let start = random.uniform(n, -1, 1)
            var kernel = start, reference = start, exact = start.map(Double.init)
            for _ in 1...3 {
                let value = random.uniform(n, -1, 1)
                vg_ema_update(&kernel, value, Int64(n), 0.999)
                vg_ema_update_ref(&reference, value, Int64(n), 0.999)
                for i in 0..<min(n, 64) { exact[i] = 0.999 * exact[i] + Double(1 - Float(0.999)) * Double(value[i]) }
            }
            #expect(KernelCheck.firstBitMismatch(kernel, reference) == nil, "n = \(n)")
            for i in 0..<min(n, 64) {
                #expect(abs(Double(kernel[i]) - exact[i]) < 1e-6, "n = \(n), element \(i)")
            }
        }
    }

    /// Three steps of SGD with momentum against the Double formula, with and without weight
    /// decay, and plain SGD (momentum 0) whose first step is exactly θ − lr·g.
    @Test(arguments: [Float(0), 0.9], [Float(0), 0.01])
    func sgdAgainstDouble(momentum: Float, weightDecay: Float) {
        let lr: Float = 0.1
        var param: [Float] = [1, -0.5, 0, 2.5, -3]
        let grads: [[Float]] = [[0.5, 0.25, -1, 0, 0.125], [0.1, -0.3, 0.2, 0.4, 0], [-0.2, 0.6, 0.05, -0.1, 1]]
        var velocity = [Float](repeating: 0, count: param.count)
        var thetaD = param.map(Double.init), bufferD = [Double](repeating: 0, count: param.count)
        for (t, grad) in grads.enumerated() {
            vg_sgd_step(&param, &velocity, grad, Int64(param.count), lr, momentum, weightDecay)
            for i in param.indices {
                KernelOptimizerMath.sgd(&thetaD[i], &bufferD[i], grad: Double(grad[i]), lr: Double(lr),
                                        momentum: Double(momentum), weightDecay: Double(weightDecay))
                #expect(KernelCheck.isApproximatelyEqual(Double(param[i]), thetaD[i], relativeTolerance: 1e-6, absoluteTolerance: 1e-7),
                        "step \(t + 1) θ[\(i)] kernel=\(param[i]) double=\(thetaD[i])")
                #expect(KernelCheck.isApproximatelyEqual(Double(velocity[i]), bufferD[i], relativeTolerance: 1e-6, absoluteTolerance: 1e-7),
                        "step \(t + 1) b[\(i)]")
            }
        }
        // Plain SGD, one step: θ − lr·g in float, exactly.
        var p: [Float] = [1, 2], vel: [Float] = [0, 0]
        vg_sgd_step(&p, &vel, [0.5, -0.25], 2, lr, 0, 0)
        #expect(p == [1 - lr * 0.5, 2 - lr * -0.25])
    }
}
