// vaegan spec: prints a model's networks as JSON (a preset, or those of a checkpoint), the form
// `vaegan train --spec` reads.
import ArgumentParser
import VAEGAN

struct Spec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a model's networks as JSON: a preset's, or a checkpoint's.")

    @Option(help: "vae, gan or vaegan.") var model = "vae"
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
            case "vae": print(try networks(VAEConfiguration(), preset).networksJSON, terminator: "")
            case "gan": print(try networks(GANConfiguration(), preset).networksJSON, terminator: "")
            case "vaegan": print(try networks(VAEGANConfiguration(), preset).networksJSON, terminator: "")
            default: throw .invalidArgument("--model must be vae, gan or vaegan, not '\(model)'")
            }
        }
    }

    /// `configuration` with --latent and the preset applied, checked.
    private func networks<C: NetworkConfigurable>(_ configuration: C, _ preset: ArchitecturePreset) throws(VAEGANError) -> C {
        var c = configuration
        c.latentWidth = latent ?? c.latentWidth
        try c.use(preset)
        try c.validate()
        return c
    }
}
