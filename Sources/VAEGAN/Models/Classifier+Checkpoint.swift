// The classifier's checkpoint: architecture and training schedule in the metadata, weights
// under their names.

extension Classifier {
    static let kind = "classifier"

    /// The weights and configuration, plus free-form `notes` in the metadata (data set, accuracy).
    public func checkpoint(notes: [String: String] = [:]) -> SafeTensorsFile {
        let c = configuration
        var file = SafeTensorsFile(metadata: notes.merging([
            "model": Self.kind, "format": SafeTensorsFile.checkpointFormat,
            "input_width": String(c.inputWidth),
            "hidden_widths": c.hiddenWidths.map(String.init).joined(separator: ","),
            "class_count": String(c.classCount), "epochs": String(c.epochs), "batch_size": String(c.batchSize),
            "learning_rate": String(c.learningRate), "weight_decay": String(c.weightDecay), "seed": String(c.seed),
        ]) { _, fixed in fixed })
        file.store([store])
        return file
    }

    /// A classifier for inference from a checkpoint written by ``checkpoint(notes:)``.
    public static func load(from file: SafeTensorsFile, batchCapacity: Int = 256) throws(VAEGANError) -> Classifier {
        try file.requireModel(kind)
        var c = ClassifierConfiguration()
        c.inputWidth = try file.integer("input_width")
        c.hiddenWidths = try file.integers("hidden_widths")
        c.classCount = try file.integer("class_count")
        c.epochs = try file.integer("epochs")
        c.batchSize = try file.integer("batch_size")
        c.learningRate = try file.float("learning_rate")
        c.weightDecay = try file.float("weight_decay")
        guard let seed = UInt64(try file.string("seed")) else { throw .format("\(file.source): metadata seed is not an integer") }
        c.seed = seed
        do { try c.validate() } catch { throw .format("\(file.source): \(error.message)") }
        let classifier = try Classifier(c, batchCapacity: batchCapacity)
        try file.restore([classifier.store])
        return classifier
    }
}
