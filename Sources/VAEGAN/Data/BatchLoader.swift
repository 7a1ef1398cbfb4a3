// BatchLoader: shuffled mini-batches as Float matrices from an ImageDataset, whose pixels stay
// bytes in memory until their batch is needed. The batch buffer and the index permutation are
// allocated once; drawing a batch allocates nothing.
import CVAEGAN

/// Draws shuffled batches of an `ImageDataset`, a new permutation each epoch.
///
/// ```swift
/// let loader = try BatchLoader(examples, batchSize: 128, seed: 1)
/// loader.startEpoch()
/// while let batch = loader.nextBatch() { /* train on batch */ }
/// ```
public final class BatchLoader {
    public let examples: ImageDataset
    public let batchSize: Int
    /// Shuffles each epoch (and draws the binarization); saved in checkpoints so a resumed run
    /// sees the same batches.
    public var rng: RandomGenerator
    /// Dynamic binarization (the likelihood literature's for MNIST): every batch's pixels are
    /// drawn afresh as Bernoulli(intensity), so each epoch sees another binary image of each
    /// example.
    public let binarizes: Bool
    private let uniforms: Tensor?
    private let order: HeapBuffer<Int32>
    private let batch: Tensor
    private var position = 0
    private var batchStart = 0
    public let shuffles: Bool

    public init(_ examples: ImageDataset, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0,
                binarize: Bool = false) throws(VAEGANError)
    {
        try require(batchSize > 0, "batch size must be positive, not \(batchSize)")
        try require(examples.count <= Int(Int32.max), "at most 2³¹ examples")
        self.examples = examples
        self.batchSize = batchSize
        shuffles = shuffle
        rng = RandomGenerator(seed: seed)
        order = try HeapBuffer(zeroed: examples.count)
        for i in 0..<examples.count { order.pointer[i] = Int32(i) }
        batch = try .zeros([batchSize, examples.featureCount])
        binarizes = binarize
        uniforms = binarize ? try .zeros([batchSize, examples.featureCount]) : nil
        position = examples.count
        batchStart = position
    }

    /// Batches per epoch, the last one possibly partial.
    public var batchesPerEpoch: Int { (examples.count + batchSize - 1) / batchSize }

    /// Starts a new pass: a fresh permutation (when shuffling) and the first batch next.
    public func startEpoch() {
        if shuffles {
            for i in 0..<examples.count { order.pointer[i] = Int32(i) }
            rng.shuffle(order.buffer)
        }
        position = 0
        batchStart = 0
    }

    /// The next batch (a view into the loader's buffer, valid until the next call), or nil at
    /// the end of the epoch.
    public func nextBatch() -> Matrix? {
        guard position < examples.count else { return nil }
        let rows = min(batchSize, examples.count - position)
        for r in 0..<rows {
            examples.copyRow(Int(order.pointer[position + r]), to: batch.pointer + r * examples.featureCount)
        }
        batchStart = position
        position += rows
        let values = rows * examples.featureCount
        if let uniforms {
            rng.fillUniform(uniforms.pointer, count: values)
            vg_bernoulli_in_place(batch.pointer, uniforms.pointer, Int64(values))
        }
        return Matrix(batch.pointer, rows: rows, columns: examples.featureCount)
    }

    /// The dataset indices of the last batch's rows, in order (to look up their labels).
    public var batchIndices: UnsafeBufferPointer<Int32> {
        UnsafeBufferPointer(rebasing: UnsafeBufferPointer(order.buffer)[batchStart..<position])
    }
}
