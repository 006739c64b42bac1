/// A region cut into tiles of a fixed size, in row-major order. Edge tiles are smaller.
public struct TileGrid: Sendable, Hashable {
    /// The region covered.
    public let region: Rect
    /// The nominal tile width.
    public let tileWidth: Int
    /// The nominal tile height.
    public let tileHeight: Int
    /// Tiles per row.
    public let columns: Int
    /// Tiles per column.
    public let rows: Int

    /// Cuts `region` into tiles of `tileWidth × tileHeight`.
    public init(region: Rect, tileWidth: Int, tileHeight: Int) {
        precondition(tileWidth > 0 && tileHeight > 0, "tile size must be positive")
        self.region = region
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.columns = region.isEmpty ? 0 : (region.width + tileWidth - 1) / tileWidth
        self.rows = region.isEmpty ? 0 : (region.height + tileHeight - 1) / tileHeight
    }

    /// The number of tiles.
    public var count: Int { columns * rows }

    /// The tile at `index` (row-major), clipped to the region.
    public func tile(at index: Int) -> Rect {
        precondition(index >= 0 && index < count, "tile index out of range")
        let col = index % columns, row = index / columns
        let x = region.x + col * tileWidth, y = region.y + row * tileHeight
        return Rect(x: x, y: y, width: min(tileWidth, region.maxX - x), height: min(tileHeight, region.maxY - y))
    }

    /// Every tile, in row-major order.
    public var tiles: [Rect] { (0..<count).map(tile(at:)) }
}
