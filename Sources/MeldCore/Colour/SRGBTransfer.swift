#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sRGB transfer function (IEC 61966-2-1): encoded ↔ linear light, both 0…1.
///
/// Exact scalar forms plus table-driven fast paths for 8- and 16-bit codes. The 8-bit encoder
/// is exact: it returns the code whose decoded value is nearest in *encoded* space, i.e. the
/// same as `round(encode(x) * 255)`, proven by a test over every code boundary.
public enum SRGBTransfer {
    /// Encoded (0…1) → linear. Values outside 0…1 are extended symmetrically (as scRGB does).
    @inlinable public static func decode(_ v: Float) -> Float {
        let a = abs(v)
        let l = a <= 0.04045 ? a / 12.92 : powf((a + 0.055) / 1.055, 2.4)
        return v < 0 ? -l : l
    }

    /// Linear → encoded (0…1). Values outside 0…1 are extended symmetrically.
    @inlinable public static func encode(_ l: Float) -> Float {
        let a = abs(l)
        let v = a <= 0.0031308 ? a * 12.92 : 1.055 * powf(a, 1 / 2.4) - 0.055
        return l < 0 ? -v : v
    }

    /// Linear value of each 8-bit code.
    public static let decode8: [Float] = (0..<256).map { decode(Float($0) / 255) }

    /// Linear value of each 16-bit code.
    public static let decode16: [Float] = (0..<65536).map { decode(Float($0) / 65535) }

    /// `encode8Thresholds[c]` is the smallest linear value that encodes to code `c` or above
    /// (the linear image of the midpoint between codes c-1 and c), for c in 1…255; index 0
    /// and 256 hold -inf and +inf.
    public static let encode8Thresholds: [Float] = {
        var t = [Float](repeating: 0, count: 257)
        t[0] = -.infinity
        t[256] = .infinity
        // Whether `x` encodes below code `c`. Evaluated in Double: Float `encode` is off by an
        // ulp or so, which near a boundary is enough to pick the wrong code.
        func below(_ x: Float, _ c: Int) -> Bool {
            let a = Double(x)
            let v = a <= 0.0031308 ? a * 12.92 : 1.055 * pow(a, 1 / 2.4) - 0.055
            return (v * 255).rounded() < Double(c)
        }
        for c in 1..<256 {
            // Start at the boundary's nearest Float and step to the smallest x with
            // round(encode(x) * 255) >= c (a few ulps at most).
            let a = (Double(c) - 0.5) / 255
            var x = Float(a <= 0.04045 ? a / 12.92 : pow((a + 0.055) / 1.055, 2.4))
            while below(x, c) { x = x.nextUp }
            while !below(x.nextDown, c) { x = x.nextDown }
            t[c] = x
        }
        return t
    }()

    /// A coarse first guess for the 8-bit code of a linear value, indexed by `Int(x * 4096)`;
    /// one threshold comparison then makes it exact (code boundaries are further apart than
    /// one cell in linear space, so a cell straddles at most one boundary).
    public static let encode8Guess: [UInt8] = (0...4096).map { i in
        let x = Float(i) / 4096
        var c = 0
        while c < 255 && encode8Thresholds[c + 1] <= x { c += 1 }
        return UInt8(c)
    }

    /// Linear (clamped to 0…1) → nearest 8-bit sRGB code. Exact; ~1 ns.
    @inlinable public static func encode8(_ l: Float) -> UInt8 {
        let x = l.isNaN ? 0 : min(max(l, 0), 1)
        var c = Int(encode8Guess[Int(x * 4096)])
        // A cell (1/4096 wide) is narrower than the smallest gap between code boundaries
        // (0.000304 in linear light), so at most one boundary lies inside it.
        if x >= encode8Thresholds[c + 1] { c += 1 }
        return UInt8(c)
    }

    /// Linear (clamped to 0…1) → nearest 16-bit sRGB code.
    @inlinable public static func encode16(_ l: Float) -> UInt16 {
        let x = l.isNaN ? 0 : min(max(l, 0), 1)
        return UInt16((encode(x) * 65535).rounded())
    }
}
