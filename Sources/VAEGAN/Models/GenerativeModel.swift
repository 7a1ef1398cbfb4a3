// GenerativeModel: what every kind of generative model offers for inference — its kind, the
// widths of its data and latent rows, and a decoder (generator) from latents to data — and
// Autoencoding, the models that also have an encoder. Sampling, decoding any number of rows
// and the pictures are written once against these protocols.

/// A model that maps latent rows z ~ N(0, I) to data rows.
public protocol GenerativeModel: AnyObject {
    /// The kind's name in checkpoints and on the command line: "vae", "gan", "vaegan".
    static var kind: String { get }
    /// The kind's name in messages: "β-VAE", "GAN", "VAE-GAN".
    static var displayName: String { get }
    /// Values per data row.
    var inputWidth: Int { get }
    /// Values per latent row.
    var latentWidth: Int { get }
    /// Most rows one forward pass takes (the size of its workspaces).
    var batchCapacity: Int { get }
    /// Decoder (generator) outputs for at most `batchCapacity` latent rows (a view valid until
    /// the next call).
    func decode(_ z: Matrix) -> Matrix
    /// Decoder outputs mapped to [0, 1] for pictures (identity unless the outputs live elsewhere).
    func inDisplayRange(_ values: [Float]) -> [Float]
    /// The model's parts, one store each, in build order: their parameters and state are the
    /// model's named tensors (what checkpoints store under PyTorch-style names).
    var parameterStores: [ParameterStore] { get }
    /// The network from z to data (the decoder; the GAN's generator).
    var decoderNetwork: Sequential { get }
}

/// A generative model with an encoder: examples to a Gaussian posterior q(z | x).
public protocol Autoencoding: GenerativeModel {
    /// Posterior parameters for rows of examples (views valid until the next call).
    func encode(_ x: Matrix) -> (mu: Matrix, logvar: Matrix)
}

/// Rows per batch of z when batch-norm statistics are re-estimated (fewer only in a model of
/// smaller capacity, whose statistics then differ).
let reestimationBatchRows = 16

extension GenerativeModel {
    public func inDisplayRange(_ values: [Float]) -> [Float] { values }

    /// A buffer for ``reestimateDecoderStatistics(noise:)``'s batches of z.
    public func makeReestimationNoise() throws(VAEGANError) -> Tensor {
        try .zeros([min(batchCapacity, reestimationBatchRows), latentWidth])
    }

    /// Re-estimates the decoder's batch-norm statistics for its current weights from 4,096
    /// z ~ N(0, I) in batches of `noise`'s rows (reestimationBatchRows from makeReestimationNoise,
    /// so training, `sample` and `eval` get the same figures) drawn from a
    /// fixed seed (the model's own generators are not touched, and the result is the same on
    /// every call): what averaged weights need, since no single iterate's running statistics
    /// belong to them. Nothing happens without batch norms.
    public func reestimateDecoderStatistics(noise: Tensor) {
        guard decoderNetwork.hasBatchNorm else { return }
        let seed: UInt64 = 0x5747
        var draws = RandomGenerator(seed: seed)
        decoderNetwork.reestimateStatistics(batches: 4096 / noise.matrix.rows) { batch in
            if batch == 0 { draws = RandomGenerator(seed: seed) } // the same z for each batch norm
            draws.fillNormal(noise.matrix)
            return noise.matrix
        }
    }

    /// Every named tensor of the model: each part's parameters, then its state, parts in build
    /// order; views of the live values.
    public var namedTensors: [(name: String, value: Tensor)] {
        parameterStores.flatMap { store in
            store.parameters.map { ($0.name, $0.value) } + store.state.map { ($0.name, $0.value) }
        }
    }

    /// Decoder means for any number of latent rows, in chunks of the batch capacity.
    ///
    /// - Throws: `.outOfMemory` when the rows' outputs cannot be allocated.
    public func decodeAll(_ latents: [Float]) throws(VAEGANError) -> [Float] {
        try mapRowsInChunks(latents, width: latentWidth, capacity: batchCapacity) { decode($0) }
    }

    /// `count` samples from z ~ N(0, I) drawn with `seed`, as rows of `inputWidth` values; with
    /// `rows`, only those of them: all `count` rows of z are drawn either way, so the ranks of a
    /// data-parallel run, each decoding its own rows, together decode one process's samples.
    ///
    /// - Throws: `.invalidArgument` for `count` < 1 or rows outside it; `.outOfMemory` when z or
    ///   the samples cannot be allocated.
    public func sample(count: Int, seed: UInt64, rows: Range<Int>? = nil) throws(VAEGANError) -> [Float] {
        try require(count > 0, "sample count must be positive, not \(count)")
        let rows = rows ?? 0..<count
        try require(rows.lowerBound >= 0 && rows.upperBound <= count, "sample rows \(rows) are not rows of \(count)")
        let (values, overflow) = count.multipliedReportingOverflow(by: latentWidth)
        guard !overflow else { throw .outOfMemory("\(count) samples × latent \(latentWidth) are more than an Int counts") }
        var generator = RandomGenerator(seed: seed)
        let z = try HeapBuffer<Float>(zeroed: values)
        generator.fillNormal(z.pointer, count: z.count)
        let mine = UnsafeBufferPointer(rebasing: z.buffer[rows.lowerBound * latentWidth ..< rows.upperBound * latentWidth])
        return try withExtendedLifetime(z) { () throws(VAEGANError) in
            try mapRowsInChunks(mine, width: latentWidth, capacity: batchCapacity) { decode($0) }
        }
    }
}

extension Autoencoding {
    /// Posterior means μ for any number of examples.
    ///
    /// - Throws: `.outOfMemory` when the means cannot be allocated.
    public func encodeMeans(_ examples: [Float]) throws(VAEGANError) -> [Float] {
        try mapRowsInChunks(examples, width: inputWidth, capacity: batchCapacity) { encode($0).mu }
    }
}

extension VAE: Autoencoding {
    public static let kind = "vae"
    public static let displayName = "β-VAE"
    public var parameterStores: [ParameterStore] { [store] }
}

extension VAEGAN: Autoencoding {
    public static let kind = "vaegan"
    public static let displayName = "VAE-GAN"
    public var parameterStores: [ParameterStore] { [encoderStore, decoderStore, discriminatorStore] }
}

extension GAN: GenerativeModel {
    public static let kind = "gan"
    public static let displayName = "GAN"
    public var inputWidth: Int { dataWidth }
    public func decode(_ z: Matrix) -> Matrix { generate(z) }
    public var parameterStores: [ParameterStore] { [generatorStore, discriminatorStore] }
}
