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
    public func evaluate(_ data: ImageDataset, seed: UInt64 = VAETraining.evaluationSeed,
                         shard: BatchShard = .whole) -> VAEEvaluation {
        var generator = RandomGenerator(seed: seed)
        let batch = Tensor(shape: [batchCapacity, data.featureCount])
        resetKLStatistics()
        var reconstruction = 0.0, kl = 0.0
        var start = 0
        while start < data.count {
            let rows = min(batchCapacity, data.count - start)
            for r in 0..<rows { data.copyRow(start + r, to: batch.pointer + r * data.featureCount) }
            let losses = evaluate(Matrix(batch.pointer, rows: rows, columns: data.featureCount), noise: &generator, tallyKL: true, shard: shard)
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
