#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MeldCore

/// Straightforward scalar reference implementations in Double precision, written from the
/// textbook formulas and independent of MeldCore's kernels, for tests to compare against.
///
/// Nothing here is fast: every function is the plain loop or the plain formula.
public enum Reference {
    // MARK: sRGB transfer (IEC 61966-2-1)

    /// sRGB-encoded value → linear light; negative values are mirrored (as scRGB does).
    public static func srgbDecode(_ v: Double) -> Double {
        let a = Swift.abs(v)
        let l = a <= 0.04045 ? a / 12.92 : pow((a + 0.055) / 1.055, 2.4)
        return v < 0 ? -l : l
    }

    /// Linear light → sRGB-encoded value; negative values are mirrored (as scRGB does).
    public static func srgbEncode(_ l: Double) -> Double {
        let a = Swift.abs(l)
        let v = a <= 0.0031308 ? 12.92 * a : 1.055 * pow(a, 1 / 2.4) - 0.055
        return l < 0 ? -v : v
    }

    /// The 8-bit code of a linear value: `round(encode(clamp(l, 0, 1)) × 255)`, NaN → 0.
    public static func srgbEncode8(_ l: Double) -> UInt8 {
        let x = l.isNaN ? 0 : Swift.min(Swift.max(l, 0), 1)
        return UInt8((srgbEncode(x) * 255).rounded())
    }

    // MARK: linear sRGB ↔ XYZ

    /// The linear sRGB → XYZ matrix (IEC 61966-2-1 primaries, D65), row-major.
    public static let rgbToXYZ: [[Double]] = [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]

    /// The exact inverse of ``rgbToXYZ``, computed in Double by the adjugate.
    public static let xyzToRGB: [[Double]] = invert3x3(rgbToXYZ)

    /// The D65 reference white (Y = 1).
    public static let white: (x: Double, y: Double, z: Double) = (0.95047, 1.0, 1.08883)
    /// CIE ε = 216/24389.
    public static let epsilon: Double = 216.0 / 24389.0
    /// CIE κ = 24389/27.
    public static let kappa: Double = 24389.0 / 27.0

    /// Linear sRGB → XYZ.
    public static func linearToXYZ(_ c: (Double, Double, Double)) -> (Double, Double, Double) {
        multiply(rgbToXYZ, c)
    }

    /// XYZ → linear sRGB.
    public static func xyzToLinear(_ c: (Double, Double, Double)) -> (Double, Double, Double) {
        multiply(xyzToRGB, c)
    }

    // MARK: XYZ ↔ Lab ↔ LCh

    /// XYZ → CIE L*a*b* relative to D65.
    public static func xyzToLab(_ c: (Double, Double, Double)) -> (Double, Double, Double) {
        func f(_ t: Double) -> Double { t > epsilon ? pow(t, 1.0 / 3.0) : (kappa * t + 16) / 116 }
        let fx = f(c.0 / white.x), fy = f(c.1 / white.y), fz = f(c.2 / white.z)
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    /// CIE L*a*b* (D65) → XYZ.
    public static func labToXYZ(_ c: (Double, Double, Double)) -> (Double, Double, Double) {
        let (l, a, b) = c
        let fy = (l + 16) / 116
        let fx = a / 500 + fy
        let fz = fy - b / 200
        let fx3 = fx * fx * fx, fz3 = fz * fz * fz
        let xr = fx3 > epsilon ? fx3 : (116 * fx - 16) / kappa
        let yr = l > kappa * epsilon ? fy * fy * fy : l / kappa
        let zr = fz3 > epsilon ? fz3 : (116 * fz - 16) / kappa
        return (xr * white.x, yr * white.y, zr * white.z)
    }

    /// Lab → LCh with the hue in degrees, 0 ..< 360.
    public static func labToLCh(_ c: (Double, Double, Double)) -> (Double, Double, Double) {
        let chroma = (c.1 * c.1 + c.2 * c.2).squareRoot()
        var h = atan2(c.2, c.1) * 180 / Double.pi
        if h < 0 { h += 360 }
        if h >= 360 { h -= 360 }
        return (c.0, chroma, h)
    }

    /// LCh (hue in degrees) → Lab.
    public static func lchToLab(_ c: (Double, Double, Double)) -> (Double, Double, Double) {
        let h = c.2 * Double.pi / 180
        return (c.0, c.1 * cos(h), c.1 * sin(h))
    }

    /// Converts one colour between any two spaces, through XYZ.
    public static func convert(_ v: (Double, Double, Double), from: ColourSpace, to: ColourSpace) -> (Double, Double, Double) {
        if from == to { return v }
        let xyz: (Double, Double, Double)
        switch from {
        case .xyz: xyz = v
        case .linearSRGB: xyz = linearToXYZ(v)
        case .sRGB: xyz = linearToXYZ((srgbDecode(v.0), srgbDecode(v.1), srgbDecode(v.2)))
        case .lab: xyz = labToXYZ(v)
        case .lch: xyz = labToXYZ(lchToLab(v))
        }
        switch to {
        case .xyz: return xyz
        case .linearSRGB: return xyzToLinear(xyz)
        case .sRGB:
            let l = xyzToLinear(xyz)
            return (srgbEncode(l.0), srgbEncode(l.1), srgbEncode(l.2))
        case .lab: return xyzToLab(xyz)
        case .lch: return labToLCh(xyzToLab(xyz))
        }
    }

    /// Converts a whole `.rgb`/`.rgba` raster pixel by pixel in Double, with the alpha rules of
    /// `ColourConversion`: premultiplied input is unpremultiplied first (alpha 0 → colour 0),
    /// output is premultiplied only when `to` is `.linearSRGB`, alpha is copied.
    public static func convert(_ source: Raster, from: ColourSpace, to: ColourSpace) -> Raster {
        precondition(source.layout == .rgb || source.layout == .rgba, "colour conversion needs an RGB raster")
        let hasAlpha = source.layout.hasAlpha
        var out = Raster(width: source.width, height: source.height, layout: source.layout)
        out.isPremultiplied = !hasAlpha || to == .linearSRGB
        for y in 0..<source.height {
            for x in 0..<source.width {
                let alpha = hasAlpha ? Double(source[x, y, 3]) : 1
                var c = (Double(source[x, y, 0]), Double(source[x, y, 1]), Double(source[x, y, 2]))
                if hasAlpha && source.isPremultiplied {
                    c = alpha > 0 ? (c.0 / alpha, c.1 / alpha, c.2 / alpha) : (0, 0, 0)
                }
                var r = convert(c, from: from, to: to)
                if hasAlpha && to == .linearSRGB { r = (r.0 * alpha, r.1 * alpha, r.2 * alpha) }
                out[x, y, 0] = Float(r.0)
                out[x, y, 1] = Float(r.1)
                out[x, y, 2] = Float(r.2)
                if hasAlpha { out[x, y, 3] = source[x, y, 3] }
            }
        }
        return out
    }

    // MARK: Gaussian blur

    /// The normalised Gaussian taps for offsets -r...r, r = ceil(3σ): exp(-k²/2σ²) / Σ.
    public static func gaussianWeights(sigma: Double) -> [Double] {
        let r = Int((3 * sigma).rounded(.up))
        let w = (-r...r).map { k in exp(-Double(k * k) / (2 * sigma * sigma)) }
        let sum = w.reduce(0, +)
        return w.map { $0 / sum }
    }

    /// Separable Gaussian blur of every plane with clamp-to-edge borders: horizontal pass, then
    /// vertical, accumulated in Double. Keeps layout and the premultiplied flag.
    public static func gaussianBlur(_ source: Raster, sigma: Double) -> Raster {
        let w = gaussianWeights(sigma: sigma)
        let r = (w.count - 1) / 2
        let width = source.width, height = source.height
        var out = Raster(width: width, height: height, layout: source.layout)
        out.isPremultiplied = source.isPremultiplied
        guard width > 0 && height > 0 else { return out }
        var rows = [Double](repeating: 0, count: width * height)
        for c in 0..<source.channels {
            for y in 0..<height {
                for x in 0..<width {
                    var s = 0.0
                    for k in -r...r {
                        let sx = Swift.min(Swift.max(x + k, 0), width - 1)
                        s += w[k + r] * Double(source[sx, y, c])
                    }
                    rows[y * width + x] = s
                }
            }
            for y in 0..<height {
                for x in 0..<width {
                    var s = 0.0
                    for k in -r...r {
                        let sy = Swift.min(Swift.max(y + k, 0), height - 1)
                        s += w[k + r] * rows[sy * width + x]
                    }
                    out[x, y, c] = Float(s)
                }
            }
        }
        return out
    }

    // MARK: helpers

    static func multiply(_ m: [[Double]], _ c: (Double, Double, Double)) -> (Double, Double, Double) {
        (m[0][0] * c.0 + m[0][1] * c.1 + m[0][2] * c.2,
         m[1][0] * c.0 + m[1][1] * c.1 + m[1][2] * c.2,
         m[2][0] * c.0 + m[2][1] * c.1 + m[2][2] * c.2)
    }

    static func invert3x3(_ m: [[Double]]) -> [[Double]] {
        let (a, b, c) = (m[0][0], m[0][1], m[0][2])
        let (d, e, f) = (m[1][0], m[1][1], m[1][2])
        let (g, h, i) = (m[2][0], m[2][1], m[2][2])
        let co00 = e * i - f * h, co01 = -(d * i - f * g), co02 = d * h - e * g
        let det = a * co00 + b * co01 + c * co02
        return [
            [co00 / det, -(b * i - c * h) / det, (b * f - c * e) / det],
            [co01 / det, (a * i - c * g) / det, -(a * f - c * d) / det],
            [co02 / det, -(a * h - b * g) / det, (a * e - b * d) / det],
        ]
    }
}
