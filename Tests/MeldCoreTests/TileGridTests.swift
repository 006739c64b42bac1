import MeldCore
import Testing

/// A region and tile size to cut it into.
struct GridCase: Sendable, CustomTestStringConvertible {
    let region: Rect
    let tileWidth: Int
    let tileHeight: Int
    var testDescription: String { "\(region) in \(tileWidth)x\(tileHeight) tiles" }
}

@Suite("TileGrid")
struct TileGridTests {
    static let cases: [GridCase] = [
        GridCase(region: Rect(width: 97, height: 61), tileWidth: 16, tileHeight: 16),
        GridCase(region: Rect(width: 97, height: 61), tileWidth: 7, tileHeight: 5),
        GridCase(region: Rect(width: 97, height: 61), tileWidth: 256, tileHeight: 256),
        GridCase(region: Rect(width: 97, height: 61), tileWidth: 97, tileHeight: 61),
        GridCase(region: Rect(width: 97, height: 61), tileWidth: 96, tileHeight: 60),
        GridCase(region: Rect(width: 13, height: 9), tileWidth: 1, tileHeight: 1),
        GridCase(region: Rect(width: 1, height: 1), tileWidth: 64, tileHeight: 64),
        GridCase(region: Rect(width: 64, height: 64), tileWidth: 16, tileHeight: 16),
        GridCase(region: Rect(width: 31, height: 1), tileWidth: 4, tileHeight: 3),
        GridCase(region: Rect(x: 5, y: -7, width: 33, height: 19), tileWidth: 8, tileHeight: 6),
        GridCase(region: Rect(x: -20, y: 11, width: 3, height: 50), tileWidth: 2, tileHeight: 9),
    ]

    @Test(arguments: cases)
    func tilesCoverTheRegionExactlyOnce(_ c: GridCase) {
        let grid = TileGrid(region: c.region, tileWidth: c.tileWidth, tileHeight: c.tileHeight)
        var hits = [Int](repeating: 0, count: c.region.area)
        for tile in grid.tiles {
            #expect(!tile.isEmpty, "empty tile \(tile)")
            #expect(c.region.contains(tile), "tile \(tile) leaves \(c.region)")
            for y in tile.y..<tile.maxY {
                for x in tile.x..<tile.maxX where c.region.contains(x: x, y: y) {
                    hits[(y - c.region.y) * c.region.width + (x - c.region.x)] += 1
                }
            }
        }
        let wrong = hits.enumerated().filter { $0.element != 1 }
        #expect(wrong.isEmpty, "\(wrong.count) pixels not covered exactly once, first at index \(wrong.first?.offset ?? -1)")
        #expect(grid.tiles.reduce(0) { $0 + $1.area } == c.region.area)
    }

    @Test(arguments: cases)
    func countAndClippedEdgeTiles(_ c: GridCase) {
        let grid = TileGrid(region: c.region, tileWidth: c.tileWidth, tileHeight: c.tileHeight)
        let columns = (c.region.width + c.tileWidth - 1) / c.tileWidth
        let rows = (c.region.height + c.tileHeight - 1) / c.tileHeight
        #expect(grid.columns == columns && grid.rows == rows)
        #expect(grid.count == columns * rows)
        #expect(grid.tiles.count == grid.count)
        let lastWidth = c.region.width - (columns - 1) * c.tileWidth
        let lastHeight = c.region.height - (rows - 1) * c.tileHeight
        for (i, tile) in grid.tiles.enumerated() {
            let col = i % columns, row = i / columns
            // Row-major order, tiles start on the nominal grid.
            #expect(tile.x == c.region.x + col * c.tileWidth && tile.y == c.region.y + row * c.tileHeight, "tile \(i) at \(tile)")
            #expect(tile.width == (col == columns - 1 ? lastWidth : c.tileWidth), "tile \(i) \(tile)")
            #expect(tile.height == (row == rows - 1 ? lastHeight : c.tileHeight), "tile \(i) \(tile)")
            #expect(grid.tile(at: i) == tile)
        }
    }

    @Test func emptyRegionHasNoTiles() {
        for region in [Rect(width: 0, height: 10), Rect(x: 4, y: 4, width: 10, height: 0), Rect(width: 0, height: 0)] {
            let grid = TileGrid(region: region, tileWidth: 8, tileHeight: 8)
            #expect(grid.count == 0 && grid.tiles.isEmpty, "\(region)")
        }
    }
}
