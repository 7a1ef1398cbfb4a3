// .npy reading and writing: round trips, header versions 1–3, every kind of broken or
// unsupported file, and loading a .npy as an ImageDataset. Fixtures live in a temporary folder.
import Foundation
import Testing

@testable import VAEGAN

@Suite final class NPYTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-npy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func path(_ name: String) -> String { "\(folder)/\(name)" }

    /// A .npy file with the given header dict, padded as numpy pads it, and raw data.
    private func write(
        header: String, data: [UInt8], version: UInt8 = 1, to name: String
    ) -> String {
        let lengthFieldSize = version == 1 ? 2 : 4
        var text = Array(header.utf8)
        let unpadded = 8 + lengthFieldSize + text.count + 1
        text += Array(repeating: 0x20, count: (64 - unpadded % 64) % 64) + [0x0A]
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        bytes += (0..<lengthFieldSize).map { UInt8(truncatingIfNeeded: text.count >> (8 * $0)) }
        bytes += text + data
        _ = FileManager.default.createFile(atPath: path(name), contents: Data(bytes))
        return path(name)
    }

    private func floatBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) } }
    }

    @Test func floatAndByteMatricesRoundTrip() throws {
        let floats = NPYMatrix(rows: 2, columns: 3, floats: [0, 0.5, 1, -2, 3.25, 1e-7])
        try floats.write(toFile: path("floats.npy"))
        #expect(try NPYMatrix(contentsOfFile: path("floats.npy")) == floats)

        let stack = NPYMatrix(shape: [2, 2, 3], storage: .bytes(Array(0..<12)))
        try stack.write(toFile: path("stack.npy"))
        let read = try NPYMatrix(contentsOfFile: path("stack.npy"))
        #expect(read == stack && read.rows == 2 && read.columns == 6)

        // numpy's layout: the data starts on a 64-byte boundary after a newline-ended header.
        let bytes = floats.npyBytes()
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0 && bytes[9 + headerLength] == 0x0A)
        #expect(String(decoding: bytes[10..<10 + headerLength], as: UTF8.self).hasPrefix(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"))
    }

    @Test func versionsTwoAndThreeAndOldSpellingsAreRead() throws {
        let v2 = write(header: "{'descr': '<u1', 'fortran_order': False, 'shape': (2, 2)}", data: [1, 2, 3, 4], version: 2, to: "v2.npy")
        #expect(try NPYMatrix(contentsOfFile: v2) == NPYMatrix(rows: 2, columns: 2, bytes: [1, 2, 3, 4]))
        let v3 = write(header: "{\"shape\": (1L, 2L), \"fortran_order\": False, \"descr\": \"<f4\"}", data: floatBytes([1, 2]), version: 3, to: "v3.npy")
        #expect(try NPYMatrix(contentsOfFile: v3) == NPYMatrix(rows: 1, columns: 2, floats: [1, 2]))
    }

    @Test func nonFiniteFloatsNameTheFirstBadElement() {
        let nan = write(
            header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
            data: floatBytes([0, 1, 2, 3, 4, .nan]), to: "nan.npy")
        expectVAEGANError(VAEGANError.nonFinite, mentioning: [nan, "element 5", "row 1, column 2", "nan"]) {
            _ = try NPYMatrix(contentsOfFile: nan)
        }
        let infinity = write(
            header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }",
            data: floatBytes([.infinity, 0]), to: "inf.npy")
        expectVAEGANError(VAEGANError.nonFinite, mentioning: [infinity, "element 0", "inf"]) {
            _ = try NPYMatrix(contentsOfFile: infinity)
        }
    }

    @Test func badHeadersAreRejected() {
        let cases: [(header: String, fragment: String)] = [
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3 }", "bad .npy header"),
            ("{'descr': '<f4', 'shape': (2, 3), }", "expected descr, fortran_order and shape"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", "bad .npy header"),
            ("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "structured dtypes"),
            ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1, 1)}", "appears twice"),
            ("{'descr': '<f4', 'fortran_order': maybe, 'shape': (1, 1)}", "bad .npy header"),
        ]
        for (index, (header, fragment)) in cases.enumerated() {
            let file = write(header: header, data: floatBytes([0, 0, 0, 0, 0, 0]), to: "bad\(index).npy")
            expectVAEGANError(VAEGANError.format, mentioning: [file, fragment]) { _ = try NPYMatrix(contentsOfFile: file) }
        }
    }

    @Test func badPreamblesAreRejected() {
        let notNPY = path("text.npy")
        _ = FileManager.default.createFile(atPath: notNPY, contents: Data("hello, world".utf8))
        expectVAEGANError(VAEGANError.format, mentioning: [notNPY, "not a .npy file"]) { _ = try NPYMatrix(contentsOfFile: notNPY) }

        let v4 = write(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1)}", data: floatBytes([0]), version: 4, to: "v4.npy")
        expectVAEGANError(VAEGANError.format, mentioning: [v4, "version 4.0 is not supported"]) { _ = try NPYMatrix(contentsOfFile: v4) }

        let overlong = path("overlong.npy")
        let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 0xFF, 0x00] + Array("{'descr'".utf8)
        _ = FileManager.default.createFile(atPath: overlong, contents: Data(bytes))
        expectVAEGANError(VAEGANError.format, mentioning: [overlong, "truncated .npy header", "255 bytes"]) {
            _ = try NPYMatrix(contentsOfFile: overlong)
        }
    }

    @Test func unsupportedArraysSayWhatToDo() {
        let cases: [(header: String, fragments: [String])] = [
            ("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", ["'<f8'", "not supported", "np.float32"]),
            ("{'descr': '>f4', 'fortran_order': False, 'shape': (1, 2), }", ["big-endian"]),
            ("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", ["Fortran-ordered"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", ["1-D", "(rows, features)"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", ["scalar"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 2), }", ["4 axes"]),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2), }", ["empty axis"]),
        ]
        for (index, (header, fragments)) in cases.enumerated() {
            let file = write(header: header, data: floatBytes([0, 0]), to: "unsupported\(index).npy")
            expectVAEGANError(VAEGANError.format, mentioning: [file] + fragments) { _ = try NPYMatrix(contentsOfFile: file) }
        }
    }

    @Test func dataLengthMustMatchTheShape() {
        let header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }"
        let short = write(header: header, data: [1, 2, 3, 4, 5], to: "short.npy")
        expectVAEGANError(VAEGANError.format, mentioning: [short, "truncated", "needs 6 data bytes", "has 5"]) {
            _ = try NPYMatrix(contentsOfFile: short)
        }
        let long = write(header: header, data: [1, 2, 3, 4, 5, 6, 7], to: "long.npy")
        expectVAEGANError(VAEGANError.format, mentioning: [long, "1 trailing bytes"]) { _ = try NPYMatrix(contentsOfFile: long) }
    }

    @Test func npyFilesLoadAsImageDatasets() throws {
        try NPYMatrix(rows: 2, columns: 4, floats: [0, 0.25, 0.5, 1, 1, 0.5, 0.25, 0]).write(toFile: path("square.npy"))
        let square = try ImageDataset(npyFile: path("square.npy"))
        #expect(square.count == 2 && square.rows == 2 && square.columns == 2 && square.labels == nil)

        try NPYMatrix(shape: [1, 2, 3], storage: .bytes([0, 50, 100, 150, 200, 250])).write(toFile: path("stack.npy"))
        let stack = try ImageDataset(npyFile: path("stack.npy"))
        #expect(stack.rows == 2 && stack.columns == 3 && stack.pixels == .bytes([0, 50, 100, 150, 200, 250]))

        try NPYMatrix(rows: 1, columns: 3, floats: [0, 1, 0]).write(toFile: path("row.npy"))
        let row = try ImageDataset(npyFile: path("row.npy"))  // 3 is not a square: one 1×3 image
        #expect(row.rows == 1 && row.columns == 3 && row.featureCount == 3)

        try NPYMatrix(rows: 1, columns: 3, floats: [0, 1.5, 0]).write(toFile: path("bright.npy"))
        expectVAEGANError(VAEGANError.format, mentioning: [path("bright.npy"), "1.5", "element 1", "outside [0, 1]"]) {
            _ = try ImageDataset(npyFile: path("bright.npy"))
        }
    }
}
