// Arranging images: tiling many equal-sized images into a grid with gutters (samples,
// "test image | reconstruction" pairs, interpolation and traversal rows), and stacking images
// of any size vertically (plot panels). Tiles are copied, never scaled.

extension Image {
    /// Tiles equal-sized images in row-major order, `columns` per row, with `gutter` pixels
    /// of `gutterShade` between tiles and around the edge.
    ///
    /// A grayscale tile in an RGB grid is shown in gray. A last row that is not full is left
    /// in the gutter shade.
    ///
    /// - Throws: `.outOfMemory` when the grid cannot be allocated.
    ///
    /// ```swift
    /// // Test images beside their reconstructions: [x0, r0, x1, r1, …], two per row.
    /// let pairs = Image(tiling: zip(originals, reconstructions).flatMap { [$0, $1] }, columns: 2)
    /// ```
    public init(tiling images: [Image], columns: Int, gutter: Int = 2, gutterShade: UInt8 = 128) throws(VAEGANError) {
        precondition(!images.isEmpty, "Image(tiling:) needs at least one image")
        precondition(columns > 0 && gutter >= 0, "Image(tiling:) needs columns > 0 and gutter ≥ 0")
        let tileWidth = images[0].width
        let tileHeight = images[0].height
        precondition(
            images.allSatisfy { $0.width == tileWidth && $0.height == tileHeight },
            "Image(tiling:) needs equal-sized images; the first is \(tileWidth)×\(tileHeight)")
        let channels = images.contains { $0.channels == 3 } ? 3 : 1
        let gridRows = (images.count + columns - 1) / columns
        // n tiles and n + 1 gutters: n × (tile + gutter) + gutter.
        let what = "Image(tiling:) of \(images.count) tiles, \(columns) per row"
        var grid = try Image(
            width: Self.size(columns, times: Self.size(tileWidth, times: 1, plus: gutter, what), plus: gutter, what),
            height: Self.size(gridRows, times: Self.size(tileHeight, times: 1, plus: gutter, what), plus: gutter, what),
            channels: channels, filledWith: gutterShade)
        for (index, image) in images.enumerated() {
            grid.copy(
                channels == image.channels ? image : image.convertedToRGB(),
                x: gutter + (index % columns) * (tileWidth + gutter),
                y: gutter + (index / columns) * (tileHeight + gutter))
        }
        self = grid
    }

    /// Tiles grayscale images given as consecutive rows of intensities in [0, 1] (clamped),
    /// e.g. a batch of decoder outputs of shape (count, height·width).
    ///
    /// ```swift
    /// let samples = try Image(tilingIntensities: means, tileWidth: 28, tileHeight: 28, columns: 8)
    /// ```
    /// - Throws: `.outOfMemory` as ``init(tiling:columns:gutter:gutterShade:)``.
    public init(
        tilingIntensities intensities: UnsafeBufferPointer<Float>, tileWidth: Int, tileHeight: Int,
        columns: Int, gutter: Int = 2, gutterShade: UInt8 = 128
    ) throws(VAEGANError) {
        let tileSize = tileWidth * tileHeight
        precondition(
            tileSize > 0 && intensities.count % tileSize == 0 && !intensities.isEmpty,
            "Image(tilingIntensities:): \(intensities.count) values are not whole \(tileWidth)×\(tileHeight) tiles")
        let tiles = (0..<intensities.count / tileSize).map { index in
            Image(
                grayscaleIntensities: UnsafeBufferPointer(rebasing: intensities[index * tileSize..<(index + 1) * tileSize]),
                width: tileWidth, height: tileHeight)
        }
        try self.init(tiling: tiles, columns: columns, gutter: gutter, gutterShade: gutterShade)
    }

    /// Tiles grayscale images given as consecutive rows of intensities; see the buffer version.
    public init(
        tilingIntensities intensities: [Float], tileWidth: Int, tileHeight: Int,
        columns: Int, gutter: Int = 2, gutterShade: UInt8 = 128
    ) throws(VAEGANError) {
        self = try intensities.withUnsafeBufferPointer { (intensities) throws(VAEGANError) in
            try Image(
                tilingIntensities: intensities, tileWidth: tileWidth, tileHeight: tileHeight,
                columns: columns, gutter: gutter, gutterShade: gutterShade)
        }
    }

    /// Places images one under another, left-aligned, `spacing` pixels apart; narrower images
    /// are padded on the right with `background`.
    ///
    /// - Throws: `.outOfMemory` when the stack cannot be allocated.
    public init(stacking images: [Image], spacing: Int = 0, background: UInt8 = 255) throws(VAEGANError) {
        precondition(!images.isEmpty, "Image(stacking:) needs at least one image")
        let channels = images.contains { $0.channels == 3 } ? 3 : 1
        var stack = try Image(
            width: images.map(\.width).max()!,
            height: Self.size(
                spacing, times: images.count - 1, plus: images.map(\.height).reduce(0, +),
                "Image(stacking:) of \(images.count) images \(spacing) apart"),
            channels: channels, filledWith: background)
        var top = 0
        for image in images {
            stack.copy(channels == image.channels ? image : image.convertedToRGB(), x: 0, y: top)
            top += image.height + spacing
        }
        self = stack
    }

    /// Copies `image` (same channel count, fully inside) with its top-left corner at (x, y).
    mutating func copy(_ image: Image, x: Int, y: Int) {
        precondition(image.channels == channels && x + image.width <= width && y + image.height <= height)
        let sourceRowLength = image.width * channels
        for row in 0..<image.height {
            let target = ((y + row) * width + x) * channels
            pixels[target..<target + sourceRowLength] =
                image.pixels[row * sourceRowLength..<(row + 1) * sourceRowLength]
        }
    }
}
