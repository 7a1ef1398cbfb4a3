// Dense: the fully connected layer y = act(x · Wᵀ + b), with the activation fused into the
// pass that adds the bias (one GEMM and one element-wise pass forward).
import CVAEGAN

/// A fully connected layer with weight [out, in] and bias [out], as PyTorch's nn.Linear.
///
/// ```swift
/// let layout = ParameterStore.Layout()
/// let layer = try Dense(name: "encoder.0", inputWidth: 784, outputWidth: 512, activation: .relu,
///                       batchCapacity: 128, parameters: layout)
/// var rng = RandomGenerator(seed: 0)
/// let store = try ParameterStore(layout, initializingWith: &rng)  // weight and bias exist now
/// let h = layer.forward(x)        // (rows, 512)
/// let dx = layer.backward(dh)     // accumulates weight and bias gradients
/// ```
public final class Dense: Layer {
    public let inputWidth: Int
    public let outputWidth: Int
    public let batchCapacity: Int
    public let activation: Activation
    public let weight: Parameter
    public let bias: Parameter
    public var parameters: [Parameter] { [weight, bias] }

    private let output: Tensor            // y, (capacity, out)
    private let preactivationGradient: Tensor? // ∂L/∂(x·Wᵀ+b), only when act ≠ identity
    private let inputGradient: Tensor     // ∂L/∂x, (capacity, in)
    private var lastInput: Matrix?        // the backward needs x for ∂W

    /// Declares weight and bias in `layout` (initialized by `initialization` when the store is
    /// made) and allocates the layer's buffers for `batchCapacity` rows.
    ///
    /// - Throws: `.outOfMemory` when a buffer cannot be allocated.
    public init(name: String, inputWidth: Int, outputWidth: Int, activation: Activation = .identity,
                initialization: Initialization = .pytorchDefault, batchCapacity: Int,
                parameters layout: ParameterStore.Layout) throws(VAEGANError) {
        precondition(inputWidth > 0 && outputWidth > 0 && batchCapacity > 0,
                     "Dense \(name): sizes must be positive")
        self.inputWidth = inputWidth
        self.outputWidth = outputWidth
        self.batchCapacity = batchCapacity
        self.activation = activation
        let weight = layout.parameter("\(name).weight", shape: [outputWidth, inputWidth])
        let bias = layout.parameter("\(name).bias", shape: [outputWidth])
        self.weight = weight
        self.bias = bias
        output = try .zeros([batchCapacity, outputWidth])
        preactivationGradient = activation == .identity ? nil : try .zeros([batchCapacity, outputWidth])
        inputGradient = try .zeros([batchCapacity, inputWidth])
        layout.initialize { rng throws(VAEGANError) in
            try initialization.apply(weight: weight.value, bias: bias.value, using: &rng)
        }
    }

    /// `other`'s weight and bias, with buffers of its own.
    private init(sharing other: Dense) throws(VAEGANError) {
        inputWidth = other.inputWidth
        outputWidth = other.outputWidth
        batchCapacity = other.batchCapacity
        activation = other.activation
        weight = other.weight
        bias = other.bias
        output = try .zeros([batchCapacity, outputWidth])
        preactivationGradient = activation == .identity ? nil : try .zeros([batchCapacity, outputWidth])
        inputGradient = try .zeros([batchCapacity, inputWidth])
    }

    public func sharingParameters() throws(VAEGANError) -> Dense { try Dense(sharing: self) }

    public func forward(_ input: Matrix) -> Matrix {
        checkInput(input)
        lastInput = input
        let y = Matrix(output.pointer, rows: input.rows, columns: outputWidth)
        let status = vg_dense_forward(y.base, input.base, weight.value.pointer, bias.value.pointer,
                                      Int64(input.rows), Int64(inputWidth), Int64(outputWidth),
                                      activation.kind, activation.alpha)
        precondition(status == VG_OK, String(cString: vg_last_error_message()))
        return y
    }

    @discardableResult
    public func backward(_ outputGradient: Matrix, computeInputGradient: Bool,
                         accumulateParameterGradients: Bool) -> Matrix {
        guard let x = lastInput else { preconditionFailure("Dense.backward before forward") }
        precondition(outputGradient.rows == x.rows && outputGradient.columns == outputWidth,
                     "Dense.backward: gradient (\(outputGradient.rows), \(outputGradient.columns)) for output (\(x.rows), \(outputWidth))")
        let rows = x.rows
        var dz = outputGradient.base
        if let buffer = preactivationGradient { // y = act(z)  →  dz = dy · act'(z), from y
            vg_activation_backward(buffer.pointer, outputGradient.base, output.pointer,
                                   Int64(rows * outputWidth), activation.kind, activation.alpha)
            dz = buffer.pointer
        }
        let dx: UnsafeMutablePointer<Float>? = computeInputGradient ? inputGradient.pointer : nil
        let status = vg_dense_backward(
            dx, accumulateParameterGradients ? weight.gradient.pointer : nil,
            accumulateParameterGradients ? bias.gradient.pointer : nil, dz, x.base,
            weight.value.pointer, Int64(rows), Int64(inputWidth), Int64(outputWidth), 0)
        precondition(status == VG_OK, String(cString: vg_last_error_message()))
        return Matrix(inputGradient.pointer, rows: computeInputGradient ? rows : 0, columns: inputWidth)
    }
}
