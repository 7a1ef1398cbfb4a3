// VAE: the β-VAE (Kingma & Welling 2014; Higgins et al. 2017) as a composition of the engine's
// layers: encoder MLP → (μ, log σ²) heads → z = μ + σ·ε → decoder MLP → logits (or means).
//
// loss per example = −log p(x | z) + β·KL(q(z|x) ‖ N(0, I)), averaged over the batch.
// Every buffer is allocated in init for `batchCapacity` rows; a training step allocates nothing.
import CVAEGAN
import Foundation

/// The per-example means of one batch's loss terms.
public struct VAELosses: Sendable {
    /// −log p(x | z), nats per example.
    public var reconstruction: Double
    /// KL(q(z|x) ‖ N(0, I)), nats per example.
    public var kl: Double
    /// The β the batch was trained with.
    public var beta: Float
    /// Under the importance-weighted objective: the bound L_K per example (the reconstruction is
    /// then the mean over all K samples, the KL q's closed form); nil under the ELBO.
    public var importanceWeightedBound: Double?
    /// What the optimizer minimizes: reconstruction + β·KL, or −L_K.
    public var loss: Double { importanceWeightedBound.map { -$0 } ?? reconstruction + Double(beta) * kl }
    /// reconstruction + KL: the negative ELBO.
    public var negativeELBO: Double { reconstruction + kl }
}

/// A β-VAE with Bernoulli or Gaussian likelihood.
///
/// ```swift
/// let vae = try VAE(VAEConfiguration(), batchCapacity: 128, seed: 0)
/// let adam = try Adam(store: vae.store, learningRate: 1e-3)
/// vae.store.zeroGradients()
/// let losses = vae.accumulateGradients(on: batch, beta: 1)
/// adam.step()
/// ```
public final class VAE {
    public let configuration: VAEConfiguration
    public let batchCapacity: Int
    public let encoder: GaussianEncoder
    public let decoder: Sequential
    public var decoderNetwork: Sequential { decoder }
    /// log σ of a learned Gaussian likelihood; nil otherwise.
    public let logSigma: Parameter?
    /// The generator for ε in training; saved in checkpoints.
    public var rng: RandomGenerator
    /// The rows of each training batch this process trains on (data-parallel training); every
    /// row when training alone.
    public var shard = BatchShard.whole

    /// Encoder, decoder and log σ in one buffer: the part the optimizer steps over.
    public let store: ParameterStore
    /// The store's parameters: the encoder's, the decoder's, then log σ.
    public var parameters: [Parameter] { store.parameters }

    /// ε, z = μ + σ·ε and the KL, with their backward (shared with the VAE-GAN).
    public let latent: GaussianLatent
    /// K draws of z per example, for the importance-weighted objective (nil under the ELBO).
    public let weightedLatent: ImportanceWeightedLatent?
    // Workspaces, (batchCapacity · samples per example, input width) each.
    private let outputGradient: Tensor, means: Tensor
    /// KL per latent dimension, summed over the examples since the last reset.
    public private(set) var klPerDimension: [Double]
    public private(set) var klExamples = 0

    public init(_ configuration: VAEConfiguration, batchCapacity: Int = 128, seed: UInt64 = 0)
        throws(VAEGANError)
    {
        try configuration.validate()
        try require(batchCapacity > 0, "batch size must be positive, not \(batchCapacity)")
        self.configuration = configuration
        self.batchCapacity = batchCapacity
        var rng = RandomGenerator(seed: seed)
        let c = configuration
        let layout = ParameterStore.Layout()
        encoder = try GaussianEncoder(body: c.encoderNetwork, latentWidth: c.latentWidth,
                                      initialization: c.initialization, batchCapacity: batchCapacity,
                                      parameters: layout)
        // The importance-weighted objective decodes K·B rows at once.
        let samples = c.objective.samplesPerExample
        let (decoderRows, overflow) = batchCapacity.multipliedReportingOverflow(by: samples)
        guard !overflow else { throw .outOfMemory("\(batchCapacity) examples × \(samples) samples overflow") }
        decoder = try c.decoderNetwork.build(name: "decoder", initialization: c.initialization,
                                             batchCapacity: decoderRows, parameters: layout)
        if case .gaussian(let sigma, true) = c.likelihood {
            let p = layout.parameter("log_sigma", shape: [1])
            layout.initialize { _ in p.value.pointer[0] = log(sigma) }
            logSigma = p
        } else {
            logSigma = nil
        }
        store = try ParameterStore(layout, initializingWith: &rng)
        self.rng = rng
        latent = try GaussianLatent(width: c.latentWidth, batchCapacity: batchCapacity)
        if case .importanceWeighted = c.objective {
            weightedLatent = try ImportanceWeightedLatent(width: c.latentWidth, batchCapacity: batchCapacity, sampleCapacity: samples)
        } else {
            weightedLatent = nil
        }
        outputGradient = try .zeros([decoderRows, c.inputWidth])
        means = try .zeros([decoderRows, c.inputWidth])
        klPerDimension = Array(repeating: 0, count: c.latentWidth)
    }

    public var latentWidth: Int { configuration.latentWidth }
    public var inputWidth: Int { configuration.inputWidth }

    // MARK: Training

    /// Forward and backward on one batch `x` (rows ≤ batchCapacity, values in the likelihood's
    /// range): adds ∂loss/∂parameters into the gradients and returns the batch's mean losses.
    /// Draws ε from `rng`. With a `shard`, only its rows of `x` are computed, and gradients and
    /// losses are their share of the whole batch's (summing the shards' gives the batch's).
    public func accumulateGradients(on batch: Matrix, beta: Float) -> VAELosses {
        if case .importanceWeighted(let samples, let dreg) = configuration.objective {
            precondition(shard == .whole, "VAE: the importance-weighted objective trains in one process only")
            return accumulateImportanceWeightedGradients(on: batch, samples: samples, doublyReparameterized: dreg)
        }
        let rows = batch.rows, x = shard.rows(of: batch)
        let output = forward(x, noise: &rng, shard: shard, batchRows: rows)

        let scale = 1 / Float(rows)
        let dOutput = Matrix(outputGradient.pointer, rows: x.rows, columns: inputWidth)
        let reconstruction = reconstructionLoss(output: output, target: x, gradient: dOutput, scale: scale)
        let dz = decoder.backward(dOutput)

        let (dmu, dlogvar, kl) = klPerDimension.withUnsafeMutableBufferPointer { perDimension in
            latent.backward(zGradient: dz, klGradientScale: beta * scale, perDimension: perDimension)
        }
        klExamples += x.rows

        encoder.backward(muGradient: dmu, logvarGradient: dlogvar)
        // Divide in Double: the Float 1/rows is inexact unless rows is a power of two.
        return VAELosses(reconstruction: reconstruction / Double(rows), kl: kl / Double(rows), beta: beta)
    }

    /// x → (μ, log σ²) → z = μ + σ·ε with ε drawn from `generator` → decoder output (a view
    /// into the decoder's buffer, valid until the next call). `latent` saves what its backward
    /// and its KL need. With a `shard`, x is its rows of a batch of `batchRows` (ε is drawn
    /// for the whole batch).
    private func forward(_ x: Matrix, noise generator: inout RandomGenerator, shard: BatchShard = .whole,
                         batchRows: Int? = nil) -> Matrix {
        let (mu, logvar) = encode(x)
        return decoder.forward(latent.sample(mu: mu, logvar: logvar, noise: &generator, shard: shard, batchRows: batchRows))
    }

    /// −log p(x | z) summed over the batch; writes `scale`·∂/∂output into `gradient` (if any).
    func reconstructionLoss(output: Matrix, target: Matrix, gradient: Matrix?, scale: Float) -> Double {
        switch configuration.likelihood {
        case .bernoulli:
            return binaryCrossEntropy(logits: output, targets: target, gradient: gradient, gradientScale: scale)
        case .gaussian(let fixedSigma, _):
            // −log N(x; m, σ²) = ½(x−m)²/σ² + log σ + ½ log 2π, per pixel.
            let logSigmaValue = logSigma.map { Double($0.value.pointer[0]) } ?? Double(log(fixedSigma))
            let inverseVariance = exp(-2 * logSigmaValue)
            let sse = squaredError(prediction: output, target: target, gradient: gradient,
                                   gradientScale: scale * Float(0.5 * inverseVariance))
            let pixels = Double(output.count)
            if let logSigma, gradient != nil { // ∂/∂log σ = −(x−m)²/σ² + 1, per pixel
                logSigma.gradient.pointer[0] += Float((-sse * inverseVariance + pixels) * Double(scale))
            }
            return 0.5 * sse * inverseVariance + pixels * (logSigmaValue + 0.5 * log(2 * Double.pi))
        }
    }

    /// The importance-weighted objective's step: K z per example, one decoder pass over the K·B
    /// rows, and gradients of −(1/B) Σ_b L_K(x_b) (ImportanceWeightedLatent.swift).
    private func accumulateImportanceWeightedGradients(on x: Matrix, samples: Int, doublyReparameterized: Bool) -> VAELosses {
        guard let weightedLatent else { preconditionFailure("VAE: no importance-weighted latent") }
        let rows = x.rows, sampleRows = rows * samples
        let (mu, logvar) = encode(x)
        let output = decoder.forward(weightedLatent.sample(mu: mu, logvar: logvar, samples: samples, noise: &rng))
        rowNegativeLogLikelihoods(output: output, targets: x, samplesPerTarget: samples,
                                  into: weightedLatent.negativeLogLikelihoods.pointer)
        let boundSum = weightedLatent.combine()

        // ∂/∂output of −s Σ_k w̃_k log p(x | z_k): each row's gradient scaled by w̃_r·s.
        let scale = 1 / Float(rows)
        let dOutput = Matrix(outputGradient.pointer, rows: sampleRows, columns: inputWidth)
        rowNegativeLogLikelihoods(output: output, targets: x, samplesPerTarget: samples, into: nil,
                                  gradient: dOutput, rowScales: weightedLatent.weights.pointer, gradientScale: scale)
        let dz = decoder.backward(dOutput)
        let (dmu, dlogvar) = weightedLatent.backward(zGradient: dz, gradientScale: scale,
                                                     doublyReparameterized: doublyReparameterized)
        let kl = klPerDimension.withUnsafeMutableBufferPointer {
            gaussianKL(mu: mu, logvar: logvar, muGradient: nil, logvarGradient: nil, perDimension: $0)
        }
        klExamples += rows
        encoder.backward(muGradient: dmu, logvarGradient: dlogvar)

        var nllSum = 0.0
        for r in 0..<sampleRows { nllSum += weightedLatent.negativeLogLikelihoods.pointer[r] }
        var losses = VAELosses(reconstruction: nllSum / Double(sampleRows), kl: kl / Double(rows), beta: 1)
        losses.importanceWeightedBound = boundSum / Double(rows)
        return losses
    }

    /// −log p(x | z) of each output row against target row r / `samplesPerTarget` into
    /// `values` (if given), and when `gradient` is given ∂/∂output of each row scaled by
    /// `gradientScale`·`rowScales[r]`. Bernoulli rows go through one threaded kernel; Gaussian
    /// ones row by row.
    func rowNegativeLogLikelihoods(output: Matrix, targets: Matrix, samplesPerTarget: Int,
                                   into values: UnsafeMutablePointer<Double>?, gradient: Matrix? = nil,
                                   rowScales: UnsafePointer<Float>? = nil, gradientScale: Float = 1) {
        precondition(output.columns == inputWidth && targets.columns == inputWidth
                     && output.rows == targets.rows * samplesPerTarget && (gradient == nil || rowScales != nil),
                     "rowNegativeLogLikelihoods: shapes")
        if configuration.likelihood == .bernoulli {
            vg_bce_logits_rows(values, gradient?.base, output.base, targets.base, Int64(output.rows),
                               Int64(inputWidth), Int64(samplesPerTarget), rowScales, gradientScale)
            return
        }
        for r in 0..<output.rows {
            let row = Matrix(output.row(r), rows: 1, columns: inputWidth)
            let target = Matrix(targets.row(r / samplesPerTarget), rows: 1, columns: inputWidth)
            let rowGradient = gradient.map { Matrix($0.row(r), rows: 1, columns: inputWidth) }
            let value = reconstructionLoss(output: row, target: target, gradient: rowGradient,
                                           scale: gradientScale * (rowScales?[r] ?? 1))
            values?[r] = value
        }
    }

    /// Starts a new tally of KL per dimension.
    public func resetKLStatistics() {
        for i in klPerDimension.indices { klPerDimension[i] = 0 }
        klExamples = 0
    }

    // MARK: Inference

    /// The approximate posterior's parameters for rows of `x` (views into the heads' buffers,
    /// valid until the next call).
    public func encode(_ x: Matrix) -> (mu: Matrix, logvar: Matrix) {
        encoder.body.isTraining = false // evaluation mode: batch norms use running statistics
        defer { encoder.body.isTraining = true }
        return encoder.forward(x)
    }

    /// The decoder's means for latent rows `z`: probabilities for Bernoulli, means for Gaussian
    /// (a view into a workspace, valid until the next call).
    public func decode(_ z: Matrix) -> Matrix {
        decoder.isTraining = false
        defer { decoder.isTraining = true }
        let output = decoder.forward(z)
        let result = Matrix(means.pointer, rows: z.rows, columns: inputWidth)
        result.copy(from: output)
        if configuration.likelihood == .bernoulli {
            vg_bias_activation_forward(result.base, nil, Int64(result.rows), Int64(result.columns),
                                       VG_ACTIVATION_SIGMOID, 0)
        }
        return result
    }

    /// Reconstruction of `x` through z = μ (the posterior mean).
    public func reconstruct(_ x: Matrix) -> Matrix { decode(encode(x).mu) }

    /// The losses of one batch without training: one z per example drawn from `noise`. With
    /// `tallyKL` the KL per latent dimension is added to `klPerDimension` too. With a `shard`,
    /// only its rows of `batch` are computed, and the losses are their share of the batch's means.
    public func evaluate(_ batch: Matrix, noise generator: inout RandomGenerator, tallyKL: Bool = false,
                         shard: BatchShard = .whole) -> VAELosses {
        let batchRows = batch.rows, x = shard.rows(of: batch), rows = x.rows
        let output = forward(x, noise: &generator, shard: shard, batchRows: batchRows)
        let reconstruction = reconstructionLoss(output: output, target: x, gradient: nil, scale: 1)
        let kl: Double
        if tallyKL {
            kl = klPerDimension.withUnsafeMutableBufferPointer { latent.kl(perDimension: $0) }
            klExamples += rows
        } else {
            kl = latent.kl()
        }
        let scale = 1 / Double(batchRows)
        return VAELosses(reconstruction: reconstruction * scale, kl: kl * scale, beta: 1)
    }
}
