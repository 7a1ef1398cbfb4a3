// EvaluationReport: named figures printed as a table for people and written as metrics.json
// for programs.
import Foundation

/// Figures in the order they were added, each with a machine name and a human label.
public struct EvaluationReport: Sendable {
    public struct Entry: Sendable {
        /// The JSON key, e.g. "fid".
        public var name: String
        /// The table's label, e.g. "FID (fashion-mnist classifier features)".
        public var label: String
        public var value: Double
        /// Printed after the value, e.g. "nats/image".
        public var note: String
    }

    public private(set) var entries: [Entry] = []
    /// Context for metrics.json: checkpoint, data set, …
    public var context: [String: String] = [:]
    /// Integer lists for metrics.json (the class histogram).
    public var histograms: [String: [Int]] = [:]

    public init() {}

    public mutating func add(_ name: String, _ label: String, _ value: Double, note: String = "") {
        entries.append(Entry(name: name, label: label, value: value, note: note))
    }

    public subscript(name: String) -> Double? { entries.first { $0.name == name }?.value }

    /// Adds FID, precision, recall and coverage (with the real test images' coverage beside it).
    public mutating func add(_ quality: SampleQuality, evaluator: SampleQualityEvaluator) {
        let data = evaluator.domain.dataset.rawValue, k = evaluator.referenceManifold.k
        let classes = quality.coverage.histogram.count
        add("fid", "FID (\(data) classifier features)", quality.fid,
            note: "\(quality.sampleCount) samples vs \(evaluator.referenceManifold.count) test images")
        add("precision", "precision (k=\(k))", quality.precisionRecall.precision)
        add("recall", "recall (k=\(k))", quality.precisionRecall.recall)
        add("classes_covered", "classes covered", Double(quality.coverage.classesCovered),
            note: "of \(classes) (test images: \(evaluator.referenceCoverage.classesCovered))")
        add("label_entropy", "label entropy", quality.coverage.entropy,
            note: String(format: "nats (uniform %.4f; test images %.4f)", log(Double(classes)), evaluator.referenceCoverage.entropy))
        add("classifier_test_accuracy", "domain classifier test accuracy", evaluator.domain.testAccuracy)
        histograms["class_histogram"] = quality.coverage.histogram
    }

    /// One aligned line per figure.
    public var table: String {
        let width = entries.map(\.label.count).max() ?? 0
        return entries.map { entry in
            let value = EpochRecord.format(entry.value)
            let padded = entry.label.padding(toLength: width, withPad: " ", startingAt: 0)
            return "\(padded)  \(value)\(entry.note.isEmpty ? "" : "  " + entry.note)"
        }.joined(separator: "\n")
    }

    /// {"context": {…}, "metrics": {name: value}, "histograms": {…}} with sorted keys.
    public func json() throws(VAEGANError) -> [UInt8] {
        var metrics: [String: Any] = [:]
        for entry in entries { metrics[entry.name] = entry.value.isFinite ? entry.value : NSNull() }
        let object: [String: Any] = ["context": context, "metrics": metrics, "histograms": histograms]
        do {
            return Array(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) + [10]
        } catch {
            throw .state("metrics.json: \(error.localizedDescription)")
        }
    }

    /// Writes ``json()`` to `path` atomically.
    public func writeJSON(to path: String) throws(VAEGANError) {
        try AtomicFile.write(try json(), to: path)
    }
}
