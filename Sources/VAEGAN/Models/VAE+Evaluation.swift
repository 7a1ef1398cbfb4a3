// VAE evaluation: the negative ELBO over a whole data set, KL per latent dimension and the
// active units.

/// The β-VAE's figures over a data set, per example.
public struct VAEEvaluation: Sendable {
    public var reconstruction: Double
    public var kl: Double
    public var negativeELBO: Double { reconstruction + kl }
    /// KL of each latent dimension, nats per example.
    public var klPerDimension: [Double]
    /// Dimensions whose KL exceeds `activeThreshold` nats: the ones the model uses.
    public var activeUnits: Int { klPerDimension.filter { $0 > Self.activeThreshold }.count }
    public static let activeThreshold = 0.01

    /// Latent dimensions ordered from most to least KL.
    public var dimensionsByKL: [Int] { klPerDimension.indices.sorted { klPerDimension[$0] > klPerDimension[$1] } }
}

extension VAE {
    /// Negative ELBO (β = 1) over every example of `data`, one z per example drawn from a
    /// generator seeded with `seed` (the same ε each call, so epochs compare fairly). With a
    /// `shard`, its rows of each batch only: the figures are its share, and the shards' sum
    /// (GradientReducer) is the whole set's.
    ///
    /// - Throws: `.shapeMismatch` for examples of another width; `.outOfMemory` when the batch
    ///   buffer cannot be allocated.
    public func evaluate(_ data: ImageDataset, seed: UInt64 = VAETraining.evaluationSeed,
                         shard: BatchShard = .whole) throws(VAEGANError) -> VAEEvaluation {
        guard data.featureCount == inputWidth else {
            throw .shapeMismatch("the β-VAE takes examples of \(inputWidth) values, the data has \(data.featureCount)")
        }
        return evaluate(data, seed: seed, batch: try makeEvaluationBatch(), shard: shard)
    }

    /// A buffer for ``evaluate(_:seed:batch:shard:)``: `batchCapacity` rows of the input width.
    func makeEvaluationBatch() throws(VAEGANError) -> Tensor { try .zeros([batchCapacity, inputWidth]) }

    /// ``evaluate(_:seed:shard:)`` through `batch` (from makeEvaluationBatch), allocating nothing
    /// that the data's size drives.
    func evaluate(_ data: ImageDataset, seed: UInt64, batch: Tensor, shard: BatchShard = .whole) -> VAEEvaluation {
        precondition(data.featureCount == inputWidth && batch.count == batchCapacity * inputWidth,
                     "VAE.evaluate: examples of \(data.featureCount) through a batch of \(batch.shape)")
        var generator = RandomGenerator(seed: seed)
        resetKLStatistics()
        var reconstruction = 0.0, kl = 0.0
        var start = 0
        while start < data.count {
            let rows = min(batchCapacity, data.count - start)
            for r in 0..<rows { data.copyRow(start + r, to: batch.pointer + r * inputWidth) }
            let losses = evaluate(Matrix(batch.pointer, rows: rows, columns: inputWidth), noise: &generator, tallyKL: true, shard: shard)
            reconstruction += losses.reconstruction * Double(rows)
            kl += losses.kl * Double(rows)
            start += rows
        }
        let n = Double(data.count)
        let perDimension = klPerDimension.map { $0 / Double(max(data.count, 1)) } // every example tallied once
        resetKLStatistics()
        return VAEEvaluation(reconstruction: reconstruction / n, kl: kl / n, klPerDimension: perDimension)
    }
}
