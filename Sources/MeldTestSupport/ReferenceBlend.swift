import MeldCore

extension Reference {
    /// A premultiplied RGBA pixel in double precision.
    public typealias Pixel = (r: Double, g: Double, b: Double, a: Double)

    /// The W3C Compositing and Blending Level 1 formulas, transliterated from the spec in double
    /// precision: general form `co = cs·Fa + cb·Fb` for Porter-Duff operators; for blend modes
    /// `Cs' = (1 − αb)·Cs + αb·B(Cb, Cs)` composited source-over. Opacity `o` is then applied as
    /// `backdrop + o·(result − backdrop)`.
    public static func blend(_ mode: BlendMode, source s: Pixel, backdrop d: Pixel, opacity o: Double) -> Pixel {
        let result: Pixel
        if mode.isPorterDuff && mode != .sourceOver {
            result = porterDuff(mode, s, d)
        } else {
            // Unpremultiplied colours.
            let cs = s.a > 0 ? [s.r / s.a, s.g / s.a, s.b / s.a] : [0.0, 0, 0]
            let cb = d.a > 0 ? [d.r / d.a, d.g / d.a, d.b / d.a] : [0.0, 0, 0]
            let b = blendFunction(mode, cb, cs)
            // The spec's "Cs = (1 − αb) x Cs + αb x B(Cb, Cs)", then source-over of that colour.
            var out = [0.0, 0, 0]
            for k in 0..<3 {
                let mixed = (1 - d.a) * cs[k] + d.a * b[k]
                out[k] = s.a * mixed + (1 - s.a) * (d.a * cb[k])
            }
            result = (out[0], out[1], out[2], s.a + d.a * (1 - s.a))
        }
        return (d.r + o * (result.r - d.r), d.g + o * (result.g - d.g), d.b + o * (result.b - d.b), d.a + o * (result.a - d.a))
    }

    static func porterDuff(_ mode: BlendMode, _ s: Pixel, _ d: Pixel) -> Pixel {
        let (fa, fb): (Double, Double)
        switch mode {
        case .clear: (fa, fb) = (0, 0)
        case .copy: (fa, fb) = (1, 0)
        case .destination: (fa, fb) = (0, 1)
        case .destinationOver: (fa, fb) = (1 - d.a, 1)
        case .sourceIn: (fa, fb) = (d.a, 0)
        case .destinationIn: (fa, fb) = (0, s.a)
        case .sourceOut: (fa, fb) = (1 - d.a, 0)
        case .destinationOut: (fa, fb) = (0, 1 - s.a)
        case .sourceAtop: (fa, fb) = (d.a, 1 - s.a)
        case .destinationAtop: (fa, fb) = (1 - d.a, s.a)
        case .xor: (fa, fb) = (1 - d.a, 1 - s.a)
        case .plusLighter:
            return (min(1, s.r + d.r), min(1, s.g + d.g), min(1, s.b + d.b), min(1, s.a + d.a))
        default: (fa, fb) = (1, 1 - s.a)
        }
        return (s.r * fa + d.r * fb, s.g * fa + d.g * fb, s.b * fa + d.b * fb, s.a * fa + d.a * fb)
    }

    static func blendFunction(_ mode: BlendMode, _ cb: [Double], _ cs: [Double]) -> [Double] {
        func each(_ f: (Double, Double) -> Double) -> [Double] { (0..<3).map { f(cb[$0], cs[$0]) } }
        func hardLight(_ b: Double, _ s: Double) -> Double { s <= 0.5 ? b * 2 * s : b + (2 * s - 1) - b * (2 * s - 1) }
        func lum(_ c: [Double]) -> Double { 0.3 * c[0] + 0.59 * c[1] + 0.11 * c[2] }
        func clip(_ c: [Double]) -> [Double] {
            let l = lum(c), n = c.min()!, x = c.max()!
            var c = c
            if n < 0 { c = c.map { l + ($0 - l) * l / (l - n) } }
            if x > 1 { c = c.map { l + ($0 - l) * (1 - l) / (x - l) } }
            return c
        }
        func setLum(_ c: [Double], _ l: Double) -> [Double] { let d = l - lum(c); return clip(c.map { $0 + d }) }
        func sat(_ c: [Double]) -> Double { c.max()! - c.min()! }
        func setSat(_ c: [Double], _ s: Double) -> [Double] {
            // Stable order: max first, then mid, then min (ties keep component order).
            let order = [0, 1, 2].sorted { c[$0] > c[$1] || (c[$0] == c[$1] && $0 < $1) }
            var out = [0.0, 0, 0]
            let (mx, md, mn) = (order[0], order[1], order[2])
            if c[mx] > c[mn] {
                out[md] = (c[md] - c[mn]) * s / (c[mx] - c[mn])
                out[mx] = s
            }
            return out
        }
        switch mode {
        case .normal, .sourceOver: return cs
        case .multiply: return each { $0 * $1 }
        case .screen: return each { $0 + $1 - $0 * $1 }
        case .overlay: return each { hardLight($1, $0) }
        case .darken: return each { min($0, $1) }
        case .lighten: return each { max($0, $1) }
        case .colorDodge: return each { b, s in b == 0 ? 0 : (s >= 1 ? 1 : min(1, b / (1 - s))) }
        case .colorBurn: return each { b, s in b >= 1 ? 1 : (s <= 0 ? 0 : 1 - min(1, (1 - b) / s)) }
        case .hardLight: return each { hardLight($0, $1) }
        case .softLight:
            return each { b, s in
                if s <= 0.5 { return b - (1 - 2 * s) * b * (1 - b) }
                let dd = b <= 0.25 ? ((16 * b - 12) * b + 4) * b : b.squareRoot()
                return b + (2 * s - 1) * (dd - b)
            }
        case .difference: return each { abs($0 - $1) }
        case .exclusion: return each { $0 + $1 - 2 * $0 * $1 }
        case .hue: return setLum(setSat(cs, sat(cb)), lum(cb))
        case .saturation: return setLum(setSat(cb, sat(cs)), lum(cb))
        case .color: return setLum(cs, lum(cb))
        case .luminosity: return setLum(cb, lum(cs))
        default: return cs
        }
    }
}
