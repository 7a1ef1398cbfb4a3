// The safetensors checkpoint format: a validating reader and an atomic, deterministic writer.
//
// Layout: an 8-byte little-endian UInt64 header length N; N bytes of JSON,
//   {"__metadata__": {"key": "value", …}, "name": {"dtype": "F32", "shape": [2, 3],
//    "data_offsets": [begin, end]}, …}
// padded with spaces to a multiple of 8; then the data section, where each tensor occupies
// [begin, end) counted from the start of the section, little-endian, row-major. The tensors
// must tile the section exactly: no overlaps, no gaps. Spec: https://github.com/huggingface/safetensors
// Supported dtypes: F32, F64, I64, U64, U8 (StoredTensor.DType); others (BF16, F16, …) are rejected.

/// A safetensors file held in memory: string metadata and named tensors.
///
/// ```swift
/// var checkpoint = SafeTensorsFile(metadata: ["model": "vae"])
/// checkpoint.tensors["encoder.weight"] = StoredTensor(floats: w, shape: [512, 784])
/// try checkpoint.write(to: "runs/vae/checkpoint.safetensors")
///
/// let loaded = try SafeTensorsFile.read(from: "runs/vae/checkpoint.safetensors")
/// let w2 = try loaded.floats("encoder.weight", shape: [512, 784])
/// ```
public struct SafeTensorsFile: Sendable {
    public var metadata: [String: String]
    public var tensors: [String: StoredTensor]
    /// The path it was read from, for error messages; "safetensors data" when built in memory.
    public var source: String

    /// Headers larger than this are refused before any parsing (the reference reader's limit).
    public static let maximumHeaderLength = 100_000_000

    public init(metadata: [String: String] = [:], tensors: [String: StoredTensor] = [:]) {
        self.metadata = metadata
        self.tensors = tensors
        self.source = "safetensors data"
    }

    /// Reads and validates a safetensors file.
    ///
    /// - Throws: `.io` when the file cannot be read; `.format("<path>: <problem>")` when the
    ///   header length, JSON, a dtype, shape or offsets are wrong, tensors overlap or leave
    ///   bytes of the data section unused; `.outOfMemory("<path>: …")` when the file or a copy of
    ///   a tensor cannot be allocated.
    public static func read(from path: String) throws(VAEGANError) -> SafeTensorsFile {
        try SafeTensorsFile(serialized: readFileBytes(atPath: path), source: path)
    }

    /// Parses file contents; `source` names the file in errors.
    init(serialized bytes: [UInt8], source: String) throws(VAEGANError) {
        self.init()
        self.source = source
        guard bytes.count >= 8 else {
            throw .format("\(source): \(bytes.count) bytes is too short for a safetensors file (the header length alone is 8)")
        }
        let declaredLength = bytes[0..<8].reversed().reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        // The limit comes first so an absurd length is called absurd, not "truncated".
        guard declaredLength <= UInt64(Self.maximumHeaderLength) else {
            throw .format("\(source): header length \(declaredLength) exceeds the \(Self.maximumHeaderLength)-byte limit")
        }
        guard declaredLength <= UInt64(bytes.count - 8) else {
            throw .format("\(source): header length \(declaredLength) is larger than the \(bytes.count - 8) bytes after it (truncated file?)")
        }
        let dataStart = 8 + Int(declaredLength)
        let header = try JSONValue(parsing: bytes[8..<dataStart], what: "header", source: source)
        guard case .object(let entries) = header else {
            throw .format("\(source): header is not a JSON object")
        }

        let dataLength = bytes.count - dataStart
        var ranges: [(name: String, range: Range<Int>)] = []
        for (name, entry) in entries {
            if name == "__metadata__" {
                metadata = try Self.parseMetadata(entry, source: source)
                continue
            }
            let (dtype, shape, range) = try Self.parseEntry(name: name, entry, dataLength: dataLength, source: source)
            let tensorBytes = try [UInt8](checkedCount: range.count, "\(source): tensor '\(name)'") { copy in
                _ = copy.initialize(from: bytes[dataStart + range.lowerBound..<dataStart + range.upperBound])
            }
            tensors[name] = StoredTensor(dtype: dtype, shape: shape, bytes: tensorBytes)
            ranges.append((name, range))
        }
        try Self.checkTiling(ranges, dataLength: dataLength, source: source)
    }

    /// The file contents. Tensors are laid out by element size, largest first (so every tensor
    /// starts aligned to its element size), then by name; equal files give equal bytes.
    public func serialized() -> [UInt8] {
        Array(serializedChunks().joined())
    }

    /// The file contents in pieces: the length and header, then each tensor's bytes (shared
    /// with the tensors, not copied), so writing a checkpoint needs no second copy of it.
    func serializedChunks() -> [[UInt8]] {
        precondition(tensors["__metadata__"] == nil, "SafeTensorsFile: '__metadata__' is reserved, not a tensor name")
        let names = tensors.keys.sorted { first, second in
            let (a, b) = (tensors[first]!.dtype.byteCount, tensors[second]!.dtype.byteCount)
            return a != b ? a > b : first < second
        }
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(JSONValue.quoted($0)):\(JSONValue.quoted(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            let fields = [
                "\"dtype\":\"\(tensor.dtype.rawValue)\"",
                "\"shape\":[\(shape)]",
                "\"data_offsets\":[\(offset),\(offset + tensor.bytes.count)]",
            ]
            entries.append("\(JSONValue.quoted(name)):{\(fields.joined(separator: ","))}")
            offset += tensor.bytes.count
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        // Padding keeps the data section 8-byte aligned.
        header += Array(repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)

        return [LittleEndian.encode([UInt64(header.count)]) + header] + names.map { tensors[$0]!.bytes }
    }

    /// Writes the file atomically: to `<path>.tmp-<pid>` in the same folder, flushed,
    /// then renamed over `path`. On failure the old file is left intact and the temporary removed.
    public func write(to path: String) throws(VAEGANError) {
        try AtomicFile.write(chunks: serializedChunks(), to: path)
    }

    /// The tensor called `name`.
    ///
    /// - Throws: `.format` naming the file when there is no such tensor.
    public func tensor(named name: String) throws(VAEGANError) -> StoredTensor {
        guard let tensor = tensors[name] else {
            throw .format("\(source): no tensor named '\(name)'")
        }
        return tensor
    }

    /// The F32 tensor `name` as floats; when `shape` is given, the stored shape must equal it.
    ///
    /// - Throws: `.format` if it is missing or not F32, `.shapeMismatch` if the shape differs,
    ///   `.outOfMemory` if the floats cannot be allocated.
    public func floats(_ name: String, shape: [Int]? = nil) throws(VAEGANError) -> [Float] {
        try values(name, as: Float.self, dtype: .float32, shape: shape)
    }

    /// The F64 tensor `name`; see ``floats(_:shape:)``.
    public func doubles(_ name: String, shape: [Int]? = nil) throws(VAEGANError) -> [Double] {
        try values(name, as: Double.self, dtype: .float64, shape: shape)
    }

    /// The I64 tensor `name`; see ``floats(_:shape:)``.
    public func int64s(_ name: String, shape: [Int]? = nil) throws(VAEGANError) -> [Int64] {
        try values(name, as: Int64.self, dtype: .int64, shape: shape)
    }

    /// The U64 tensor `name`; see ``floats(_:shape:)``.
    public func uint64s(_ name: String, shape: [Int]? = nil) throws(VAEGANError) -> [UInt64] {
        try values(name, as: UInt64.self, dtype: .uint64, shape: shape)
    }

    /// The U8 tensor `name`; see ``floats(_:shape:)``.
    public func uint8s(_ name: String, shape: [Int]? = nil) throws(VAEGANError) -> [UInt8] {
        try values(name, as: UInt8.self, dtype: .uint8, shape: shape)
    }

    private func values<Element: BitwiseCopyable>(
        _ name: String, as type: Element.Type, dtype: StoredTensor.DType, shape: [Int]?
    ) throws(VAEGANError) -> [Element] {
        let tensor = try tensor(named: name)
        guard let values = try tensor.values(as: type, expecting: dtype, "\(source): tensor '\(name)'") else {
            throw .format("\(source): tensor '\(name)' is \(tensor.dtype.rawValue), expected \(dtype.rawValue)")
        }
        if let shape, shape != tensor.shape {
            throw .shapeMismatch("\(source): tensor '\(name)' has shape \(tensor.shape), expected \(shape)")
        }
        return values
    }

    private static func parseMetadata(_ entry: JSONValue, source: String) throws(VAEGANError) -> [String: String] {
        guard case .object(let pairs) = entry else {
            throw .format("\(source): __metadata__ is not a JSON object")
        }
        var metadata: [String: String] = [:]
        for (key, value) in pairs {
            guard case .string(let text) = value else {
                throw .format("\(source): __metadata__ value for '\(key)' is not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    /// Checks one tensor entry against itself and the data section's length.
    private static func parseEntry(
        name: String, _ entry: JSONValue, dataLength: Int, source: String
    ) throws(VAEGANError) -> (StoredTensor.DType, [Int], Range<Int>) {
        let context = "\(source): tensor '\(name)'"
        guard case .object(let fields) = entry else { throw .format("\(context) is not a JSON object") }
        guard Set(fields.keys) == ["dtype", "shape", "data_offsets"] else {
            throw .format("\(context) has keys \(fields.keys.sorted()), expected dtype, shape and data_offsets")
        }
        guard case .string(let dtypeName)? = fields["dtype"] else { throw .format("\(context): dtype is not a string") }
        guard let dtype = StoredTensor.DType(rawValue: dtypeName) else {
            let supported = StoredTensor.DType.allCases.map(\.rawValue).joined(separator: ", ")
            throw .format("\(context) has dtype '\(dtypeName)', which is not supported (\(supported) are)")
        }
        guard case .array(let shapeValues)? = fields["shape"] else { throw .format("\(context): shape is not an array") }
        var shape: [Int] = []
        var elementCount = 1
        for value in shapeValues {
            guard case .integer(let size) = value, size >= 0 else {
                throw .format("\(context): shape entries must be non-negative integers")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw .format("\(context): shape is impossibly large") }
            elementCount = product
            shape.append(size)
        }
        guard case .array(let offsetValues)? = fields["data_offsets"], offsetValues.count == 2,
            case .integer(let begin) = offsetValues[0], case .integer(let end) = offsetValues[1],
            begin >= 0, begin <= end
        else {
            throw .format("\(context): data_offsets must be two integers [begin, end] with 0 ≤ begin ≤ end")
        }
        guard end <= dataLength else {
            throw .format("\(context): data_offsets [\(begin), \(end)] lie outside the \(dataLength)-byte data section")
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteCount)
        guard !overflow, end - begin == byteCount else {
            throw .format(
                "\(context): data_offsets [\(begin), \(end)] span \(end - begin) bytes, but shape \(shape) of \(dtype.rawValue) needs \(byteCount)")
        }
        return (dtype, shape, begin..<end)
    }

    /// The tensors must tile the data section: each starts where the previous one ends.
    private static func checkTiling(
        _ ranges: [(name: String, range: Range<Int>)], dataLength: Int, source: String
    ) throws(VAEGANError) {
        let sorted = ranges.sorted {
            ($0.range.lowerBound, $0.range.upperBound, $0.name) < ($1.range.lowerBound, $1.range.upperBound, $1.name)
        }
        var covered = 0
        var previousName: String?
        for (name, range) in sorted {
            if range.lowerBound < covered, let previousName {
                throw .format("\(source): tensors '\(previousName)' and '\(name)' overlap in the data section")
            }
            if range.lowerBound > covered {
                throw .format("\(source): data bytes \(covered)..<\(range.lowerBound) belong to no tensor (a gap before '\(name)')")
            }
            covered = range.upperBound
            previousName = name
        }
        guard covered == dataLength else {
            throw .format("\(source): \(dataLength - covered) data bytes after the last tensor belong to no tensor")
        }
    }
}
