// TrainingPosition: where a run stands, beside the model's own state in a checkpoint: epochs
// finished and the state of the generator that shuffles the rows ("epoch", "loader_rng"). The
// tool's checkpoints and the C ABI's vg_model_save write the same two entries, so a run can
// move between them in either direction.

/// Epochs finished and the shuffling generator, as stored in a checkpoint's metadata.
public struct TrainingPosition: Sendable {
    public var epoch: Int
    public var loaderRNG: RandomGenerator

    public init(epoch: Int, loaderRNG: RandomGenerator) {
        self.epoch = epoch
        self.loaderRNG = loaderRNG
    }

    /// The position stored in `file`; `.format` when either entry is missing or invalid.
    public init(from file: SafeTensorsFile) throws(VAEGANError) {
        guard let text = file.metadata["epoch"], let epoch = Int(text), epoch >= 0,
              let words = file.metadata["loader_rng"]?.split(separator: ",").compactMap({ UInt64($0) }),
              words.count == 4
        else { throw .format("checkpoint has no valid training position (epoch, loader_rng)") }
        var generator = RandomGenerator(seed: 1)
        generator.stateWords = words
        self.init(epoch: epoch, loaderRNG: generator)
    }

    /// Adds both entries to `file`.
    public func store(into file: inout SafeTensorsFile) {
        file.metadata["epoch"] = String(epoch)
        file.store(loaderRNG, key: "loader_rng")
    }
}
