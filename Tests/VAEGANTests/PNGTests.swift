// PNG encoding checked by decoding our own output: signature, chunk order, IHDR fields, CRCs
// (against an independent bitwise CRC-32), and IDAT inflated back to the pixels. Also the
// atomic write that PNG, NPY and safetensors share.
import Foundation
import Testing

@testable import VAEGAN

@Suite final class PNGTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-png-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// One chunk of a PNG file.
    private struct Chunk {
        var type: String
        var data: [UInt8]
        var storedCRC: UInt32
    }

    private func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reduce(0) { ($0 << 8) | UInt32($1) }
    }

    /// Splits a PNG after its signature into chunks.
    private func chunks(of png: [UInt8]) throws -> [Chunk] {
        var result: [Chunk] = []
        var offset = 8
        while offset < png.count {
            let length = Int(bigEndian(png[offset..<offset + 4]))
            try #require(offset + 12 + length <= png.count)
            result.append(Chunk(
                type: String(decoding: png[offset + 4..<offset + 8], as: UTF8.self),
                data: Array(png[offset + 8..<offset + 8 + length]),
                storedCRC: bigEndian(png[offset + 8 + length..<offset + 12 + length])))
            offset += 12 + length
        }
        return result
    }

    /// CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320) computed bit by bit, independently of zlib.
    private func bitwiseCRC32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Decodes what our encoder writes: checks structure and CRCs, returns IHDR and pixels.
    private func decode(_ png: [UInt8]) throws -> (header: [UInt8], pixels: [UInt8]) {
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let parts = try chunks(of: png)
        #expect(parts.map(\.type) == ["IHDR", "IDAT", "IEND"])
        for chunk in parts {
            #expect(chunk.storedCRC == bitwiseCRC32(Array(chunk.type.utf8) + chunk.data), "CRC of \(chunk.type)")
        }
        let header = parts[0].data
        let width = Int(bigEndian(header[0..<4]))
        let height = Int(bigEndian(header[4..<8]))
        let channels = header[9] == 0 ? 1 : 3
        let scanlines = try Gzip.decompress(parts[1].data, format: .zlib, source: "IDAT")
        try #require(scanlines.count == height * (1 + width * channels))
        var pixels: [UInt8] = []
        for row in 0..<height {
            let start = row * (1 + width * channels)
            #expect(scanlines[start] == 0, "filter type of row \(row)")
            pixels += scanlines[start + 1..<start + 1 + width * channels]
        }
        return (header, pixels)
    }

    @Test func grayscaleImageDecodesToItsPixels() throws {
        let image = Image(width: 5, height: 3, channels: 1, pixels: (0..<15).map { UInt8($0 * 17) })
        let (header, pixels) = try decode(image.pngData())
        #expect(header == [0, 0, 0, 5, 0, 0, 0, 3, 8, 0, 0, 0, 0])
        #expect(pixels == image.pixels)
    }

    @Test func rgbImageDecodesToItsPixels() throws {
        let image = Image(width: 2, height: 2, channels: 3, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 8, 7])
        let (header, pixels) = try decode(image.pngData())
        #expect(header == [0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0])
        #expect(pixels == image.pixels)
    }

    @Test func writePNGReplacesTheFileAndLeavesNoTemporary() throws {
        let path = "\(folder)/picture.png"
        let first = try Image(width: 1, height: 1, channels: 1, filledWith: 0)
        let second = try Image(width: 3, height: 1, channels: 3, filledWith: 200)
        try first.writePNG(to: path)
        try second.writePNG(to: path)
        #expect(try readFileBytes(atPath: path) == second.pngData())
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["picture.png"])
    }

    @Test func failedWritesReportThePathAndCleanUp() throws {
        let missingFolder = "\(folder)/absent/picture.png"
        expectVAEGANError(VAEGANError.io, mentioning: [missingFolder, "No such file or directory"]) {
            try Image(width: 1, height: 1, channels: 1, filledWith: 0).writePNG(to: missingFolder)
        }
        // Renaming over a folder fails after the temporary file was written: it must be removed.
        let occupied = "\(folder)/occupied"
        try FileManager.default.createDirectory(atPath: "\(occupied)/inside", withIntermediateDirectories: true)
        expectVAEGANError(VAEGANError.io, mentioning: [occupied, "cannot replace"]) {
            try AtomicFile.write([1, 2, 3], to: occupied)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["occupied"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: occupied) == ["inside"])
    }
}
