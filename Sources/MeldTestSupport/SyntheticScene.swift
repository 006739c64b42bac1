import MeldCore

/// Deterministic synthetic rasters for tests and benchmarks. Every scene is in Meld's working
/// format (planar Float, premultiplied alpha) and depends only on its arguments.
public enum SyntheticScene {
    /// Uniform noise: every colour value and alpha drawn from 0 ..< 1 by ``SplitMix64``;
    /// with alpha, colour planes hold colour × alpha (premultiplied).
    public static func noise(width: Int, height: Int, layout: PixelLayout, seed: UInt64) -> Raster {
        var rng = SplitMix64(seed: seed)
        var out = Raster(width: width, height: height, layout: layout)
        let colours = layout.colourChannels
        out.withMutableView { v in
            for i in 0..<(width * height) {
                var alpha: Float = 1
                var c = [Float](repeating: 0, count: colours)
                for k in 0..<colours { c[k] = rng.nextUnitFloat() }
                if layout.hasAlpha {
                    alpha = rng.nextUnitFloat()
                    v.plane(colours)[i] = alpha
                }
                for k in 0..<colours { v.plane(k)[i] = c[k] * alpha }
            }
        }
        return out
    }

    /// Uniform random values per plane, each plane drawn from its own range, stored as given
    /// (not premultiplied; `isPremultiplied` is false when the layout has alpha). For example
    /// Lab colours: `[0...100, -110...110, -110...110, 0...1]`.
    public static func uniform(width: Int, height: Int, layout: PixelLayout,
                               ranges: [ClosedRange<Float>], seed: UInt64) -> Raster {
        precondition(ranges.count == layout.channels, "one range per plane")
        var rng = SplitMix64(seed: seed)
        var out = Raster(width: width, height: height, layout: layout)
        out.isPremultiplied = !layout.hasAlpha
        out.withMutableView { v in
            for i in 0..<(width * height) {
                for c in 0..<layout.channels { v.plane(c)[i] = rng.nextFloat(in: ranges[c]) }
            }
        }
        return out
    }

    /// Smooth ramps: colour plane 0 runs 0→1 left to right, plane 1 top to bottom, plane 2
    /// along the diagonal; alpha (if any) runs 1→0.25 left to right, colours premultiplied.
    public static func gradient(width: Int, height: Int, layout: PixelLayout) -> Raster {
        var out = Raster(width: width, height: height, layout: layout)
        let sx = Float(max(1, width - 1)), sy = Float(max(1, height - 1)), sd = Float(max(1, width + height - 2))
        for y in 0..<height {
            for x in 0..<width {
                let ramps: [Float] = [Float(x) / sx, Float(y) / sy, Float(x + y) / sd]
                let alpha: Float = layout.hasAlpha ? 1 - 0.75 * Float(x) / sx : 1
                for c in 0..<layout.colourChannels { out[x, y, c] = ramps[c] * alpha }
                if layout.hasAlpha { out[x, y, layout.channels - 1] = alpha }
            }
        }
        return out
    }

    /// A dim, smoothly graded RGB scene in linear light (each channel a gentle ramp across x and
    /// y) with ±2 % seeded multiplicative noise: content that continues across any boundary, as
    /// the harmonization tests need.
    public static func smoothScene(width: Int, height: Int, seed: UInt64) -> Raster {
        var rng = SplitMix64(seed: seed)
        var r = Raster(width: width, height: height, layout: .rgb)
        r.withMutableView { v in
            for y in 0..<height {
                for x in 0..<width {
                    let u = Float(x) / Float(width), t = Float(y) / Float(height)
                    let base: [Float] = [0.2 + 0.1 * u, 0.22 + 0.06 * t, 0.25 - 0.05 * u + 0.04 * t]
                    for c in 0..<3 { v.row(y, channel: c)[x] = base[c] * (1 + 0.04 * (rng.nextUnitFloat() - 0.5)) }
                }
            }
        }
        return r
    }

    /// A hard-edged checkerboard of `cell`-pixel squares alternating `low` and `high` in every
    /// colour plane, the top-left square `high`; alpha (if any) is 1.
    public static func checker(width: Int, height: Int, layout: PixelLayout, cell: Int,
                               low: Float = 0, high: Float = 1) -> Raster {
        precondition(cell > 0, "cell must be positive")
        var out = Raster(width: width, height: height, layout: layout)
        for y in 0..<height {
            for x in 0..<width {
                let v = ((x / cell) + (y / cell)) % 2 == 0 ? high : low
                for c in 0..<layout.colourChannels { out[x, y, c] = v }
                if layout.hasAlpha { out[x, y, layout.channels - 1] = 1 }
            }
        }
        return out
    }

    /// An opaque disc of `colour` (one value per colour plane) on a transparent (or black,
    /// without alpha) background; a pixel is inside when its centre lies within `radius`.
    public static func disc(width: Int, height: Int, layout: PixelLayout,
                            centreX: Double, centreY: Double, radius: Double, colour: [Float]) -> Raster {
        precondition(colour.count == layout.colourChannels, "one value per colour plane")
        var out = Raster(width: width, height: height, layout: layout)
        for y in 0..<height {
            for x in 0..<width {
                let dx = Double(x) + 0.5 - centreX, dy = Double(y) + 0.5 - centreY
                guard dx * dx + dy * dy <= radius * radius else { continue }
                for c in 0..<layout.colourChannels { out[x, y, c] = colour[c] }
                if layout.hasAlpha { out[x, y, layout.channels - 1] = 1 }
            }
        }
        return out
    }
}
