// ActivationLayer: an activation on its own, for networks built layer by layer. (Dense fuses
// its activation; this layer is for the places that have none to fuse into.)
import CVAEGAN

/// Applies an `Activation` element-wise.
public final class ActivationLayer: Layer {
    public let activation: Activation
    public let inputWidth: Int
    public var outputWidth: Int { inputWidth }
    public let batchCapacity: Int
    public var parameters: [Parameter] { [] }

    private let output: Tensor
    private let inputGradient: Tensor

    /// - Throws: `.outOfMemory` when its buffers cannot be allocated.
    /// The shape of one example, for networks that check shapes ([width] unless given).
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }

    public init(_ activation: Activation, width: Int, shape: [Int]? = nil, batchCapacity: Int) throws(VAEGANError) {
        precondition(shape == nil || shape!.reduce(1, *) == width, "ActivationLayer: shape \(shape!) is not \(width) values")
        inputShape = shape ?? [width]
        precondition(width > 0 && batchCapacity > 0, "ActivationLayer: sizes must be positive")
        self.activation = activation
        self.inputWidth = width
        self.batchCapacity = batchCapacity
        output = try .zeros([batchCapacity, width])
        inputGradient = try .zeros([batchCapacity, width])
    }

    public func sharingParameters() throws(VAEGANError) -> ActivationLayer {
        try ActivationLayer(activation, width: inputWidth, shape: inputShape, batchCapacity: batchCapacity)
    }

    private var lastRows = 0

    public func forward(_ input: Matrix) -> Matrix {
        checkInput(input)
        lastRows = input.rows
        let y = Matrix(output.pointer, rows: input.rows, columns: inputWidth)
        y.copy(from: input)
        vg_bias_activation_forward(y.base, nil, Int64(y.rows), Int64(y.columns), activation.kind, activation.alpha)
        return y
    }

    @discardableResult
    public func backward(_ outputGradient: Matrix, computeInputGradient: Bool,
                         accumulateParameterGradients: Bool) -> Matrix {
        precondition(outputGradient.rows == lastRows && outputGradient.columns == inputWidth,
                     "ActivationLayer.backward: gradient shape does not match the forward")
        guard computeInputGradient else { return Matrix(inputGradient.pointer, rows: 0, columns: inputWidth) }
        vg_activation_backward(inputGradient.pointer, outputGradient.base, output.pointer,
                               Int64(outputGradient.count), activation.kind, activation.alpha)
        return Matrix(inputGradient.pointer, rows: lastRows, columns: inputWidth)
    }
}
