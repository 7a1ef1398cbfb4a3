// vaegan spec: prints a model's networks as JSON (a preset, or those of a checkpoint), the form
// `vaegan train --spec` reads.
import ArgumentParser
import VAEGAN

struct Spec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a model's networks as JSON: a preset's, or a checkpoint's.")

    @Option(help: "vae or gan.") var model = "vae"
    @Option(help: ArgumentHelp("\(ArchitecturePreset.allCases.map(\.rawValue).joined(separator: " or ")).")) var architecture = ArchitecturePreset.mlp.rawValue
    @Option(help: "Latent size (default: the kind's).") var latent: Int?

    func validate() throws {
        guard ArchitecturePreset(rawValue: architecture) != nil else {
            throw ValidationError("--architecture must be \(ArchitecturePreset.allCases.map(\.rawValue).joined(separator: " or ")), not '\(architecture)'")
        }
        if let latent, latent <= 0 { throw ValidationError("--latent must be positive") }
    }

    func run() throws {
        try runReportingErrors { () throws(VAEGANError) in
            let preset = ArchitecturePreset(rawValue: architecture)!
            switch model {
            case "vae":
                var c = VAEConfiguration()
                c.latentWidth = latent ?? c.latentWidth
                c.use(preset)
                try c.validate()
                print(c.networksJSON, terminator: "")
            case "gan":
                var c = GANConfiguration()
                c.latentWidth = latent ?? c.latentWidth
                c.use(preset)
                try c.validate()
                print(c.networksJSON, terminator: "")
            default:
                throw .invalidArgument("--model must be vae or gan (the VAE-GAN's networks are MLPs of its widths), not '\(model)'")
            }
        }
    }
}
