/// A crop of a raster as inpainting works on it: planar floats with colour sRGB-encoded and
/// straight (so patch distances are roughly perceptual and alpha is just another plane), plus
/// a hole map (1 = unknown).
/// `@unchecked Sendable`: the vote's workers only read it; every write happens on one thread.
final class InpaintPlanes: @unchecked Sendable {
    let width: Int
    let height: Int
    let channels: Int
    /// Planes back to back, `channels × width × height`.
    let data: UnsafeMutablePointer<Float>
    /// 1 where the pixel is to be filled.
    let hole: UnsafeMutablePointer<UInt8>

    var count: Int { width * height }

    init(width: Int, height: Int, channels: Int) {
        self.width = width
        self.height = height
        self.channels = channels
        data = .allocate(capacity: max(1, width * height * channels))
        data.initialize(repeating: 0, count: max(1, width * height * channels))
        hole = .allocate(capacity: max(1, width * height))
        hole.initialize(repeating: 0, count: max(1, width * height))
    }

    deinit {
        data.deallocate()
        hole.deallocate()
    }

    /// Reads `rect` of `source` (working format) and marks coverage > 0 of `mask` as the hole.
    convenience init(source: Raster, mask: Raster, rect: Rect) {
        self.init(width: rect.width, height: rect.height, channels: source.channels)
        let colour = source.layout.colourChannels, alphaPlane = source.layout.hasAlpha ? colour : -1
        let premultiplied = source.layout.hasAlpha && source.isPremultiplied
        let n = count
        source.withView { src in
            mask.withView { m in
                for y in 0..<rect.height {
                    let mrow = m.row(rect.y + y, channel: 0)
                    for x in 0..<rect.width {
                        let sx = rect.x + x, i = y * width + x
                        hole[i] = mrow[sx] > 0 ? 1 : 0
                        let a: Float = alphaPlane >= 0 ? src.row(rect.y + y, channel: alphaPlane)[sx] : 1
                        for c in 0..<channels {
                            var v = src.row(rect.y + y, channel: c)[sx]
                            if c == alphaPlane { data[c * n + i] = v; continue }
                            if premultiplied { v = a > 0 ? v / a : 0 }
                            data[c * n + i] = SRGBTransfer.encode(min(max(v, 0), 1))
                        }
                    }
                }
            }
        }
    }

    /// Writes the hole pixels back into `out` at `rect` (decoded and re-premultiplied).
    func writeHole(into out: inout Raster, rect: Rect) {
        let colour = out.layout.colourChannels, alphaPlane = out.layout.hasAlpha ? colour : -1
        let premultiplied = out.layout.hasAlpha && out.isPremultiplied
        let n = count
        out.withMutableView { dst in
            for y in 0..<rect.height {
                for x in 0..<rect.width where hole[y * width + x] != 0 {
                    let i = y * width + x, sx = rect.x + x
                    let a: Float = alphaPlane >= 0 ? min(max(data[alphaPlane * n + i], 0), 1) : 1
                    for c in 0..<channels {
                        if c == alphaPlane { dst.row(rect.y + y, channel: c)[sx] = a; continue }
                        let v = SRGBTransfer.decode(data[c * n + i])
                        dst.row(rect.y + y, channel: c)[sx] = premultiplied ? v * a : v
                    }
                }
            }
        }
    }

    /// Half size: each pixel the mean of the known pixels of its 2 × 2 block; a hole wherever
    /// the block holds any hole pixel (so the coarse hole covers the fine one).
    func downsampled() -> InpaintPlanes {
        let w2 = (width + 1) / 2, h2 = (height + 1) / 2
        let out = InpaintPlanes(width: w2, height: h2, channels: channels)
        let n = count, n2 = out.count
        for y in 0..<h2 {
            for x in 0..<w2 {
                var known = 0, anyHole = false
                var sums = [Float](repeating: 0, count: channels)
                for dy in 0..<2 {
                    for dx in 0..<2 {
                        let fx = 2 * x + dx, fy = 2 * y + dy
                        guard fx < width, fy < height else { continue }
                        let i = fy * width + fx
                        if hole[i] != 0 { anyHole = true; continue }
                        known += 1
                        for c in 0..<channels { sums[c] += data[c * n + i] }
                    }
                }
                let o = y * w2 + x
                out.hole[o] = anyHole ? 1 : 0
                for c in 0..<channels { out.data[c * n2 + o] = known > 0 ? sums[c] / Float(known) : 0 }
            }
        }
        return out
    }

    /// Whether any pixel is a hole.
    var hasHole: Bool { (0..<count).contains { hole[$0] != 0 } }

    /// The bounding box of the hole.
    var holeBounds: Rect {
        var x0 = Int.max, y0 = Int.max, x1 = -1, y1 = -1
        for y in 0..<height {
            for x in 0..<width where hole[y * width + x] != 0 {
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
        }
        return x1 < 0 ? Rect(width: 0, height: 0) : Rect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1)
    }
}

/// Deterministic random numbers for inpainting: SplitMix64 finalisation of a counter.
@inline(__always) func inpaintHash(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var z = a &+ b &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
