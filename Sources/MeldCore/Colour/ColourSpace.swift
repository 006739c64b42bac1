#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The colour spaces Meld converts between. All use the D65 white point.
///
/// - `linearSRGB`: linear-light sRGB / Rec. 709 primaries (Meld's working space).
/// - `sRGB`: the same primaries, gamma-encoded with the sRGB transfer function, 0…1.
/// - `xyz`: CIE 1931 XYZ, Y = 1 for diffuse white.
/// - `lab`: CIE L\*a\*b\* relative to D65 white (L 0…100).
/// - `lch`: cylindrical Lab: L, chroma C = √(a² + b²), hue h in degrees 0 ..< 360.
public enum ColourSpace: String, Sendable, Codable, CaseIterable {
    case linearSRGB, sRGB, xyz, lab, lch
}

/// Scalar colour conversions between ``ColourSpace`` values, one pixel at a time.
/// These are the definitions; the planar kernels in ``ColourConversion`` must agree with them.
public enum Colour {
    /// D65 reference white in XYZ (Y = 1), as used by sRGB (IEC 61966-2-1).
    public static let whiteD65: (x: Float, y: Float, z: Float) = (0.95047, 1.0, 1.08883)

    /// linear sRGB → XYZ matrix (IEC 61966-2-1, D65).
    public static let rgbToXYZ: [Float] = [
        0.4124564, 0.3575761, 0.1804375,
        0.2126729, 0.7151522, 0.0721750,
        0.0193339, 0.1191920, 0.9503041,
    ]
    /// XYZ → linear sRGB matrix (the inverse of ``rgbToXYZ``).
    public static let xyzToRGB: [Float] = [
        3.2404542, -1.5371385, -0.4985314,
        -0.9692660, 1.8760108, 0.0415560,
        0.0556434, -0.2040259, 1.0572252,
    ]

    /// CIE ε = (6/29)³.
    public static let epsilon: Float = 216.0 / 24389.0
    /// CIE κ = (29/3)³.
    public static let kappa: Float = 24389.0 / 27.0

    /// Converts one colour triple between any two spaces.
    public static func convert(_ v: (Float, Float, Float), from: ColourSpace, to: ColourSpace) -> (Float, Float, Float) {
        if from == to { return v }
        let xyz = toXYZ(v, from: from)
        return fromXYZ(xyz, to: to)
    }

    static func toXYZ(_ v: (Float, Float, Float), from: ColourSpace) -> (Float, Float, Float) {
        switch from {
        case .xyz: return v
        case .linearSRGB: return linearToXYZ(v)
        case .sRGB: return linearToXYZ((SRGBTransfer.decode(v.0), SRGBTransfer.decode(v.1), SRGBTransfer.decode(v.2)))
        case .lab: return labToXYZ(v)
        case .lch: return labToXYZ(lchToLab(v))
        }
    }

    static func fromXYZ(_ v: (Float, Float, Float), to: ColourSpace) -> (Float, Float, Float) {
        switch to {
        case .xyz: return v
        case .linearSRGB: return xyzToLinear(v)
        case .sRGB:
            let l = xyzToLinear(v)
            return (SRGBTransfer.encode(l.0), SRGBTransfer.encode(l.1), SRGBTransfer.encode(l.2))
        case .lab: return xyzToLab(v)
        case .lch: return labToLCh(xyzToLab(v))
        }
    }

    /// linear sRGB → XYZ.
    @inlinable public static func linearToXYZ(_ c: (Float, Float, Float)) -> (Float, Float, Float) {
        let m = rgbToXYZ
        return (m[0] * c.0 + m[1] * c.1 + m[2] * c.2,
                m[3] * c.0 + m[4] * c.1 + m[5] * c.2,
                m[6] * c.0 + m[7] * c.1 + m[8] * c.2)
    }

    /// XYZ → linear sRGB.
    @inlinable public static func xyzToLinear(_ c: (Float, Float, Float)) -> (Float, Float, Float) {
        let m = xyzToRGB
        return (m[0] * c.0 + m[1] * c.1 + m[2] * c.2,
                m[3] * c.0 + m[4] * c.1 + m[5] * c.2,
                m[6] * c.0 + m[7] * c.1 + m[8] * c.2)
    }

    /// The CIE Lab companding function f(t).
    @inlinable public static func labF(_ t: Float) -> Float {
        t > epsilon ? cbrtf(t) : (kappa * t + 16) / 116
    }

    /// The inverse of ``labF(_:)``.
    @inlinable public static func labFInverse(_ f: Float) -> Float {
        let f3 = f * f * f
        return f3 > epsilon ? f3 : (116 * f - 16) / kappa
    }

    /// XYZ → Lab (D65).
    @inlinable public static func xyzToLab(_ c: (Float, Float, Float)) -> (Float, Float, Float) {
        let fx = labF(c.0 / whiteD65.x), fy = labF(c.1 / whiteD65.y), fz = labF(c.2 / whiteD65.z)
        return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
    }

    /// Lab (D65) → XYZ.
    @inlinable public static func labToXYZ(_ c: (Float, Float, Float)) -> (Float, Float, Float) {
        let fy = (c.0 + 16) / 116
        let fx = fy + c.1 / 500
        let fz = fy - c.2 / 200
        return (labFInverse(fx) * whiteD65.x, labFInverse(fy) * whiteD65.y, labFInverse(fz) * whiteD65.z)
    }

    /// Lab → LCh (hue in degrees, 0 ..< 360; 0 for neutral colours).
    @inlinable public static func labToLCh(_ c: (Float, Float, Float)) -> (Float, Float, Float) {
        let chroma = (c.1 * c.1 + c.2 * c.2).squareRoot()
        var h = atan2f(c.2, c.1) * (180 / Float.pi)
        if h < 0 { h += 360 }
        if h >= 360 { h -= 360 }
        return (c.0, chroma, h)
    }

    /// LCh → Lab.
    @inlinable public static func lchToLab(_ c: (Float, Float, Float)) -> (Float, Float, Float) {
        let r = c.2 * (Float.pi / 180)
        return (c.0, c.1 * cosf(r), c.1 * sinf(r))
    }
}
