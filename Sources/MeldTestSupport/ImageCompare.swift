#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MeldCore

/// One pixel value where two rasters differ, for readable failure messages.
public struct RasterDifference: Sendable, Hashable, CustomStringConvertible {
    /// The column.
    public let x: Int
    /// The row.
    public let y: Int
    /// The plane.
    public let channel: Int
    /// The value in the first raster.
    public let a: Float
    /// The value in the second raster.
    public let b: Float

    /// Records that channel `channel` of pixel (`x`, `y`) holds `a` in one raster and `b` in the other.
    public init(x: Int, y: Int, channel: Int, a: Float, b: Float) {
        (self.x, self.y, self.channel, self.a, self.b) = (x, y, channel, a, b)
    }

    /// `"(x, y) channel c: a vs b"`.
    public var description: String { "(\(x), \(y)) channel \(channel): \(a) vs \(b)" }
}

/// Comparisons of rasters of the same size and layout (a precondition of every function).
public enum ImageCompare {
    /// The largest |a − b| over every value; infinity where exactly one side is NaN or
    /// the two differ in an infinity, 0 for identical bit patterns.
    public static func maxAbsDifference(_ a: Raster, _ b: Raster) -> Double {
        var worst = 0.0
        forEachPair(a, b) { _, _, _, u, v in worst = Swift.max(worst, distance(u, v)) }
        return worst
    }

    /// The mean of (a − b)² over every value of every plane, in Double.
    public static func meanSquaredError(_ a: Raster, _ b: Raster) -> Double {
        var sum = 0.0
        forEachPair(a, b) { _, _, _, u, v in
            let d = u.bitPattern == v.bitPattern ? 0 : Double(u) - Double(v)
            sum += d * d
        }
        let n = a.width * a.height * a.channels
        return n == 0 ? 0 : sum / Double(n)
    }

    /// Peak signal-to-noise ratio in dB for a peak of 1: 10·log10(1 / MSE); infinity when equal.
    public static func psnr(_ a: Raster, _ b: Raster) -> Double {
        let mse = meanSquaredError(a, b)
        return mse == 0 ? .infinity : -10 * log10(mse)
    }

    /// The first value (plane by plane, row-major) where the rasters differ by more than
    /// `tolerance`; with tolerance 0 (the default) any bit difference counts. Nil if none.
    public static func firstDifference(_ a: Raster, _ b: Raster, tolerance: Double = 0) -> RasterDifference? {
        precondition(a.width == b.width && a.height == b.height && a.layout == b.layout, shapeMessage(a, b))
        for c in 0..<a.channels {
            for y in 0..<a.height {
                for x in 0..<a.width {
                    let u = a[x, y, c], v = b[x, y, c]
                    let differs = tolerance == 0 ? u.bitPattern != v.bitPattern : distance(u, v) > tolerance
                    if differs { return RasterDifference(x: x, y: y, channel: c, a: u, b: v) }
                }
            }
        }
        return nil
    }

    /// A one-line summary for a failing expectation: shape mismatch, or the first difference
    /// beyond `tolerance` with the maximum difference, or "equal".
    public static func describe(_ a: Raster, _ b: Raster, tolerance: Double = 0) -> String {
        guard a.width == b.width && a.height == b.height && a.layout == b.layout else { return shapeMessage(a, b) }
        var text = "max abs difference \(maxAbsDifference(a, b))"
        if a.isPremultiplied != b.isPremultiplied {
            text += "; premultiplied \(a.isPremultiplied) vs \(b.isPremultiplied)"
        }
        if let d = firstDifference(a, b, tolerance: tolerance) { text += "; first difference at \(d)" }
        return text
    }

    static func distance(_ u: Float, _ v: Float) -> Double {
        if u.bitPattern == v.bitPattern { return 0 }
        if u.isNaN || v.isNaN { return .infinity }
        if u.isInfinite || v.isInfinite { return u == v ? 0 : .infinity }
        return Swift.abs(Double(u) - Double(v))
    }

    static func shapeMessage(_ a: Raster, _ b: Raster) -> String {
        "shapes differ: \(a.width)x\(a.height) \(a.layout) vs \(b.width)x\(b.height) \(b.layout)"
    }

    static func forEachPair(_ a: Raster, _ b: Raster, _ body: (Int, Int, Int, Float, Float) -> Void) {
        precondition(a.width == b.width && a.height == b.height && a.layout == b.layout, shapeMessage(a, b))
        a.withView { va in
            b.withView { vb in
                for c in 0..<va.channels {
                    for y in 0..<va.height {
                        let ra = va.row(y, channel: c), rb = vb.row(y, channel: c)
                        for x in 0..<va.width { body(x, y, c, ra[x], rb[x]) }
                    }
                }
            }
        }
    }

}
