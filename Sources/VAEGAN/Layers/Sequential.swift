// Sequential: layers in a chain, and the MLP builder that makes one from a list of widths.

/// Layers applied one after another; backward runs them in reverse.
///
/// ```swift
/// let layout = ParameterStore.Layout()
/// let encoder = try Sequential.mlp(name: "encoder", widths: [784, 512, 256], hidden: .relu,
///                                  output: .relu, batchCapacity: 128, parameters: layout)
/// let store = try ParameterStore(layout, initializingWith: &rng)
/// ```
public final class Sequential: Layer {
    public let layers: [any Layer]
    public let batchCapacity: Int
    /// Every layer's parameters in order (stored: training steps read it without allocating).
    public let parameters: [Parameter]
    /// Told after each layer's backward that added into its parameters' gradients, with the
    /// offset of the layer's first parameter in its store: a data-parallel run (GradientBuckets)
    /// sets it on a part's last backward pass of a step, whose finished layers' gradients are
    /// final and can be summed across ranks while the earlier layers are still computed.
    public var backwardListener: (any BackwardListener)?
    /// Each layer's first parameter's offset in its store (nil without parameters).
    private let firstParameterOffsets: [Int?]

    public init(_ layers: [any Layer]) {
        precondition(!layers.isEmpty, "Sequential needs at least one layer")
        for (a, b) in zip(layers, layers.dropFirst()) {
            precondition(a.outputWidth == b.inputWidth,
                         "Sequential: a layer of width \(a.outputWidth) feeds one expecting \(b.inputWidth)")
        }
        self.layers = layers
        batchCapacity = layers.map(\.batchCapacity).min()!
        parameters = layers.flatMap(\.parameters)
        firstParameterOffsets = layers.map { $0.parameters.first?.offset }
    }

    /// A multilayer perceptron of Dense layers named "name.0", "name.1", …: `hidden` after every
    /// layer but the last, `output` after the last. Their parameters are declared in `layout`,
    /// layer by layer.
    public static func mlp(name: String, widths: [Int], hidden: Activation, output: Activation,
                           initialization: Initialization = .pytorchDefault, batchCapacity: Int,
                           parameters layout: ParameterStore.Layout) throws(VAEGANError) -> Sequential {
        precondition(widths.count >= 2, "mlp needs at least an input and an output width")
        var layers: [any Layer] = []
        for i in 0..<(widths.count - 1) {
            layers.append(try Dense(name: "\(name).\(i)", inputWidth: widths[i], outputWidth: widths[i + 1],
                                    activation: i == widths.count - 2 ? output : hidden,
                                    initialization: initialization, batchCapacity: batchCapacity,
                                    parameters: layout))
        }
        return Sequential(layers)
    }

    /// The same layers' parameters with buffers of their own: a second forward pass whose
    /// saved activations this one's do not overwrite (and the other way round).
    public func sharingParameters() throws(VAEGANError) -> Sequential {
        var copies: [any Layer] = []
        for layer in layers { copies.append(try layer.sharingParameters()) }
        return Sequential(copies)
    }

    /// Training mode (batch norms normalize with the batch's statistics and update the running
    /// ones) or evaluation mode (they use the running ones), for every layer inside.
    public var isTraining: Bool {
        get { trainingMode }
        set {
            trainingMode = newValue
            forEachBatchNorm { $0.isTraining = newValue }
        }
    }
    private var trainingMode = true

    /// Whether training-mode forwards move the batch norms' running statistics (off for the
    /// player that is not being trained in a GAN step).
    public var updatesRunningStatistics: Bool {
        get { updatingStatistics }
        set {
            updatingStatistics = newValue
            forEachBatchNorm { $0.updatesRunningStatistics = newValue }
        }
    }
    private var updatingStatistics = true

    /// Whether any layer inside is a batch norm.
    public var hasBatchNorm: Bool {
        var found = false
        forEachBatchNorm { _ in found = true }
        return found
    }

    /// Re-estimates every batch norm's running statistics for the current weights, one batch
    /// norm at a time in order: each forgets its statistics and runs training-mode forwards of
    /// `input(0)` … `input(batches − 1)` (the same batches for each; `input` must give them
    /// again), whose statistics' plain average they become, while the ones
    /// before it run in evaluation mode on their new estimates. So each is estimated on the
    /// inputs it will see when sampling; estimating all at once in training mode would measure
    /// a later one on inputs normalized by the earlier ones' batch statistics (noisier than
    /// their running ones at small batches, and so a wider spread). Modes are restored
    /// afterwards.
    public func reestimateStatistics(batches: Int, input: (Int) -> Matrix) {
        let (training, updating) = (isTraining, updatesRunningStatistics)
        defer { (isTraining, updatesRunningStatistics) = (training, updating) }
        isTraining = false
        updatesRunningStatistics = true
        var norms: [BatchNorm] = []
        forEachBatchNorm { norms.append($0) }
        for norm in norms {
            norm.isTraining = true
            norm.startReestimatingStatistics()
            for batch in 0..<batches { _ = forward(input(batch)) }
            norm.finishReestimatingStatistics()
            norm.isTraining = false
        }
    }

    private func forEachBatchNorm(_ body: (BatchNorm) -> Void) {
        for index in layers.indices {
            if let norm = layers[index] as? BatchNorm { body(norm) }
            if let inner = layers[index] as? Sequential { inner.forEachBatchNorm(body) }
        }
    }

    /// The same chain, with every link's shapes checked: a layer whose input shape is not the
    /// shape before it is refused with both named (a typed error, where `init(_:)` traps).
    public convenience init(checking layers: [any Layer]) throws(VAEGANError) {
        try require(!layers.isEmpty, "a network needs at least one layer")
        for (index, (a, b)) in zip(layers, layers.dropFirst()).enumerated() where a.outputShape != b.inputShape {
            throw .shapeMismatch("layer \(index + 1) (\(type(of: b))) takes \(b.inputShape), but layer \(index) (\(type(of: a))) gives \(a.outputShape)")
        }
        self.init(layers)
    }

    public var inputShape: [Int] { layers[0].inputShape }
    public var outputShape: [Int] { layers[layers.count - 1].outputShape }

    public var inputWidth: Int { layers[0].inputWidth }
    public var outputWidth: Int { layers[layers.count - 1].outputWidth }

    public func forward(_ input: Matrix) -> Matrix {
        var x = input
        // By index, not `for layer in layers`: in debug builds the array iterator mallocs.
        for index in layers.indices { x = layers[index].forward(x) }
        return x
    }

    @discardableResult
    public func backward(_ outputGradient: Matrix, computeInputGradient: Bool,
                         accumulateParameterGradients: Bool) -> Matrix {
        var gradient = outputGradient
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            gradient = layers[index].backward(
                gradient, computeInputGradient: index > 0 || computeInputGradient,
                accumulateParameterGradients: accumulateParameterGradients)
            if accumulateParameterGradients, let backwardListener, let offset = firstParameterOffsets[index] {
                backwardListener.parameterGradientsAreFinal(from: offset)
            }
        }
        return gradient
    }
}
