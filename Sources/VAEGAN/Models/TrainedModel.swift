// TrainedModel: a generative model of any kind loaded from a checkpoint for inference — what
// `vaegan sample` and `vaegan eval` work with. The kind is looked up in ModelRegistry.

import Foundation

/// Which of a checkpoint's weights to load: the last iterate's, or the average a run trained
/// with `--ema-decay` kept of its generating part.
public enum WeightChoice: String, CaseIterable, Sendable {
    case raw, ema
}

/// A generative model restored from a checkpoint (or wrapped for sampling).
public struct TrainedModel {
    public let model: any GenerativeModel
    /// The weights it holds.
    public let weights: WeightChoice
    /// Whether its batch norms' statistics were re-estimated for these weights when loaded
    /// (always for averaged weights), rather than the training's running ones.
    public let statisticsReestimated: Bool

    public init(_ model: any GenerativeModel, weights: WeightChoice = .raw, statisticsReestimated: Bool = false) {
        self.model = model
        self.weights = weights
        self.statisticsReestimated = statisticsReestimated
    }

    /// Reads a checkpoint of any kind (weights only; optimizer state is ignored): with
    /// `weights` nil, the averaged weights when the file keeps them and the raw ones otherwise.
    /// Averaged weights get batch-norm statistics re-estimated for them (no iterate's running
    /// ones belong to them); raw weights too with `reestimatingStatistics`.
    ///
    /// - Throws: `.invalidArgument` for `.ema` from a checkpoint that keeps no average.
    public static func load(from path: String, batchCapacity: Int = 128, weights: WeightChoice? = nil,
                            reestimatingStatistics: Bool = false) throws(VAEGANError) -> TrainedModel {
        try load(SafeTensorsFile.read(from: path), named: path, batchCapacity: batchCapacity, weights: weights,
                 reestimatingStatistics: reestimatingStatistics)
    }

    /// The same from a file already read; `path` names it in errors.
    public static func load(_ file: SafeTensorsFile, named path: String, batchCapacity: Int = 128,
                            weights: WeightChoice? = nil,
                            reestimatingStatistics: Bool = false) throws(VAEGANError) -> TrainedModel {
        var file = file
        let choice = weights ?? (file.hasAveragedWeights ? .ema : .raw)
        if choice == .ema {
            guard file.hasAveragedWeights else {
                throw .invalidArgument("\(path) keeps no averaged weights (it was trained without --ema-decay): use --weights raw")
            }
            file = file.withAveragedWeights()
        }
        let model = try ModelRegistry.kind(of: file).loadModel(from: file, batchCapacity: batchCapacity)
        let reestimate = choice == .ema || reestimatingStatistics
        if reestimate { model.reestimateDecoderStatistics(noise: try model.makeReestimationNoise()) }
        return TrainedModel(model, weights: choice, statisticsReestimated: reestimate && model.decoderNetwork.hasBatchNorm)
    }

    /// "vae", "gan" or "vaegan".
    public var kind: String { type(of: model).kind }
    public var dataWidth: Int { model.inputWidth }
    public var latentWidth: Int { model.latentWidth }

    /// Decoder (generator) outputs for latent rows, any number of them.
    public func decode(_ latents: [Float]) throws(VAEGANError) -> [Float] { try model.decodeAll(latents) }

    /// `count` samples from z ~ N(0, I) drawn with `seed`, as rows of `dataWidth` values (with
    /// `rows`, only those of them; see GenerativeModel's `sample(count:seed:rows:)`).
    public func sample(count: Int, seed: UInt64, rows: Range<Int>? = nil) throws(VAEGANError) -> [Float] {
        try model.sample(count: count, seed: seed, rows: rows)
    }

    /// ``sample(count:seed:rows:)`` clipped to the pixel range [0, 1], as images are shown and
    /// scored: a Gaussian decoder's means may stray outside it.
    public func sampleImages(count: Int, seed: UInt64, rows: Range<Int>? = nil) throws(VAEGANError) -> [Float] {
        var samples = try sample(count: count, seed: seed, rows: rows)
        for i in samples.indices { samples[i] = min(max(samples[i], 0), 1) } // in place: no second copy
        return samples
    }
}

extension GAN {
    /// Generator outputs for any number of latent rows.
    public func generateAll(_ latents: [Float]) throws(VAEGANError) -> [Float] { try decodeAll(latents) }

    /// D(x) as probabilities for any number of rows.
    ///
    /// - Throws: `.outOfMemory` when the probabilities cannot be allocated.
    public func discriminateAll(_ rows: [Float]) throws(VAEGANError) -> [Double] {
        let logits = try mapRowsInChunks(rows, width: dataWidth, capacity: batchCapacity) { discriminator.forward($0) }
        return try [Double](checkedCount: logits.count, "\(logits.count) probabilities") { probabilities in
            for (i, logit) in logits.enumerated() { probabilities[i] = 1 / (1 + exp(-Double(logit))) }
        }
    }
}
