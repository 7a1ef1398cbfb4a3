// One tensor as a safetensors file stores it: element type, shape and little-endian bytes,
// with typed views in and out. The file format itself is in SafeTensors.swift.

/// A tensor's element type, shape and raw little-endian bytes.
///
/// ```swift
/// let weights = StoredTensor(floats: w, shape: [784, 512])
/// let step = StoredTensor(int64s: [1200])                 // shape [1]
/// ```
public struct StoredTensor: Equatable, Sendable {
    /// The element types VAEGAN reads and writes, spelled as in the safetensors header.
    public enum DType: String, CaseIterable, Sendable {
        case float32 = "F32"
        case float64 = "F64"
        case int64 = "I64"
        /// For counters and random-generator state.
        case uint64 = "U64"
        case uint8 = "U8"

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .float32: 4
            case .float64, .int64, .uint64: 8
            case .uint8: 1
            }
        }
    }

    public var dtype: DType
    public var shape: [Int]
    /// `shape.reduce(1, *) × dtype.byteCount` bytes, each element little-endian.
    public var bytes: [UInt8]

    public var elementCount: Int { shape.reduce(1, *) }

    public init(dtype: DType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "StoredTensor shape \(shape) has a negative size")
        precondition(
            bytes.count == shape.reduce(1, *) * dtype.byteCount,
            "StoredTensor: \(bytes.count) bytes do not fit shape \(shape) of \(dtype.rawValue)")
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Float32 values; `shape` defaults to one axis of `floats.count`.
    public init(floats: [Float], shape: [Int]? = nil) {
        self.init(dtype: .float32, shape: shape ?? [floats.count], bytes: LittleEndian.encode(floats))
    }

    public init(doubles: [Double], shape: [Int]? = nil) {
        self.init(dtype: .float64, shape: shape ?? [doubles.count], bytes: LittleEndian.encode(doubles))
    }

    public init(int64s: [Int64], shape: [Int]? = nil) {
        self.init(dtype: .int64, shape: shape ?? [int64s.count], bytes: LittleEndian.encode(int64s))
    }

    public init(uint64s: [UInt64], shape: [Int]? = nil) {
        self.init(dtype: .uint64, shape: shape ?? [uint64s.count], bytes: LittleEndian.encode(uint64s))
    }

    public init(uint8s: [UInt8], shape: [Int]? = nil) {
        self.init(dtype: .uint8, shape: shape ?? [uint8s.count], bytes: uint8s)
    }

    /// The elements decoded as `Element`, or nil when `dtype` is not `expected`.
    ///
    /// - Throws: `.outOfMemory` naming `what` when they cannot be allocated.
    func values<Element: BitwiseCopyable>(
        as _: Element.Type, expecting expected: DType, _ what: @autoclosure () -> String
    ) throws(VAEGANError) -> [Element]? {
        guard dtype == expected else { return nil }
        return try LittleEndian.decode(bytes[...], as: Element.self, what())
    }
}
