// Layer: the forward/backward contract every layer keeps.
//
// A layer owns its output and input-gradient buffers, sized once for `batchCapacity` rows, so
// forward and backward allocate nothing. Its parameters are views into its model part's
// ParameterStore: the layer declares them in the part's Layout when it is built.
//
// A network that runs forward more than once in a step (the VAE-GAN's decoder on prior
// samples and on posterior samples; its D on three batches) gets one instance per forward from
// `sharingParameters()`: the same parameters, so every pass accumulates into the same
// gradients, and buffers of its own, so each backward reads the activations of its own forward
// whatever ran since. `forward` remembers its input view; `backward` must
// follow the forward it belongs to, before that input memory is overwritten.

/// A differentiable map from rows of `inputWidth` to rows of `outputWidth`.
public protocol Layer: AnyObject {
    var inputWidth: Int { get }
    var outputWidth: Int { get }
    /// The shape of one example in and out: [features], or [channels, height, width] for
    /// images (NCHW, batch-major rows: `inputWidth` is the product).
    var inputShape: [Int] { get }
    var outputShape: [Int] { get }
    /// The most rows one call may carry.
    var batchCapacity: Int { get }
    /// Trainable tensors (views into the part's store), in a fixed order.
    var parameters: [Parameter] { get }

    /// Computes the output rows for `input` into the layer's own buffer and returns a view of it.
    func forward(_ input: Matrix) -> Matrix

    /// Given ∂L/∂output for the last forward, adds ∂L/∂parameters into the gradients (when
    /// `accumulateParameterGradients`) and returns ∂L/∂input (when `computeInputGradient`;
    /// otherwise an empty view). Skipping either saves its GEMM.
    @discardableResult
    func backward(_ outputGradient: Matrix, computeInputGradient: Bool,
                  accumulateParameterGradients: Bool) -> Matrix

    /// Another instance of this layer over the same `Parameter`s (views into the same store)
    /// with buffers of its own, for a second forward pass in the same step.
    ///
    /// - Throws: `.outOfMemory` when its buffers cannot be allocated.
    func sharingParameters() throws(VAEGANError) -> Self
}

extension Layer {
    /// [inputWidth]: a layer of features unless it says otherwise.
    public var inputShape: [Int] { [inputWidth] }
    /// [outputWidth].
    public var outputShape: [Int] { [outputWidth] }

    /// Backward with both gradients computed.
    @discardableResult
    public func backward(_ outputGradient: Matrix) -> Matrix {
        backward(outputGradient, computeInputGradient: true, accumulateParameterGradients: true)
    }

    @inline(__always)
    func checkInput(_ input: Matrix) {
        precondition(input.columns == inputWidth,
                     "\(Self.self): input has \(input.columns) columns, expected \(inputWidth)")
        precondition(input.rows > 0 && input.rows <= batchCapacity,
                     "\(Self.self): \(input.rows) rows, capacity is \(batchCapacity)")
    }
}
