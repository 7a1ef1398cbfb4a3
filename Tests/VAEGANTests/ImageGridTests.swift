// Image grids and stacks (layout, gutters, clamping), the drawing primitives and bitmap font,
// and LinePlot rendering (size, colours, gaps for non-finite points, empty plots, stacking).
import Testing

@testable import VAEGAN

@Suite struct ImageGridTests {
    private func pixel(_ image: Image, _ x: Int, _ y: Int) -> [UInt8] {
        let offset = (y * image.width + x) * image.channels
        return Array(image.pixels[offset..<offset + image.channels])
    }

    @Test func intensitiesAreClampedAndScaled() {
        let image = Image(grayscaleIntensities: [-0.5, 0, 0.5, 1, 1.5, .nan], width: 3, height: 2)
        #expect(image.pixels == [0, 0, 128, 255, 255, 0])
    }

    @Test func scalingRepeatsEachPixelAsABlock() throws {
        let rgb = Image(width: 2, height: 1, channels: 3, pixels: [1, 2, 3, 4, 5, 6])
        let big = try rgb.scaled(by: 3)
        #expect(big.width == 6 && big.height == 3 && big.channels == 3)
        for y in 0..<3 {
            for x in 0..<6 { #expect(pixel(big, x, y) == (x < 3 ? [1, 2, 3] : [4, 5, 6])) }
        }
        #expect(try rgb.scaled(by: 1) == rgb)
    }

    @Test func tilesLandBetweenGutters() throws {
        // Three 2×2 tiles, two per row: 2·2 + 3·2 = 10 pixels square.
        let tiles: [Float] = Array(repeating: 0, count: 4) + Array(repeating: 1, count: 4) + [0, 0.2, 0.4, 0.6]
        let grid = try Image(tilingIntensities: tiles, tileWidth: 2, tileHeight: 2, columns: 2, gutter: 2, gutterShade: 77)
        #expect(grid.width == 10 && grid.height == 10 && grid.channels == 1)
        #expect(pixel(grid, 2, 2) == [0] && pixel(grid, 3, 3) == [0])  // tile 0 at (2, 2)
        #expect(pixel(grid, 6, 2) == [255] && pixel(grid, 7, 3) == [255])  // tile 1 at (6, 2)
        #expect(pixel(grid, 2, 6) == [0] && pixel(grid, 3, 6) == [51] && pixel(grid, 3, 7) == [153])  // tile 2
        for (x, y) in [(0, 0), (4, 3), (5, 2), (9, 9), (3, 5), (6, 6), (7, 7)] {  // gutters and the empty cell
            #expect(pixel(grid, x, y) == [77], "(\(x), \(y)) should be gutter")
        }
    }

    @Test func mixedChannelTilesMakeAnRGBGrid() throws {
        let gray = try Image(width: 1, height: 1, channels: 1, filledWith: 10)
        let red = Image(width: 1, height: 1, channels: 3, pixels: [255, 0, 0])
        let grid = try Image(tiling: [gray, red], columns: 2, gutter: 1, gutterShade: 0)
        #expect(grid.width == 5 && grid.height == 3 && grid.channels == 3)
        #expect(pixel(grid, 1, 1) == [10, 10, 10] && pixel(grid, 3, 1) == [255, 0, 0])
    }

    @Test func stackingPadsNarrowImages() throws {
        let wide = try Image(width: 3, height: 1, channels: 1, filledWith: 1)
        let narrow = try Image(width: 1, height: 2, channels: 1, filledWith: 2)
        let stack = try Image(stacking: [wide, narrow], spacing: 1, background: 9)
        #expect(stack.width == 3 && stack.height == 4)
        #expect(stack.pixels == [1, 1, 1, 9, 9, 9, 2, 9, 9, 2, 9, 9])
    }

    @Test func linesIncludeBothEndsInEveryDirection() throws {
        var image = try Image(width: 9, height: 9, channels: 3, filledWith: 0)
        let white = Image.Color.white
        image.drawLine(fromX: 1, y: 7, toX: 7, y: 1, color: white)
        image.drawLine(fromX: 8, y: 8, toX: 0, y: 5, color: white)
        image.drawLine(fromX: 4, y: 0, toX: 4, y: 8, color: white)
        image.drawLine(fromX: -5, y: 0, toX: 20, y: 0, color: white)  // clipped, not a crash
        for (x, y) in [(1, 7), (7, 1), (4, 4), (8, 8), (0, 5), (4, 0), (4, 8), (0, 0), (8, 0)] {
            #expect(pixel(image, x, y) == [255, 255, 255], "(\(x), \(y)) should be on a line")
        }
    }

    @Test func fontCoversPlotTextAndFitsFiveColumns() throws {
        for character in "0123456789.-+e ABCXYZabcxyz_:/()=%" {
            let rows = BitmapFont.rows(for: character)
            #expect(rows.count == 7 && rows.allSatisfy { $0 < 32 }, "glyph \(character)")
            #expect(character == " " || rows != BitmapFont.rows(for: "€"), "glyph \(character) missing")
        }
        var image = try Image(width: 20, height: 9, channels: 1, filledWith: 0)
        image.drawText("1", x: 1, y: 1, color: .white)
        // '1' is 00100 on its first row: one lit pixel at column 2.
        #expect(pixel(image, 3, 1) == [255] && pixel(image, 2, 1) == [0])
        #expect(BitmapFont.width(of: "abc") == 17)
    }

    @Test func linePlotDrawsEachSeriesInItsColour() throws {
        let plot = LinePlot(title: "loss", series: [
            .init(name: "train", values: [3, 2, .nan, 1.5, 1.2, 1.1]),
            .init(name: "test", x: [0, 2.5, 5], y: [3.2, 2.1, 1.6]),
        ], xLabel: "epoch")
        let image = try plot.render(width: 640, height: 400)
        #expect(image.width == 640 && image.height == 400 && image.channels == 3)
        for colour in LinePlot.palette.prefix(2) {
            var count = 0
            for offset in stride(from: 0, to: image.pixels.count, by: 3)
            where image.pixels[offset] == colour.red && image.pixels[offset + 1] == colour.green
                && image.pixels[offset + 2] == colour.blue {
                count += 1
            }
            #expect(count > 200, "colour \(colour) drawn on only \(count) pixels")
        }
        #expect(image.pixels.prefix(640 * 3 * 20).contains(0), "the title is drawn in black")
    }

    @Test func emptyAndStackedPlotsRender() throws {
        let empty = LinePlot(title: "nothing", series: [.init(name: "nan", values: [.nan, .infinity])])
        #expect(try empty.render(width: 200, height: 150).width == 200)
        let panels = try LinePlot.renderStacked([empty, empty, empty], width: 300, panelHeight: 200)
        #expect(panels.width == 300 && panels.height == 600)
        let flat = LinePlot(title: "flat", series: [.init(name: "one point", values: [4])])
        #expect(try flat.render().height == 400)
    }
}

@Suite struct LossCurvesTests {
    @Test("a figure scored every other epoch is drawn as if the other epochs had none")
    func sparseFiguresAreJoined() throws {
        let withGaps = [EpochRecord(epoch: 1, values: [("loss", 3), ("fid", .nan)]),
                        EpochRecord(epoch: 2, values: [("loss", 2), ("fid", 40)]),
                        EpochRecord(epoch: 3, values: [("loss", 1.5), ("fid", .nan)]),
                        EpochRecord(epoch: 4, values: [("loss", 1), ("fid", 20)])]
        let panels = [(title: "FID", metrics: ["fid"])]
        let sparse = withGaps.filter { $0["fid"]!.isFinite }
        #expect(try LossCurves.render(withGaps, panels: panels) == LossCurves.render(sparse, panels: panels))
        #expect(try LossCurves.render(withGaps, panels: panels) != LossCurves.render([], panels: panels))
    }
}
