// PNG encoding of an Image: 8-bit grayscale (colour type 0) or 8-bit RGB (colour type 2),
// no interlacing, filter type 0 (None) on every row, one IDAT chunk compressed with zlib's
// compress2, CRC-32 from zlib's crc32. No decoding, palettes, alpha or 16-bit depths.
// Spec: https://www.w3.org/TR/png-3/ (chunk layout §5, IHDR §11.2.1, filtering §7.3).
import CZlib

extension Image {
    /// The complete PNG file.
    ///
    /// ```swift
    /// let bytes = image.pngData()   // starts 89 50 4E 47 0D 0A 1A 0A
    /// ```
    public func pngData() -> [UInt8] {
        var header: [UInt8] = []
        header += PNGEncoding.bigEndian(UInt32(width))
        header += PNGEncoding.bigEndian(UInt32(height))
        header += [8, channels == 1 ? 0 : 2, 0, 0, 0]  // depth, colour type, compression, filter, interlace

        return PNGEncoding.signature
            + PNGEncoding.chunk("IHDR", header)
            + PNGEncoding.chunk("IDAT", PNGEncoding.zlibCompress(filteredScanlines()))
            + PNGEncoding.chunk("IEND", [])
    }

    /// Writes the PNG atomically: a temporary file in the same folder, then a rename.
    ///
    /// - Throws: `.io("<path>: <reason>")` if the file cannot be written.
    public func writePNG(to path: String) throws(VAEGANError) {
        try AtomicFile.write(pngData(), to: path)
    }

    /// Each row prefixed by its filter byte 0 (None). Filtering would shrink large photos a
    /// little; our small grids and plots compress well without it.
    func filteredScanlines() -> [UInt8] {
        let rowLength = width * channels
        var scanlines = [UInt8](repeating: 0, count: height * (rowLength + 1))
        for row in 0..<height {
            let target = row * (rowLength + 1) + 1
            scanlines[target..<target + rowLength] = pixels[row * rowLength..<(row + 1) * rowLength]
        }
        return scanlines
    }
}

/// Byte-level pieces of the PNG container.
enum PNGEncoding {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Length, type, data, and the CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeAndData = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(crc32(of: typeAndData))
    }

    static func crc32(of bytes: [UInt8]) -> UInt32 {
        let crc = bytes.withUnsafeBufferPointer { CZlib.crc32(0, $0.baseAddress, uInt($0.count)) }
        return UInt32(crc)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }

    /// A zlib (RFC 1950) stream, as IDAT requires.
    static func zlibCompress(_ bytes: [UInt8]) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = output.withUnsafeMutableBufferPointer { destination in
            bytes.withUnsafeBufferPointer { source in
                compress2(destination.baseAddress, &length, source.baseAddress, uLong(source.count), 6)
            }
        }
        // compressBound leaves enough room, so only a failed allocation can get here.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        output.removeLast(output.count - Int(length))
        return output
    }
}
