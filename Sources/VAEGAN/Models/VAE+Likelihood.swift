// The β-VAE's log-likelihood by importance sampling: the IWAE bound (Burda et al. 2016),
//
//   log p(x) ≥ log (1/K) Σ_k p(x | z_k) p(z_k) / q(z_k | x),   z_k ~ q(z | x),
//
// which is the ELBO at K = 1 and tightens as K grows (K = 5000 is the literature's standard).
// The estimate runs on a copy of the model sized for big passes: a group of images is encoded
// once, and each pass decodes S samples of every image of the group as one batch of rows
// (thousands of rows per GEMM, not one image's), its log-weights reduced by iwae.c. The passes'
// log-sum-exps are merged in double, so nothing overflows and memory does not grow with K.
import CVAEGAN
import Foundation

/// An importance-sampled estimate of the test log-likelihood: per image and its mean with the
/// standard error of that mean.
public struct LikelihoodEstimate: Sendable {
    /// log p(x) ≥ L_K for each image, nats.
    public var perImage: [Double]
    public var samples: Int
    public var mean: Double { perImage.reduce(0, +) / Double(max(perImage.count, 1)) }
    /// The standard error of `mean` over the images (their spread / √n): how far another draw of
    /// test images would move it. The Monte Carlo error of each image's L_K is far smaller at
    /// K = 5000.
    public var standardError: Double {
        let n = Double(perImage.count), m = mean
        guard n > 1 else { return 0 }
        return (perImage.map { ($0 - m) * ($0 - m) }.reduce(0, +) / (n - 1)).squareRoot() / n.squareRoot()
    }
}

extension VAE {
    /// The IWAE estimate of log p(x) in nats for each row of `images` (values in the
    /// likelihood's range), with `samples` draws of z per image from a generator seeded with
    /// `seed`. After each group of images `progress` hears the images finished and their mean
    /// so far.
    ///
    /// - Throws: `.invalidArgument` for `samples` < 1; `.shapeMismatch` for rows of another width;
    ///   `.outOfMemory` when the workspaces cannot be allocated.
    public func importanceWeightedLogLikelihood(of images: [Float], samples: Int, seed: UInt64 = 0,
                                                progress: ((_ done: Int, _ meanSoFar: Double) -> Void)? = nil) throws(VAEGANError) -> [Double] {
        try require(samples >= 1, "importance samples must be at least 1, not \(samples)")
        guard images.count % inputWidth == 0 else {
            throw .shapeMismatch("\(images.count) values are not rows of \(inputWidth)")
        }
        let count = images.count / inputWidth
        guard count > 0 else { return [] }
        let (groupSize, samplesPerPass) = try likelihoodPassShape(samples: samples, images: count)
        let estimator = try copy(batchCapacity: groupSize, objective: .importanceWeighted(samples: samplesPerPass, doublyReparameterized: false))
        guard let latent = estimator.weightedLatent else { preconditionFailure("VAE: no importance-weighted latent") }
        estimator.decoder.isTraining = false

        var generator = RandomGenerator(seed: seed)
        var result = [Double](repeating: 0, count: count)
        let group = try Tensor.zeros([groupSize, inputWidth])
        var largest = [Double](repeating: 0, count: groupSize), scaledSum = largest
        var start = 0, total = 0.0
        while start < count {
            let rows = min(groupSize, count - start)
            images.withUnsafeBufferPointer { group.pointer.update(from: $0.baseAddress! + start * inputWidth, count: rows * inputWidth) }
            let x = Matrix(group.pointer, rows: rows, columns: inputWidth)
            let (mu, logvar) = estimator.encode(x)
            for r in 0..<rows { (largest[r], scaledSum[r]) = (-.infinity, 0) }
            var done = 0
            while done < samples {
                let passSamples = min(samplesPerPass, samples - done)
                let output = estimator.decoder.forward(latent.sample(mu: mu, logvar: logvar, samples: passSamples, noise: &generator))
                estimator.rowNegativeLogLikelihoods(output: output, targets: x, samplesPerTarget: passSamples,
                                                    into: latent.negativeLogLikelihoods.pointer)
                latent.combine()
                // bounds[r] = log mean of this pass's weights; its log-sum is that + log(passSamples).
                let logPassSamples = log(Double(passSamples))
                for r in 0..<rows {
                    let w = latent.bounds.pointer[r] + logPassSamples
                    if w > largest[r] {
                        scaledSum[r] = scaledSum[r] * exp(largest[r] - w) + 1
                        largest[r] = w
                    } else {
                        scaledSum[r] += exp(w - largest[r])
                    }
                }
                done += passSamples
            }
            for r in 0..<rows {
                result[start + r] = largest[r] + log(scaledSum[r]) - log(Double(samples))
                total += result[start + r]
            }
            start += rows
            progress?(start, total / Double(start))
        }
        return result
    }

    /// The estimate over the rows of `images` with its standard error.
    public func likelihoodEstimate(of images: [Float], samples: Int, seed: UInt64 = 0,
                                   progress: ((_ done: Int, _ meanSoFar: Double) -> Void)? = nil) throws(VAEGANError) -> LikelihoodEstimate {
        LikelihoodEstimate(perImage: try importanceWeightedLogLikelihood(of: images, samples: samples, seed: seed, progress: progress),
                           samples: samples)
    }

    /// Images per group and samples per pass: passes of about `rowBudget` decoded rows (fewer
    /// when the decoder's activations per row are large), as many samples of one image as fit.
    private func likelihoodPassShape(samples: Int, images: Int) throws(VAEGANError) -> (groupSize: Int, samplesPerPass: Int) {
        let floatsPerRow = try configuration.decoderNetwork.shapes().reduce(0) { $0 + $1.reduce(1, *) }
        let rowBudget = max(64, min(4096, (16 << 20) / max(floatsPerRow, 1)))
        let samplesPerPass = min(samples, rowBudget)
        return (max(1, min(images, rowBudget / samplesPerPass)), samplesPerPass)
    }

    /// A model with this one's weights and statistics, built for `batchCapacity` rows and
    /// `objective` (whose samples size its decoder).
    func copy(batchCapacity: Int, objective: VAEObjective) throws(VAEGANError) -> VAE {
        var c = configuration
        c.objective = objective
        if case .importanceWeighted = objective { c.beta = 1 }
        let copy = try VAE(c, batchCapacity: batchCapacity)
        precondition(copy.store.count == store.count && copy.store.stateValues.count == store.stateValues.count,
                     "VAE.copy: the objective changed the parameter layout")
        copy.store.values.pointer.update(from: store.values.pointer, count: store.count)
        copy.store.stateValues.pointer.update(from: store.stateValues.pointer, count: store.stateValues.count)
        return copy
    }
}
