// LayerGradientTests: Dense, ActivationLayer and a Sequential MLP against finite differences
// (GradientCheck.swift), and the gradient-buffer contract of Layer.backward: it accumulates,
// zeroGradients resets, and either half of the work can be skipped.
//
// Shapes are small (3 rows of 5 → 4 → 3) and the layers have capacity 4, so the views with fewer
// rows than the capacity are exercised too. The scalar loss is L = Σ w·y with fixed random w,
// so ∂L/∂y = w.
import Testing
@testable import VAEGAN

@Suite struct LayerGradientTests {
    static let activations: [Activation] = [.identity, .relu, .leakyReLU(slope: 0.2), .sigmoid, .tanh]
    static let rows = 3, capacity = 4

    /// A layer built by `make` with its parameters in a store of their own, initialized from `seed`.
    static func built<L>(seed: UInt64, _ make: (ParameterStore.Layout) throws(VAEGANError) -> L) throws -> L {
        try withStore(seed: seed, make).0
    }

    private func makeDense(_ activation: Activation, seed: UInt64 = 11) throws -> Dense {
        try Self.built(seed: seed) { layout throws(VAEGANError) in
            try Dense(name: "dense", inputWidth: 5, outputWidth: 4, activation: activation,
                      batchCapacity: Self.capacity, parameters: layout)
        }
    }

    @Test("Dense: input, weight and bias gradients", arguments: activations)
    func denseGradients(activation: Activation) throws {
        let dense = try makeDense(activation)
        let x = Tensor.normal([Self.rows, 5], seed: 1)
        let w = Tensor.normal([Self.rows, 4], seed: 2)
        let loss = { weightedSum(w.matrix, dense.forward(x.matrix)) }
        let kinks = { kinkPattern(dense.forward(x.matrix), activation) }

        dense.parameters.zeroGradients()
        _ = dense.forward(x.matrix)
        let dx = dense.backward(w.matrix)
        #expect(dx.rows == Self.rows && dx.columns == 5)
        let inputGradient = dx.values
        let weightGradient = dense.weight.gradient.values
        let biasGradient = dense.bias.gradient.values

        let name = "dense.\(activation)"
        checkGradient("\(name).input", of: x, analytic: inputGradient, kinks: kinks, loss: loss)
        checkGradient("\(name).weight", of: dense.weight.value, analytic: weightGradient, kinks: kinks, loss: loss)
        checkGradient("\(name).bias", of: dense.bias.value, analytic: biasGradient, kinks: kinks, loss: loss)
    }

    @Test("ActivationLayer: input gradient", arguments: activations)
    func activationLayerGradient(activation: Activation) throws {
        let layer = try ActivationLayer(activation, width: 5, batchCapacity: Self.capacity)
        // Away from 0 (|x| ≥ 0.3) so no perturbation reaches a ReLU kink.
        let x = Tensor.normal([Self.rows, 5], seed: 3)
        for i in 0..<x.count { x.pointer[i] += x.pointer[i] >= 0 ? 0.3 : -0.3 }
        let w = Tensor.normal([Self.rows, 5], seed: 4)
        let loss = { weightedSum(w.matrix, layer.forward(x.matrix)) }

        _ = layer.forward(x.matrix)
        let dx = layer.backward(w.matrix)
        #expect(dx.rows == Self.rows && dx.columns == 5)
        #expect(layer.parameters.isEmpty)
        checkGradient("activation.\(activation).input", of: x, analytic: dx.values,
                      kinks: { kinkPattern(layer.forward(x.matrix), activation) }, loss: loss)
    }

    @Test("Sequential.mlp 5→4→3: input and every parameter, L = Σ (y − t)²",
          arguments: [(Activation.relu, Activation.identity), (.tanh, .sigmoid), (.leakyReLU(slope: 0.2), .tanh)])
    func mlpGradients(hidden: Activation, output: Activation) throws {
        let mlp = try Self.built(seed: 21) { layout throws(VAEGANError) in
            try Sequential.mlp(name: "mlp", widths: [5, 4, 3], hidden: hidden, output: output,
                               batchCapacity: Self.capacity, parameters: layout)
        }
        let x = Tensor.normal([Self.rows, 5], seed: 5)
        let target = Tensor.uniform([Self.rows, 3], seed: 6)
        func loss() -> Double {
            let y = mlp.forward(x.matrix)
            var sum = 0.0
            for i in 0..<y.count { let d = Double(y.base[i]) - Double(target.pointer[i]); sum += d * d }
            return sum
        }
        // The hidden layer's kinks decide differentiability; the output's are checked as well.
        func kinks() -> [Bool] {
            let first = mlp.layers[0].forward(x.matrix)
            let hiddenPattern = kinkPattern(first, hidden)
            return hiddenPattern + kinkPattern(mlp.layers[1].forward(first), output)
        }

        let parameters = mlp.parameters
        #expect(parameters.map(\.name) == ["mlp.0.weight", "mlp.0.bias", "mlp.1.weight", "mlp.1.bias"])
        parameters.zeroGradients()
        let y = mlp.forward(x.matrix)
        let dy = Tensor(shape: [Self.rows, 3]) // ∂L/∂y = 2(y − t)
        for i in 0..<dy.count { dy.pointer[i] = 2 * (y.base[i] - target.pointer[i]) }
        let inputGradient = mlp.backward(dy.matrix).values
        let gradients = parameters.map(\.gradient.values)

        let name = "mlp.\(hidden)→\(output)"
        checkGradient("\(name).input", of: x, analytic: inputGradient, kinks: kinks, loss: loss)
        for (parameter, gradient) in zip(parameters, gradients) {
            checkGradient("\(name).\(parameter.name)", of: parameter.value, analytic: gradient,
                          kinks: kinks, loss: loss)
        }
    }

    // MARK: The gradient-buffer contract

    @Test("Two backward calls double the parameter gradients; zeroGradients resets them")
    func backwardAccumulates() throws {
        let dense = try makeDense(.tanh)
        let x = Tensor.normal([Self.rows, 5], seed: 7)
        let dy = Tensor.normal([Self.rows, 4], seed: 8)
        dense.parameters.zeroGradients()
        _ = dense.forward(x.matrix)
        let firstInput = dense.backward(dy.matrix).values
        let once = dense.parameters.map(\.gradient.values)
        let secondInput = dense.backward(dy.matrix).values
        let twice = dense.parameters.map(\.gradient.values)
        for (a, b) in zip(once.joined(), twice.joined()) {
            #expect(isClose(Double(b), 2 * Double(a), relative: 1e-6), "\(b) is not twice \(a)")
        }
        #expect(once.joined().contains { $0 != 0 })
        // The input gradient is overwritten, not accumulated.
        #expect(firstInput == secondInput)

        dense.parameters.zeroGradients()
        #expect(dense.parameters.allSatisfy { $0.gradient.values.allSatisfy { $0 == 0 } })
    }

    @Test("accumulateParameterGradients: false leaves the gradients alone")
    func skipParameterGradients() throws {
        let dense = try makeDense(.sigmoid)
        let x = Tensor.normal([Self.rows, 5], seed: 9)
        let dy = Tensor.normal([Self.rows, 4], seed: 10)
        _ = dense.forward(x.matrix)
        dense.parameters.zeroGradients()
        let reference = dense.backward(dy.matrix).values
        // Mark the gradients with a sentinel; a skipped accumulation must leave it in place.
        for p in dense.parameters { p.gradient.buffer.update(repeating: 7) }
        let dx = dense.backward(dy.matrix, computeInputGradient: true, accumulateParameterGradients: false)
        #expect(dense.parameters.allSatisfy { $0.gradient.values.allSatisfy { $0 == 7 } })
        #expect(dx.rows == Self.rows)
        #expect(dx.values == reference)
    }

    @Test("computeInputGradient: false returns an empty view and still accumulates")
    func skipInputGradient() throws {
        let dense = try makeDense(.relu)
        let x = Tensor.normal([Self.rows, 5], seed: 12)
        let dy = Tensor.normal([Self.rows, 4], seed: 13)
        _ = dense.forward(x.matrix)
        dense.parameters.zeroGradients()
        _ = dense.backward(dy.matrix)
        let reference = dense.parameters.map(\.gradient.values)
        dense.parameters.zeroGradients()
        let dx = dense.backward(dy.matrix, computeInputGradient: false, accumulateParameterGradients: true)
        #expect(dx.rows == 0 && dx.count == 0)
        #expect(dense.parameters.map(\.gradient.values) == reference)

        let activation = try ActivationLayer(.tanh, width: 5, batchCapacity: Self.capacity)
        _ = activation.forward(x.matrix)
        #expect(activation.backward(x.matrix, computeInputGradient: false, accumulateParameterGradients: true).count == 0)

        let mlp = try Self.built(seed: 14) { layout throws(VAEGANError) in
            try Sequential.mlp(name: "mlp", widths: [5, 4, 3], hidden: .tanh, output: .identity,
                               batchCapacity: Self.capacity, parameters: layout)
        }
        let dz = Tensor.normal([Self.rows, 3], seed: 15)
        _ = mlp.forward(x.matrix)
        mlp.parameters.zeroGradients()
        _ = mlp.backward(dz.matrix)
        let mlpReference = mlp.parameters.map(\.gradient.values)
        mlp.parameters.zeroGradients()
        let mlpInput = mlp.backward(dz.matrix, computeInputGradient: false, accumulateParameterGradients: true)
        #expect(mlpInput.count == 0)
        #expect(mlp.parameters.map(\.gradient.values) == mlpReference)
    }

    @Test("sharingParameters: each pass's backward reads its own forward; all passes share the gradients")
    func passesKeepTheirOwnActivations() throws {
        let mlp = try Self.built(seed: 16) { layout throws(VAEGANError) in
            try Sequential.mlp(name: "mlp", widths: [5, 4, 3], hidden: .relu, output: .sigmoid,
                               batchCapacity: Self.capacity, parameters: layout)
        }
        let pass = try mlp.sharingParameters()
        #expect(zip(mlp.parameters, pass.parameters).allSatisfy { $0 === $1 })
        let x1 = Tensor.normal([Self.rows, 5], seed: 17), x2 = Tensor.normal([Self.rows, 5], seed: 18)
        let dy1 = Tensor.normal([Self.rows, 3], seed: 19), dy2 = Tensor.normal([Self.rows, 3], seed: 20)
        func gradients(of network: Sequential, _ x: Tensor, _ dy: Tensor) -> (input: [Float], parameters: [[Float]]) {
            mlp.parameters.zeroGradients()
            _ = network.forward(x.matrix)
            let dx = network.backward(dy.matrix).values
            return (dx, mlp.parameters.map(\.gradient.values))
        }
        let first = gradients(of: mlp, x1, dy1), second = gradients(of: mlp, x2, dy2)

        mlp.parameters.zeroGradients()
        _ = mlp.forward(x1.matrix)
        _ = pass.forward(x2.matrix) // would overwrite the saved x1 activations in one instance
        #expect(mlp.backward(dy1.matrix).values == first.input)
        #expect(mlp.parameters.map(\.gradient.values) == first.parameters)
        #expect(pass.backward(dy2.matrix).values == second.input)
        for (index, p) in mlp.parameters.enumerated() {
            // Within rounding: how the GEMM adds into an existing gradient is its own business.
            let sum = zip(first.parameters[index], second.parameters[index]).map { Double($0 + $1) }
            #expect(zip(p.gradient.values, sum).allSatisfy { isClose(Double($0), $1, relative: 1e-6, absolute: 1e-7) },
                    "\(p.name): both passes accumulate into one gradient")
        }
    }
}
