// The β-VAE's log-likelihood by importance sampling: the IWAE bound (Burda et al. 2016),
//
//   log p(x) ≥ log (1/K) Σ_k p(x | z_k) p(z_k) / q(z_k | x),   z_k ~ q(z | x),
//
// which is the ELBO at K = 1 and tightens as K grows (K = 5000 is the literature's standard).
// The K log-weights of each image are folded into a running log-sum-exp, so nothing overflows
// and memory does not grow with K.
import CVAEGAN
import Foundation

extension VAE {
    /// The IWAE estimate of log p(x) in nats for each row of `images` (values in the
    /// likelihood's range), with `samples` draws of z per image from a generator seeded with
    /// `seed`. After each chunk `progress` hears the images finished and their mean so far.
    ///
    /// - Throws: `.invalidArgument` for `samples` < 1; `.shapeMismatch` for rows of another width;
    ///   `.outOfMemory` when the workspaces cannot be allocated.
    public func importanceWeightedLogLikelihood(of images: [Float], samples: Int, seed: UInt64 = 0,
                                                progress: ((_ done: Int, _ meanSoFar: Double) -> Void)? = nil) throws(VAEGANError) -> [Double] {
        try require(samples >= 1, "importance samples must be at least 1, not \(samples)")
        guard images.count % inputWidth == 0 else {
            throw .shapeMismatch("\(images.count) values are not rows of \(inputWidth)")
        }
        let count = images.count / inputWidth, width = latentWidth
        var generator = RandomGenerator(seed: seed)
        var result = [Double](repeating: 0, count: count)
        let chunk = try Tensor.zeros([batchCapacity, inputWidth])
        let mu = try Tensor.zeros([batchCapacity, width]), logvar = try Tensor.zeros([batchCapacity, width])
        let eps = try Tensor.zeros([batchCapacity, width]), z = try Tensor.zeros([batchCapacity, width])
        var largest = [Double](repeating: 0, count: batchCapacity), scaledSum = largest

        var start = 0, total = 0.0
        while start < count {
            let rows = min(batchCapacity, count - start)
            images.withUnsafeBufferPointer { chunk.pointer.update(from: $0.baseAddress! + start * inputWidth, count: rows * inputWidth) }
            let x = Matrix(chunk.pointer, rows: rows, columns: inputWidth)
            let posterior = encode(x)
            Matrix(mu.pointer, rows: rows, columns: width).copy(from: posterior.mu)
            Matrix(logvar.pointer, rows: rows, columns: width).copy(from: posterior.logvar)
            for r in 0..<rows { (largest[r], scaledSum[r]) = (-.infinity, 0) }
            for _ in 0..<samples {
                generator.fillNormal(eps.pointer, count: rows * width)
                vg_reparameterize_forward(z.pointer, mu.pointer, logvar.pointer, eps.pointer, Int64(rows * width))
                let output = decoder.forward(Matrix(z.pointer, rows: rows, columns: width))
                for r in 0..<rows {
                    // log p(z) − log q(z|x) = Σ_j −½ z_j² + ½ (log σ²_j + ε_j²): the ½ log 2π terms cancel.
                    var logRatio = 0.0
                    for j in r * width..<(r + 1) * width {
                        let zj = Double(z.pointer[j]), ej = Double(eps.pointer[j])
                        logRatio += 0.5 * (Double(logvar.pointer[j]) + ej * ej - zj * zj)
                    }
                    let logLikelihood = -reconstructionLoss(
                        output: Matrix(output.row(r), rows: 1, columns: inputWidth),
                        target: Matrix(x.row(r), rows: 1, columns: inputWidth), gradient: nil, scale: 1)
                    let w = logLikelihood + logRatio
                    if w > largest[r] {
                        scaledSum[r] = scaledSum[r] * exp(largest[r] - w) + 1
                        largest[r] = w
                    } else {
                        scaledSum[r] += exp(w - largest[r])
                    }
                }
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
}
