// Weights-only checkpoints ("format": "vaegan-weights-1"): a model's named tensors and its
// configuration, without the training state a full checkpoint adds (Adam's moments and step
// counts, the generators' states, the epoch). `vaegan export`, vg_model_save_weights and
// Python's Model.save(weights_only=True) write them; anything that reads a model reads them too,
// and training from one starts fresh optimizer state. docs/checkpoint-format.md is the schema.

extension SafeTensorsFile {
    /// The `format` of a weights-only file.
    public static let weightsFormat = "vaegan-weights-1"

    /// The `format` of a full training checkpoint.
    public static let checkpointFormat = "vaegan-checkpoint-1"

    /// Whether this file holds weights only (no optimizer or generator state).
    public var isWeightsOnly: Bool { metadata["format"] == Self.weightsFormat }

    /// `.format` unless the entries that describe the file to other readers hold: `format` is
    /// one of the two forms (or absent, in files from before it), and each `<part>_output_type`
    /// is what that part's spec gives. Nothing else reads them, so a bad one would otherwise
    /// load unnoticed.
    func validateDescription() throws(VAEGANError) {
        if let format = metadata["format"], format != Self.weightsFormat, format != Self.checkpointFormat {
            throw .format("\(source): metadata format is \(format), not \(Self.checkpointFormat) or \(Self.weightsFormat)")
        }
        for key in metadata.keys.sorted() where key.hasSuffix("_output_type") {
            let part = String(key.dropLast("_output_type".count))
            guard let spec = try spec("\(part)_spec") else { throw .format("\(source): metadata \(key) names no part with a spec") }
            let expected = outputType(of: spec, part: part)
            guard metadata[key] == expected else {
                throw .format("\(source): metadata \(key) is \(metadata[key]!), but \(part)_spec ends in \(expected)")
            }
        }
    }

    /// Metadata that is training state, not model: dropped from weights-only files.
    static let trainingStateKeys: Set<String> = ["rng", "loader_rng", "epoch", "discriminator_steps_in_round"]

    /// This checkpoint's weights and configuration alone: optimizer tensors and step counts,
    /// generator states and the epoch removed, and the keys every kind shares added —
    /// `data_width` and `<part>_output_type` (what each network's last layer gives: "logits",
    /// "probabilities", "means", "tanh" or "features").
    public func weightsOnly() throws(VAEGANError) -> SafeTensorsFile {
        var file = self
        file.tensors = tensors.filter { !$0.key.hasPrefix("optimizer.") }
        file.metadata = metadata.filter { key, _ in !key.hasPrefix("optimizer.") && !Self.trainingStateKeys.contains(key) }
        file.metadata["format"] = Self.weightsFormat
        if let width = metadata["data_width"] ?? metadata["input_width"] { file.metadata["data_width"] = width }
        for key in metadata.keys where key.hasSuffix("_spec") {
            let part = String(key.dropLast("_spec".count))
            guard let spec = try self.spec(key) else { continue }
            file.metadata["\(part)_output_type"] = outputType(of: spec, part: part)
        }
        return file
    }

    /// What the last layer of `part`'s network gives: an identity output is a logit where a
    /// sigmoid is applied outside the network (a discriminator's BCE, the Bernoulli decoder's),
    /// a mean for the Gaussian decoder, and features for an encoder body (the μ and log σ² heads
    /// follow it).
    private func outputType(of spec: NetworkSpec, part: String) -> String {
        if part == "encoder" { return "features" }
        switch spec.lastActivation {
        case .sigmoid: return "probabilities"
        case .tanh: return "tanh"
        case .identity:
            if part == "decoder" && metadata["likelihood"] == "gaussian" { return "means" }
            if part == "discriminator" || part == "decoder" { return "logits" }
            return "identity"
        case let other: return other.description
        }
    }

    /// Writes the values per data row as `data_width`, the key every kind uses, and as
    /// `input_width`, the β-VAE's and VAE-GAN's name for it before, so that builds from before
    /// every kind wrote `data_width` keep reading their files (docs/checkpoint-format.md).
    mutating func storeDataWidth(_ width: Int, alsoAsInputWidth: Bool) {
        metadata["data_width"] = String(width)
        if alsoAsInputWidth { metadata["input_width"] = String(width) }
    }

    /// The values per data row: `data_width`, or `input_width` in β-VAE and VAE-GAN files from
    /// before every kind wrote `data_width`; a format error when both are there and differ.
    func dataWidth() throws(VAEGANError) -> Int {
        guard metadata["data_width"] != nil else { return try integer("input_width") }
        let width = try integer("data_width")
        if metadata["input_width"] != nil, try integer("input_width") != width {
            throw .format("\(source): metadata data_width \(width) and input_width \(try integer("input_width")) differ")
        }
        return width
    }

    /// A float in the metadata, or `fallback` when the key is absent (weights-only files may
    /// leave out the training hyperparameters).
    func float(_ key: String, default fallback: Float) throws(VAEGANError) -> Float {
        metadata[key] == nil ? fallback : try float(key)
    }

    /// An integer in the metadata, or `fallback` when the key is absent.
    func integer(_ key: String, default fallback: Int) throws(VAEGANError) -> Int {
        metadata[key] == nil ? fallback : try integer(key)
    }
}

extension NetworkSpec {
    /// The activation the network ends with (a fused one, or an activation layer); identity
    /// when its last layer has none.
    var lastActivation: Activation {
        for layer in layers.reversed() {
            switch layer {
            case .dense(_, let activation, _), .conv2d(_, _, _, _, let activation, _),
                 .convTranspose2d(_, _, _, _, _, let activation, _), .activation(let activation):
                return activation
            case .batchNorm: return .identity
            case .reshape, .flatten: continue
            }
        }
        return .identity
    }
}

extension GenerativeTraining {
    /// The whole training state from a checkpoint, or, from a weights-only file, its weights
    /// with fresh training state (`fresh` true): zero Adam moments and step counts, the noise
    /// generator of a new model of seed 0, hyperparameters the file leaves out at their defaults.
    ///
    /// - Throws: `.format` for a value that does not parse or that the model refuses (a batch
    ///   size of 0, a negative learning rate: in a file those are damage, not a caller's
    ///   argument), besides what reading the tensors throws.
    public static func loadTraining(from file: SafeTensorsFile) throws(VAEGANError) -> (training: Self, fresh: Bool) {
        do {
            guard file.isWeightsOnly else { return (try load(from: file), false) }
            let model = try loadModel(from: file, batchCapacity: try file.integer("batch_size", default: Configuration.defaultBatchSize))
            return (try freshTraining(around: model, file: file), true)
        } catch .invalidArgument(let message) {
            throw .format("\(file.source): \(message)")
        }
    }

    /// The weights only of this training state, as `vaegan export` writes them.
    public func weightsCheckpoint() throws(VAEGANError) -> SafeTensorsFile { try checkpoint().weightsOnly() }
}
