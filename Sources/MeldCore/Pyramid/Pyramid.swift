/// Burt–Adelson pyramid steps on planar float buffers: REDUCE (5-tap binomial filter
/// [1 4 6 4 1]/16 in each direction, then keep every other pixel) and EXPAND (its
/// interpolating counterpart: even outputs (G[i−1] + 6 G[i] + G[i+1]) / 8, odd outputs
/// (G[i] + G[i+1]) / 2 in each direction). Edges replicate the border pixel.
///
/// Every output pixel is one fixed sequence of float operations (rows first, then columns), so
/// any ``Schedule`` gives bit-identical results.
public enum Pyramid {
    /// The size of the next coarser level.
    @inlinable public static func reducedSize(_ n: Int) -> Int { (n + 1) / 2 }

    /// REDUCE `channels` planes of `width × height` at `src` into `dst` (planes of the reduced size).
    public static func reduce(_ src: UnsafePointer<Float>, width: Int, height: Int, channels: Int,
                              into dst: UnsafeMutablePointer<Float>, schedule: Schedule) {
        let cw = reducedSize(width), ch = reducedSize(height)
        let s = UnsafeSendableBox(src), d = UnsafeSendableBox(dst)
        TileScheduler.forEachTile(in: Rect(width: cw, height: ch), schedule: schedule) { tile in
            for c in 0..<channels {
                let sp = s.value + c * width * height, dp = d.value + c * cw * ch
                for y in tile.y..<tile.maxY {
                    let r0 = sp + clamp(2 * y - 2, height) * width, r1 = sp + clamp(2 * y - 1, height) * width
                    let r2 = sp + clamp(2 * y, height) * width, r3 = sp + clamp(2 * y + 1, height) * width
                    let r4 = sp + clamp(2 * y + 2, height) * width
                    for x in tile.x..<tile.maxX {
                        let x0 = clamp(2 * x - 2, width), x1 = clamp(2 * x - 1, width), x2 = clamp(2 * x, width)
                        let x3 = clamp(2 * x + 1, width), x4 = clamp(2 * x + 2, width)
                        @inline(__always) func h(_ r: UnsafePointer<Float>) -> Float {
                            (r[x0] + r[x4]) + 4 * (r[x1] + r[x3]) + 6 * r[x2]
                        }
                        dp[y * cw + x] = ((h(r0) + h(r4)) + 4 * (h(r1) + h(r3)) + 6 * h(r2)) * (1.0 / 256)
                    }
                }
            }
        }
    }

    /// EXPAND the coarse planes at `src` (`coarseWidth × coarseHeight`) to `width × height` and
    /// add them to `dst` (or subtract them when `subtract` is true).
    public static func expand(_ src: UnsafePointer<Float>, coarseWidth cw: Int, coarseHeight ch: Int, channels: Int,
                              into dst: UnsafeMutablePointer<Float>, width: Int, height: Int, schedule: Schedule,
                              subtract: Bool) {
        let s = UnsafeSendableBox(src), d = UnsafeSendableBox(dst)
        TileScheduler.forEachTile(in: Rect(width: width, height: height), schedule: schedule) { tile in
            for c in 0..<channels {
                let sp = s.value + c * cw * ch, dp = d.value + c * width * height
                for y in tile.y..<tile.maxY {
                    let i = y / 2
                    let rows: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)
                    rows = (sp + clamp(i - 1, ch) * cw, sp + clamp(i, ch) * cw, sp + clamp(i + 1, ch) * cw)
                    for x in tile.x..<tile.maxX {
                        let j = x / 2
                        @inline(__always) func h(_ r: UnsafePointer<Float>) -> Float {
                            (x & 1) == 0 ? (r[clamp(j - 1, cw)] + 6 * r[clamp(j, cw)] + r[clamp(j + 1, cw)]) * 0.125
                                         : (r[clamp(j, cw)] + r[clamp(j + 1, cw)]) * 0.5
                        }
                        let v = (y & 1) == 0 ? (h(rows.0) + 6 * h(rows.1) + h(rows.2)) * 0.125
                                             : (h(rows.1) + h(rows.2)) * 0.5
                        dp[y * width + x] += subtract ? -v : v
                    }
                }
            }
        }
    }

    @inline(__always) static func clamp(_ i: Int, _ n: Int) -> Int { i < 0 ? 0 : (i >= n ? n - 1 : i) }
}
