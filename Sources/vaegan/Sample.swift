// vaegan sample: draws samples from any checkpoint into a PNG grid or a .npy matrix.
import ArgumentParser
import VAEGAN

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Draw samples z ~ N(0, I) from a checkpoint.")

    @Option(help: "A checkpoint written by vaegan train, or a weights-only file (vaegan export).") var checkpoint: String
    @Option(help: "How many samples.") var count = 64
    @Option(help: "Output: FILE.png (a grid) or FILE.npy (float32 rows).") var out = "samples.png"
    @Option(help: "Seed for z.") var seed: UInt64 = 0
    @Option(help: "ema (the default when the checkpoint keeps an average: trained with --ema-decay) or raw (the last iterate's weights).")
    var weights: WeightChoice?

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard out.hasSuffix(".png") || out.hasSuffix(".npy") else { throw ValidationError("--out must end in .png or .npy") }
    }

    func run() throws {
        try runReportingErrors { () throws(VAEGANError) in
            let model = try TrainedModel.load(from: checkpoint, weights: weights)
            let samples = model.model.inDisplayRange(try model.sample(count: count, seed: seed))
            if out.hasSuffix(".npy") {
                try NPYMatrix(rows: count, columns: model.dataWidth, floats: samples).write(toFile: out)
            } else {
                guard let side = squareImageSide(model.dataWidth) else {
                    throw .invalidArgument("rows of \(model.dataWidth) values are not square images; use --out FILE.npy")
                }
                let columns = Int(Double(count).squareRoot().rounded(.up))
                try Image.grid(of: samples, side: side, columns: columns).writePNG(to: out)
            }
            print("wrote \(count) \(model.kind) samples (\(model.weights) weights) to \(out)")
        }
    }
}
