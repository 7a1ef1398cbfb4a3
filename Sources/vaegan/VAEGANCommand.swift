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
        subcommands: [Train.self, Sample.self, Evaluate.self, Compare.self])
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
