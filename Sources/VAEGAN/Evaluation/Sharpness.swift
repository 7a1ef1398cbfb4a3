// Sharpness of images: the mean squared Laplacian, the figure by which the VAE-GAN's
// reconstructions should beat the β-VAE's blurry ones.

public enum Sharpness {
    /// Mean over images of the mean of (4-neighbour Laplacian)² over interior pixels; images
    /// are `height`×`width` rows of `pixels`, values in [0, 1].
    public static func meanSquaredLaplacian(_ pixels: [Float], width: Int, height: Int) -> Double {
        let size = width * height
        precondition(size > 0 && pixels.count % size == 0, "Sharpness: pixels do not make whole images")
        guard width >= 3, height >= 3 else { return 0 }
        let images = pixels.count / size
        var total = 0.0
        for image in 0..<images {
            let base = image * size
            var sum = 0.0
            for y in 1..<(height - 1) {
                for x in 1..<(width - 1) {
                    let i = base + y * width + x
                    let laplacian = Double(pixels[i - 1]) + Double(pixels[i + 1]) + Double(pixels[i - width])
                        + Double(pixels[i + width]) - 4 * Double(pixels[i])
                    sum += laplacian * laplacian
                }
            }
            total += sum / Double((width - 2) * (height - 2))
        }
        return total / Double(images)
    }
}
