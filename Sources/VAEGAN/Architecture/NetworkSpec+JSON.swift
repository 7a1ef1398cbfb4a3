// NetworkSpec+JSON: the spec's JSON form, read strictly (unknown layer types and unknown or
// missing keys are errors that name the layer) with the project's own JSON reader, and written
// one layer per line in a fixed key order:
//
//   {
//     "input": [1, 28, 28],
//     "layers": [
//       {"type": "conv2d", "channels": 64, "kernel": 4, "stride": 2, "padding": 1, "activation": "leaky_relu(0.2)"},
//       {"type": "flatten"},
//       {"type": "dense", "width": 1, "activation": "identity"}
//     ]
//   }
//
// Activations are written as Activation.description: identity, relu, leaky_relu(slope),
// sigmoid, tanh. Optional keys and their defaults: stride 1, padding 0, output_padding 0,
// activation identity, bias true, momentum 0.1, epsilon 1e-5.

extension NetworkSpec {
    /// Reads a spec from JSON text; `source` names it in errors (a file name, "metadata").
    public init(json text: String, source: String = "spec") throws(VAEGANError) {
        try self.init(try JSONValue(parsing: Array(text.utf8)[...], what: "architecture spec", source: source),
                      source: source)
    }

    /// From a parsed JSON value (one network of a model spec).
    init(_ value: JSONValue, source: String) throws(VAEGANError) {
        guard case .object(let top) = value else { throw .format("\(source): a spec is a JSON object") }
        var fields = SpecFields(top, what: source)
        let input = try fields.integers("input")
        let layerValues = try fields.array("layers")
        try fields.finish()
        var layers: [LayerSpec] = []
        for (index, value) in layerValues.enumerated() {
            guard case .object(let object) = value else {
                throw .format("\(source): layer \(index) is not a JSON object")
            }
            layers.append(try LayerSpec(object, what: "\(source): layer \(index)"))
        }
        self.init(input: input, layers: layers)
    }

    /// The JSON form, one layer per line.
    public var json: String {
        let lines = layers.map { "    " + $0.json }
        return "{\n  \"input\": \(Self.list(input)),\n  \"layers\": [\n" + lines.joined(separator: ",\n") + "\n  ]\n}\n"
    }

    /// The JSON form on one line (for checkpoint metadata).
    public var compactJSON: String {
        "{\"input\": \(Self.list(input)), \"layers\": [" + layers.map(\.json).joined(separator: ", ") + "]}"
    }

    static func list(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }
}

extension LayerSpec {
    init(_ object: [String: JSONValue], what: String) throws(VAEGANError) {
        var f = SpecFields(object, what: what)
        let type = try f.string("type")
        let where_ = "\(what) (\(type))"
        f.what = where_
        switch type {
        case "dense":
            self = .dense(width: try f.integer("width"), activation: try f.activation("activation") ?? .identity,
                          bias: try f.bool("bias") ?? true)
        case "conv2d":
            self = .conv2d(channels: try f.integer("channels"), kernel: try f.integer("kernel"),
                           stride: try f.optionalInteger("stride") ?? 1, padding: try f.optionalInteger("padding") ?? 0,
                           activation: try f.activation("activation") ?? .identity, bias: try f.bool("bias") ?? true)
        case "conv_transpose2d":
            self = .convTranspose2d(channels: try f.integer("channels"), kernel: try f.integer("kernel"),
                                    stride: try f.optionalInteger("stride") ?? 1,
                                    padding: try f.optionalInteger("padding") ?? 0,
                                    outputPadding: try f.optionalInteger("output_padding") ?? 0,
                                    activation: try f.activation("activation") ?? .identity,
                                    bias: try f.bool("bias") ?? true)
        case "batch_norm":
            self = .batchNorm(momentum: try f.float("momentum") ?? 0.1, epsilon: try f.float("epsilon") ?? 1e-5)
        case "activation":
            guard let activation = try f.activation("function") else {
                throw .format("\(where_): needs \"function\"")
            }
            self = .activation(activation)
        case "reshape":
            self = .reshape(try f.integers("shape"))
        case "flatten":
            self = .flatten
        default:
            throw .format("\(what): unknown layer type \"\(type)\" (dense, conv2d, conv_transpose2d, batch_norm, activation, reshape, flatten)")
        }
        try f.finish()
    }

    /// This layer's JSON object on one line.
    var json: String {
        var parts = ["\"type\": \"\(kind)\""]
        func add(_ key: String, _ value: String) { parts.append("\"\(key)\": \(value)") }
        switch self {
        case .dense(let width, let activation, let bias):
            add("width", "\(width)")
            add("activation", JSONValue.quoted(activation.description))
            if !bias { add("bias", "false") }
        case .conv2d(let channels, let kernel, let stride, let padding, let activation, let bias):
            add("channels", "\(channels)"); add("kernel", "\(kernel)"); add("stride", "\(stride)"); add("padding", "\(padding)")
            add("activation", JSONValue.quoted(activation.description))
            if !bias { add("bias", "false") }
        case .convTranspose2d(let channels, let kernel, let stride, let padding, let outputPadding, let activation, let bias):
            add("channels", "\(channels)"); add("kernel", "\(kernel)"); add("stride", "\(stride)"); add("padding", "\(padding)")
            if outputPadding != 0 { add("output_padding", "\(outputPadding)") }
            add("activation", JSONValue.quoted(activation.description))
            if !bias { add("bias", "false") }
        case .batchNorm(let momentum, let epsilon):
            add("momentum", "\(momentum)"); add("epsilon", "\(epsilon)")
        case .activation(let activation):
            add("function", JSONValue.quoted(activation.description))
        case .reshape(let shape):
            add("shape", NetworkSpec.list(shape))
        case .flatten:
            break
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}

/// The keys of one JSON object, taken one by one; `finish` refuses any left over (a misspelt
/// key is an error, not silently a default).
private struct SpecFields {
    var remaining: [String: JSONValue]
    var what: String

    init(_ object: [String: JSONValue], what: String) {
        remaining = object
        self.what = what
    }

    mutating func take(_ key: String) -> JSONValue? { remaining.removeValue(forKey: key) }

    mutating func string(_ key: String) throws(VAEGANError) -> String {
        guard case .string(let s)? = take(key) else { throw .format("\(what): needs \"\(key)\" as a string") }
        return s
    }

    mutating func integer(_ key: String) throws(VAEGANError) -> Int {
        guard let value = try optionalInteger(key) else { throw .format("\(what): needs \"\(key)\" as an integer") }
        return value
    }

    mutating func optionalInteger(_ key: String) throws(VAEGANError) -> Int? {
        switch take(key) {
        case nil: return nil
        case .integer(let n)?: return n
        default: throw .format("\(what): \"\(key)\" must be an integer")
        }
    }

    mutating func float(_ key: String) throws(VAEGANError) -> Float? {
        switch take(key) {
        case nil: return nil
        case .integer(let n)?: return Float(n)
        case .number(let x)?: return Float(x)
        default: throw .format("\(what): \"\(key)\" must be a number")
        }
    }

    mutating func bool(_ key: String) throws(VAEGANError) -> Bool? {
        switch take(key) {
        case nil: return nil
        case .bool(let b)?: return b
        default: throw .format("\(what): \"\(key)\" must be true or false")
        }
    }

    mutating func activation(_ key: String) throws(VAEGANError) -> Activation? {
        switch take(key) {
        case nil: return nil
        case .string(let name)?:
            guard let activation = Activation(description: name) else {
                throw .format("\(what): unknown activation \"\(name)\" (identity, relu, leaky_relu(slope), sigmoid, tanh)")
            }
            return activation
        default: throw .format("\(what): \"\(key)\" must be a string such as \"relu\"")
        }
    }

    mutating func array(_ key: String) throws(VAEGANError) -> [JSONValue] {
        guard case .array(let values)? = take(key) else { throw .format("\(what): needs \"\(key)\" as an array") }
        return values
    }

    mutating func integers(_ key: String) throws(VAEGANError) -> [Int] {
        var result: [Int] = []
        for value in try array(key) {
            guard case .integer(let n) = value else { throw .format("\(what): \"\(key)\" must hold integers") }
            result.append(n)
        }
        return result
    }

    func finish() throws(VAEGANError) {
        if let key = remaining.keys.sorted().first { throw .format("\(what): unknown key \"\(key)\"") }
    }
}
