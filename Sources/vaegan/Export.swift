// vaegan export: a checkpoint's weights alone, with the configuration and architecture spec
// (format "vaegan-weights-1", docs/checkpoint-format.md): for sharing a model, for other
// frameworks, for `vaegan sample` and `vaegan eval`, or to train on from fresh optimizer state.
import ArgumentParser
import VAEGAN

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a checkpoint's weights and configuration without its training state (a weights-only file).")

    @Option(help: "A checkpoint written by vaegan train (or a weights-only file).") var checkpoint: String
    @Option(help: "The weights-only file to write (.safetensors).") var out: String

    func run() throws {
        try runReportingErrors { () throws(VAEGANError) in
            let file = try SafeTensorsFile.read(from: checkpoint)
            let kind = try ModelRegistry.kind(of: file)
            // Loaded whole first, so the export is checked and has every key today's files have
            // (specs included, even from checkpoints written before them).
            let weights = try kind.loadTraining(from: file).training.weightsCheckpoint()
            try weights.write(to: out)
            print("wrote the \(kind.displayName)'s weights (\(weights.tensors.count) tensors) to \(out)")
        }
    }
}
