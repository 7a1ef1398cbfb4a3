// ConvolutionLayerTests: Conv2d, ConvTranspose2d, BatchNorm and Reshape as layers: gradient
// checks against finite differences (GradientCheck.swift) for each and for a small
// conv → BatchNorm → LeakyReLU → conv-transpose network end to end, PyTorch's output sizes and
// weight shapes, training and evaluation mode, shape errors that name both shapes, and zero
// heap allocations per steady-state training step of a network with every new layer.
import CAllocationCounter
import CVAEGAN
import Testing
@testable import VAEGAN

@Suite(.serialized) struct ConvolutionLayerTests {
    static let rows = 3, capacity = 4

    /// (Not tanh: with 27 terms sharing each weight, tanh's curvature puts the finite
    /// difference's truncation error above the 1% tolerance; Dense's check covers tanh.)
    @Test("Conv2d: input, weight and bias gradients", arguments: [Activation.identity, .leakyReLU(slope: 0.2), .sigmoid])
    func conv2dGradients(activation: Activation) throws {
        let (conv, _) = try withStore(seed: 3) { layout throws(VAEGANError) in
            try Conv2d(name: "conv", input: ImageShape(channels: 2, height: 6, width: 6), outputChannels: 3,
                       kernel: 4, stride: 2, padding: 1, activation: activation,
                       batchCapacity: Self.capacity, parameters: layout)
        }
        #expect(conv.outputImage == ImageShape(channels: 3, height: 3, width: 3) && conv.outputShape == [3, 3, 3])
        #expect(conv.weight.shape == [3, 2, 4, 4])
        try checkLayerGradients(conv, name: "conv2d.\(activation)", activation: activation)
    }

    @Test("ConvTranspose2d: input, weight and bias gradients, with output padding", arguments: [0, 1])
    func convTranspose2dGradients(outputPadding: Int) throws {
        let (conv, _) = try withStore(seed: 4) { layout throws(VAEGANError) in
            try ConvTranspose2d(name: "deconv", input: ImageShape(channels: 3, height: 3, width: 3),
                                outputChannels: 2, kernel: 3, stride: 2, padding: 1, outputPadding: outputPadding,
                                activation: .sigmoid, batchCapacity: Self.capacity, parameters: layout)
        }
        #expect(conv.outputImage == ImageShape(channels: 2, height: 5 + outputPadding, width: 5 + outputPadding))
        #expect(conv.weight.shape == [3, 2, 3, 3])
        try checkLayerGradients(conv, name: "conv_transpose2d.op\(outputPadding)", activation: .sigmoid)
    }

    @Test("BatchNorm (training mode) over channels and over features: input, γ and β gradients",
          arguments: [(3, 4), (5, 1)])
    func batchNormGradients(channels: Int, spatial: Int) throws {
        let (norm, _) = try withStore(seed: 0) { layout throws(VAEGANError) in
            try BatchNorm(name: "norm", channels: channels, spatial: spatial, batchCapacity: Self.capacity,
                          parameters: layout)
        }
        // γ and β away from 1 and 0, so their gradients are checked at a general point.
        var rng = RandomGenerator(seed: 9)
        rng.fillUniform(norm.weight.value.pointer, count: channels)
        for i in 0..<channels { norm.weight.value.pointer[i] += 0.5 }
        rng.fillNormal(norm.bias.value.pointer, count: channels)
        try checkLayerGradients(norm, name: "batchnorm.C\(channels)S\(spatial)", activation: .identity)
    }

    @Test("conv → BatchNorm2d → LeakyReLU → reshape → conv-transpose, end to end: every gradient")
    func smallNetworkGradients() throws {
        let ((conv, norm, deconv), _) = try withStore(seed: 5) { layout throws(VAEGANError) in
            (try Conv2d(name: "net.0", input: ImageShape(channels: 1, height: 6, width: 6), outputChannels: 2,
                        kernel: 4, stride: 2, padding: 1, batchCapacity: Self.capacity, parameters: layout),
             try BatchNorm(name: "net.1", channels: 2, spatial: 9, batchCapacity: Self.capacity, parameters: layout),
             try ConvTranspose2d(name: "net.3", input: ImageShape(channels: 2, height: 3, width: 3),
                                 outputChannels: 1, kernel: 4, stride: 2, padding: 1,
                                 batchCapacity: Self.capacity, parameters: layout))
        }
        let act = try ActivationLayer(.leakyReLU(slope: 0.2), width: 18, batchCapacity: Self.capacity)
        let flat = try Reshape(from: [2, 3, 3], to: [18], batchCapacity: Self.capacity)
        let back = try Reshape(from: [18], to: [2, 3, 3], batchCapacity: Self.capacity)
        let network = Sequential([conv, norm, act, flat, back, deconv])
        #expect(network.inputWidth == 36 && network.outputWidth == 36)
        // Batch norm couples every unit of a channel, so one coordinate's ±h moves all of them
        // toward or past the LeakyReLU's kink: a step of 1e-3 keeps most coordinates clear. Ten
        // times the rounding error of the default step comes with it (≈ u·|ΔL|/h, GradientCheck),
        // so the tolerance is 3% or 1e-3 absolute; a wrong formula is still an O(1) error.
        let x = Tensor.normal([Self.rows, network.inputWidth], seed: 1)
        try checkLayerGradients(network, name: "conv-bn-lrelu-deconv", activation: .identity, input: x, step: 1e-3,
                                tolerance: GradientTolerance(relative: 3e-2, absolute: 1e-3),
                                kinks: { kinkPattern(act.forward(norm.forward(conv.forward(x.matrix))), .leakyReLU(slope: 0.2)) })
    }

    @Test("sharingParameters on conv → BatchNorm → conv-transpose: own activations, shared parameters and statistics")
    func convolutionPasses() throws {
        let (network, _) = try withStore(seed: 6) { layout throws(VAEGANError) in Sequential([
            try Conv2d(name: "n.0", input: ImageShape(channels: 1, height: 6, width: 6), outputChannels: 2, kernel: 4,
                       stride: 2, padding: 1, activation: .leakyReLU(slope: 0.2), batchCapacity: Self.capacity,
                       parameters: layout),
            try BatchNorm(name: "n.1", channels: 2, spatial: 9, batchCapacity: Self.capacity, parameters: layout),
            try Reshape(from: [18], to: [2, 3, 3], batchCapacity: Self.capacity),
            try ConvTranspose2d(name: "n.2", input: ImageShape(channels: 2, height: 3, width: 3), outputChannels: 1,
                                kernel: 4, stride: 2, padding: 1, batchCapacity: Self.capacity, parameters: layout),
        ]) }
        let pass = try network.sharingParameters()
        #expect(zip(network.parameters, pass.parameters).allSatisfy { $0 === $1 })
        let x1 = Tensor.normal([Self.rows, 36], seed: 1), x2 = Tensor.normal([Self.rows, 36], seed: 2)
        let dy = Tensor.normal([Self.rows, 36], seed: 3)
        network.parameters.zeroGradients()
        _ = network.forward(x1.matrix)
        let reference = network.backward(dy.matrix).values
        let referenceGradients = network.parameters.map(\.gradient.values)
        let norm = try #require(network.layers[1] as? BatchNorm)
        let meanAfterOne = norm.runningMean.values

        network.parameters.zeroGradients()
        _ = network.forward(x1.matrix)
        _ = pass.forward(x2.matrix)
        #expect(norm.runningMean.values != meanAfterOne, "the pass's forward updates the shared running statistics")
        #expect(network.backward(dy.matrix).values == reference)
        #expect(network.parameters.map(\.gradient.values) == referenceGradients)
    }

    /// L = Σ w·y for fixed random w; every parameter and the input against finite differences.
    private func checkLayerGradients(_ layer: any Layer, name: String, activation: Activation, input: Tensor? = nil,
                                     step: Float = 1e-2, tolerance: GradientTolerance = .float,
                                     kinks: (() -> [Bool])? = nil) throws {
        let x = input ?? Tensor.normal([Self.rows, layer.inputWidth], seed: 1)
        let w = Tensor.normal([Self.rows, layer.outputWidth], seed: 2)
        let loss = { weightedSum(w.matrix, layer.forward(x.matrix)) }
        let kinkCheck = kinks ?? { kinkPattern(layer.forward(x.matrix), activation) }
        layer.parameters.zeroGradients()
        _ = layer.forward(x.matrix)
        let dx = layer.backward(w.matrix)
        #expect(dx.rows == Self.rows && dx.columns == layer.inputWidth)
        let inputGradient = dx.values
        checkGradient("\(name).input", of: x.pointer, count: x.count, analytic: inputGradient, tolerance: tolerance,
                      step: step, kinks: kinkCheck, loss: loss)
        for parameter in layer.parameters {
            checkGradient("\(name).\(parameter.name)", of: parameter.value.pointer, count: parameter.value.count,
                          analytic: parameter.gradient.values, tolerance: tolerance, step: step, kinks: kinkCheck,
                          loss: loss)
        }
    }

    @Test("BatchNorm: running statistics move as PyTorch's; evaluation mode uses them and leaves them alone")
    func batchNormModes() throws {
        let (norm, store) = try withStore(seed: 0) { layout throws(VAEGANError) in
            try BatchNorm(name: "norm", channels: 2, spatial: 3, batchCapacity: 4, parameters: layout)
        }
        #expect(store.state.map(\.name) == ["norm.running_mean", "norm.running_var", "norm.num_batches_tracked"],
                "state, saved in checkpoints")
        #expect(norm.runningMean.values == [0, 0] && norm.runningVariance.values == [1, 1] && norm.weight.value.values == [1, 1])
        let x = Tensor.normal([4, 6], seed: 7, scale: 2, offset: 1)
        _ = norm.forward(x.matrix)
        #expect(norm.batchesTracked == 1)
        // Channel 0 holds columns 0, 1, 2 of every row: 12 values.
        let values = (0..<4).flatMap { r in (0..<3).map { Double(x.pointer[r * 6 + $0]) } }
        let mean = values.reduce(0, +) / 12
        let unbiased = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 11
        #expect(abs(Double(norm.runningMean.pointer[0]) - 0.1 * mean) < 1e-6)
        #expect(abs(Double(norm.runningVariance.pointer[0]) - (0.9 + 0.1 * unbiased)) < 1e-5)
        norm.isTraining = false
        let before = norm.runningMean.values
        let y = norm.forward(x.matrix)
        #expect(norm.runningMean.values == before && norm.batchesTracked == 1)
        let expected = (Double(x.pointer[0]) - Double(norm.runningMean.pointer[0]))
            / (Double(norm.runningVariance.pointer[0]) + 1e-5).squareRoot()
        #expect(abs(Double(y.base[0]) - expected) < 1e-5)
    }

    @Test("Reshape moves no data; bad geometries and mismatched reshapes are refused naming both shapes")
    func shapes() throws {
        let reshape = try Reshape(from: [6272], to: [128, 7, 7], batchCapacity: 2)
        let x = Tensor.normal([2, 6272], seed: 1)
        #expect(reshape.forward(x.matrix).base == x.pointer)
        #expect(throws: VAEGANError.self) { try Reshape(from: [10], to: [3, 3], batchCapacity: 2) }
        do {
            _ = try Reshape(from: [10], to: [3, 3], batchCapacity: 2)
        } catch {
            #expect(error.message.contains("[10]") && error.message.contains("[3, 3]"), "\(error.message)")
        }
        // Every layer knows its shapes; a checked chain refuses a link that does not fit.
        let layout = ParameterStore.Layout()
        let conv = try Conv2d(name: "c", input: ImageShape(channels: 1, height: 8, width: 8), outputChannels: 2,
                              kernel: 4, stride: 2, padding: 1, batchCapacity: 2, parameters: layout)
        let dense = try Dense(name: "d", inputWidth: 32, outputWidth: 3, batchCapacity: 2, parameters: layout)
        #expect(conv.inputShape == [1, 8, 8] && conv.outputShape == [2, 4, 4] && dense.inputShape == [32])
        do {
            _ = try Sequential(checking: [conv, dense])
            Issue.record("a dense layer after a conv without a flatten was accepted")
        } catch {
            #expect(error.status == VG_ERROR_SHAPE_MISMATCH)
            #expect(error.message.contains("takes [32], but layer 0 (Conv2d) gives [2, 4, 4]"), "\(error.message)")
        }
        let flat = try Sequential(checking: [conv, try Reshape(from: [2, 4, 4], to: [32], batchCapacity: 2), dense])
        #expect(flat.inputShape == [1, 8, 8] && flat.outputShape == [3])
        do {
            _ = try Conv2d(name: "tiny", input: ImageShape(channels: 1, height: 2, width: 2), outputChannels: 1,
                           kernel: 5, batchCapacity: 1, parameters: ParameterStore.Layout())
            Issue.record("a 5×5 kernel on a 2×2 input was accepted")
        } catch {
            #expect(error.status == VG_ERROR_SHAPE_MISMATCH)
            #expect(error.message.contains("tiny on input [1, 2, 2]") && error.message.contains("no output"), "\(error.message)")
        }
    }

    @Test("A steady-state training step of a network with every new layer allocates nothing, on 1 and 2 threads",
          arguments: [1, 2])
    func stepAllocatesNothing(threads: Int) throws {
        let previous = Threads.count
        try Threads.set(threads)
        defer { try? Threads.set(previous) }
        let batch = 32
        let (network, store) = try withStore(seed: 1) { layout throws(VAEGANError) in Sequential([
            try Conv2d(name: "d.0", input: ImageShape(channels: 1, height: 28, width: 28), outputChannels: 8, kernel: 4,
                       stride: 2, padding: 1, activation: .leakyReLU(slope: 0.2), batchCapacity: batch, parameters: layout),
            try Conv2d(name: "d.1", input: ImageShape(channels: 8, height: 14, width: 14), outputChannels: 16, kernel: 4,
                       stride: 2, padding: 1, batchCapacity: batch, parameters: layout),
            try BatchNorm(name: "d.2", channels: 16, spatial: 49, batchCapacity: batch, parameters: layout),
            try ActivationLayer(.relu, width: 16 * 49, batchCapacity: batch),
            try Reshape(from: [16, 7, 7], to: [784], batchCapacity: batch),
            try Reshape(from: [784], to: [16, 7, 7], batchCapacity: batch),
            try ConvTranspose2d(name: "g.0", input: ImageShape(channels: 16, height: 7, width: 7), outputChannels: 4,
                                kernel: 4, stride: 2, padding: 1, activation: .relu, batchCapacity: batch, parameters: layout),
            try ConvTranspose2d(name: "g.1", input: ImageShape(channels: 4, height: 14, width: 14), outputChannels: 1,
                                kernel: 4, stride: 2, padding: 1, activation: .sigmoid, batchCapacity: batch,
                                parameters: layout),
        ]) }
        let adam = try Adam(store: store, learningRate: 1e-3)
        let x = Tensor.uniform([batch, 784], seed: 2)
        let target = Tensor.uniform([batch, 784], seed: 3)
        let gradient = Tensor(shape: [batch, 784])
        let input = x.matrix, outputGradient = gradient.matrix  // (Tensor.matrix allocates in debug builds)
        func step() {
            store.zeroGradients()
            let y = network.forward(input)
            var loss = 0.0
            vg_squared_error(&loss, gradient.pointer, y.base, target.pointer, Int64(y.count), 1 / Float(batch))
            network.backward(outputGradient)
            adam.step()
        }
        // Other suites share the pool; when it is busy, this thread runs its GEMMs itself, with
        // a scratch buffer of its own, allocated on first need: reserve it before counting.
        #expect(vg_thread_scratch_reserve() == VG_OK)
        step()
        step()
        allocation_counter_start()
        for _ in 0..<3 { step() }
        let count = allocation_counter_stop()
        #expect(count == 0, "\(count) allocations in 3 steps on \(threads) threads")
    }
}
