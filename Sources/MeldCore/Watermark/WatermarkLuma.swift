#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads gamma-encoded luminance (sRGB-encoded Rec. 709 luminance Y, 0…255) from working-format
/// rasters, and writes a change of encoded value back to every colour channel. The invisible
/// watermark lives in this encoded luminance: encoded values are perceptually even, and it is
/// what JPEG keeps best.
///
/// The change is applied to linear light through the slope of the transfer curve: for a
/// change δ of encoded value, `l' = l + δ · decode′(encode(l))`, one table lookup per channel
/// instead of an encode and a decode. The first-order error is below 0.1 of an 8-bit level for
/// the changes a mark makes (≤ ~8 levels).
struct WatermarkLuma: @unchecked Sendable {
    let view: RasterView
    let colour: Int
    let alpha: Bool
    let encode: UnsafePointer<Float>
    let slope: UnsafePointer<Float>

    init(_ view: RasterView, layout: PixelLayout, encode: UnsafePointer<Float>, slope: UnsafePointer<Float>) {
        self.view = view
        self.colour = layout.colourChannels
        self.alpha = layout.hasAlpha
        self.encode = encode
        self.slope = slope
    }

    /// `decode′(encode(l))` for l in 0…1, 4096 segments (the toe's 1/12.92 below 0.0031308).
    static let slopeTable: [Float] = (0...4096).map { i in
        let l = Double(i) / 4096
        if l <= 0.0031308 { return Float(1 / 12.92) }
        // encode(l) = 1.055 l^(1/2.4) − 0.055, so encode′(l) = 1.055 / 2.4 · l^(1/2.4 − 1).
        return Float(1 / (1.055 / 2.4 * pow(l, 1 / 2.4 - 1)))
    }

    /// Calls `body` with the encode table and the slope table.
    static func withTables<R>(_ body: (_ encode: UnsafePointer<Float>, _ slope: UnsafePointer<Float>) -> R) -> R {
        EncodedSRGB.withTables { enc, _ in
            slopeTable.withUnsafeBufferPointer { body(enc, $0.baseAddress!) }
        }
    }

    /// The encoded luminance of pixel `i` (0…255); transparent pixels read as 0.
    @inline(__always) func luma(_ i: Int) -> Float {
        let n = view.width &* view.height
        var a: Float = 1
        if alpha {
            a = view.base[colour &* n &+ i]
            if a <= 0 { return 0 }
        }
        if colour == 1 { return 255 * EncodedSRGB.encode(view.base[i] / a, encode) }
        let y = 0.2126 * view.base[i] + 0.7152 * view.base[n &+ i] + 0.0722 * view.base[2 &* n &+ i]
        return 255 * EncodedSRGB.encode(y / a, encode)
    }

    /// Adds `delta` (in 8-bit levels of encoded value) to every colour channel of pixel `i` of
    /// `out`, clamped to 0…1; transparent pixels are left alone, values outside 0…1 (wide
    /// gamut, HDR) are moved by the exact transfer function and not clamped.
    @inline(__always) func add(_ delta: Float, at i: Int, to out: MutableRasterView) {
        let n = view.width &* view.height
        var a: Float = 1
        if alpha {
            a = view.base[colour &* n &+ i]
            if a <= 0 { return }
        }
        let d = delta / 255
        for c in 0..<colour {
            let l = view.base[c &* n &+ i] / a
            out.base[c &* n &+ i] = Self.shifted(l, by: d, slope) * a
        }
    }

    /// `l` moved by `d` of encoded value (see the type's discussion).
    @inline(__always) static func shifted(_ l: Float, by d: Float, _ slope: UnsafePointer<Float>) -> Float {
        guard l >= 0 && l <= 1 else { return SRGBTransfer.decode(SRGBTransfer.encode(l) + d) }
        let x = l * 4096
        let k = min(Int(x), 4095)
        let f = x - Float(k)
        let g = slope[k] + f * (slope[k + 1] - slope[k])
        return min(1, max(0, l + d * g))
    }
}

extension SpreadSpectrumMark {
    /// Linear value `l` moved by `levels` 8-bit levels of encoded value, as the embedder does it.
    public static func shifted(_ l: Float, byLevels levels: Float) -> Float {
        WatermarkLuma.slopeTable.withUnsafeBufferPointer { WatermarkLuma.shifted(l, by: levels / 255, $0.baseAddress!) }
    }

    /// Encoded luminance (0…255) of linear premultiplied colour values, as the embedder and the
    /// detector read it.
    public static func encodedLuminance(red: Float, green: Float, blue: Float, alpha: Float = 1) -> Float {
        guard alpha > 0 else { return 0 }
        return EncodedSRGB.withTables { enc, _ in 255 * EncodedSRGB.encode((0.2126 * red + 0.7152 * green + 0.0722 * blue) / alpha, enc) }
    }
}
