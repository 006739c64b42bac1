#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-pixel colour edits restricted by a coverage raster, and the recolour and adjustment
/// functions built on them.
///
/// ``apply(_:coverage:schedule:_:)`` runs a pixel function on straight (unpremultiplied)
/// linear-light RGB wherever coverage > 0 and blends the result by coverage; where coverage is
/// exactly 0 the source floats are copied bit for bit. Alpha is never changed. Grey rasters run
/// the function on (v, v, v) and keep the Rec. 709 luma of the result. Tiled per-pixel work:
/// bit-identical on any schedule.
public enum LocalEdit {
    /// Applies `f` (straight linear RGB → straight linear RGB) inside `coverage`.
    public static func apply(_ source: Raster, coverage: Raster, schedule: Schedule = .default,
                             _ f: @Sendable @escaping (SIMD3<Float>) -> SIMD3<Float>) -> Raster {
        precondition(coverage.width == source.width && coverage.height == source.height && coverage.layout == .gray)
        var out = source
        let colour = source.layout.colourChannels, hasAlpha = source.layout.hasAlpha
        let premultiplied = hasAlpha && source.isPremultiplied
        source.withView { src in
            coverage.withView { cv in
                out.withMutableView { dst in
                    TileScheduler.forEachTile(in: source.bounds, schedule: schedule) { tile in
                        for y in tile.y..<tile.maxY {
                            let k = cv.row(y, channel: 0)
                            for x in tile.x..<tile.maxX where k[x] > 0 {
                                let a: Float = hasAlpha ? src.row(y, channel: colour)[x] : 1
                                if premultiplied && a <= 0 { continue }
                                let inv: Float = premultiplied ? 1 / a : 1
                                var v: SIMD3<Float>
                                if colour == 3 {
                                    v = SIMD3(src.row(y, channel: 0)[x], src.row(y, channel: 1)[x], src.row(y, channel: 2)[x]) * inv
                                } else {
                                    let g = src.row(y, channel: 0)[x] * inv
                                    v = SIMD3(g, g, g)
                                }
                                let e = f(v)
                                let m = min(k[x], 1)
                                let scale: Float = premultiplied ? a : 1
                                if colour == 3 {
                                    for c in 0..<3 {
                                        let o = src.row(y, channel: c)[x]
                                        dst.row(y, channel: c)[x] = m >= 1 ? e[c] * scale : o + m * (e[c] * scale - o)
                                    }
                                } else {
                                    let o = src.row(y, channel: 0)[x]
                                    let g = (0.2126 * e.x + 0.7152 * e.y + 0.0722 * e.z) * scale
                                    dst.row(y, channel: 0)[x] = m >= 1 ? g : o + m * (g - o)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Coverage-weighted statistics of a selection in CIE LCh (D65): weighted means of L and C,
    /// the weighted mean of a and b, and the weighted standard deviation of L.
    public struct Statistics: Sendable, Hashable {
        /// Total coverage weight (0 for an empty selection).
        public var weight: Double
        /// Mean L\*.
        public var meanL: Double
        /// Mean chroma.
        public var meanC: Double
        /// Mean a\*.
        public var meanA: Double
        /// Mean b\*.
        public var meanB: Double
        /// Standard deviation of L\*.
        public var deviationL: Double
    }

    /// Measures ``Statistics`` over `source` weighted by `coverage` × alpha. Row bands are summed
    /// in Double and combined in row order, so the result is the same on every schedule.
    public static func statistics(_ source: Raster, coverage: Raster, schedule: Schedule = .default) -> Statistics {
        let colour = source.layout.colourChannels, hasAlpha = source.layout.hasAlpha
        let premultiplied = hasAlpha && source.isPremultiplied
        let sums: StatisticsSums = source.withView { src in
            coverage.withView { cv in
                TileScheduler.reduceRows(source.bounds, schedule: schedule, initial: StatisticsSums(),
                                         partial: { band in statisticsSums(src, cv, band, colour: colour, hasAlpha: hasAlpha, premultiplied: premultiplied) },
                                         combine: { $0.adding($1) })
            }
        }
        guard sums.w > 0 else { return Statistics(weight: 0, meanL: 50, meanC: 0, meanA: 0, meanB: 0, deviationL: 0) }
        let l = sums.l / sums.w
        return Statistics(weight: sums.w, meanL: l, meanC: sums.c / sums.w, meanA: sums.a / sums.w, meanB: sums.b / sums.w,
                          deviationL: max(0, sums.l2 / sums.w - l * l).squareRoot())
    }

    struct StatisticsSums: Sendable {
        var w = 0.0, l = 0.0, c = 0.0, a = 0.0, b = 0.0, l2 = 0.0
        func adding(_ o: StatisticsSums) -> StatisticsSums {
            StatisticsSums(w: w + o.w, l: l + o.l, c: c + o.c, a: a + o.a, b: b + o.b, l2: l2 + o.l2)
        }
    }

    static func statisticsSums(_ src: RasterView, _ cv: RasterView, _ band: Rect, colour: Int, hasAlpha: Bool,
                               premultiplied: Bool) -> StatisticsSums {
        var s = StatisticsSums()
        for y in band.y..<band.maxY {
            let k = cv.row(y, channel: 0)
            for x in band.x..<band.maxX where k[x] > 0 {
                let alpha: Float = hasAlpha ? src.row(y, channel: colour)[x] : 1
                if alpha <= 0 { continue }
                let inv: Float = premultiplied ? 1 / alpha : 1
                let r = src.row(y, channel: 0)[x] * inv
                let g = colour == 3 ? src.row(y, channel: 1)[x] * inv : r
                let b = colour == 3 ? src.row(y, channel: 2)[x] * inv : r
                let lab = Colour.convert((r, g, b), from: .linearSRGB, to: .lab)
                let w = Double(k[x] * min(alpha, 1))
                let l = Double(lab.0), la = Double(lab.1), lb = Double(lab.2)
                let c = (la * la + lb * lb).squareRoot()
                s.w += w
                s.l += w * l
                s.c += w * c
                s.a += w * la
                s.b += w * lb
                s.l2 += w * l * l
            }
        }
        return s
    }

    /// The recolour mapping: moves a selection whose colour statistics are `stats` to the Lab
    /// colour `target`, keeping its texture and shading.
    ///
    /// - Lightness: L′ = L_t + (L − L̄)·s, where s compresses the deviations above the mean by
    ///   min(1, (100 − L_t) / 2.5σ_L) and those below by min(1, L_t / 2.5σ_L), so a near-white
    ///   target keeps its shadows and a near-black one its highlights without clipping. L_t is
    ///   first kept 1.25σ_L away from 0 and 100, so at least half the shading survives.
    /// - Chroma: C′ = C_t · clamp(C / C̄, 0, 1.6) when the source is chromatic (C̄ > 4), else C_t,
    ///   then faded towards neutral as L′ nears 0 or 100.
    /// - Hue: the target's.
    /// - Out-of-gamut results lose chroma (bisection, 8 steps) rather than being clipped per
    ///   channel, which would shift their hue.
    public static func recolourFunction(stats: Statistics, target: (Float, Float, Float)) -> @Sendable (SIMD3<Float>) -> SIMD3<Float> {
        let spread = max(Float(stats.deviationL) * 2.5, 1e-3)
        // Leave room for at least half the shading on either side: a white or black target
        // lands a little inside the range, as white and black things do in photographs.
        let lt = min(max(target.0, min(50, 0.5 * spread)), max(50, 100 - 0.5 * spread))
        let ct = (target.1 * target.1 + target.2 * target.2).squareRoot()
        let hue = atan2f(target.2, target.1)
        let (ca, sa) = (cosf(hue), sinf(hue))
        let meanL = Float(stats.meanL), meanC = Float(stats.meanC)
        let up = min(1, max(0, 100 - lt) / spread), down = min(1, max(0, lt) / spread)
        let chromatic = meanC > 4
        return { rgb in
            let lab = Colour.convert((rgb.x, rgb.y, rgb.z), from: .linearSRGB, to: .lab)
            let d = lab.0 - meanL
            let l = min(max(lt + d * (d > 0 ? up : down), 0), 100)
            let c0 = (lab.1 * lab.1 + lab.2 * lab.2).squareRoot()
            var c = chromatic ? ct * min(max(c0 / meanC, 0), 1.6) : ct
            // Fade chroma near black and white (where sRGB has little room for it anyway).
            c *= min(1, l / 12) * min(1, (100 - l) / 6)
            func rgbOf(_ chroma: Float) -> (Float, Float, Float) {
                Colour.convert((l, chroma * ca, chroma * sa), from: .lab, to: .linearSRGB)
            }
            var out = rgbOf(c)
            let inGamut: ((Float, Float, Float)) -> Bool = { $0.0 >= 0 && $0.1 >= 0 && $0.2 >= 0 && $0.0 <= 1 && $0.1 <= 1 && $0.2 <= 1 }
            if !inGamut(out) {
                var lo: Float = 0, hi = c
                for _ in 0..<8 {
                    let m = (lo + hi) / 2
                    if inGamut(rgbOf(m)) { lo = m } else { hi = m }
                }
                out = rgbOf(lo)
            }
            return SIMD3(min(max(out.0, 0), 1), min(max(out.1, 0), 1), min(max(out.2, 0), 1))
        }
    }

    /// Tonal and colour adjustments in the order they run: exposure and white balance on linear
    /// light, the curve on sRGB-encoded values, then contrast (on L\* around 50) and saturation
    /// (a\*, b\* scale) in Lab.
    public struct AdjustParameters: Sendable, Hashable {
        /// Exposure in stops (linear × 2^ev).
        public var exposure: Float
        /// Temperature −100 (cooler, bluer) … 100 (warmer): red × 2^(t/200), blue × 2^(−t/200).
        public var temperature: Float
        /// Tint −100 (greener) … 100 (more magenta): green × 2^(−tint/200).
        public var tint: Float
        /// Contrast −100 … 100: L\* deviations from 50 scaled by 1 + contrast/100.
        public var contrast: Float
        /// Saturation −100 (grey) … 100: a\*, b\* scaled by 1 + saturation/100.
        public var saturation: Float
        /// A tone curve applied to each sRGB-encoded channel (nil: none).
        public var curve: ToneCurve?

        /// Creates parameters; every default leaves the pixels as they are.
        public init(exposure: Float = 0, temperature: Float = 0, tint: Float = 0, contrast: Float = 0,
                    saturation: Float = 0, curve: ToneCurve? = nil) {
            self.exposure = exposure
            self.temperature = temperature
            self.tint = tint
            self.contrast = contrast
            self.saturation = saturation
            self.curve = curve
        }
    }

    /// The adjustment as a pixel function for ``apply(_:coverage:schedule:_:)``.
    public static func adjustFunction(_ p: AdjustParameters) -> @Sendable (SIMD3<Float>) -> SIMD3<Float> {
        var gains = SIMD3<Float>(exp2f(p.temperature / 200), exp2f(-p.tint / 200), exp2f(-p.temperature / 200))
        // Keep the luminance of white: white balance moves colour, exposure moves brightness.
        gains /= 0.2126 * gains.x + 0.7152 * gains.y + 0.0722 * gains.z
        let gain = gains * exp2f(p.exposure)
        let contrast = 1 + p.contrast / 100, saturation = max(0, 1 + p.saturation / 100)
        let curve = p.curve
        let needsLab = contrast != 1 || saturation != 1
        return { rgb in
            var v = rgb * gain
            if let curve {
                for c in 0..<3 { v[c] = SRGBTransfer.decode(curve(SRGBTransfer.encode(min(max(v[c], 0), 1)))) }
            }
            if needsLab {
                var lab = Colour.convert((v.x, v.y, v.z), from: .linearSRGB, to: .lab)
                lab.0 = 50 + (lab.0 - 50) * contrast
                lab.1 *= saturation
                lab.2 *= saturation
                let back = Colour.convert(lab, from: .lab, to: .linearSRGB)
                v = SIMD3(back.0, back.1, back.2)
            }
            return SIMD3(max(v.x, 0), max(v.y, 0), max(v.z, 0))
        }
    }
}

/// A monotone tone curve through control points in 0…1 × 0…1 (Fritsch–Carlson monotone cubic
/// interpolation, flat outside the first and last points).
public struct ToneCurve: Sendable, Hashable, Codable {
    /// The control points, sorted by x, with distinct x.
    public let points: [Point]
    let slopes: [Float]

    /// A control point.
    public struct Point: Sendable, Hashable, Codable {
        /// Input value 0…1.
        public var x: Float
        /// Output value 0…1.
        public var y: Float
        /// Creates a point.
        public init(x: Float, y: Float) { self.x = x; self.y = y }
    }

    /// Creates a curve; points are sorted by x (at least two, with distinct x — the caller validates).
    public init(points: [Point]) {
        let p = points.sorted { $0.x < $1.x }
        self.points = p
        let n = p.count
        guard n >= 2 else { slopes = Array(repeating: 0, count: n); return }
        var d = [Float](repeating: 0, count: n - 1)
        for i in 0..<(n - 1) { d[i] = (p[i + 1].y - p[i].y) / max(p[i + 1].x - p[i].x, 1e-6) }
        var m = [Float](repeating: 0, count: n)
        m[0] = d[0]; m[n - 1] = d[n - 2]
        for i in 1..<max(1, n - 1) where i < n - 1 { m[i] = d[i - 1] * d[i] <= 0 ? 0 : (d[i - 1] + d[i]) / 2 }
        for i in 0..<(n - 1) {
            if d[i] == 0 { m[i] = 0; m[i + 1] = 0; continue }
            let a = m[i] / d[i], b = m[i + 1] / d[i], s = a * a + b * b
            if s > 9 { let t = 3 / s.squareRoot(); m[i] = t * a * d[i]; m[i + 1] = t * b * d[i] }
        }
        slopes = m
    }

    enum CodingKeys: String, CodingKey { case points }

    /// Decodes the control points.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(points: try c.decode([Point].self, forKey: .points))
    }

    /// Encodes the control points.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(points, forKey: .points)
    }

    /// The curve's value at `x`.
    public func callAsFunction(_ x: Float) -> Float {
        guard let first = points.first, let last = points.last else { return x }
        if x <= first.x { return first.y }
        if x >= last.x { return last.y }
        var i = 0
        while points[i + 1].x < x { i += 1 }
        let p0 = points[i], p1 = points[i + 1], h = p1.x - p0.x
        let t = (x - p0.x) / h, t2 = t * t, t3 = t2 * t
        return (2 * t3 - 3 * t2 + 1) * p0.y + (t3 - 2 * t2 + t) * h * slopes[i]
            + (-2 * t3 + 3 * t2) * p1.y + (t3 - t2) * h * slopes[i + 1]
    }
}
