// OptimizerTests: SGD, Adam and AdamW through the Swift API, three steps each on a small
// parameter with gradients set by hand, against the same updates computed here in Double from
// PyTorch's documented algorithms; hyperparameter validation; state tensor names; gradient
// clipping.
import Foundation
import Testing
@testable import VAEGAN

@Suite struct OptimizerTests {
    static let initial: [Float] = [0.5, -1.25, 2.0, 0.0, -0.03]
    /// One gradient per step: mixed signs and magnitudes, a zero, a sign change between steps.
    static let gradients: [[Float]] = [
        [0.1, -0.2, 3.0, 0.0, 1e-4],
        [-0.05, -0.2, 1.5, 0.7, 2e-4],
        [0.2, 0.1, -2.0, 0.7, -1e-4],
    ]

    /// A store of one parameter, "layer.weight", holding `initial`.
    private func makeStore() throws -> ParameterStore {
        let layout = ParameterStore.Layout()
        let p = layout.parameter("layer.weight", shape: [Self.initial.count])
        let store = try ParameterStore(layout)
        _ = p.value.buffer.update(fromContentsOf: Self.initial)
        return store
    }

    /// Runs `optimizer` for the three gradients and returns the parameter after each step.
    private func run(_ optimizer: some Optimizer, on p: Parameter) -> [[Float]] {
        Self.gradients.map { g in
            _ = p.gradient.buffer.update(fromContentsOf: g)
            optimizer.step()
            return p.value.values
        }
    }

    private func expectClose(_ actual: [[Float]], _ expected: [[Double]], relative: Double,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        for (step, (a, e)) in zip(actual, expected).enumerated() {
            for (x, y) in zip(a, e) {
                #expect(isClose(Double(x), y, relative: relative, absolute: 1e-7),
                        "step \(step + 1): \(x) vs \(y)", sourceLocation: sourceLocation)
            }
        }
    }

    /// torch.optim.Adam / AdamW (https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html),
    /// for t = 1, 2, …:
    ///   AdamW: θ ← θ − lr·λ·θ;     Adam (L2): g ← g + λ·θ
    ///   m ← β1·m + (1 − β1)·g;     v ← β2·v + (1 − β2)·g²
    ///   m̂ = m / (1 − β1ᵗ);        v̂ = v / (1 − β2ᵗ)
    ///   θ ← θ − lr · m̂ / (√v̂ + ε)
    private func adamReference(lr: Double, beta1: Double, beta2: Double, epsilon: Double,
                               weightDecay: Double, decoupled: Bool) -> [[Double]] {
        var theta = Self.initial.map(Double.init)
        var m = [Double](repeating: 0, count: theta.count), v = m
        var history: [[Double]] = []
        for (t, gradient) in zip(1..., Self.gradients) {
            for i in theta.indices {
                var g = Double(gradient[i])
                if decoupled { theta[i] -= lr * weightDecay * theta[i] } else { g += weightDecay * theta[i] }
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                let mHat = m[i] / (1 - pow(beta1, Double(t)))
                let vHat = v[i] / (1 - pow(beta2, Double(t)))
                theta[i] -= lr * mHat / (vHat.squareRoot() + epsilon)
            }
            history.append(theta)
        }
        return history
    }

    @Test("Adam: three steps match PyTorch's algorithm", arguments: [Float(0), 0.1])
    func adamSteps(weightDecay: Float) throws {
        let store = try makeStore(), p = store.parameters[0]
        let adam = try Adam(store: store, learningRate: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-6,
                            weightDecay: weightDecay)
        let actual = run(adam, on: p)
        #expect(adam.stepCount == 3)
        expectClose(actual, adamReference(lr: 0.01, beta1: 0.8, beta2: 0.95, epsilon: 1e-6,
                                          weightDecay: Double(weightDecay), decoupled: false),
                    relative: 1e-5)
    }

    @Test("AdamW: three steps match PyTorch's algorithm (decoupled decay)")
    func adamWSteps() throws {
        let store = try makeStore(), p = store.parameters[0]
        let adamW = try AdamW(store: store, learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                              weightDecay: 0.5)
        let actual = run(adamW, on: p)
        #expect(adamW.stepCount == 3)
        #expect(adamW.weightDecay == 0.5)
        expectClose(actual, adamReference(lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                                          weightDecay: 0.5, decoupled: true),
                    relative: 1e-5)
        // Decoupled decay differs from L2 decay once the gradient's scale is normalized away.
        let l2 = adamReference(lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.5, decoupled: false)
        #expect(zip(actual[2], l2[2]).contains { abs(Double($0) - $1) > 1e-4 })
    }

    /// torch.optim.SGD (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html), dampening
    /// 0, no Nesterov: g ← g + λ·θ;  b ← μ·b + g (b = g at t = 1, the same as b₀ = 0);  θ ← θ − lr·b.
    @Test("SGD with momentum: three steps match PyTorch's algorithm")
    func sgdSteps() throws {
        let lr = 0.1, momentum = 0.9, weightDecay = 0.01
        let store = try makeStore(), p = store.parameters[0]
        let sgd = try SGD(store: store, learningRate: Float(lr), momentum: Float(momentum),
                          weightDecay: Float(weightDecay))
        let actual = run(sgd, on: p)
        var theta = Self.initial.map(Double.init), b = [Double](repeating: 0, count: theta.count)
        var expected: [[Double]] = []
        for gradient in Self.gradients {
            for i in theta.indices {
                let g = Double(gradient[i]) + weightDecay * theta[i]
                b[i] = momentum * b[i] + g
                theta[i] -= lr * b[i]
            }
            expected.append(theta)
        }
        expectClose(actual, expected, relative: 1e-6)
        #expect(sgd.stepCount == 3)
    }

    // MARK: Validation

    /// Runs `make` and checks it throws `.invalidArgument` whose message mentions `topic`.
    private func expectInvalid(_ topic: String, sourceLocation: SourceLocation = #_sourceLocation,
                               _ make: () throws -> Void) {
        do {
            try make()
            Issue.record("expected an invalid-argument error about \(topic)", sourceLocation: sourceLocation)
        } catch {
            guard case .invalidArgument(let message)? = error as? VAEGANError else {
                Issue.record("expected .invalidArgument, got \(error)", sourceLocation: sourceLocation)
                return
            }
            #expect(message.contains(topic), "message \"\(message)\" does not mention \(topic)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test("Bad hyperparameters throw invalidArgument naming the problem")
    func validation() throws {
        let ps = try makeStore()
        for lr in [Float(0), -1e-3, .nan, .infinity] {
            expectInvalid("learning rate") { _ = try Adam(store: ps, learningRate: lr) }
            expectInvalid("learning rate") { _ = try AdamW(store: ps, learningRate: lr) }
            expectInvalid("learning rate") { _ = try SGD(store: ps, learningRate: lr) }
        }
        for (beta1, beta2) in [(Float(1), Float(0.999)), (0.9, 1), (-0.1, 0.999), (0.9, .nan)] {
            expectInvalid("betas") { _ = try Adam(store: ps, beta1: beta1, beta2: beta2) }
            expectInvalid("betas") { _ = try AdamW(store: ps, beta1: beta1, beta2: beta2) }
        }
        expectInvalid("epsilon") { _ = try Adam(store: ps, epsilon: 0) }
        expectInvalid("weight decay") { _ = try Adam(store: ps, weightDecay: -0.1) }
        expectInvalid("weight decay") { _ = try AdamW(store: ps, weightDecay: -0.1) }
        expectInvalid("weight decay") { _ = try SGD(store: ps, learningRate: 0.1, weightDecay: -0.1) }
        expectInvalid("momentum") { _ = try SGD(store: ps, learningRate: 0.1, momentum: 1) }
        expectInvalid("momentum") { _ = try SGD(store: ps, learningRate: 0.1, momentum: -0.5) }
    }

    @Test("NaN weight decay is rejected")
    func nanWeightDecay() throws {
        let ps = try makeStore()
        expectInvalid("weight decay") { _ = try Adam(store: ps, weightDecay: .nan) }
        expectInvalid("weight decay") { _ = try SGD(store: ps, learningRate: 0.1, weightDecay: .nan) }
    }

    // MARK: State and clipping

    @Test("stateTensors names follow PyTorch's state_dict keys")
    func stateTensorNames() throws {
        let layout = ParameterStore.Layout()
        let a = layout.parameter("encoder.0.weight", shape: [2, 3]), b = layout.parameter("encoder.0.bias", shape: [2])
        let store = try ParameterStore(layout)
        #expect(store.parameters.map(\.name) == [a.name, b.name])
        let adam = try Adam(parameters: [a, b])
        #expect(adam.stateTensors.map(\.name) == ["encoder.0.weight.exp_avg", "encoder.0.weight.exp_avg_sq",
                                                  "encoder.0.bias.exp_avg", "encoder.0.bias.exp_avg_sq"])
        #expect(adam.stateTensors.map(\.tensor.shape) == [[2, 3], [2, 3], [2], [2]])
        let adamW = try AdamW(parameters: [a, b])
        #expect(adamW.stateTensors.map(\.name) == adam.stateTensors.map(\.name))
        let sgd = try SGD(parameters: [a, b], learningRate: 0.1, momentum: 0.9)
        #expect(sgd.stateTensors.map(\.name) == ["encoder.0.weight.velocity", "encoder.0.bias.velocity"])
    }

    @Test("clipGradients(maxNorm:) scales to the norm and returns the norm before")
    func clipping() throws {
        let layout = ParameterStore.Layout()
        let a = layout.parameter("a", shape: [2]), b = layout.parameter("b", shape: [1])
        let store = try ParameterStore(layout) // a's and b's views keep its memory alive
        #expect(store.parameters.count == 2)
        _ = a.gradient.buffer.update(fromContentsOf: [3, 4] as [Float])
        _ = b.gradient.buffer.update(fromContentsOf: [12] as [Float]) // ‖(3, 4, 12)‖ = 13
        let parameters = [a, b]
        #expect(parameters.gradientNorm() == 13)
        #expect(parameters.clipGradients(maxNorm: 100) == 13) // under the limit: untouched
        #expect(a.gradient.values == [3, 4] && b.gradient.values == [12])
        #expect(parameters.clipGradients(maxNorm: 6.5) == 13)
        #expect(isClose(parameters.gradientNorm(), 6.5, relative: 1e-6))
        #expect(a.gradient.values == [1.5, 2] && b.gradient.values == [6]) // direction kept
        parameters.zeroGradients()
        #expect(parameters.clipGradients(maxNorm: 1) == 0) // zero gradients stay zero, no NaN
        #expect(a.gradient.values == [0, 0])
    }
}
