// ImageDataset as rows of Floats: how batches, evaluation and pictures read examples.
import CVAEGAN

extension ImageDataset {
    /// Writes example `index` as Floats into `destination` (bytes scaled to [0, 1]).
    @inline(__always)
    public func copyRow(_ index: Int, to destination: UnsafeMutablePointer<Float>) {
        let width = featureCount
        switch pixels {
        case .bytes(let bytes):
            bytes.withUnsafeBufferPointer {
                vg_bytes_to_unit_floats(destination, $0.baseAddress! + index * width, Int64(width))
            }
        case .floats(let floats):
            floats.withUnsafeBufferPointer {
                destination.update(from: $0.baseAddress! + index * width, count: width)
            }
        case .floatBuffer(let floats):
            destination.update(from: floats.pointer + index * width, count: width)
        }
    }

    /// Examples in `range` as one flat array of Floats.
    public func rowsAsFloats(_ range: Range<Int>) -> [Float] {
        let width = featureCount
        return [Float](unsafeUninitializedCapacity: range.count * width) { buffer, initialized in
            for (r, index) in range.enumerated() { copyRow(index, to: buffer.baseAddress! + r * width) }
            initialized = range.count * width
        }
    }

    /// The examples in `range` (with their labels) as a new data set.
    public func subset(_ range: Range<Int>) -> ImageDataset {
        let width = featureCount
        let lower = range.lowerBound * width, upper = range.upperBound * width
        let part: Pixels = switch pixels {
        case .bytes(let b): .bytes(Array(b[lower..<upper]))
        case .floats(let f): .floats(Array(f[lower..<upper]))
        case .floatBuffer(let f): .floats(Array(f.buffer[lower..<upper]))
        }
        return ImageDataset(count: range.count, rows: rows, columns: columns, pixels: part,
                            labels: labels.map { Array($0[range]) })
    }

    /// The first `n` examples (all of them if there are fewer).
    public func prefix(_ n: Int) -> ImageDataset { subset(0..<min(n, count)) }

    /// A train/test split for data that comes without one: the last `fraction` is the test set.
    public func splitHoldingOut(_ fraction: Double) throws(VAEGANError) -> (train: ImageDataset, test: ImageDataset) {
        let held = max(1, Int((Double(count) * fraction).rounded()))
        try require(count - held >= 1, "\(count) examples are too few to hold out a test set")
        return (subset(0..<(count - held)), subset((count - held)..<count))
    }
}
