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
        addEncoded(delta / 255, at: i, n: view.width &* view.height, to: out)
    }

    /// Adds `changes[k] · 255` (the change in encoded value, as a fraction of full scale) to
    /// pixels `i0 + k`, k in 0..<count, exactly as ``add(_:at:to:)`` does one by one with
    /// `delta = changes[k] · 255` (same arithmetic, same bits). RGB without alpha, the common
    /// case, runs on plane pointers with no per-pixel branches on the layout.
    @inline(__always) func add(encodedChanges changes: UnsafePointer<Float>, count: Int, at i0: Int, to out: MutableRasterView) {
        let n = view.width &* view.height
        guard colour == 3 && !alpha else {
            for k in 0..<count { addEncoded(changes[k], at: i0 &+ k, n: n, to: out) }
            return
        }
        let r = view.base + i0, g = r + n, b = g + n
        let ro = out.base + i0, go = ro + n, bo = go + n
        for k in 0..<count {
            let d = changes[k]
            ro[k] = Self.shifted(r[k], by: d, slope)
            go[k] = Self.shifted(g[k], by: d, slope)
            bo[k] = Self.shifted(b[k], by: d, slope)
        }
    }

    /// ``add(_:at:to:)`` with the change already divided by 255.
    @inline(__always) private func addEncoded(_ d: Float, at i: Int, n: Int, to out: MutableRasterView) {
        var a: Float = 1
        if alpha {
            a = view.base[colour &* n &+ i]
            if a <= 0 { return }
        }
        for c in 0..<colour {
            let l = view.base[c &* n &+ i] / a
            out.base[c &* n &+ i] = Self.shifted(l, by: d, slope) * a
        }
    }

    /// Writes the encoded luminance of pixels `i0..<i0 + count` to `row`, as ``luma(_:)``
    /// reads each (same bits); RGB without alpha runs on plane pointers.
    @inline(__always) func lumaRow(from i0: Int, count: Int, into row: UnsafeMutablePointer<Float>) {
        guard colour == 3 && !alpha else {
            for k in 0..<count { row[k] = luma(i0 &+ k) }
            return
        }
        let n = view.width &* view.height
        let r = view.base + i0, g = r + n, b = g + n
        for k in 0..<count {
            let y = 0.2126 * r[k] + 0.7152 * g[k] + 0.0722 * b[k]
            row[k] = 255 * EncodedSRGB.encode(y, encode)
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
