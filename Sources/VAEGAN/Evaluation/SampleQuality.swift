// Sample quality in a domain classifier's feature space: FID, precision and recall, and mode
// coverage, for samples from any source — a VAEGAN model or a matrix another framework wrote.

/// The figures for one set of samples.
public struct SampleQuality: Sendable {
    /// Fréchet distance between the samples' and the test images' classifier features.
    public var fid: Double
    public var precisionRecall: PrecisionRecall
    public var coverage: ModeCoverage
    public var sampleCount: Int { coverage.sampleCount }
}

/// Samples as the domain classifier sees them: feature rows and the histogram of predicted labels.
public struct SampleFeatures: Sendable {
    /// Rows of `width` values, one per sample.
    public var features: [Float]
    public var width: Int
    public var coverage: ModeCoverage
    public var sampleCount: Int { coverage.sampleCount }
}

/// The real side of the comparison, prepared once: a data set's test images through its domain
/// classifier (feature statistics for FID, the k-NN manifold for precision and recall).
///
/// ```swift
/// let (train, test) = try BuiltInDataset.fashionMNIST.load()
/// let evaluator = try SampleQualityEvaluator(
///     domain: try DomainClassifier.load(for: .fashionMNIST, train: train, test: test), test: test)
/// let quality = try evaluator.evaluate(try model.sample(count: 10_000, seed: 0))
/// ```
public final class SampleQualityEvaluator {
    public let domain: DomainClassifier
    public let reference: FeatureStatistics
    public let referenceManifold: FeatureManifold
    /// How the classifier labels the test images themselves: the coverage to compare against.
    public let referenceCoverage: ModeCoverage

    /// Prepares the first `referenceCount` test images (all by default) as the reference.
    public init(domain: DomainClassifier, test: ImageDataset, referenceCount: Int? = nil, k: Int = 3) throws(VAEGANError) {
        let classifier = domain.classifier
        try require(test.featureCount == classifier.inputWidth,
                    "the \(domain.dataset.rawValue) classifier takes rows of \(classifier.inputWidth) values, the test set has \(test.featureCount)")
        let count = min(referenceCount ?? test.count, test.count)
        let images = try test.rowsAsFloats(0..<count)
        let features = try classifier.featuresAll(images)
        self.domain = domain
        reference = try FeatureStatistics(features: features, width: classifier.featureWidth)
        referenceManifold = try FeatureManifold(features: features, width: classifier.featureWidth, k: k)
        referenceCoverage = ModeCoverage(predictions: try classifier.predictAll(images), classCount: classifier.classCount)
    }

    /// The evaluator of a built-in data set: its own files, its domain classifier (trained and
    /// cached on first use, with progress on standard error unless `quiet`), and its test
    /// images as stored (never binarized) as the reference.
    public convenience init(for dataset: BuiltInDataset, quiet: Bool = false) throws(VAEGANError) {
        let (train, test) = try dataset.load()
        let progress = DomainClassifier.progressReporter(trainingExamples: train.count, quiet: quiet)
        try self.init(domain: try DomainClassifier.load(for: dataset, train: train, test: test, progress: progress), test: test)
    }

    /// Scores `samples`: rows of the data's width with values in [0, 1].
    ///
    /// - Throws: `.shapeMismatch` for rows of another width; `.invalidArgument` for values outside
    ///   [0, 1] or fewer samples than the k-NN needs; `.nonFinite` for NaN; `.outOfMemory` when the
    ///   features cannot be allocated.
    public func evaluate(_ samples: [Float]) throws(VAEGANError) -> SampleQuality {
        guard !samples.isEmpty else { throw .shapeMismatch("samples: none to score") }
        return try score(try features(of: samples))
    }

    /// `samples` through the classifier: its features and its labels' histogram, what
    /// ``score(_:)`` needs. A data-parallel run's ranks each classify their own share of the
    /// samples (possibly none) and combine the shares (SampleFeatures+Ranks.swift).
    ///
    /// - Throws: as ``evaluate(_:)``, except that no samples are allowed.
    public func features(of samples: [Float]) throws(VAEGANError) -> SampleFeatures {
        let classifier = domain.classifier
        let width = classifier.inputWidth
        guard samples.count % width == 0 else {
            throw .shapeMismatch("samples: \(samples.count) values are not rows of \(width) (the \(domain.dataset.rawValue) image size)")
        }
        if let bad = samples.firstIndex(where: { !(0...1).contains($0) }) {
            throw samples[bad].isNaN
                ? .nonFinite("samples: NaN at element \(bad)")
                : .invalidArgument("samples: value \(samples[bad]) at element \(bad) is outside [0, 1]; scale images to [0, 1] first")
        }
        return SampleFeatures(features: try classifier.featuresAll(samples), width: classifier.featureWidth,
                              coverage: ModeCoverage(predictions: try classifier.predictAll(samples), classCount: classifier.classCount))
    }

    /// FID, precision and recall, and coverage of classified samples.
    public func score(_ samples: SampleFeatures) throws(VAEGANError) -> SampleQuality {
        let statistics = try FeatureStatistics(features: samples.features, width: samples.width)
        return SampleQuality(
            fid: try statistics.frechetDistance(to: reference),
            precisionRecall: try PrecisionRecall(real: referenceManifold, generated: samples.features),
            coverage: samples.coverage)
    }
}
