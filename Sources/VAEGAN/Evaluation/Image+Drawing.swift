// Drawing primitives on an Image, for LinePlot: pixels, filled rectangles, Bresenham lines and
// text in BitmapFont. Everything clips to the image, so callers need not check bounds.
// No anti-aliasing: plots are read, not admired.

extension Image {
    /// An RGB colour; on a grayscale image the mean of the three channels is drawn.
    struct Color: Equatable, Sendable {
        var red: UInt8
        var green: UInt8
        var blue: UInt8

        static let black = Color(red: 0, green: 0, blue: 0)
        static let white = Color(red: 255, green: 255, blue: 255)
        static let axis = Color(red: 60, green: 60, blue: 60)
        static let grid = Color(red: 228, green: 228, blue: 228)
    }

    mutating func setPixel(x: Int, y: Int, to color: Color) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        let offset = (y * width + x) * channels
        if channels == 3 {
            pixels[offset] = color.red
            pixels[offset + 1] = color.green
            pixels[offset + 2] = color.blue
        } else {
            pixels[offset] = UInt8((Int(color.red) + Int(color.green) + Int(color.blue)) / 3)
        }
    }

    mutating func fillRectangle(x: Int, y: Int, width rectangleWidth: Int, height rectangleHeight: Int, color: Color) {
        for row in max(y, 0)..<max(min(y + rectangleHeight, height), max(y, 0)) {
            for column in max(x, 0)..<max(min(x + rectangleWidth, width), max(x, 0)) {
                setPixel(x: column, y: row, to: color)
            }
        }
    }

    /// One-pixel outline of the rectangle.
    mutating func strokeRectangle(x: Int, y: Int, width rectangleWidth: Int, height rectangleHeight: Int, color: Color) {
        fillRectangle(x: x, y: y, width: rectangleWidth, height: 1, color: color)
        fillRectangle(x: x, y: y + rectangleHeight - 1, width: rectangleWidth, height: 1, color: color)
        fillRectangle(x: x, y: y, width: 1, height: rectangleHeight, color: color)
        fillRectangle(x: x + rectangleWidth - 1, y: y, width: 1, height: rectangleHeight, color: color)
    }

    /// A straight line with both end points, by Bresenham's integer algorithm (all octants);
    /// `thickness` 2 also paints the pixel right of and below each point.
    mutating func drawLine(fromX x0: Int, y y0: Int, toX x1: Int, y y1: Int, color: Color, thickness: Int = 1) {
        let dx = abs(x1 - x0)
        let dy = -abs(y1 - y0)
        let stepX = x0 < x1 ? 1 : -1
        let stepY = y0 < y1 ? 1 : -1
        var error = dx + dy
        var (x, y) = (x0, y0)
        while true {
            fillRectangle(x: x, y: y, width: thickness, height: thickness, color: color)
            if x == x1 && y == y1 { return }
            let doubled = 2 * error
            if doubled >= dy {
                error += dy
                x += stepX
            }
            if doubled <= dx {
                error += dx
                y += stepY
            }
        }
    }

    /// Draws `text` with its top-left corner at (x, y); each font pixel becomes scale×scale.
    mutating func drawText(_ text: String, x: Int, y: Int, color: Color, scale: Int = 1) {
        for (index, character) in text.enumerated() {
            let left = x + index * BitmapFont.advance * scale
            for (row, mask) in BitmapFont.rows(for: character).enumerated() {
                for column in 0..<BitmapFont.glyphWidth where mask & (0b10000 >> column) != 0 {
                    fillRectangle(
                        x: left + column * scale, y: y + row * scale, width: scale, height: scale, color: color)
                }
            }
        }
    }
}
