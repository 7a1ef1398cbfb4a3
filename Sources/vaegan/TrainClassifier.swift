// vaegan classifier: trains (or finds) the cached domain classifier of a built-in data set and
// prints its test accuracy — the feature space vaegan eval scores samples in.
import ArgumentParser
import Foundation
import VAEGAN

struct TrainClassifier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train and cache a built-in data set's domain classifier (vaegan eval does this on first use); print its test accuracy.")

    @Option(help: "fashion-mnist or mnist.") var data = "fashion-mnist"
    @Flag(help: "Train again even when a cached classifier exists.") var retrain = false
    @Option(help: "Threads for the whole process; 0 means all cores.") var threads = 0

    func run() throws {
        try runReportingErrors { () throws(VAEGANError) in
            guard let dataset = BuiltInDataset(rawValue: data) else {
                throw .invalidArgument("--data must be fashion-mnist or mnist, not '\(data)'")
            }
            if threads > 0 { try Threads.set(threads) }
            let path = DomainClassifier.path(for: dataset)
            if retrain, FileManager.default.fileExists(atPath: path) {
                do { try FileManager.default.removeItem(atPath: path) } catch {
                    throw .io("cannot remove the cached classifier \(path): \(error.localizedDescription)")
                }
            }
            let (train, test) = try dataset.load()
            let start = Date()
            let domain = try DomainClassifier.load(for: dataset, train: train, test: test,
                                                   progress: DomainClassifier.progressReporter(trainingExamples: train.count))
            let measured = try domain.classifier.accuracy(on: test)
            print(String(format: "%@ domain classifier %@: test accuracy %.4f (required %.2f; %.0f s)",
                         dataset.rawValue, domain.path, measured, dataset.requiredClassifierAccuracy,
                         Date().timeIntervalSince(start)))
        }
    }
}
