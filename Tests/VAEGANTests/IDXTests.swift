// IDX reading and writing (raw and gzip), every kind of damaged IDX or gzip file, and the
// built-in dataset loader's file lookup. Fixtures are made in a fresh temporary folder.
import Foundation
import Testing

@testable import VAEGAN

@Suite final class IDXTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-idx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Three 2×4 images whose pixels count up, and three labels.
    let images = IDXImages(count: 3, rows: 2, columns: 4, pixels: (0..<24).map { UInt8($0 * 10) })
    let labels = IDXLabels(labels: [7, 0, 9])

    private func path(_ name: String) -> String { "\(folder)/\(name)" }

    private func write(_ bytes: [UInt8], to name: String) -> String {
        _ = FileManager.default.createFile(atPath: path(name), contents: Data(bytes))
        return path(name)
    }

    @Test func imagesAndLabelsRoundTripRawAndGzip() throws {
        for suffix in ["", ".gz"] {
            try images.write(toFile: path("images\(suffix)"))
            try labels.write(toFile: path("labels\(suffix)"))
            #expect(try IDXImages(contentsOfFile: path("images\(suffix)")) == images)
            #expect(try IDXLabels(contentsOfFile: path("labels\(suffix)")) == labels)
        }
        let compressed = try readFileBytes(atPath: path("images.gz"))
        #expect(compressed.starts(with: [0x1f, 0x8b]))
        #expect(images.idxBytes().prefix(16) == [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4])
    }

    @Test func labeledPairLoadsAndCountsMustAgree() throws {
        try images.write(toFile: path("images.gz"))
        try labels.write(toFile: path("labels.gz"))
        let pair = try IDX.readLabeledImages(imagesPath: path("images.gz"), labelsPath: path("labels.gz"))
        #expect(pair.images == images && pair.labels == labels)

        try IDXLabels(labels: [1, 2]).write(toFile: path("short-labels"))
        expectVAEGANError(VAEGANError.format, mentioning: ["short-labels", "2 labels", "3 images", "images.gz"]) {
            _ = try IDX.readLabeledImages(imagesPath: path("images.gz"), labelsPath: path("short-labels"))
        }
    }

    @Test("A gzip stream that inflates past the limit is a format error, not an allocation")
    func inflationIsCapped() throws {
        let zeros = Gzip.compress([UInt8](repeating: 0, count: 1 << 20))  // ~1 KB claiming 1 MB
        #expect(try Gzip.decompress(zeros, format: .gzip, source: "z", limit: 1 << 20).count == 1 << 20)
        #expect(throws: VAEGANError.self) { try Gzip.decompress(zeros, format: .gzip, source: "z", limit: (1 << 20) - 1) }
        #expect(throws: VAEGANError.self) { try Gzip.decompress(zeros, format: .gzip, source: "z", limit: 1 << 16) }
        #expect(Gzip.maximumInflatedBytes == 1 << 31)
    }

    @Test func wrongMagicIsRejected() {
        var bytes = images.idxBytes()
        bytes[0] = 0x12
        let file = write(bytes, to: "magic")
        expectVAEGANError(VAEGANError.format, mentioning: [file, "not an IDX file", "0x12000803"]) {
            _ = try IDXImages(contentsOfFile: file)
        }
    }

    @Test func unsupportedElementTypeIsNamed() {
        var bytes = images.idxBytes()
        bytes[2] = 0x0D
        let file = write(bytes, to: "floats")
        expectVAEGANError(VAEGANError.format, mentioning: [file, "0x0d", "float32", "only 0x08 (unsigned byte)"]) {
            _ = try IDXImages(contentsOfFile: file)
        }
    }

    @Test func labelFileReadAsImagesReportsDimensions() {
        let file = write(labels.idxBytes(), to: "labels-as-images")
        expectVAEGANError(VAEGANError.format, mentioning: [file, "3 dimension", "has 1", "label file"]) {
            _ = try IDXImages(contentsOfFile: file)
        }
    }

    @Test func zeroSizeDimensionIsRejected() {
        var bytes = images.idxBytes()
        bytes[11] = 0  // rows = 0
        let file = write(bytes, to: "empty-rows")
        expectVAEGANError(VAEGANError.format, mentioning: [file, "dimension 1 has size 0"]) {
            _ = try IDXImages(contentsOfFile: file)
        }
    }

    @Test func truncatedAndOverlongFilesAreRejected() {
        let truncated = write(Array(images.idxBytes().dropLast()), to: "truncated")
        expectVAEGANError(VAEGANError.format, mentioning: [truncated, "truncated", "24 bytes", "has 23"]) {
            _ = try IDXImages(contentsOfFile: truncated)
        }
        let trailing = write(labels.idxBytes() + [1, 2], to: "trailing")
        expectVAEGANError(VAEGANError.format, mentioning: [trailing, "2 trailing bytes"]) {
            _ = try IDXLabels(contentsOfFile: trailing)
        }
        let shortHeader = write(Array(images.idxBytes().prefix(10)), to: "short-header")
        expectVAEGANError(VAEGANError.format, mentioning: [shortHeader, "truncated IDX header"]) {
            _ = try IDXImages(contentsOfFile: shortHeader)
        }
    }

    @Test func corruptAndTruncatedGzipAreRejected() {
        var compressed = Gzip.compress(images.idxBytes())
        let cut = write(Array(compressed.prefix(compressed.count / 2)), to: "cut.gz")
        expectVAEGANError(VAEGANError.format, mentioning: [cut, "corrupt gzip stream", "truncated"]) {
            _ = try IDXImages(contentsOfFile: cut)
        }
        compressed[compressed.count - 6] ^= 0xFF  // inside the CRC-32 trailer
        let damaged = write(compressed, to: "damaged.gz")
        expectVAEGANError(VAEGANError.format, mentioning: [damaged, "corrupt gzip stream"]) {
            _ = try IDXImages(contentsOfFile: damaged)
        }
        let garbage = write([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8], to: "garbage.gz")
        expectVAEGANError(VAEGANError.format, mentioning: [garbage, "corrupt gzip stream"]) {
            _ = try IDXImages(contentsOfFile: garbage)
        }
    }

    @Test func concatenatedGzipMembersAreJoined() throws {
        let bytes = labels.idxBytes()
        let file = write(Gzip.compress(Array(bytes.prefix(5))) + Gzip.compress(Array(bytes.dropFirst(5))), to: "two.gz")
        #expect(try IDXLabels(contentsOfFile: file) == labels)
    }

    @Test func missingFileIsAnIOError() {
        expectVAEGANError(VAEGANError.io, mentioning: [path("absent.gz"), "cannot open"]) {
            _ = try IDXImages(contentsOfFile: path("absent.gz"))
        }
    }

    @Test func builtInDatasetLoadsFromAFolderAndSaysHowToGetMissingFiles() throws {
        for prefix in ["train", "t10k"] {
            try images.write(toFile: path("\(prefix)-images-idx3-ubyte.gz"))
            try labels.write(toFile: path("\(prefix)-labels-idx1-ubyte"))  // uncompressed works too
        }
        let (train, test) = try BuiltInDataset.mnist.load(fromDirectory: folder)
        #expect(train.count == 3 && test.rows == 2 && test.columns == 4 && train.labels == labels.labels)
        #expect(train.pixels == .bytes(images.pixels))

        let empty = path("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        expectVAEGANError(VAEGANError.io, mentioning: [empty, "train-images-idx3-ubyte.gz", "sudo apt-get install dataset-fashion-mnist"]) {
            _ = try BuiltInDataset.fashionMNIST.load(fromDirectory: empty)
        }
        expectVAEGANError(VAEGANError.io, mentioning: [empty, "scripts/fetch-mnist.sh"]) {
            _ = try BuiltInDataset.mnist.load(fromDirectory: empty)
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")))
    func installedFashionMNISTTestSplitReads() throws {
        let pair = try IDX.readLabeledImages(
            imagesPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz",
            labelsPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
        #expect(pair.images.count == 10_000 && pair.images.rows == 28 && pair.images.columns == 28)
        #expect(pair.labels.labels.allSatisfy { $0 < 10 })
    }
}
