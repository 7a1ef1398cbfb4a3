// IDX files, the format of MNIST and Fashion-MNIST: a validating reader and a small writer.
//
// Layout (all integers big-endian): two zero bytes, an element-type byte, a dimension count,
// one UInt32 size per dimension, then the elements in row-major order. Images are
// 0x00000803 (unsigned bytes, 3 dimensions: count, rows, columns); labels are 0x00000801
// (unsigned bytes, 1 dimension: count). Files may be gzip-compressed. Only the unsigned-byte
// element type is supported, since every MNIST-style file uses it. The writer is for tests and
// tools; scripts/mnist_to_idx.py makes the MNIST files themselves.

/// A stack of same-sized grayscale images read from an IDX file.
///
/// ```swift
/// let images = try IDXImages(contentsOfFile: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
/// print(images.count, images.rows, images.columns)  // 10000 28 28
/// ```
public struct IDXImages: Equatable, Sendable {
    public var count: Int
    public var rows: Int
    public var columns: Int
    /// `count × rows × columns` intensities in 0…255, image after image, each row-major.
    public var pixels: [UInt8]

    public init(count: Int, rows: Int, columns: Int, pixels: [UInt8]) {
        precondition(
            pixels.count == count * rows * columns,
            "IDXImages: \(pixels.count) pixels for \(count) images of \(rows)×\(columns)")
        self.count = count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
    }

    /// Reads an image file (raw or gzip) and checks its header against its length.
    ///
    /// - Throws: `.io` if the file cannot be read, `.format("<path>: <problem>")` if it is not
    ///   a well-formed unsigned-byte IDX image file;
    ///   `.outOfMemory("<path>: …")` if the file, or what it inflates to, cannot be allocated.
    public init(contentsOfFile path: String) throws(VAEGANError) {
        try self.init(idxBytes: Gzip.readFileInflatingIfNeeded(atPath: path), source: path)
    }

    init(idxBytes bytes: consuming [UInt8], source: String) throws(VAEGANError) {
        let sizes = try IDX.parseHeader(bytes, dimensionCount: 3, kind: "images", source: source)
        // Drop the header in place: no second copy of 47 MB of pixels at load time.
        bytes.removeFirst(IDX.headerLength(dimensionCount: 3))
        self.init(count: sizes[0], rows: sizes[1], columns: sizes[2], pixels: bytes)
    }

    /// The file contents: header and pixels, uncompressed.
    public func idxBytes() -> [UInt8] {
        IDX.header(sizes: [count, rows, columns]) + pixels
    }

    /// Writes the images atomically; gzip-compressed when `path` ends in `.gz`.
    public func write(toFile path: String) throws(VAEGANError) {
        try IDX.write(idxBytes(), toFile: path)
    }
}

/// Class labels (one byte each) read from an IDX file.
public struct IDXLabels: Equatable, Sendable {
    public var labels: [UInt8]
    public var count: Int { labels.count }

    public init(labels: [UInt8]) {
        self.labels = labels
    }

    /// Reads a label file (raw or gzip) and checks its header against its length.
    ///
    /// - Throws: `.io` if the file cannot be read, `.format("<path>: <problem>")` if it is not
    ///   a well-formed unsigned-byte IDX label file;
    ///   `.outOfMemory("<path>: …")` if the file, or what it inflates to, cannot be allocated.
    public init(contentsOfFile path: String) throws(VAEGANError) {
        try self.init(idxBytes: Gzip.readFileInflatingIfNeeded(atPath: path), source: path)
    }

    init(idxBytes bytes: consuming [UInt8], source: String) throws(VAEGANError) {
        _ = try IDX.parseHeader(bytes, dimensionCount: 1, kind: "labels", source: source)
        bytes.removeFirst(IDX.headerLength(dimensionCount: 1))  // in place, as for images
        self.init(labels: bytes)
    }

    /// The file contents: header and labels, uncompressed.
    public func idxBytes() -> [UInt8] {
        IDX.header(sizes: [labels.count]) + labels
    }

    /// Writes the labels atomically; gzip-compressed when `path` ends in `.gz`.
    public func write(toFile path: String) throws(VAEGANError) {
        try IDX.write(idxBytes(), toFile: path)
    }
}

/// Reading images together with their labels, and the header rules both files share.
public enum IDX {
    /// Reads an image file and its label file and checks that they hold the same number of items.
    ///
    /// ```swift
    /// let (images, labels) = try IDX.readLabeledImages(
    ///     imagesPath: "train-images-idx3-ubyte.gz", labelsPath: "train-labels-idx1-ubyte.gz")
    /// ```
    /// - Throws: the errors of ``IDXImages/init(contentsOfFile:)`` and
    ///   ``IDXLabels/init(contentsOfFile:)``, and `.format` naming both files when the counts differ.
    public static func readLabeledImages(
        imagesPath: String, labelsPath: String
    ) throws(VAEGANError) -> (images: IDXImages, labels: IDXLabels) {
        let images = try IDXImages(contentsOfFile: imagesPath)
        let labels = try IDXLabels(contentsOfFile: labelsPath)
        guard images.count == labels.count else {
            throw .format(
                "\(labelsPath): holds \(labels.count) labels but \(imagesPath) holds \(images.count) images")
        }
        return (images, labels)
    }

    /// The element-type byte for unsigned bytes, the only type MNIST-style files use.
    static let unsignedByteType: UInt8 = 0x08

    static func headerLength(dimensionCount: Int) -> Int { 4 + 4 * dimensionCount }

    /// Checks the magic number, element type, dimension count, sizes and data length, and
    /// returns the sizes. `kind` ("images" or "labels") words the errors.
    static func parseHeader(
        _ bytes: [UInt8], dimensionCount: Int, kind: String, source: String
    ) throws(VAEGANError) -> [Int] {
        let expectedMagic = String(0x0800 + dimensionCount, radix: 16)
        guard bytes.count >= 4 else {
            throw .format("\(source): truncated IDX header: \(bytes.count) bytes, an IDX file starts with 4")
        }
        let magic = bytes[0..<4].reduce(0) { ($0 << 8) | Int($1) }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw .format(
                "\(source): not an IDX file: magic number 0x\(hex(magic, digits: 8)), expected 0x0000\(expectedMagic) for IDX \(kind)")
        }
        guard bytes[2] == unsignedByteType else {
            throw .format(
                "\(source): IDX element type 0x\(hex(Int(bytes[2]), digits: 2)) (\(elementTypeName(bytes[2]))) is not supported; only 0x08 (unsigned byte) is")
        }
        guard Int(bytes[3]) == dimensionCount else {
            let hint = bytes[3] == 1 ? " (a label file?)" : bytes[3] == 3 ? " (an image file?)" : ""
            throw .format(
                "\(source): IDX \(kind) need \(dimensionCount) dimension(s) (magic 0x0000\(expectedMagic)), file has \(bytes[3])\(hint)")
        }
        let dataStart = headerLength(dimensionCount: dimensionCount)
        guard bytes.count >= dataStart else {
            throw .format("\(source): truncated IDX header: \(bytes.count) bytes, need \(dataStart)")
        }
        var sizes: [Int] = []
        var expectedLength = 1
        for dimension in 0..<dimensionCount {
            let offset = 4 + 4 * dimension
            let size = bytes[offset..<offset + 4].reduce(0) { ($0 << 8) | Int($1) }
            guard size > 0 else {
                throw .format("\(source): IDX dimension \(dimension) has size 0")
            }
            // Three UInt32 sizes can overflow Int; such a file cannot exist on disk anyway.
            let (product, overflow) = expectedLength.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw .format("\(source): IDX sizes \(sizes + [size]) are impossibly large")
            }
            expectedLength = product
            sizes.append(size)
        }
        let dataLength = bytes.count - dataStart
        guard dataLength >= expectedLength else {
            throw .format(
                "\(source): truncated: header \(sizes) promises \(expectedLength) bytes of \(kind), file has \(dataLength)")
        }
        guard dataLength == expectedLength else {
            throw .format(
                "\(source): \(dataLength - expectedLength) trailing bytes after the \(expectedLength) bytes of \(kind) that header \(sizes) promises")
        }
        return sizes
    }

    /// Magic number and big-endian sizes for unsigned-byte data of the given shape.
    static func header(sizes: [Int]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, unsignedByteType, UInt8(sizes.count)]
        for size in sizes {
            precondition(size >= 0 && size <= Int(UInt32.max), "IDX size \(size) does not fit in 32 bits")
            bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: size >> $0) }
        }
        return bytes
    }

    static func write(_ bytes: [UInt8], toFile path: String) throws(VAEGANError) {
        try AtomicFile.write(path.hasSuffix(".gz") ? Gzip.compress(bytes) : bytes, to: path)
    }

    private static func elementTypeName(_ type: UInt8) -> String {
        switch type {
        case 0x08: "unsigned byte"
        case 0x09: "signed byte"
        case 0x0B: "int16"
        case 0x0C: "int32"
        case 0x0D: "float32"
        case 0x0E: "float64"
        default: "unknown type"
        }
    }

    private static func hex(_ value: Int, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: false)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
