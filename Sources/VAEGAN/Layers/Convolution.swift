// Convolution: Conv2d and ConvTranspose2d as layers. Rows are examples, each C·H·W consecutive
// floats (NCHW), so a convolution is a Layer from C·H·W to C'·H'·W' columns like any other; its
// image shapes say how those columns are laid out. The arithmetic is the C core's (conv.c:
// im2col/col2im around the GEMM, bias and activation fused into the forward).
import CVAEGAN

/// The shape of one example's image: channels, height, width (NCHW without the batch).
public struct ImageShape: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Floats per example.
    public var count: Int { channels * height * width }
    public var description: String { "[\(channels), \(height), \(width)]" }
    /// [channels, height, width].
    public var dimensions: [Int] { [channels, height, width] }
}

/// A 2-D convolution with weight [out, in, k, k] and bias [out], as PyTorch's nn.Conv2d (square
/// kernel, the same stride and padding in both directions), with an optional fused activation.
///
/// ```swift
/// let layout = ParameterStore.Layout()
/// let conv = try Conv2d(name: "discriminator.0", input: ImageShape(channels: 1, height: 28, width: 28),
///                       outputChannels: 64, kernel: 4, stride: 2, padding: 1,
///                       activation: .leakyReLU(slope: 0.2), batchCapacity: 128, parameters: layout)
/// conv.outputShape        // [64, 14, 14]; conv.outputImage is the same as an ImageShape
/// ```
public final class Conv2d: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let parameters: [Parameter]
    private let engine: ConvolutionEngine

    public var inputImage: ImageShape { engine.inputImage }
    public var outputImage: ImageShape { engine.outputImage }
    public var kernel: Int { engine.kernel }
    public var stride: Int { engine.stride }
    public var padding: Int { engine.padding }
    public var activation: Activation { engine.activation }
    public var batchCapacity: Int { engine.batchCapacity }
    public var inputShape: [Int] { inputImage.dimensions }
    public var outputShape: [Int] { outputImage.dimensions }
    public var inputWidth: Int { inputImage.count }
    public var outputWidth: Int { outputImage.count }

    public init(name: String, input: ImageShape, outputChannels: Int, kernel: Int, stride: Int = 1,
                padding: Int = 0, bias hasBias: Bool = true, activation: Activation = .identity,
                initialization: Initialization = .pytorchDefault, batchCapacity: Int,
                parameters layout: ParameterStore.Layout) throws(VAEGANError) {
        engine = try ConvolutionEngine(name: name, transposed: false, input: input, outputChannels: outputChannels,
                                       kernel: kernel, stride: stride, padding: padding, outputPadding: 0,
                                       activation: activation, batchCapacity: batchCapacity,
                                       workspace: layout.scratch(floats:))
        (weight, bias, parameters) = ConvolutionEngine.declare(
            name, weight: [outputChannels, input.channels, kernel, kernel], outputChannels: outputChannels,
            hasBias: hasBias, fanIn: input.channels * kernel * kernel, fanOut: outputChannels * kernel * kernel,
            initialization: initialization, in: layout)
    }

    /// `other`'s weight and bias, with buffers of its own.
    private init(sharing other: Conv2d) throws(VAEGANError) {
        engine = try ConvolutionEngine(copying: other.engine)
        (weight, bias, parameters) = (other.weight, other.bias, other.parameters)
    }

    public func sharingParameters() throws(VAEGANError) -> Conv2d { try Conv2d(sharing: self) }

    public func forward(_ input: Matrix) -> Matrix {
        checkInput(input)
        return engine.forward(input, weight: weight, bias: bias)
    }

    @discardableResult
    public func backward(_ outputGradient: Matrix, computeInputGradient: Bool,
                         accumulateParameterGradients: Bool) -> Matrix {
        engine.backward(outputGradient, weight: weight, bias: bias, computeInputGradient: computeInputGradient,
                        accumulateParameterGradients: accumulateParameterGradients)
    }
}

/// A 2-D transposed convolution with weight [in, out, k, k] and bias [out], as PyTorch's
/// nn.ConvTranspose2d: output size (H − 1)·stride − 2·padding + kernel + outputPadding.
public final class ConvTranspose2d: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let parameters: [Parameter]
    private let engine: ConvolutionEngine

    public var inputImage: ImageShape { engine.inputImage }
    public var outputImage: ImageShape { engine.outputImage }
    public var kernel: Int { engine.kernel }
    public var stride: Int { engine.stride }
    public var padding: Int { engine.padding }
    public var outputPadding: Int { engine.outputPadding }
    public var activation: Activation { engine.activation }
    public var batchCapacity: Int { engine.batchCapacity }
    public var inputShape: [Int] { inputImage.dimensions }
    public var outputShape: [Int] { outputImage.dimensions }
    public var inputWidth: Int { inputImage.count }
    public var outputWidth: Int { outputImage.count }

    public init(name: String, input: ImageShape, outputChannels: Int, kernel: Int, stride: Int = 1,
                padding: Int = 0, outputPadding: Int = 0, bias hasBias: Bool = true,
                activation: Activation = .identity, initialization: Initialization = .pytorchDefault,
                batchCapacity: Int, parameters layout: ParameterStore.Layout) throws(VAEGANError) {
        engine = try ConvolutionEngine(name: name, transposed: true, input: input, outputChannels: outputChannels,
                                       kernel: kernel, stride: stride, padding: padding, outputPadding: outputPadding,
                                       activation: activation, batchCapacity: batchCapacity,
                                       workspace: layout.scratch(floats:))
        // PyTorch reads a transposed convolution's fan-in from its weight's dimension 1 (out).
        (weight, bias, parameters) = ConvolutionEngine.declare(
            name, weight: [input.channels, outputChannels, kernel, kernel], outputChannels: outputChannels,
            hasBias: hasBias, fanIn: outputChannels * kernel * kernel, fanOut: input.channels * kernel * kernel,
            initialization: initialization, in: layout)
    }

    /// `other`'s weight and bias, with buffers of its own.
    private init(sharing other: ConvTranspose2d) throws(VAEGANError) {
        engine = try ConvolutionEngine(copying: other.engine)
        (weight, bias, parameters) = (other.weight, other.bias, other.parameters)
    }

    public func sharingParameters() throws(VAEGANError) -> ConvTranspose2d { try ConvTranspose2d(sharing: self) }

    public func forward(_ input: Matrix) -> Matrix {
        checkInput(input)
        return engine.forward(input, weight: weight, bias: bias)
    }

    @discardableResult
    public func backward(_ outputGradient: Matrix, computeInputGradient: Bool,
                         accumulateParameterGradients: Bool) -> Matrix {
        engine.backward(outputGradient, weight: weight, bias: bias, computeInputGradient: computeInputGradient,
                        accumulateParameterGradients: accumulateParameterGradients)
    }
}

/// What both convolutions share: the geometry, the buffers sized once for the batch capacity,
/// the calls into conv.c, and the activation's backward.
final class ConvolutionEngine {
    let name: String
    let inputImage: ImageShape
    let outputImage: ImageShape
    let activation: Activation
    let batchCapacity: Int
    private let geometry: vg_conv_geometry
    private let workspace: Scratch              // im2col/col2im patches, during a call only
    private let output: Tensor                  // y, (capacity, out)
    private let preactivationGradient: Tensor?  // ∂L/∂(conv + b), only when act ≠ identity
    private let inputGradient: Tensor           // ∂L/∂x, (capacity, in)
    private var lastInput: Matrix?              // the backward needs x for ∂W

    init(name: String, transposed: Bool, input: ImageShape, outputChannels: Int, kernel: Int, stride: Int,
         padding: Int, outputPadding: Int, activation: Activation, batchCapacity: Int,
         workspace: (_ floats: Int) -> Scratch) throws(VAEGANError) {
        try require(batchCapacity > 0, "\(name): batch capacity must be positive, not \(batchCapacity)")
        var g = vg_conv_geometry()
        let status = vg_conv_geometry_init(&g, transposed, Int64(batchCapacity), Int64(input.channels),
                                           Int64(input.height), Int64(input.width), Int64(outputChannels),
                                           Int64(kernel), Int64(stride), Int64(padding), Int64(outputPadding))
        if status != VG_OK { // the C message, with the layer's name and input in front
            _ = vg_error_set(status, "\(name) on input \(input): \(String(cString: vg_last_error_message()))")
            try check(status)
        }
        self.name = name
        geometry = g
        inputImage = input
        outputImage = ImageShape(channels: outputChannels, height: Int(g.out_height), width: Int(g.out_width))
        self.activation = activation
        self.batchCapacity = batchCapacity
        self.workspace = workspace(Int(vg_conv_workspace_size(&g)))
        output = try .zeros([batchCapacity, outputImage.count])
        preactivationGradient = activation == .identity ? nil : try .zeros([batchCapacity, outputImage.count])
        inputGradient = try .zeros([batchCapacity, input.count])
    }

    /// The same convolution with buffers of its own (for a layer's second pass); the workspace
    /// stays the part's shared one.
    convenience init(copying other: ConvolutionEngine) throws(VAEGANError) {
        let g = other.geometry
        try self.init(name: other.name, transposed: g.transposed, input: other.inputImage,
                      outputChannels: other.outputImage.channels, kernel: Int(g.kernel), stride: Int(g.stride),
                      padding: Int(g.padding), outputPadding: Int(g.output_padding), activation: other.activation,
                      batchCapacity: other.batchCapacity, workspace: { _ in other.workspace })
    }

    var kernel: Int { Int(geometry.kernel) }
    var stride: Int { Int(geometry.stride) }
    var padding: Int { Int(geometry.padding) }
    var outputPadding: Int { Int(geometry.output_padding) }

    /// Declares a convolution's weight (and bias) in `layout`, initialized from its fan-in and
    /// fan-out once the store exists.
    static func declare(_ name: String, weight shape: [Int], outputChannels: Int, hasBias: Bool, fanIn: Int,
                        fanOut: Int, initialization: Initialization, in layout: ParameterStore.Layout)
        -> (Parameter, Parameter?, [Parameter])
    {
        let weight = layout.parameter("\(name).weight", shape: shape)
        let bias = hasBias ? layout.parameter("\(name).bias", shape: [outputChannels]) : nil
        layout.initialize { rng throws(VAEGANError) in
            try initialization.apply(weight: weight.value, bias: bias?.value, fanIn: fanIn, fanOut: fanOut, using: &rng)
        }
        return (weight, bias, [weight] + (bias.map { [$0] } ?? []))
    }

    func forward(_ input: Matrix, weight: Parameter, bias: Parameter?) -> Matrix {
        lastInput = input
        var g = batchGeometry(rows: input.rows)
        let y = Matrix(output.pointer, rows: input.rows, columns: outputImage.count)
        let status = g.transposed
            ? vg_conv_transpose2d_forward(y.base, workspace.pointer, input.base, weight.value.pointer,
                                          bias?.value.pointer, &g, activation.kind, activation.alpha)
            : vg_conv2d_forward(y.base, workspace.pointer, input.base, weight.value.pointer,
                                bias?.value.pointer, &g, activation.kind, activation.alpha)
        precondition(status == VG_OK, String(cString: vg_last_error_message()))
        return y
    }

    func backward(_ outputGradient: Matrix, weight: Parameter, bias: Parameter?, computeInputGradient: Bool,
                  accumulateParameterGradients: Bool) -> Matrix {
        guard let x = lastInput else { preconditionFailure("\(name).backward before forward") }
        precondition(outputGradient.rows == x.rows && outputGradient.columns == outputImage.count,
                     "\(name).backward: gradient (\(outputGradient.rows), \(outputGradient.columns)) for output (\(x.rows), \(outputImage.count))")
        var g = batchGeometry(rows: x.rows)
        var dz = outputGradient.base
        if let buffer = preactivationGradient { // y = act(z)  →  dz = dy · act'(z), from y
            vg_activation_backward(buffer.pointer, outputGradient.base, output.pointer,
                                   Int64(outputGradient.count), activation.kind, activation.alpha)
            dz = buffer.pointer
        }
        let dx: UnsafeMutablePointer<Float>? = computeInputGradient ? inputGradient.pointer : nil
        let dw = accumulateParameterGradients ? weight.gradient.pointer : nil
        let db = accumulateParameterGradients ? bias?.gradient.pointer : nil
        let status = g.transposed
            ? vg_conv_transpose2d_backward(dx, dw, db, workspace.pointer, dz, x.base, weight.value.pointer, &g, 0)
            : vg_conv2d_backward(dx, dw, db, workspace.pointer, dz, x.base, weight.value.pointer, &g, 0)
        precondition(status == VG_OK, String(cString: vg_last_error_message()))
        return Matrix(inputGradient.pointer, rows: computeInputGradient ? x.rows : 0, columns: inputImage.count)
    }

    /// The geometry for a call of `rows` examples, as a local copy: mutating the stored one in
    /// place would go through a modify accessor, whose coroutine frame a debug build mallocs.
    private func batchGeometry(rows: Int) -> vg_conv_geometry {
        var g = geometry
        g.batch = Int64(rows)
        return g
    }
}
