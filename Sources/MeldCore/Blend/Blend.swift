/// Row kernels that composite one layer onto a backdrop, per pixel, in whatever colour
/// encoding the caller works in (linear light or gamma-encoded sRGB).
///
/// Every pixel is computed from its own source and backdrop values only, so results do not
/// depend on how an image is cut into tiles or threads. Opacity is applied *after* the blend:
/// the result is `backdrop + opacity·(blended − backdrop)` for colour and alpha, which is what
/// Photoshop does, and equal to scaling αs for the blend modes (which composite source-over).
public enum Blend {
    /// Four planar rows of premultiplied colour and alpha.
    public struct Row {
        /// Red × alpha.
        public var r: UnsafeMutablePointer<Float>
        /// Green × alpha.
        public var g: UnsafeMutablePointer<Float>
        /// Blue × alpha.
        public var b: UnsafeMutablePointer<Float>
        /// Alpha.
        public var a: UnsafeMutablePointer<Float>

        /// Wraps four planes.
        public init(r: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, a: UnsafeMutablePointer<Float>) {
            self.r = r; self.g = g; self.b = b; self.a = a
        }

        /// Moves pixel `i` towards (r, g, b, a) by `o`: opacity applied after the blend.
        @inline(__always) func mix(_ i: Int, _ r: Float, _ g: Float, _ b: Float, _ a: Float, by o: Float) {
            self.r[i] += o * (r - self.r[i])
            self.g[i] += o * (g - self.g[i])
            self.b[i] += o * (b - self.b[i])
            self.a[i] += o * (a - self.a[i])
        }

        /// The same row, `offset` pixels further on.
        @inlinable public func advanced(by offset: Int) -> Row {
            Row(r: r + offset, g: g + offset, b: b + offset, a: a + offset)
        }
    }

    /// Composites `count` source pixels onto `backdrop` with `mode` and `opacity` (0…1).
    /// Both rows are premultiplied; `backdrop` is updated in place.
    public static func compositeRow(_ mode: BlendMode, opacity: Float, source: Row, backdrop: Row, count: Int) {
        let o = min(max(opacity, 0), 1)
        guard o > 0, count > 0 else { return }
        switch mode {
        case .normal, .sourceOver: sourceOver(o, source, backdrop, count)
        case .multiply: separable(Multiply.self, o, source, backdrop, count)
        case .screen: separable(Screen.self, o, source, backdrop, count)
        case .overlay: separable(Overlay.self, o, source, backdrop, count)
        case .darken: separable(Darken.self, o, source, backdrop, count)
        case .lighten: separable(Lighten.self, o, source, backdrop, count)
        case .colorDodge: separable(ColorDodge.self, o, source, backdrop, count)
        case .colorBurn: separable(ColorBurn.self, o, source, backdrop, count)
        case .hardLight: separable(HardLight.self, o, source, backdrop, count)
        case .softLight: separable(SoftLight.self, o, source, backdrop, count)
        case .difference: separable(Difference.self, o, source, backdrop, count)
        case .exclusion: separable(Exclusion.self, o, source, backdrop, count)
        case .hue, .saturation, .color, .luminosity: nonSeparable(mode, o, source, backdrop, count)
        case .plusLighter: plusLighter(o, source, backdrop, count)
        default: porterDuff(mode, o, source, backdrop, count)
        }
    }

    /// What a mode that is not ``BlendMode/isLocal`` does where the source is transparent:
    /// the backdrop is cleared, by `opacity`. For the parts of the canvas a layer does not cover.
    public static func clearOutside(opacity: Float, backdrop: Row, count: Int) {
        let keep = 1 - min(max(opacity, 0), 1)
        for i in 0..<count {
            backdrop.r[i] *= keep; backdrop.g[i] *= keep; backdrop.b[i] *= keep; backdrop.a[i] *= keep
        }
    }

    // MARK: source-over

    @inline(__always)
    static func sourceOver(_ o: Float, _ s: Row, _ d: Row, _ n: Int) {
        // Opacity after the blend equals scaling the source for source-over.
        for i in 0..<n {
            let a = s.a[i] * o
            if a == 0 { continue }
            let k = 1 - a
            d.r[i] = s.r[i] * o + d.r[i] * k
            d.g[i] = s.g[i] * o + d.g[i] * k
            d.b[i] = s.b[i] * o + d.b[i] * k
            d.a[i] = a + d.a[i] * k
        }
    }

    // MARK: separable

    @inline(__always)
    static func separable<F: SeparableBlend>(_: F.Type, _ o: Float, _ s: Row, _ d: Row, _ n: Int) {
        for i in 0..<n {
            let sa = s.a[i]
            if sa == 0 { continue }
            let da = d.a[i]
            // True divisions, not reciprocals: (1·α)/α is exactly 1, which the modes with
            // special cases at 0 and 1 (dodge, burn) depend on.
            let safeD: Float = da > 0 ? da : 1
            let both = sa * da, ks = 1 - da, kd = 1 - sa
            let cr = s.r[i] * ks + d.r[i] * kd + both * F.blend(d.r[i] / safeD, s.r[i] / sa)
            let cg = s.g[i] * ks + d.g[i] * kd + both * F.blend(d.g[i] / safeD, s.g[i] / sa)
            let cb = s.b[i] * ks + d.b[i] * kd + both * F.blend(d.b[i] / safeD, s.b[i] / sa)
            let ca = sa + da - both
            d.mix(i, cr, cg, cb, ca, by: o)
        }
    }

    // MARK: non-separable

    static func nonSeparable(_ mode: BlendMode, _ o: Float, _ s: Row, _ d: Row, _ n: Int) {
        for i in 0..<n {
            let sa = s.a[i]
            if sa == 0 { continue }
            let da = d.a[i]
            let cs = SIMD3<Float>(s.r[i], s.g[i], s.b[i]) / SIMD3(repeating: sa)
            let cb = da > 0 ? SIMD3<Float>(d.r[i], d.g[i], d.b[i]) / SIMD3(repeating: da) : SIMD3<Float>(repeating: 0)
            let mixed: SIMD3<Float>
            switch mode {
            case .hue: mixed = NonSeparable.setLum(NonSeparable.setSat(cs, NonSeparable.sat(cb)), NonSeparable.lum(cb))
            case .saturation: mixed = NonSeparable.setLum(NonSeparable.setSat(cb, NonSeparable.sat(cs)), NonSeparable.lum(cb))
            case .color: mixed = NonSeparable.setLum(cs, NonSeparable.lum(cb))
            default: mixed = NonSeparable.setLum(cb, NonSeparable.lum(cs))
            }
            let both = sa * da, ks = 1 - da, kd = 1 - sa
            let cr = s.r[i] * ks + d.r[i] * kd + both * mixed.x
            let cg = s.g[i] * ks + d.g[i] * kd + both * mixed.y
            let cb2 = s.b[i] * ks + d.b[i] * kd + both * mixed.z
            let ca = sa + da - both
            d.mix(i, cr, cg, cb2, ca, by: o)
        }
    }

    // MARK: Porter-Duff

    static func porterDuff(_ mode: BlendMode, _ o: Float, _ s: Row, _ d: Row, _ n: Int) {
        for i in 0..<n {
            let sa = s.a[i], da = d.a[i]
            let fa: Float, fb: Float
            switch mode {
            case .clear: fa = 0; fb = 0
            case .copy: fa = 1; fb = 0
            case .destination: fa = 0; fb = 1
            case .destinationOver: fa = 1 - da; fb = 1
            case .sourceIn: fa = da; fb = 0
            case .destinationIn: fa = 0; fb = sa
            case .sourceOut: fa = 1 - da; fb = 0
            case .destinationOut: fa = 0; fb = 1 - sa
            case .sourceAtop: fa = da; fb = 1 - sa
            case .destinationAtop: fa = 1 - da; fb = sa
            case .xor: fa = 1 - da; fb = 1 - sa
            default: fa = 1; fb = 1 - sa
            }
            let cr = s.r[i] * fa + d.r[i] * fb
            let cg = s.g[i] * fa + d.g[i] * fb
            let cb = s.b[i] * fa + d.b[i] * fb
            let ca = sa * fa + da * fb
            d.mix(i, cr, cg, cb, ca, by: o)
        }
    }

    static func plusLighter(_ o: Float, _ s: Row, _ d: Row, _ n: Int) {
        for i in 0..<n {
            let cr = min(s.r[i] + d.r[i], 1), cg = min(s.g[i] + d.g[i], 1), cb = min(s.b[i] + d.b[i], 1)
            let ca = min(s.a[i] + d.a[i], 1)
            d.mix(i, cr, cg, cb, ca, by: o)
        }
    }
}

/// A separable blend function B(Cb, Cs) on unpremultiplied values.
protocol SeparableBlend {
    static func blend(_ cb: Float, _ cs: Float) -> Float
}

enum Multiply: SeparableBlend { @inline(__always) static func blend(_ cb: Float, _ cs: Float) -> Float { cb * cs } }
enum Screen: SeparableBlend { @inline(__always) static func blend(_ cb: Float, _ cs: Float) -> Float { cb + cs - cb * cs } }
enum HardLight: SeparableBlend {
    @inline(__always) static func blend(_ cb: Float, _ cs: Float) -> Float {
        cs <= 0.5 ? Multiply.blend(cb, 2 * cs) : Screen.blend(cb, 2 * cs - 1)
    }
}
enum Overlay: SeparableBlend { @inline(__always) static func blend(_ cb: Float, _ cs: Float) -> Float { HardLight.blend(cs, cb) } }
enum Darken: SeparableBlend { @inline(__always) static func blend(_ cb: Float, _ cs: Float) -> Float { min(cb, cs) } }
enum Lighten: SeparableBlend { @inline(__always) static func blend(_ cb: Float, _ cs: Float) -> Float { max(cb, cs) } }
enum ColorDodge: SeparableBlend {
    @inline(__always) static func blend(_ cb: Float, _ cs: Float) -> Float {
        if cb == 0 { return 0 }
        if cs >= 1 { return 1 }
        return min(1, cb / (1 - cs))
    }
}
enum ColorBurn: SeparableBlend {
    @inline(__always) static func blend(_ cb: Float, _ cs: Float) -> Float {
        if cb >= 1 { return 1 }
        if cs <= 0 { return 0 }
        return 1 - min(1, (1 - cb) / cs)
    }
}
enum SoftLight: SeparableBlend {
    @inline(__always) static func blend(_ cb: Float, _ cs: Float) -> Float {
        if cs <= 0.5 { return cb - (1 - 2 * cs) * cb * (1 - cb) }
        let d = cb <= 0.25 ? ((16 * cb - 12) * cb + 4) * cb : cb.squareRoot()
        return cb + (2 * cs - 1) * (d - cb)
    }
}
enum Difference: SeparableBlend { @inline(__always) static func blend(_ cb: Float, _ cs: Float) -> Float { abs(cb - cs) } }
enum Exclusion: SeparableBlend { @inline(__always) static func blend(_ cb: Float, _ cs: Float) -> Float { cb + cs - 2 * cb * cs } }

/// The spec's Lum, ClipColor, SetLum, Sat and SetSat.
enum NonSeparable {
    @inline(__always) static func lum(_ c: SIMD3<Float>) -> Float { 0.3 * c.x + 0.59 * c.y + 0.11 * c.z }

    @inline(__always) static func clipColor(_ c: SIMD3<Float>) -> SIMD3<Float> {
        let l = lum(c)
        let n = min(c.x, c.y, c.z), x = max(c.x, c.y, c.z)
        var r = c
        if n < 0 { r = SIMD3(repeating: l) + (r - SIMD3(repeating: l)) * (l / (l - n)) }
        if x > 1 { r = SIMD3(repeating: l) + (r - SIMD3(repeating: l)) * ((1 - l) / (x - l)) }
        return r
    }

    @inline(__always) static func setLum(_ c: SIMD3<Float>, _ l: Float) -> SIMD3<Float> {
        clipColor(c + SIMD3(repeating: l - lum(c)))
    }

    @inline(__always) static func sat(_ c: SIMD3<Float>) -> Float { max(c.x, c.y, c.z) - min(c.x, c.y, c.z) }

    /// Sets the saturation of `c` to `s`: the largest component becomes s, the smallest 0, the
    /// middle one in proportion (the spec's Cmax/Cmid/Cmin, ties resolved in component order).
    @inline(__always) static func setSat(_ c: SIMD3<Float>, _ s: Float) -> SIMD3<Float> {
        // Indices of max, mid, min.
        var iMax = 0, iMid = 1, iMin = 2
        if c[iMax] < c[iMid] { swap(&iMax, &iMid) }
        if c[iMid] < c[iMin] { swap(&iMid, &iMin) }
        if c[iMax] < c[iMid] { swap(&iMax, &iMid) }
        var r = SIMD3<Float>(repeating: 0)
        if c[iMax] > c[iMin] {
            r[iMid] = (c[iMid] - c[iMin]) * s / (c[iMax] - c[iMin])
            r[iMax] = s
        }
        return r
    }
}
