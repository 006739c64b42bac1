/// An axis-aligned rectangle of whole pixels: `x ..< x + width` by `y ..< y + height`.
///
/// Rectangles may be empty (zero width or height); an empty rectangle intersects nothing.
public struct Rect: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The left edge (inclusive).
    public var x: Int
    /// The top edge (inclusive).
    public var y: Int
    /// The width in pixels, never negative.
    public var width: Int
    /// The height in pixels, never negative.
    public var height: Int

    /// Creates a rectangle; negative sizes are clamped to zero.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// A rectangle at the origin with the given size.
    public init(width: Int, height: Int) { self.init(x: 0, y: 0, width: width, height: height) }

    /// The right edge (exclusive).
    public var maxX: Int { x + width }
    /// The bottom edge (exclusive).
    public var maxY: Int { y + height }
    /// Whether the rectangle holds no pixels.
    public var isEmpty: Bool { width == 0 || height == 0 }
    /// The number of pixels inside.
    public var area: Int { width * height }

    /// The pixels both rectangles cover (empty when they do not overlap).
    public func intersection(_ other: Rect) -> Rect {
        let x0 = Swift.max(x, other.x), y0 = Swift.max(y, other.y)
        let x1 = Swift.min(maxX, other.maxX), y1 = Swift.min(maxY, other.maxY)
        return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// Whether the two rectangles share at least one pixel.
    public func intersects(_ other: Rect) -> Bool { !intersection(other).isEmpty }

    /// The smallest rectangle holding both (an empty operand is ignored).
    public func union(_ other: Rect) -> Rect {
        if isEmpty { return other }
        if other.isEmpty { return self }
        let x0 = Swift.min(x, other.x), y0 = Swift.min(y, other.y)
        return Rect(x: x0, y: y0, width: Swift.max(maxX, other.maxX) - x0, height: Swift.max(maxY, other.maxY) - y0)
    }

    /// The rectangle grown by `amount` pixels on every side (shrunk when negative).
    public func outset(by amount: Int) -> Rect {
        Rect(x: x - amount, y: y - amount, width: width + 2 * amount, height: height + 2 * amount)
    }

    /// Whether `other` lies entirely inside this rectangle.
    public func contains(_ other: Rect) -> Bool {
        other.x >= x && other.y >= y && other.maxX <= maxX && other.maxY <= maxY
    }

    /// Whether the pixel at (`px`, `py`) lies inside.
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && py >= y && px < maxX && py < maxY }

    /// `"WxH+X+Y"`, the geometry notation of ImageMagick and libvips.
    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
