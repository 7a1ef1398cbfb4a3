// vaegan eval: a checkpoint's figures on the test set.
import ArgumentParser
import Foundation
import VAEGAN

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint on the test set: negative ELBO and active units (vae), reconstruction sharpness (vae, vaegan), mean D(x) (gan).")

    @Option(help: "A checkpoint written by vaegan train.") var checkpoint: String
    @OptionGroup var dataOptions: DataOptions

    func run() throws {
        try runReportingErrors { () throws(VAEGANError) in
            let model = try TrainedModel.load(from: checkpoint)
            let test = try dataOptions.load().test
            guard test.featureCount == model.dataWidth else {
                throw .shapeMismatch("the checkpoint takes rows of \(model.dataWidth) values; \(dataOptions.data) has \(test.featureCount)")
            }
            print("checkpoint \(checkpoint): \(model.kind), \(test.count) test examples of \(dataOptions.data)")
            switch model {
            case .vae(let vae):
                let e = vae.evaluate(test)
                print(String(format: "test negative ELBO  %.2f nats/image (reconstruction %.2f + KL %.2f; one z per image)",
                             e.negativeELBO, e.reconstruction, e.kl))
                print("active latent units \(e.activeUnits) of \(vae.latentWidth) (KL > \(VAEEvaluation.activeThreshold) nats)")
                printSharpness(reconstructions: vae.decodeAll(vae.encodeMeans(test.rowsAsFloats(0..<test.count))), test: test)
            case .vaegan(let vaegan):
                printSharpness(reconstructions: vaegan.decodeAll(vaegan.encodeMeans(test.rowsAsFloats(0..<test.count))), test: test)
            case .gan(let gan):
                let probabilities = gan.discriminateAll(test.rowsAsFloats(0..<test.count))
                print(String(format: "mean D(x) on test   %.4f", probabilities.reduce(0, +) / Double(probabilities.count)))
                let samples = try model.sample(count: 1000, seed: 0)
                if test.rows > 1 {
                    print(String(format: "sample sharpness    %.5f (mean squared Laplacian; test images %.5f)",
                                 Sharpness.meanSquaredLaplacian(samples, width: test.columns, height: test.rows),
                                 Sharpness.meanSquaredLaplacian(test.rowsAsFloats(0..<test.count), width: test.columns, height: test.rows)))
                }
            }
        }
    }

    private func printSharpness(reconstructions: [Float], test: ImageDataset) {
        guard test.rows > 1 else { return }
        let original = Sharpness.meanSquaredLaplacian(test.rowsAsFloats(0..<test.count), width: test.columns, height: test.rows)
        let sharpness = Sharpness.meanSquaredLaplacian(reconstructions, width: test.columns, height: test.rows)
        print(String(format: "reconstruction sharpness %.5f (mean squared Laplacian; test images %.5f)", sharpness, original))
    }
}
