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
    ///
    /// - Throws: `.outOfMemory` when the Floats cannot be allocated.
    public func rowsAsFloats(_ range: Range<Int>) throws(VAEGANError) -> [Float] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "rowsAsFloats: \(range) outside \(count) examples")
        let width = featureCount
        return try [Float](checkedCount: range.count * width, "\(range.count) examples of \(width) Floats") { buffer in
            for (r, index) in range.enumerated() { copyRow(index, to: buffer.baseAddress! + r * width) }
        }
    }

    /// The examples in `range` (with their labels) as a new data set.
    ///
    /// - Throws: `.outOfMemory` when the copy cannot be allocated.
    public func subset(_ range: Range<Int>) throws(VAEGANError) -> ImageDataset {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "subset: \(range) outside \(count) examples")
        let width = featureCount
        let lower = range.lowerBound * width, n = range.count * width
        func copy<Value: BitwiseCopyable>(_ values: UnsafeBufferPointer<Value>) throws(VAEGANError) -> [Value] {
            try [Value](checkedCount: n, "\(range.count) examples of \(width) pixels") {
                $0.baseAddress!.initialize(from: values.baseAddress! + lower, count: n)
            }
        }
        let part: Pixels = switch pixels {
        case .bytes(let b): .bytes(try b.withUnsafeBufferPointer { (b) throws(VAEGANError) in try copy(b) })
        case .floats(let f): .floats(try f.withUnsafeBufferPointer { (f) throws(VAEGANError) in try copy(f) })
        case .floatBuffer(let f): .floats(try copy(UnsafeBufferPointer(f.buffer)))
        }
        return ImageDataset(count: range.count, rows: rows, columns: columns, pixels: part,
                            labels: labels.map { Array($0[range]) })
    }

    /// The first `n` examples (all of them if there are fewer).
    public func prefix(_ n: Int) throws(VAEGANError) -> ImageDataset { try subset(0..<min(n, count)) }

    /// A train/test split for data that comes without one: the last `fraction` is the test set.
    public func splitHoldingOut(_ fraction: Double) throws(VAEGANError) -> (train: ImageDataset, test: ImageDataset) {
        let held = max(1, Int((Double(count) * fraction).rounded()))
        try require(count - held >= 1, "\(count) examples are too few to hold out a test set")
        return (try subset(0..<(count - held)), try subset((count - held)..<count))
    }
}
