/// The reference region around a mask: pixels outside the mask (coverage < ½) within `radius`
/// pixels (Chebyshev distance) of a pixel inside it, found with a summed-area table in
/// O(pixels) for any radius. Returns a one-channel raster of weights 0 or 1.
public enum Ring {
    /// The ring around `mask` (one channel 0…1).
    public static func around(_ mask: Raster, radius: Int) -> Raster {
        let w = mask.width, h = mask.height
        var out = Raster(width: w, height: h, layout: .gray)
        out.isPremultiplied = false
        guard w > 0, h > 0 else { return out }
        // Summed-area table of the binary mask, (w+1)×(h+1), row-major.
        var table = [Int32](repeating: 0, count: (w + 1) * (h + 1))
        mask.withView { m in
            for y in 0..<h {
                let row = m.row(y, channel: 0)
                var run: Int32 = 0
                for x in 0..<w {
                    if row[x] >= 0.5 { run += 1 }
                    table[(y + 1) * (w + 1) + x + 1] = table[y * (w + 1) + x + 1] + run
                }
            }
        }
        let r = max(0, radius)
        table.withUnsafeBufferPointer { t in
            mask.withView { m in
                out.withMutableView { o in
                    for y in 0..<h {
                        let y0 = max(0, y - r), y1 = min(h, y + r + 1)
                        let mr = m.row(y, channel: 0), orow = o.row(y, channel: 0)
                        for x in 0..<w where mr[x] < 0.5 {
                            let x0 = max(0, x - r), x1 = min(w, x + r + 1)
                            let inside = t[y1 * (w + 1) + x1] - t[y0 * (w + 1) + x1] - t[y1 * (w + 1) + x0] + t[y0 * (w + 1) + x0]
                            if inside > 0 { orow[x] = 1 }
                        }
                    }
                }
            }
        }
        return out
    }
}
