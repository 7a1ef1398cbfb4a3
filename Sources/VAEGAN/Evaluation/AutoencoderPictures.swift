// Pictures of any model with an encoder and a decoder (Autoencoding: the β-VAE and the
// VAE-GAN): samples, reconstructions, interpolations and latent traversals.

extension Autoencoding {
    /// Writes samples.png, reconstructions.png, interpolation.png and (when `dimensionsByKL`
    /// is not empty) traversal.png into `directory`. `test` supplies the images to reconstruct;
    /// `dimensionsByKL` orders the latent dimensions for the traversal (most used first).
    /// Square images only; other data gets no pictures.
    public func writePictures(to directory: String, test: ImageDataset, dimensionsByKL: [Int],
                              seed: UInt64 = 7) throws(VAEGANError) {
        guard let side = squareImageSide(inputWidth) else { return }
        var generator = RandomGenerator(seed: seed)
        let latent = latentWidth

        // samples.png: an 8×8 grid of decoder means for z ~ N(0, I).
        var z = [Float](repeating: 0, count: 64 * latent)
        z.withUnsafeMutableBufferPointer { generator.fillNormal($0.baseAddress!, count: $0.count) }
        try Image.grid(of: try decodeAll(z), side: side, columns: 8)
            .writePNG(to: directory + "/samples.png")

        // reconstructions.png: rows of 8 test images, each followed by a row of their reconstructions.
        let pairs = min(32, test.count)
        let originals = try test.rowsAsFloats(0..<pairs)
        let reconstructions = try decodeAll(try encodeMeans(originals))
        var tiles: [Float] = []
        for start in stride(from: 0, to: pairs, by: 8) {
            let rows = (start * inputWidth)..<(min(start + 8, pairs) * inputWidth)
            tiles += originals[rows] + reconstructions[rows]
        }
        try Image.grid(of: tiles, side: side, columns: 8).writePNG(to: directory + "/reconstructions.png")

        // interpolation.png: straight lines in latent space between the means of image pairs.
        let lines = min(8, test.count / 2), steps = 10
        if lines > 0 {
            let means = try encodeMeans(try test.rowsAsFloats(0..<(2 * lines)))
            var path: [Float] = []
            for line in 0..<lines {
                let a = means[(line * latent)..<((line + 1) * latent)].map { $0 }
                let b = means[((line + lines) * latent)..<((line + lines + 1) * latent)].map { $0 }
                for step in 0..<steps {
                    let t = Float(step) / Float(steps - 1)
                    path += zip(a, b).map { $0 + t * ($1 - $0) }
                }
            }
            try Image.grid(of: try decodeAll(path), side: side, columns: steps)
                .writePNG(to: directory + "/interpolation.png")
        }

        // traversal.png: each of the most active dimensions swept from −3 to 3, others at the
        // posterior mean of the first test image.
        let dimensions = Array(dimensionsByKL.prefix(8)), values = 11
        if !dimensions.isEmpty {
            let base = try encodeMeans(try test.rowsAsFloats(0..<1))
            var sweep: [Float] = []
            for d in dimensions {
                for v in 0..<values {
                    var point = base
                    point[d] = -3 + 6 * Float(v) / Float(values - 1)
                    sweep += point
                }
            }
            try Image.grid(of: try decodeAll(sweep), side: side, columns: values)
                .writePNG(to: directory + "/traversal.png")
        }
    }
}
