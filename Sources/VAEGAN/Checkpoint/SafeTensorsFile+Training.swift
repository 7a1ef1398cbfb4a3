// Putting training state into a safetensors file and taking it back out: parameters (and a
// store's non-trainable state) under their PyTorch-style names, optimizer state under "optimizer.<part>.<name>.<slot>", and
// scalars (counters, configuration, generator state) in the metadata map. Every tensor read
// back is checked for NaN and infinity before it is used.

extension SafeTensorsFile {
    /// Stores each parameter's value under its name.
    public mutating func store(_ parameters: [Parameter]) {
        for p in parameters { tensors[p.name] = StoredTensor(floats: p.value.values, shape: p.shape) }
    }

    /// Stores every parameter and every state tensor of each store under its name: a
    /// checkpoint holds the parts whole.
    public mutating func store(_ stores: [ParameterStore]) {
        for part in stores {
            store(part.parameters)
            for s in part.state { tensors[s.name] = StoredTensor(floats: s.value.values, shape: s.shape) }
        }
    }

    /// Stores an optimizer's tensors and step count under `optimizer.<part>.`.
    public mutating func store(_ optimizer: any Optimizer, part: String) {
        for (name, tensor) in optimizer.stateTensors {
            tensors["optimizer.\(part).\(name)"] = StoredTensor(floats: tensor.values, shape: tensor.shape)
        }
        metadata["optimizer.\(part).step"] = String(optimizer.stepCount)
    }

    /// Stores a generator's state words as "a,b,c,d" under `key`.
    public mutating func store(_ generator: RandomGenerator, key: String) {
        metadata[key] = generator.stateWords.map(String.init).joined(separator: ",")
    }

    /// Copies stored values into `parameters`, checking every name and shape.
    public func restore(_ parameters: [Parameter]) throws(VAEGANError) {
        for p in parameters { try copy(p.name, into: p.value) }
    }

    /// Copies stored parameters and state tensors into each store, checking every name and shape.
    public func restore(_ stores: [ParameterStore]) throws(VAEGANError) {
        for part in stores {
            try restore(part.parameters)
            for s in part.state { try copy(s.name, into: s.value) }
        }
    }

    public func restore(_ optimizer: any Optimizer, part: String) throws(VAEGANError) {
        for (name, tensor) in optimizer.stateTensors { try copy("optimizer.\(part).\(name)", into: tensor) }
        optimizer.stepCount = try integer("optimizer.\(part).step")
    }

    public func restore(_ generator: inout RandomGenerator, key: String) throws(VAEGANError) {
        let words = (metadata[key] ?? "").split(separator: ",").compactMap { UInt64($0) }
        guard words.count == 4, words.contains(where: { $0 != 0 }) else {
            throw .format("\(source): metadata \(key) is not a generator state")
        }
        generator.stateWords = words
    }

    /// Copies tensor `name` into `tensor` after checking its shape and that every value is
    /// finite: a NaN weight would otherwise load and turn every output into NaN, silently.
    ///
    /// - Throws: `.nonFinite` naming the tensor and the first bad element's index.
    private func copy(_ name: String, into tensor: Tensor) throws(VAEGANError) {
        try copy(name, into: tensor.pointer, shape: tensor.shape)
    }

    /// ``copy(_:into:)`` for `shape.reduce(1, *)` Floats at `destination`.
    func copy(_ name: String, into destination: UnsafeMutablePointer<Float>, shape: [Int]) throws(VAEGANError) {
        let values = try floats(name, shape: shape)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFinite("\(source): tensor '\(name)' holds \(values[bad]) at \(Self.index(bad, in: shape))")
        }
        values.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: values.count) }
    }

    /// The row-major flat index `flat` as "[i, j, …]" in `shape`.
    private static func index(_ flat: Int, in shape: [Int]) -> String {
        var rest = flat
        var indices: [Int] = []
        for size in shape.reversed() where size > 0 {
            indices.append(rest % size)
            rest /= size
        }
        return "[\(indices.reversed().map(String.init).joined(separator: ", "))]"
    }

    // MARK: Metadata values

    public func string(_ key: String) throws(VAEGANError) -> String {
        guard let value = metadata[key] else { throw .format("\(source): metadata has no \(key)") }
        return value
    }

    public func integer(_ key: String) throws(VAEGANError) -> Int {
        guard let value = Int(try string(key)) else { throw .format("\(source): metadata \(key) is not an integer") }
        return value
    }

    public func float(_ key: String) throws(VAEGANError) -> Float {
        guard let value = Float(try string(key)), value.isFinite else {
            throw .format("\(source): metadata \(key) is not a finite number")
        }
        return value
    }

    /// "true" or "false"; anything else is a format error, not false.
    public func boolean(_ key: String) throws(VAEGANError) -> Bool {
        switch try string(key) {
        case "true": return true
        case "false": return false
        default: throw .format("\(source): metadata \(key) is not true or false")
        }
    }

    public func integers(_ key: String) throws(VAEGANError) -> [Int] {
        let text = try string(key)
        if text.isEmpty { return [] }
        let values = text.split(separator: ",").compactMap { Int($0) }
        guard values.count == text.split(separator: ",").count else {
            throw .format("\(source): metadata \(key) is not a list of integers")
        }
        return values
    }

    /// A network spec stored as JSON under `key`, or nil when the file has none (checkpoints
    /// from before specs: their networks are the MLPs of their widths).
    public func spec(_ key: String) throws(VAEGANError) -> NetworkSpec? {
        guard let text = metadata[key] else { return nil }
        return try NetworkSpec(json: text, source: "\(source): metadata \(key)")
    }

    /// The model kind ("vae", "gan", "vaegan"), checked against `expected`.
    public func requireModel(_ expected: String) throws(VAEGANError) {
        let kind = try string("model")
        guard kind == expected else {
            throw .wrongModel("\(source) holds a \(kind) checkpoint, not a \(expected)")
        }
    }
}
