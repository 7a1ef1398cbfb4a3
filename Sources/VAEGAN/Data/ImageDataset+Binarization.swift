// Binarized images, as the likelihood literature evaluates MNIST: each pixel becomes 1 with
// probability equal to its intensity (stochastic binarization, Salakhutdinov & Murray 2008).

extension ImageDataset {
    /// A copy whose pixels are 0 or 1, each 1 with probability equal to its intensity in [0, 1],
    /// drawn with `seed` (the same seed gives the same images).
    public func binarized(seed: UInt64) -> ImageDataset {
        var generator = RandomGenerator(seed: seed)
        let intensities = rowsAsFloats(0..<count)
        var uniform = [Float](repeating: 0, count: intensities.count)
        uniform.withUnsafeMutableBufferPointer { generator.fillUniform($0.baseAddress!, count: $0.count) }
        let bits = zip(intensities, uniform).map { intensity, u in u < intensity ? UInt8(255) : 0 }
        return ImageDataset(count: count, rows: rows, columns: columns, pixels: .bytes(bits), labels: labels)
    }
}
