// EpochRecord: one epoch's named figures, and the CSV log that keeps them.
import Foundation

/// The figures of one epoch, in a fixed order (the CSV columns and loss.png's curves).
public struct EpochRecord: Sendable {
    public var epoch: Int
    public var values: [(name: String, value: Double)]

    public init(epoch: Int, values: [(name: String, value: Double)]) {
        self.epoch = epoch
        self.values = values
    }

    public subscript(name: String) -> Double? { values.first { $0.name == name }?.value }

    /// "epoch 3: loss 251.2, kl 20.1, …" for the per-epoch line.
    public var summary: String {
        "epoch \(epoch): " + values.map { "\($0.name) \(Self.format($0.value))" }.joined(separator: ", ")
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
        return String(format: abs(value) >= 100 ? "%.2f" : "%.4f", value)
    }
}

/// The per-epoch metrics as CSV, rewritten whole each epoch so a resumed run keeps one
/// consistent file. The header is every name any record has, in first-seen order: a figure
/// scored only on some epochs, or one a resumed run adds, is `nan` where it is missing.
public enum MetricsLog {
    public static func write(_ records: [EpochRecord], to path: String) throws(VAEGANError) {
        guard !records.isEmpty else { return }
        var names: [String] = []
        for record in records {
            for (name, _) in record.values where !names.contains(name) { names.append(name) }
        }
        var text = "epoch," + names.joined(separator: ",") + "\n"
        for record in records {
            text += "\(record.epoch)," + names.map { String(record[$0] ?? .nan) }.joined(separator: ",") + "\n"
        }
        try AtomicFile.write(Array(text.utf8), to: path)
    }

    /// Reads a log written by `write` (for resuming).
    public static func read(from path: String) -> [EpochRecord] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var lines = text.split(separator: "\n").map(String.init)
        guard !lines.isEmpty else { return [] }
        let names = lines.removeFirst().split(separator: ",").dropFirst().map(String.init)
        return lines.compactMap { line in
            let fields = line.split(separator: ",").map(String.init)
            guard fields.count == names.count + 1, let epoch = Int(fields[0]) else { return nil }
            let values = zip(names, fields.dropFirst()).map { ($0, Double($1) ?? .nan) }
            return EpochRecord(epoch: epoch, values: values)
        }
    }
}
