// .npy files holding a matrix of float32 or uint8: a validating reader and a writer.
//
// Reads format versions 1.0, 2.0 and 3.0; dtypes '<f4' (float32) and '|u1' / '<u1' (uint8);
// C order only; shape (rows, features), or (rows, height, width) flattened to rows × height·width.
// Float data must be finite. Not supported: other dtypes, Fortran order, 1-D or 4-D+ arrays,
// big-endian data, .npz archives. Layout: "\x93NUMPY", major and minor version bytes, a
// little-endian header length (UInt16 in 1.0, UInt32 later), the header dict (NPYHeader.swift),
// then the raw elements. Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html

/// A 2-D array read from or written to a .npy file.
///
/// ```swift
/// let matrix = try NPYMatrix(contentsOfFile: "my-images.npy")   // (n, 28, 28) uint8
/// print(matrix.rows, matrix.columns)                              // n 784
/// try NPYMatrix(rows: 2, columns: 3, floats: [0, 1, 2, 3, 4, 5]).write(toFile: "x.npy")
/// ```
public struct NPYMatrix: Equatable, Sendable {
    /// The elements in row-major order, as stored in the file.
    public enum Storage: Equatable, Sendable {
        /// uint8 values, 0…255.
        case bytes([UInt8])
        /// float32 values, all finite when read from a file.
        case floats([Float])

        public var count: Int {
            switch self {
            case .bytes(let values): values.count
            case .floats(let values): values.count
            }
        }
    }

    /// Size of the first axis.
    public var rows: Int
    /// Product of the remaining axes.
    public var columns: Int
    /// The shape in the file: `[rows, columns]`, or `[rows, height, width]` for image stacks.
    public var shape: [Int]
    public var storage: Storage

    /// A matrix with the given shape (2 or 3 axes); `storage` must hold the product of `shape` elements.
    public init(shape: [Int], storage: Storage) {
        precondition(shape.count == 2 || shape.count == 3, "NPYMatrix shape \(shape) must have 2 or 3 axes")
        precondition(shape.allSatisfy { $0 >= 0 }, "NPYMatrix shape \(shape) has a negative size")
        precondition(
            storage.count == shape.reduce(1, *),
            "NPYMatrix: \(storage.count) elements do not fill shape \(shape)")
        self.rows = shape[0]
        self.columns = shape.dropFirst().reduce(1, *)
        self.shape = shape
        self.storage = storage
    }

    public init(rows: Int, columns: Int, floats: [Float]) {
        self.init(shape: [rows, columns], storage: .floats(floats))
    }

    public init(rows: Int, columns: Int, bytes: [UInt8]) {
        self.init(shape: [rows, columns], storage: .bytes(bytes))
    }

    /// Reads and validates a .npy file.
    ///
    /// - Throws: `.io` if the file cannot be read; `.format("<path>: <problem>")` for a bad
    ///   preamble or header, an unsupported dtype, order or number of axes, or a data length
    ///   that does not match the shape; `.nonFinite("<path>: element i … is nan")` naming the
    ///   first NaN or infinity in float data; `.outOfMemory("<path>: …")` when the file or its
    ///   floats cannot be allocated.
    public init(contentsOfFile path: String) throws(VAEGANError) {
        try self.init(npyBytes: readFileBytes(atPath: path), source: path)
    }

    init(npyBytes bytes: consuming [UInt8], source: String) throws(VAEGANError) {
        let (header, dataStart) = try NPYFormat.parsePreambleAndHeader(bytes, source: source)
        let elementType = try NPYFormat.elementType(ofDescr: header.descr, source: source)
        guard !header.fortranOrder else {
            throw .format(
                "\(source): Fortran-ordered arrays are not supported; save np.ascontiguousarray(x) instead")
        }
        let shape = header.shape
        switch shape.count {
        case 2, 3: break
        case 0: throw .format("\(source): the array is a scalar; need shape (rows, features) or (rows, height, width)")
        case 1:
            throw .format(
                "\(source): the array is 1-D, shape (\(shape[0]),); need shape (rows, features) or (rows, height, width), e.g. x.reshape(len(x), -1)")
        default:
            throw .format("\(source): the array has \(shape.count) axes, shape \(shape); need 2 or 3")
        }
        guard !shape.contains(0) else {
            throw .format("\(source): shape \(shape) has an empty axis")
        }
        var elementCount = 1
        for size in shape {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw .format("\(source): shape \(shape) is impossibly large") }
            elementCount = product
        }
        let expectedLength = elementCount.multipliedReportingOverflow(by: elementType.byteCount)
        guard !expectedLength.overflow else { throw .format("\(source): shape \(shape) is impossibly large") }
        let dataLength = bytes.count - dataStart
        guard dataLength >= expectedLength.partialValue else {
            throw .format(
                "\(source): truncated: shape \(shape) of \(header.descr) needs \(expectedLength.partialValue) data bytes, file has \(dataLength)")
        }
        guard dataLength == expectedLength.partialValue else {
            throw .format(
                "\(source): \(dataLength - expectedLength.partialValue) trailing bytes after the \(expectedLength.partialValue) data bytes of shape \(shape)")
        }

        switch elementType {
        case .uint8:
            // Drop the header in place: no second copy of the data.
            bytes.removeFirst(dataStart)
            self.init(shape: shape, storage: .bytes(bytes))
        case .float32:
            let floats = try LittleEndian.decode(bytes[dataStart...], as: Float.self, "\(source): float32 data")
            if let bad = floats.firstIndex(where: { !$0.isFinite }) {
                let columns = elementCount / shape[0]
                throw .nonFinite(
                    "\(source): element \(bad) (row \(bad / columns), column \(bad % columns)) is \(floats[bad])")
            }
            self.init(shape: shape, storage: .floats(floats))
        }
    }

    /// The file contents: version 1.0 (2.0 if the header would not fit), C order,
    /// dtype '<f4' or '|u1'.
    public func npyBytes() -> [UInt8] {
        var bytes = NPYFormat.preambleAndHeader(
            NPYHeader(descr: storage.descr, fortranOrder: false, shape: shape))
        switch storage {
        case .bytes(let values): bytes += values
        case .floats(let values): bytes += LittleEndian.encode(values)
        }
        return bytes
    }

    /// Writes the matrix atomically (temporary file, then rename).
    public func write(toFile path: String) throws(VAEGANError) {
        try AtomicFile.write(npyBytes(), to: path)
    }
}

extension NPYMatrix.Storage {
    var descr: String {
        switch self {
        case .bytes: "|u1"
        case .floats: "<f4"
        }
    }
}

/// Preamble rules and dtype decoding, apart from the matrix type so both directions share them.
enum NPYFormat {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    enum ElementType {
        case uint8, float32

        var byteCount: Int { self == .uint8 ? 1 : 4 }
    }

    static func elementType(ofDescr descr: String, source: String) throws(VAEGANError) -> ElementType {
        switch descr {
        case "<f4": return .float32
        case "|u1", "<u1", "=u1", ">u1": return .uint8
        case ">f4":
            throw .format("\(source): big-endian float32 ('>f4') is not supported; convert with x.astype('<f4')")
        case "<f8", "<f2", "|i1", "<i2", "<i4", "<i8", "<u2", "<u4", "<u8", "|b1":
            throw .format(
                "\(source): dtype '\(descr)' is not supported; use float32 ('<f4', x.astype(np.float32)) or uint8 ('|u1')")
        default:
            throw .format("\(source): dtype '\(descr)' is not supported; only '<f4' (float32) and '|u1' (uint8) are")
        }
    }

    /// Validates the magic, version and header length, parses the header, and returns it with
    /// the offset where the data starts.
    static func parsePreambleAndHeader(
        _ bytes: [UInt8], source: String
    ) throws(VAEGANError) -> (header: NPYHeader, dataStart: Int) {
        guard bytes.starts(with: magic) else {
            throw .format("\(source): not a .npy file (it does not start with \\x93NUMPY)")
        }
        guard bytes.count >= 10 else {
            throw .format("\(source): truncated .npy preamble (\(bytes.count) bytes)")
        }
        let (major, minor) = (bytes[6], bytes[7])
        let lengthFieldSize: Int
        switch (major, minor) {
        case (1, 0): lengthFieldSize = 2
        case (2, 0), (3, 0): lengthFieldSize = 4
        default: throw .format("\(source): .npy format version \(major).\(minor) is not supported (1.0, 2.0, 3.0 are)")
        }
        let headerStart = 8 + lengthFieldSize
        guard bytes.count >= headerStart else {
            throw .format("\(source): truncated .npy preamble (\(bytes.count) bytes)")
        }
        let headerLength = bytes[8..<headerStart].reversed().reduce(0) { ($0 << 8) | Int($1) }
        guard headerLength <= bytes.count - headerStart else {
            throw .format(
                "\(source): truncated .npy header: it claims \(headerLength) bytes, \(bytes.count - headerStart) remain")
        }
        let headerBytes = bytes[headerStart..<headerStart + headerLength]
        // Versions 1 and 2 use Latin-1, version 3 UTF-8; real headers are plain ASCII either way.
        guard let text = String(validating: headerBytes, as: UTF8.self) else {
            throw .format("\(source): bad .npy header: not ASCII/UTF-8 text")
        }
        let header = try NPYHeader(parsing: text, source: source)
        return (header, headerStart + headerLength)
    }

    /// Magic, version, length and header padded with spaces and a newline so the data starts
    /// on a 64-byte boundary, as numpy does.
    static func preambleAndHeader(_ header: NPYHeader) -> [UInt8] {
        var text = Array(header.literal.utf8)
        let fitsVersion1 = 10 + text.count + 64 <= Int(UInt16.max)
        let lengthFieldSize = fitsVersion1 ? 2 : 4
        let unpadded = 8 + lengthFieldSize + text.count + 1
        text += Array(repeating: UInt8(ascii: " "), count: (64 - unpadded % 64) % 64) + [UInt8(ascii: "\n")]
        var bytes = magic + [fitsVersion1 ? 1 : 2, 0]
        bytes += (0..<lengthFieldSize).map { UInt8(truncatingIfNeeded: text.count >> (8 * $0)) }
        return bytes + text
    }
}
