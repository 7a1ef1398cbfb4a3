// Training curves as a picture: one panel with a title, a frame, five labelled ticks per axis
// (the first and last are the data's min and max), light grid lines, one coloured polyline per
// series and a legend; plus stacking several panels into one image. Linear axes only. A NaN or
// infinite point is skipped and breaks its line, so gaps in the data stay visible.
import Foundation

/// Named series of (x, y) points drawn as lines in one panel.
///
/// ```swift
/// let plot = LinePlot(title: "VAE loss", series: [
///     .init(name: "train", values: trainLoss),          // x = 0, 1, 2, …
///     .init(name: "test", x: testEpochs, y: testLoss),
/// ])
/// try plot.render(width: 640, height: 400).writePNG(to: "runs/vae/loss.png")
/// ```
public struct LinePlot: Sendable {
    /// One named line.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]

        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }

        public init(name: String, x: [Double], y: [Double]) {
            precondition(x.count == y.count, "LinePlot.Series '\(name)': \(x.count) x values, \(y.count) y values")
            self.init(name: name, points: zip(x, y).map { (x: $0, y: $1) })
        }

        /// Values at x = 0, 1, 2, ….
        public init(name: String, values: [Double]) {
            self.init(name: name, points: values.enumerated().map { (x: Double($0), y: $1) })
        }
    }

    public var title: String
    public var series: [Series]
    /// Text under the x axis, e.g. "epoch"; none when nil.
    public var xLabel: String?

    public init(title: String, series: [Series], xLabel: String? = nil) {
        self.title = title
        self.series = series
        self.xLabel = xLabel
    }

    /// Stacks one rendered panel per plot, top to bottom.
    ///
    /// - Throws: `.outOfMemory` when a panel or the stack cannot be allocated.
    public static func renderStacked(
        _ plots: [LinePlot], width: Int = 640, panelHeight: Int = 300
    ) throws(VAEGANError) -> Image {
        try Image(stacking: plots.map { (plot) throws(VAEGANError) in try plot.render(width: width, height: panelHeight) })
    }

    /// The panel as an RGB image. Sizes below 160×120 leave no room for the axes.
    ///
    /// - Throws: `.outOfMemory` when the image cannot be allocated.
    public func render(width: Int = 640, height: Int = 400) throws(VAEGANError) -> Image {
        precondition(width >= 160 && height >= 120, "LinePlot.render: \(width)×\(height) is too small")
        var image = try Image(width: width, height: height, channels: 3, filledWith: 255)
        let titleScale = 2
        image.drawText(
            title, x: (width - BitmapFont.width(of: title, scale: titleScale)) / 2, y: 6, color: .black,
            scale: titleScale)

        guard let ranges = dataRanges() else {
            let message = "no finite data"
            image.drawText(message, x: (width - BitmapFont.width(of: message)) / 2, y: height / 2, color: .axis)
            return image
        }
        let xTicks = Self.ticks(from: ranges.x.lowerBound, to: ranges.x.upperBound)
        let yTicks = Self.ticks(from: ranges.y.lowerBound, to: ranges.y.upperBound)
        let xTickLabels = Self.labels(for: xTicks)
        let yTickLabels = Self.labels(for: yTicks)

        // The plot area: room on the left for the widest y label, below for x labels.
        let left = 10 + (yTickLabels.map { BitmapFont.width(of: $0) }.max() ?? 0)
        let right = width - 14
        let top = 6 + BitmapFont.glyphHeight * titleScale + 10
        let bottom = height - 22 - (xLabel == nil ? 0 : BitmapFont.glyphHeight + 6)
        let plotArea = PlotArea(left: left, right: right, top: top, bottom: bottom, x: ranges.x, y: ranges.y)

        for (value, label) in zip(yTicks, yTickLabels) {
            let y = plotArea.pixelY(value)
            image.fillRectangle(x: left, y: y, width: right - left, height: 1, color: .grid)
            image.fillRectangle(x: left - 4, y: y, width: 4, height: 1, color: .axis)
            image.drawText(
                label, x: left - 6 - BitmapFont.width(of: label), y: y - BitmapFont.glyphHeight / 2, color: .axis)
        }
        for (value, label) in zip(xTicks, xTickLabels) {
            let x = plotArea.pixelX(value)
            image.fillRectangle(x: x, y: top, width: 1, height: bottom - top, color: .grid)
            image.fillRectangle(x: x, y: bottom, width: 1, height: 4, color: .axis)
            let labelX = min(max(x - BitmapFont.width(of: label) / 2, 0), width - BitmapFont.width(of: label))
            image.drawText(label, x: labelX, y: bottom + 7, color: .axis)
        }
        if let xLabel {
            image.drawText(
                xLabel, x: (left + right - BitmapFont.width(of: xLabel)) / 2,
                y: bottom + 7 + BitmapFont.glyphHeight + 6, color: .axis)
        }
        image.strokeRectangle(x: left, y: top, width: right - left + 1, height: bottom - top + 1, color: .axis)

        for (index, line) in series.enumerated() {
            drawPolyline(line, in: plotArea, color: Self.palette[index % Self.palette.count], on: &image)
        }
        drawLegend(on: &image, right: right - 6, top: top + 6)
        return image
    }

    /// Maps data coordinates to pixels inside the frame.
    private struct PlotArea {
        let left, right, top, bottom: Int
        let x: ClosedRange<Double>
        let y: ClosedRange<Double>

        func pixelX(_ value: Double) -> Int {
            left + Int(((value - x.lowerBound) / (x.upperBound - x.lowerBound) * Double(right - left)).rounded())
        }

        func pixelY(_ value: Double) -> Int {
            bottom - Int(((value - y.lowerBound) / (y.upperBound - y.lowerBound) * Double(bottom - top)).rounded())
        }
    }

    private func drawPolyline(_ line: Series, in area: PlotArea, color: Image.Color, on image: inout Image) {
        var previous: (x: Int, y: Int)?
        for point in line.points {
            guard point.x.isFinite, point.y.isFinite else {
                previous = nil  // a gap, not a line across the missing value
                continue
            }
            let current = (x: area.pixelX(point.x), y: area.pixelY(point.y))
            let start = previous ?? current
            image.drawLine(fromX: start.x, y: start.y, toX: current.x, y: current.y, color: color, thickness: 2)
            previous = current
        }
    }

    private func drawLegend(on image: inout Image, right: Int, top: Int) {
        guard !series.isEmpty else { return }
        let swatchWidth = 14
        let rowHeight = BitmapFont.glyphHeight + 5
        let textWidth = series.map { BitmapFont.width(of: $0.name) }.max() ?? 0
        let boxWidth = 6 + swatchWidth + 5 + textWidth + 6
        let boxHeight = 4 + rowHeight * series.count
        let left = right - boxWidth
        image.fillRectangle(x: left, y: top, width: boxWidth, height: boxHeight, color: .white)
        image.strokeRectangle(x: left, y: top, width: boxWidth, height: boxHeight, color: .axis)
        for (index, line) in series.enumerated() {
            let rowTop = top + 4 + index * rowHeight
            let color = Self.palette[index % Self.palette.count]
            image.fillRectangle(x: left + 6, y: rowTop + 2, width: swatchWidth, height: 3, color: color)
            image.drawText(line.name, x: left + 6 + swatchWidth + 5, y: rowTop, color: .black)
        }
    }

    /// The x and y extent of all finite points; a flat extent is widened so it can be drawn.
    private func dataRanges() -> (x: ClosedRange<Double>, y: ClosedRange<Double>)? {
        let finite = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        guard let first = finite.first else { return nil }
        var (minX, maxX, minY, maxY) = (first.x, first.x, first.y, first.y)
        for point in finite {
            minX = min(minX, point.x)
            maxX = max(maxX, point.x)
            minY = min(minY, point.y)
            maxY = max(maxY, point.y)
        }
        return (Self.widenedIfFlat(minX...maxX), Self.widenedIfFlat(minY...maxY))
    }

    private static func widenedIfFlat(_ range: ClosedRange<Double>) -> ClosedRange<Double> {
        guard range.lowerBound == range.upperBound else { return range }
        let margin = max(abs(range.lowerBound) * 0.05, 1e-9)
        return (range.lowerBound - margin)...(range.upperBound + margin)
    }

    /// Five evenly spaced values from `low` to `high`, both included.
    private static func ticks(from low: Double, to high: Double) -> [Double] {
        (0...4).map { low + (high - low) * Double($0) / 4 }
    }

    /// Whole numbers when every tick is one (epochs, steps), else 4 significant digits.
    private static func labels(for ticks: [Double]) -> [String] {
        if ticks.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e9 }) {
            return ticks.map { String(Int($0)) }
        }
        return ticks.map { String(format: "%.4g", $0) }
    }

    /// Distinguishable line colours (the matplotlib "tab10" set).
    static let palette: [Image.Color] = [
        .init(red: 31, green: 119, blue: 180), .init(red: 255, green: 127, blue: 14),
        .init(red: 44, green: 160, blue: 44), .init(red: 214, green: 39, blue: 40),
        .init(red: 148, green: 103, blue: 189), .init(red: 140, green: 86, blue: 75),
        .init(red: 227, green: 119, blue: 194), .init(red: 127, green: 127, blue: 127),
        .init(red: 188, green: 189, blue: 34), .init(red: 23, green: 190, blue: 207),
    ]
}
