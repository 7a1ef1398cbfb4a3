// The image datasets VAEGAN trains on: the built-in Fashion-MNIST and MNIST (IDX files from a
// folder) and a user's .npy file, all loaded into one ImageDataset. Batching, shuffling and
// scaling to [0, 1] floats for the model happen elsewhere.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Grayscale images (and optional class labels) ready for training.
///
/// ```swift
/// let (train, test) = try BuiltInDataset.fashionMNIST.load()
/// let mine = try ImageDataset(npyFile: "faces.npy")      // (n, h, w) uint8 or float32 in [0, 1]
/// ```
public struct ImageDataset: Sendable {
    /// The pixel values, image after image, each row-major.
    public enum Pixels: Equatable, Sendable {
        /// Intensities 0…255, to be divided by 255.
        case bytes([UInt8])
        /// Intensities already in [0, 1] (the Bernoulli decoder needs that range).
        case floats([Float])
        /// Floats as `.floats`, in memory VAEGAN allocated fallibly (`HeapBuffer`): the C
        /// ABI's copy of a caller's rows, which may be larger than the machine can hold.
        case floatBuffer(HeapBuffer<Float>)
    }

    public var count: Int
    public var rows: Int
    public var columns: Int
    public var pixels: Pixels
    /// One class label per image, when the source has them (the built-ins do, .npy files do not).
    public var labels: [UInt8]?

    /// Pixels per image.
    public var featureCount: Int { rows * columns }

    public init(count: Int, rows: Int, columns: Int, pixels: Pixels, labels: [UInt8]? = nil) {
        let pixelCount: Int
        switch pixels {
        case .bytes(let values): pixelCount = values.count
        case .floats(let values): pixelCount = values.count
        case .floatBuffer(let values): pixelCount = values.count
        }
        precondition(
            pixelCount == count * rows * columns,
            "ImageDataset: \(pixelCount) pixels for \(count) images of \(rows)×\(columns)")
        precondition(
            labels == nil || labels!.count == count, "ImageDataset: \(labels?.count ?? 0) labels for \(count) images")
        self.count = count
        self.rows = rows
        self.columns = columns
        self.pixels = pixels
        self.labels = labels
    }

    /// Images and labels read from an IDX pair.
    public init(images: IDXImages, labels: IDXLabels?) {
        self.init(
            count: images.count, rows: images.rows, columns: images.columns, pixels: .bytes(images.pixels),
            labels: labels?.labels)
    }

    /// Images from a .npy file of shape (n, height, width), or (n, features) — read as square
    /// images when `features` is a square number and as 1 × features rows otherwise.
    ///
    /// - Throws: the errors of ``NPYMatrix/init(contentsOfFile:)``, and `.format` naming the
    ///   first float value outside [0, 1].
    public init(npyFile path: String) throws(VAEGANError) {
        let matrix = try NPYMatrix(contentsOfFile: path)
        var (rows, columns) = (1, matrix.columns)
        if matrix.shape.count == 3 {
            (rows, columns) = (matrix.shape[1], matrix.shape[2])
        } else if let side = squareImageSide(matrix.columns) {
            (rows, columns) = (side, side)
        }
        switch matrix.storage {
        case .bytes(let values):
            self.init(count: matrix.rows, rows: rows, columns: columns, pixels: .bytes(values))
        case .floats(let values):
            if let bad = values.firstIndex(where: { !(0...1).contains($0) }) {
                throw .format(
                    "\(path): value \(values[bad]) at element \(bad) is outside [0, 1]; the Bernoulli decoder needs intensities in [0, 1] (or store uint8 0…255)")
            }
            self.init(count: matrix.rows, rows: rows, columns: columns, pixels: .floats(values))
        }
    }
}

/// The datasets VAEGAN knows how to find without being given files.
public enum BuiltInDataset: String, CaseIterable, Sendable {
    /// Zalando's Fashion-MNIST, from Debian's dataset-fashion-mnist package.
    case fashionMNIST = "fashion-mnist"
    /// LeCun's handwritten digits, made by scripts/fetch-mnist.sh.
    case mnist

    /// The folder holding the four IDX files: `VAEGAN_FASHION_MNIST_DIR` or
    /// /usr/share/datasets/fashion-mnist for Fashion-MNIST; `VAEGAN_MNIST_DIR` or data/mnist
    /// (relative to the current folder) for MNIST.
    public var directory: String {
        switch self {
        case .fashionMNIST: Self.environmentValue("VAEGAN_FASHION_MNIST_DIR") ?? "/usr/share/datasets/fashion-mnist"
        case .mnist: Self.environmentValue("VAEGAN_MNIST_DIR") ?? "data/mnist"
        }
    }

    /// Loads the train and test splits (60,000 and 10,000 labelled 28×28 images) from ``directory``.
    public func load() throws(VAEGANError) -> (train: ImageDataset, test: ImageDataset) {
        try load(fromDirectory: directory)
    }

    /// Loads the splits from `folder`, which holds the standard IDX file names, gzip-compressed
    /// (`train-images-idx3-ubyte.gz`) or not (`train-images-idx3-ubyte`).
    ///
    /// - Throws: `.io` saying how to get the files when one is missing; the IDX reader's
    ///   errors when one is damaged.
    public func load(fromDirectory folder: String) throws(VAEGANError) -> (train: ImageDataset, test: ImageDataset) {
        func split(_ prefix: String) throws(VAEGANError) -> ImageDataset {
            let (images, labels) = try IDX.readLabeledImages(
                imagesPath: try locate("\(prefix)-images-idx3-ubyte", in: folder),
                labelsPath: try locate("\(prefix)-labels-idx1-ubyte", in: folder))
            return ImageDataset(images: images, labels: labels)
        }
        return (try split("train"), try split("t10k"))
    }

    /// The path of `name.gz`, or of `name` when only the uncompressed file exists.
    private func locate(_ name: String, in folder: String) throws(VAEGANError) -> String {
        for candidate in ["\(folder)/\(name).gz", "\(folder)/\(name)"] where access(candidate, F_OK) == 0 {
            return candidate
        }
        throw .io("\(folder)/\(name).gz: \(displayName) file not found; \(howToGetFiles)")
    }

    private var displayName: String {
        switch self {
        case .fashionMNIST: "Fashion-MNIST"
        case .mnist: "MNIST"
        }
    }

    private var howToGetFiles: String {
        switch self {
        case .fashionMNIST:
            "install it with `sudo apt-get install dataset-fashion-mnist`, or set VAEGAN_FASHION_MNIST_DIR to a folder holding the four IDX files"
        case .mnist:
            "run `scripts/fetch-mnist.sh` from the repository root (it writes data/mnist), or set VAEGAN_MNIST_DIR to a folder holding the four IDX files"
        }
    }

    private static func environmentValue(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }
}
