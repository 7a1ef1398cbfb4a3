// Square images given as consecutive rows of Floats in [0, 1], turned into picture grids.

extension Image {
    /// A grid of the `side`×`side` images stored one after another in `pixels`, `columns` per
    /// grid row.
    ///
    /// - Throws: `.outOfMemory` when the grid cannot be allocated.
    public static func grid(of pixels: [Float], side: Int, columns: Int) throws(VAEGANError) -> Image {
        try Image(tilingIntensities: pixels, tileWidth: side, tileHeight: side, columns: columns)
    }
}

/// The side of a square image with `width` pixels, or nil if `width` is not a square.
public func squareImageSide(_ width: Int) -> Int? {
    let side = Int(Double(width).squareRoot().rounded())
    return side * side == width ? side : nil
}
