// vaegan compare: the same test images reconstructed by a β-VAE and by a VAE-GAN, side by
// side (compare.png), with both sharpness figures.
import ArgumentParser
import VAEGAN

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconstruct test images with a β-VAE and a VAE-GAN: rows of originals, β-VAE and VAE-GAN reconstructions.")

    @Option(help: "A β-VAE checkpoint.") var vae: String
    @Option(help: "A VAE-GAN checkpoint.") var vaegan: String
    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Test images per row.") var count = 10
    @Option(help: "Output PNG.") var out = "compare.png"
    @Option(help: "Enlarge every pixel to a SCALE × SCALE block.") var scale = 3

    func validate() throws {
        guard scale >= 1, scale <= 16 else { throw ValidationError("--scale must be between 1 and 16") }
        guard count >= 1 else { throw ValidationError("--count must be positive") }
    }

    func run() throws {
        try runReportingErrors { () throws(VAEGANError) in
            guard let first = try TrainedModel.load(from: vae).model as? VAE else { throw .wrongModel("\(vae) is not a β-VAE checkpoint") }
            guard let second = try TrainedModel.load(from: vaegan).model as? VAEGAN else { throw .wrongModel("\(vaegan) is not a VAE-GAN checkpoint") }
            let test = try dataOptions.load().test
            guard test.featureCount == first.inputWidth, test.featureCount == second.inputWidth,
                  let side = squareImageSide(test.featureCount) else {
                throw .shapeMismatch("both models and the data must share one square image size")
            }
            let n = min(count, test.count)
            let originals = try test.rowsAsFloats(0..<n)
            let a = try first.decodeAll(try first.encodeMeans(originals)), b = try second.decodeAll(try second.encodeMeans(originals))
            try Image.grid(of: originals + a + b, side: side, columns: n).scaled(by: scale).writePNG(to: out)
            let all = try test.rowsAsFloats(0..<test.count)
            let sharpA = Sharpness.meanSquaredLaplacian(try first.decodeAll(try first.encodeMeans(all)), width: side, height: side)
            let sharpB = Sharpness.meanSquaredLaplacian(try second.decodeAll(try second.encodeMeans(all)), width: side, height: side)
            let sharpTest = Sharpness.meanSquaredLaplacian(all, width: side, height: side)
            print("wrote \(out): rows are test images, β-VAE reconstructions, VAE-GAN reconstructions")
            print("sharpness (mean squared Laplacian over \(test.count) test images): test \(sharpTest), β-VAE \(sharpA), VAE-GAN \(sharpB)")
        }
    }
}
