// vaegan: the command-line tool. Thin: it parses flags and calls the VAEGAN library.
import ArgumentParser
import Foundation
import VAEGAN

@main
struct VAEGANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vaegan",
        abstract: "Train, sample and evaluate β-VAEs, GANs and VAE-GANs on the CPU.",
        version: Library.version,
        subcommands: [Train.self, Sample.self, Evaluate.self, Export.self, Compare.self, PlotLikelihood.self, TrainClassifier.self, Spec.self, Info.self])

    /// Parses and runs; a bad flag or value gets one line ("error: …") and a non-zero exit,
    /// while --help and --version print in full as usual.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success || code == .failure && error is ExitCode {
                exit(withError: error) // help, version, or a library error already reported
            }
            FileHandle.standardError.write(Data("error: \(message(for: error))\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

/// Runs `body`, turning a library error into one line on standard error and exit status 1.
func runReportingErrors(_ body: () throws(VAEGANError) -> Void) throws {
    do {
        try body()
    } catch {
        FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
        throw ExitCode.failure
    }
}
