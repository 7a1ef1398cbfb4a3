// An 8-bit grayscale or RGB raster: what the PNG encoder writes, what image grids and line
// plots produce. Encoding is in PNG.swift, tiling in ImageGrid.swift, drawing in Image+Drawing.swift.

/// An 8-bit image with one (gray) or three (red, green, blue) channels.
///
/// ```swift
/// let digit = Image(grayscaleIntensities: row, width: 28, height: 28)  // row: 784 floats in [0, 1]
/// try digit.writePNG(to: "digit.png")
/// ```
public struct Image: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// 1 for grayscale, 3 for RGB.
    public let channels: Int
    /// `height` rows of `width × channels` bytes, top row first; RGB pixels are interleaved.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "Image size \(width)×\(height) must be positive")
        precondition(channels == 1 || channels == 3, "Image channels must be 1 or 3, not \(channels)")
        precondition(
            pixels.count == width * height * channels,
            "Image: \(pixels.count) bytes for \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// Each pixel repeated as a `factor` × `factor` block: enlarged without the blur a viewer's
    /// smoothing adds, so pixel-level texture stays visible.
    ///
    /// - Throws: `.outOfMemory` when the enlarged image cannot be allocated.
    public func scaled(by factor: Int) throws(VAEGANError) -> Image {
        precondition(factor >= 1, "Image scale factor must be at least 1, not \(factor)")
        guard factor > 1 else { return self }
        var result = try Image(
            width: Self.size(width, times: factor, "Image.scaled(by: \(factor))"),
            height: Self.size(height, times: factor, "Image.scaled(by: \(factor))"),
            channels: channels, filledWith: 0)
        let rowBytes = width * channels
        for y in 0..<result.height {
            for x in 0..<result.width {
                for c in 0..<channels {
                    result.pixels[(y * result.width + x) * channels + c] = pixels[(y / factor) * rowBytes + (x / factor) * channels + c]
                }
            }
        }
        return result
    }

    /// An image with every byte set to `value` (white for 255).
    ///
    /// - Throws: `.outOfMemory` when the pixels cannot be allocated.
    public init(width: Int, height: Int, channels: Int, filledWith value: UInt8) throws(VAEGANError) {
        let what = "Image \(width)×\(height)×\(channels)"
        let count = try Self.size(Self.size(width, times: height, what), times: channels, what)
        // A size that is not positive reaches the designated initializer's check.
        self.init(
            width: width, height: height, channels: channels,
            pixels: try [UInt8](checkedCount: max(count, 0), repeating: value, what))
    }

    /// `a × b + c` for a size a caller chose. Overflow is `.outOfMemory` naming `what`: no image
    /// that large could be allocated.
    static func size(_ a: Int, times b: Int, plus c: Int = 0, _ what: @autoclosure () -> String) throws(VAEGANError) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        let (sum, sumOverflow) = product.addingReportingOverflow(c)
        guard !overflow, !sumOverflow else {
            throw .outOfMemory("\(what()): \(a) × \(b) + \(c) is more than an Int counts")
        }
        return sum
    }

    /// A grayscale image from intensities in [0, 1], row-major; values outside are clamped and
    /// NaN becomes black.
    public init(grayscaleIntensities intensities: UnsafeBufferPointer<Float>, width: Int, height: Int) {
        precondition(
            intensities.count == width * height,
            "Image: \(intensities.count) intensities for \(width)×\(height)")
        self.init(width: width, height: height, channels: 1, pixels: intensities.map(Image.byte(fromIntensity:)))
    }

    /// A grayscale image from intensities in [0, 1], row-major; clamped like the buffer version.
    public init(grayscaleIntensities intensities: [Float], width: Int, height: Int) {
        self = intensities.withUnsafeBufferPointer { Image(grayscaleIntensities: $0, width: width, height: height) }
    }

    /// The same picture with three channels (gray copied to red, green and blue).
    public func convertedToRGB() -> Image {
        guard channels == 1 else { return self }
        var rgb = [UInt8](repeating: 0, count: pixels.count * 3)
        for (index, value) in pixels.enumerated() {
            rgb[3 * index] = value
            rgb[3 * index + 1] = value
            rgb[3 * index + 2] = value
        }
        return Image(width: width, height: height, channels: 3, pixels: rgb)
    }

    /// Maps [0, 1] to 0…255 with rounding; clamps outside values, NaN to 0.
    static func byte(fromIntensity value: Float) -> UInt8 {
        guard value > 0 else { return 0 }  // also catches NaN
        guard value < 1 else { return 255 }
        return UInt8((value * 255).rounded())
    }
}
