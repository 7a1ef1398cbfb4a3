// Mode coverage: how the domain classifier labels a model's samples. A collapsed GAN puts most
// of its samples in a few classes; a healthy model spreads them like the data.
import Foundation

/// The classifier's label histogram over samples, the classes it covers, and its entropy.
public struct ModeCoverage: Sendable, Equatable {
    /// Samples per predicted class.
    public let histogram: [Int]

    /// A class counts as covered when it gets at least this share of a uniform split's samples
    /// (with 10 classes and 10,000 samples: 100), so a handful of stray samples do not count.
    public static let coverageShare = 0.1

    public init(histogram: [Int]) {
        self.histogram = histogram
    }

    /// The histogram of `predictions` (class indices below `classCount`).
    public init(predictions: [Int], classCount: Int) {
        var histogram = [Int](repeating: 0, count: classCount)
        for p in predictions { histogram[p] += 1 }
        self.init(histogram: histogram)
    }

    public var sampleCount: Int { histogram.reduce(0, +) }

    public var classesCovered: Int {
        let threshold = Self.coverageShare * Double(sampleCount) / Double(histogram.count)
        return histogram.filter { $0 > 0 && Double($0) >= threshold }.count
    }

    /// Entropy of the label distribution in nats; ln(classes) when perfectly even, 0 when collapsed.
    public var entropy: Double {
        let n = Double(sampleCount)
        guard n > 0 else { return 0 }
        return histogram.reduce(0.0) { sum, count in
            count == 0 ? sum : sum - Double(count) / n * log(Double(count) / n)
        }
    }
}
