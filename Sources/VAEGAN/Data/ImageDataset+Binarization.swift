// Binarized images, as the likelihood literature evaluates MNIST: each pixel becomes 1 with
// probability equal to its intensity (stochastic binarization, Salakhutdinov & Murray 2008).

extension ImageDataset {
    /// A copy whose pixels are 0 or 1, each 1 with probability equal to its intensity in [0, 1],
    /// drawn with `seed` (the same seed gives the same images). Works a row at a time, so the
    /// only large allocation is the result's bytes.
    ///
    /// - Throws: `.outOfMemory` when those bytes cannot be allocated.
    public func binarized(seed: UInt64) throws(VAEGANError) -> ImageDataset {
        var generator = RandomGenerator(seed: seed)
        let width = featureCount
        var intensities = [Float](repeating: 0, count: width), uniform = intensities
        var bits = try [UInt8](checkedCount: count * width, repeating: 0, "\(count) binarized images of \(width) pixels")
        for row in 0..<count {
            intensities.withUnsafeMutableBufferPointer { copyRow(row, to: $0.baseAddress!) }
            uniform.withUnsafeMutableBufferPointer { generator.fillUniform($0.baseAddress!, count: width) }
            for i in 0..<width where uniform[i] < intensities[i] { bits[row * width + i] = 255 }
        }
        return ImageDataset(count: count, rows: rows, columns: columns, pixels: .bytes(bits), labels: labels)
    }
}
