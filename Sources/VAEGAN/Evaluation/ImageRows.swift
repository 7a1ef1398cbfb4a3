// Helpers that turn rows of Floats (images in [0, 1]) into picture grids.

extension Image {
    /// A grid of `count` square-ish images of `side`×`side` pixels taken from consecutive rows
    /// of `rows`, `columns` per grid row.
    public static func grid(of rows: Matrix, side: Int, columns: Int) -> Image {
        precondition(rows.columns == side * side, "Image.grid: rows of \(rows.columns) values are not \(side)×\(side) images")
        let tiles = (0..<rows.rows).map { r in
            Image(grayscaleIntensities: UnsafeBufferPointer(start: rows.row(r), count: rows.columns),
                  width: side, height: side)
        }
        return Image(tiling: tiles, columns: columns)
    }

    /// Like `grid(of:side:columns:)` for images given as arrays.
    public static func grid(of images: [[Float]], side: Int, columns: Int) -> Image {
        Image(tiling: images.map { Image(grayscaleIntensities: $0, width: side, height: side) }, columns: columns)
    }
}

/// The side of a square image with `width` pixels, or nil if `width` is not a square.
public func squareImageSide(_ width: Int) -> Int? {
    let side = Int(Double(width).squareRoot().rounded())
    return side * side == width ? side : nil
}
