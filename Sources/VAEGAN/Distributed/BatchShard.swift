// BatchShard: which rows of each global batch one rank of a data-parallel run trains on, and
// the noise those rows get. Every rank draws the same batch (the same loader, seed and
// shuffle) and the noise of the whole batch from the same generator, then keeps its own
// contiguous rows of both: rank r's rows see exactly the x, z and ε a single process would
// give them, so the sum of the ranks' gradients is the single process's gradient (up to the
// order of the sum). Losses are scaled by 1/(global rows), not by the shard's rows.

/// Rank `index` of `count`: its contiguous share of every batch, sizes differing by at most one.
public struct BatchShard: Sendable, Equatable {
    public let index: Int
    public let count: Int

    /// One process training alone: every row.
    public static let whole = BatchShard(index: 0, count: 1)

    /// This process's shard among the ranks of `communicator`.
    public init(of communicator: any Communicator) { self.init(index: communicator.rank, count: communicator.size) }

    public init(index: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(index), "BatchShard: rank \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// This shard's rows of a batch of `rows` rows.
    public func range(ofRows rows: Int) -> Range<Int> { rows * index / count ..< rows * (index + 1) / count }

    /// This shard's rows of `batch` (a view).
    public func rows(of batch: Matrix) -> Matrix {
        let range = range(ofRows: batch.rows)
        return Matrix(batch.row(range.lowerBound), rows: range.count, columns: batch.columns)
    }

    /// Draws N(0, I) for all `batchRows` rows of a batch into `buffer` (room for batchRows ×
    /// `columns`), from `generator` as a single process would, and returns this shard's rows.
    public func normalRows(_ batchRows: Int, columns: Int, in buffer: UnsafeMutablePointer<Float>,
                           from generator: inout RandomGenerator) -> Matrix {
        let all = Matrix(buffer, rows: batchRows, columns: columns)
        generator.fillNormal(all)
        return rows(of: all)
    }

    /// The share of a batch's mean that this shard's `mean` (over its own rows) contributes.
    func share(ofMean mean: Double, batchRows: Int) -> Double {
        count == 1 ? mean : mean * Double(range(ofRows: batchRows).count) / Double(batchRows)
    }
}
