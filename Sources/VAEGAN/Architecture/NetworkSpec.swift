// NetworkSpec: a network as a value — an input shape and a list of layer specs — and the
// builder that turns it into layers, checking every shape on the way. Specs are Codable to JSON
// (NetworkSpec+JSON.swift), go into checkpoint metadata, and rebuild the network on load.

import CVAEGAN

/// One layer of a network spec. Shapes are per example: [features] or [channels, height, width].
public enum LayerSpec: Equatable, Sendable {
    /// nn.Linear(in, width), with the activation fused. Needs [features] in.
    case dense(width: Int, activation: Activation = .identity, bias: Bool = true)
    /// nn.Conv2d(in, channels, kernel, stride, padding), activation fused. Needs [C, H, W] in.
    case conv2d(channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                activation: Activation = .identity, bias: Bool = true)
    /// nn.ConvTranspose2d(in, channels, kernel, stride, padding, output_padding).
    case convTranspose2d(channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
                         activation: Activation = .identity, bias: Bool = true)
    /// nn.BatchNorm1d over [features] or nn.BatchNorm2d over [C, H, W] (statistics per channel).
    case batchNorm(momentum: Float = 0.1, epsilon: Float = 1e-5)
    /// An activation on its own.
    case activation(Activation)
    /// The same values as another shape with as many elements, e.g. [6272] → [128, 7, 7].
    case reshape([Int])
    /// [C, H, W] → [C·H·W].
    case flatten
}

/// A network: the shape of one example in, and its layers in order.
///
/// ```swift
/// let discriminator = NetworkSpec(input: [1, 28, 28], layers: [
///     .conv2d(channels: 64, kernel: 4, stride: 2, padding: 1, activation: .leakyReLU(slope: 0.2)),
///     .conv2d(channels: 128, kernel: 4, stride: 2, padding: 1),
///     .batchNorm(), .activation(.leakyReLU(slope: 0.2)), .flatten, .dense(width: 1),
/// ])
/// try discriminator.outputShape()    // [1]
/// ```
public struct NetworkSpec: Equatable, Sendable {
    public var input: [Int]
    public var layers: [LayerSpec]

    public init(input: [Int], layers: [LayerSpec]) {
        self.input = input
        self.layers = layers
    }

    /// A multilayer perceptron: dense layers of `widths` after `input` features, `hidden` after
    /// every layer but the last and `output` after the last (the reference networks' form).
    public static func mlp(input: Int, widths: [Int], hidden: Activation, output: Activation) -> NetworkSpec {
        NetworkSpec(input: [input], layers: widths.indices.map {
            .dense(width: widths[$0], activation: $0 == widths.count - 1 ? output : hidden)
        })
    }

    /// Features per example in and out.
    public var inputWidth: Int { input.reduce(1, *) }

    /// The shape after each layer, checked: a layer that cannot take the shape before it is
    /// refused with both named.
    public func shapes() throws(VAEGANError) -> [[Int]] {
        try require(!layers.isEmpty, "a network needs at least one layer")
        try require(!input.isEmpty && input.count <= 3 && input.allSatisfy { $0 > 0 },
                    "input shape \(input) must be [features] or [channels, height, width], each positive")
        var shape = input, result: [[Int]] = []
        for (index, layer) in layers.enumerated() {
            shape = try layer.outputShape(for: shape, at: index)
            result.append(shape)
        }
        return result
    }

    /// The shape of one example out.
    public func outputShape() throws(VAEGANError) -> [Int] { try shapes().last! }

    /// The layers, named "name.<index in the list>" as an nn.Sequential of the same list
    /// names its modules, with their parameters (and state) declared in `layout` in order, so
    /// the store made from it draws their initial values from its generator in order.
    public func build(name: String, initialization: Initialization = .pytorchDefault, batchCapacity: Int,
                      parameters layout: ParameterStore.Layout) throws(VAEGANError) -> Sequential {
        try require(batchCapacity > 0, "batch size must be positive, not \(batchCapacity)")
        let outputs = try shapes()
        var built: [any Layer] = []
        for (index, layer) in layers.enumerated() {
            let before = index == 0 ? input : outputs[index - 1]
            let layerName = "\(name).\(index)"
            switch layer {
            case .dense(let width, let activation, let bias):
                try require(bias, "\(layerName): dense layers without bias are not supported yet")
                built.append(try Dense(name: layerName, inputWidth: before[0], outputWidth: width, activation: activation,
                                       initialization: initialization, batchCapacity: batchCapacity, parameters: layout))
            case .conv2d(let channels, let kernel, let stride, let padding, let activation, let bias):
                built.append(try Conv2d(name: layerName, input: ImageShape(before), outputChannels: channels,
                                        kernel: kernel, stride: stride, padding: padding, bias: bias,
                                        activation: activation, initialization: initialization,
                                        batchCapacity: batchCapacity, parameters: layout))
            case .convTranspose2d(let channels, let kernel, let stride, let padding, let outputPadding,
                                  let activation, let bias):
                built.append(try ConvTranspose2d(name: layerName, input: ImageShape(before), outputChannels: channels,
                                                 kernel: kernel, stride: stride, padding: padding,
                                                 outputPadding: outputPadding, bias: bias, activation: activation,
                                                 initialization: initialization, batchCapacity: batchCapacity,
                                                 parameters: layout))
            case .batchNorm(let momentum, let epsilon):
                built.append(try BatchNorm(name: layerName, channels: before[0], spatial: before.dropFirst().reduce(1, *),
                                           shape: before,
                                           momentum: momentum, epsilon: epsilon, batchCapacity: batchCapacity,
                                           parameters: layout))
            case .activation(let activation):
                built.append(try ActivationLayer(activation, width: before.reduce(1, *), shape: before,
                                                 batchCapacity: batchCapacity))
            case .reshape, .flatten:
                built.append(try Reshape(from: before, to: outputs[index], batchCapacity: batchCapacity))
            }
        }
        return try Sequential(checking: built)
    }
}

extension ImageShape {
    /// From a checked [C, H, W].
    init(_ shape: [Int]) { self.init(channels: shape[0], height: shape[1], width: shape[2]) }
}

extension LayerSpec {
    /// The shape this layer makes of `shape`, or an error naming the layer and both shapes.
    func outputShape(for shape: [Int], at index: Int) throws(VAEGANError) -> [Int] {
        let what = "layer \(index) (\(kind))"
        func positive(_ values: [(String, Int)]) throws(VAEGANError) {
            for (name, value) in values where value <= 0 {
                throw .invalidArgument("\(what): \(name) must be positive, not \(value)")
            }
        }
        func checkActivation(_ activation: Activation) throws(VAEGANError) {
            if case .leakyReLU(let slope) = activation {
                try require(slope >= 0 && slope.isFinite, "\(what): LeakyReLU slope must be non-negative, not \(slope)")
            }
        }
        switch self {
        case .dense(let width, let activation, _):
            try positive([("width", width)])
            try checkActivation(activation)
            guard shape.count == 1 else {
                throw .shapeMismatch("\(what) takes [features], not \(shape); put a flatten before it")
            }
            return [width]
        case .conv2d(let channels, let kernel, let stride, let padding, let activation, _),
             .convTranspose2d(let channels, let kernel, let stride, let padding, _, let activation, _):
            try positive([("channels", channels), ("kernel", kernel), ("stride", stride)])
            try checkActivation(activation)
            guard shape.count == 3 else {
                throw .shapeMismatch("\(what) takes [channels, height, width], not \(shape); put a reshape before it")
            }
            var outputPadding = 0
            var transposed = false
            if case .convTranspose2d(_, _, _, _, let op, _, _) = self { outputPadding = op; transposed = true }
            var g = vg_conv_geometry()
            let status = vg_conv_geometry_init(&g, transposed, 1, Int64(shape[0]), Int64(shape[1]), Int64(shape[2]),
                                               Int64(channels), Int64(kernel), Int64(stride), Int64(padding),
                                               Int64(outputPadding))
            if status != VG_OK {
                _ = vg_error_set(status, "\(what) on input \(shape): \(String(cString: vg_last_error_message()))")
                try check(status)
            }
            return [channels, Int(g.out_height), Int(g.out_width)]
        case .batchNorm(let momentum, let epsilon):
            try require(momentum >= 0 && momentum <= 1, "\(what): momentum must be in [0, 1], not \(momentum)")
            try require(epsilon > 0 && epsilon.isFinite, "\(what): ε must be positive, not \(epsilon)")
            guard shape.count == 1 || shape.count == 3 else {
                throw .shapeMismatch("\(what) takes [features] or [channels, height, width], not \(shape)")
            }
            return shape
        case .activation(let activation):
            try checkActivation(activation)
            return shape
        case .reshape(let target):
            try require(!target.isEmpty && target.count <= 3 && target.allSatisfy { $0 > 0 },
                        "\(what): shape \(target) must have 1 to 3 positive dimensions")
            guard target.reduce(1, *) == shape.reduce(1, *) else {
                throw .shapeMismatch("\(what) from \(shape) (\(shape.reduce(1, *)) values) to \(target) (\(target.reduce(1, *)) values)")
            }
            return target
        case .flatten:
            return [shape.reduce(1, *)]
        }
    }

    /// The name of the layer's type, as the JSON form writes it.
    public var kind: String {
        switch self {
        case .dense: "dense"
        case .conv2d: "conv2d"
        case .convTranspose2d: "conv_transpose2d"
        case .batchNorm: "batch_norm"
        case .activation: "activation"
        case .reshape: "reshape"
        case .flatten: "flatten"
        }
    }
}
