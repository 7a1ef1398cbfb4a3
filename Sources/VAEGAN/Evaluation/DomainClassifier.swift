// The domain classifiers: one per built-in data set, trained by VAEGAN itself with a fixed
// seed the first time an evaluation needs it, then cached. Their feature space replaces
// Inception's for FID, so nothing is downloaded.
import Foundation

extension BuiltInDataset {
    /// The test accuracy below which this data set's domain classifier is not trusted.
    public var requiredClassifierAccuracy: Double {
        switch self {
        case .fashionMNIST: 0.89
        case .mnist: 0.98
        }
    }
}

/// Finds, or trains and caches, the domain classifier of a built-in data set.
///
/// ```swift
/// let (train, test) = try BuiltInDataset.fashionMNIST.load()
/// let domain = try DomainClassifier.load(for: .fashionMNIST, train: train, test: test)
/// print(domain.testAccuracy)   // ≥ 0.89
/// ```
public struct DomainClassifier {
    public let classifier: Classifier
    public let dataset: BuiltInDataset
    public let testAccuracy: Double
    /// Where it is cached.
    public let path: String

    /// Bumped when the architecture or the schedule changes, so stale caches are not reused.
    static let version = 1

    /// `VAEGAN_CACHE_DIR`, else `$XDG_CACHE_HOME/vaegan`, else `~/.cache/vaegan`.
    public static var cacheDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let folder = environment["VAEGAN_CACHE_DIR"], !folder.isEmpty { return folder }
        if let folder = environment["XDG_CACHE_HOME"], !folder.isEmpty { return folder + "/vaegan" }
        return NSHomeDirectory() + "/.cache/vaegan"
    }

    public static func path(for dataset: BuiltInDataset, in folder: String = cacheDirectory) -> String {
        "\(folder)/classifier-\(dataset.rawValue)-v\(version).safetensors"
    }

    /// The architecture and schedule every domain classifier is trained with.
    public static var configuration: ClassifierConfiguration { ClassifierConfiguration() }

    /// A progress reporter sized for training a domain classifier on `trainingExamples`.
    public static func progressReporter(trainingExamples: Int, quiet: Bool = false) -> ProgressReporter {
        let c = configuration
        let reporter = ProgressReporter(epochs: c.epochs, batchesPerEpoch: (trainingExamples + c.batchSize - 1) / c.batchSize)
        reporter.isQuiet = quiet
        return reporter
    }

    /// The cached classifier of `dataset`; when there is none, trains one on `train` (about a
    /// minute on two cores), checks it on `test` and caches it.
    ///
    /// - Throws: `.invalidArgument` when a fresh classifier misses
    ///   ``BuiltInDataset/requiredClassifierAccuracy`` (nothing is cached then); I/O errors.
    /// `cacheDirectory` and `configuration` are for tests; a cache written with another
    /// configuration must live in another folder.
    public static func load(for dataset: BuiltInDataset, train: ImageDataset, test: ImageDataset,
                            progress: ProgressReporter? = nil, cacheDirectory: String = cacheDirectory,
                            configuration: ClassifierConfiguration = configuration) throws(VAEGANError) -> DomainClassifier {
        let path = path(for: dataset, in: cacheDirectory)
        if FileManager.default.fileExists(atPath: path) {
            let file = try SafeTensorsFile.read(from: path)
            let classifier = try Classifier.load(from: file)
            guard let accuracy = Double(try file.string("test_accuracy")) else {
                throw .format("\(path): metadata test_accuracy is not a number")
            }
            return DomainClassifier(classifier: classifier, dataset: dataset, testAccuracy: accuracy, path: path)
        }
        progress?.note("training the \(dataset.rawValue) domain classifier (once; cached at \(path))")
        let classifier = try Classifier.train(on: train, configuration: configuration, progress: progress)
        let accuracy = try classifier.accuracy(on: test)
        try require(accuracy >= dataset.requiredClassifierAccuracy, String(
            format: "the %@ domain classifier reached %.4f test accuracy, below the %.2f its features need",
            dataset.rawValue, accuracy, dataset.requiredClassifierAccuracy))
        do {
            try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create the cache folder \(cacheDirectory): \(error.localizedDescription)")
        }
        try classifier.checkpoint(notes: ["dataset": dataset.rawValue, "test_accuracy": String(accuracy)]).write(to: path)
        progress?.note(String(format: "domain classifier test accuracy %.4f", accuracy))
        return DomainClassifier(classifier: classifier, dataset: dataset, testAccuracy: accuracy, path: path)
    }
}
