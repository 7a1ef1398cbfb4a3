// ExponentialMovingAverage: a running average of one part's weights, kept beside the part and
// updated after each of its optimizer steps (Yazıcı et al. 2019, "The Unusual Effectiveness of
// Averaging in GAN Training"): θ̄ ← d·θ̄ + (1 − d)·θ, one pass over the part's store. Samples
// drawn with θ̄ wobble less than the last iterate's, which chases D's last update.
//
// Batch-norm state is not averaged: the running statistics of past iterates belong to none of
// them and not to θ̄ either (averaging them, as timm's ModelEmaV2 does with every buffer, gave
// the DCGAN an FID of 45.0 against 39.2 raw after 10 epochs). The model re-estimates them for
// θ̄ instead (GenerativeModel.reestimateDecoderStatistics, as torch.optim.swa_utils.update_bn
// does for averaged weights, but one batch norm at a time with the earlier ones in evaluation
// mode, as sampling runs them), at the end of each epoch and when a checkpoint's averaged weights
// are loaded; `stateValues` keeps the last estimate. The average starts as the part's weights
// and warms up as TensorFlow's ExponentialMovingAverage does with num_updates: the n-th update
// uses min(d, (1 + n)/(10 + n)), so the initial weights do not linger in the average of a
// short run (with 0.999 alone, 63% of epoch 1's average would still be the initial weights).
import CVAEGAN

/// θ̄, the exponential moving average of a `ParameterStore`'s values and state.
///
/// ```swift
/// let average = try ExponentialMovingAverage(of: gan.generatorStore, decay: 0.999)
/// generatorOptimizer.step(); average.update()
/// let samples = average.withAveragedWeights { gan.generateAll(z) }
/// ```
public final class ExponentialMovingAverage {
    /// The part whose weights are averaged.
    public let store: ParameterStore
    /// d in (0, 1): the weight of the past at each update once warmed up.
    public let decay: Float
    /// Updates so far (saved in checkpoints: the warm-up depends on it).
    public var updateCount = 0
    /// θ̄ in the store's layout (`store.values`'s offsets).
    public let values: Tensor
    /// θ̄'s state (batch-norm statistics as last re-estimated), in `store.stateValues`'s layout.
    public let stateValues: Tensor

    /// An average of `store` starting at its current weights.
    ///
    /// - Throws: `.invalidArgument` unless 0 < decay < 1; `.outOfMemory`.
    public init(of store: ParameterStore, decay: Float) throws(VAEGANError) {
        try require(decay > 0 && decay < 1, "the EMA decay must be in (0, 1), not \(decay)")
        self.store = store
        self.decay = decay
        values = try store.mirror()
        stateValues = try .zeros([store.stateValues.count])
        values.copy(from: store.values)
        stateValues.copy(from: store.stateValues)
    }

    /// The decay of the next update: min(d, (1 + n)/(10 + n)) for the n-th.
    public var nextDecay: Float {
        let n = Double(updateCount + 1)
        return min(decay, Float((1 + n) / (10 + n)))
    }

    /// θ̄ ← d·θ̄ + (1 − d)·θ, d = `nextDecay`: one pass over the parameters.
    public func update() {
        let decay = nextDecay
        updateCount += 1
        vg_ema_update(values.pointer, store.values.pointer, Int64(values.count), decay)
    }

    /// `body`'s result with the averaged weights in the store; the part's own weights are put
    /// back afterwards (the two are exchanged in place, so nothing is allocated).
    public func withAveragedWeights<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        exchange()
        defer { exchange() }
        return try body()
    }

    private func exchange() {
        Self.exchange(values, store.values)
        Self.exchange(stateValues, store.stateValues)
    }

    private static func exchange(_ a: Tensor, _ b: Tensor) {
        for i in 0..<a.count { swap(&a.pointer[i], &b.pointer[i]) }
    }

    // MARK: Checkpoint

    /// The name θ̄'s copy of tensor `name` is saved under.
    public static func averagedName(_ name: String) -> String { "ema." + name }
}

extension SafeTensorsFile {
    /// Stores θ̄ under "ema.<name>" for every parameter and state tensor of its part, and the
    /// decay and update count as metadata "ema_decay" and "ema_updates".
    public mutating func store(_ average: ExponentialMovingAverage) {
        metadata["ema_decay"] = String(average.decay)
        metadata["ema_updates"] = String(average.updateCount)
        let store = average.store
        for p in store.parameters {
            tensors[ExponentialMovingAverage.averagedName(p.name)] = StoredTensor(
                floats: Array(UnsafeBufferPointer(start: average.values.pointer + p.offset, count: p.count)), shape: p.shape)
        }
        for s in store.state {
            tensors[ExponentialMovingAverage.averagedName(s.name)] = StoredTensor(
                floats: Array(UnsafeBufferPointer(start: average.stateValues.pointer + s.offset, count: s.count)), shape: s.shape)
        }
    }

    /// The decay a checkpoint's average was kept with; 0 when it keeps none.
    public func averageDecay() throws(VAEGANError) -> Float {
        metadata["ema_decay"] == nil ? 0 : try float("ema_decay")
    }

    /// Copies the stored θ̄ into `average` (names and shapes checked, values finite).
    public func restore(_ average: ExponentialMovingAverage) throws(VAEGANError) {
        // Averages saved before the warm-up existed have no count: theirs ran at d throughout.
        average.updateCount = metadata["ema_updates"] == nil ? Int(Int32.max) : try integer("ema_updates")
        let store = average.store
        for p in store.parameters {
            try copy(ExponentialMovingAverage.averagedName(p.name), into: average.values.pointer + p.offset, shape: p.shape)
        }
        for s in store.state {
            try copy(ExponentialMovingAverage.averagedName(s.name), into: average.stateValues.pointer + s.offset, shape: s.shape)
        }
    }

    /// Whether the file holds averaged weights.
    public var hasAveragedWeights: Bool { tensors.keys.contains { $0.hasPrefix("ema.") } }

    /// This file with every averaged tensor in place of the tensor it averages: what loading
    /// "the EMA weights" of a checkpoint means.
    public func withAveragedWeights() -> SafeTensorsFile {
        var file = self
        for (name, tensor) in tensors where name.hasPrefix("ema.") {
            file.tensors[String(name.dropFirst("ema.".count))] = tensor
        }
        return file
    }
}
