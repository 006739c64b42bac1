/// Reads gamma-encoded luma (Rec. 601 weights on encoded sRGB, 0…255) from working-format
/// rasters, and writes a luma change back to every colour channel. The invisible watermark
/// lives in this luma: encoded values are perceptually even, and it is what JPEG keeps best.
struct WatermarkLuma: @unchecked Sendable {
    let view: RasterView
    let colour: Int
    let alpha: Bool
    let encode: UnsafePointer<Float>
    let decode: UnsafePointer<Float>

    init(_ view: RasterView, layout: PixelLayout, encode: UnsafePointer<Float>, decode: UnsafePointer<Float>) {
        self.view = view
        self.colour = layout.colourChannels
        self.alpha = layout.hasAlpha
        self.encode = encode
        self.decode = decode
    }

    /// The encoded luma of pixel `i` (0…255); transparent pixels read as 0.
    @inline(__always) func luma(_ i: Int) -> Float {
        let n = view.width * view.height
        var a: Float = 1
        if alpha {
            a = view.base[colour * n + i]
            if a <= 0 { return 0 }
        }
        let inv = 1 / a
        if colour == 1 { return 255 * EncodedSRGB.encode(view.base[i] * inv, encode) }
        let r = EncodedSRGB.encode(view.base[i] * inv, encode)
        let g = EncodedSRGB.encode(view.base[n + i] * inv, encode)
        let b = EncodedSRGB.encode(view.base[2 * n + i] * inv, encode)
        return 255 * (0.299 * r + 0.587 * g + 0.114 * b)
    }

    /// Adds `delta` (in 8-bit levels of encoded value) to every colour channel of pixel `i` of
    /// `out`, clamping the encoded value to 0…1; transparent pixels are left alone.
    @inline(__always) func add(_ delta: Float, at i: Int, to out: MutableRasterView) {
        let n = view.width * view.height
        var a: Float = 1
        if alpha {
            a = view.base[colour * n + i]
            if a <= 0 { return }
        }
        let inv = 1 / a
        let d = delta / 255
        for c in 0..<colour {
            // Values already outside 0…1 (wide gamut, HDR) are moved but not clamped into range.
            let e0 = EncodedSRGB.encode(view.base[c * n + i] * inv, encode)
            var e = e0 + d
            if e0 <= 1 { e = min(1, e) }
            if e0 >= 0 { e = max(0, e) }
            out.base[c * n + i] = EncodedSRGB.decode(e, decode) * a
        }
    }
}
