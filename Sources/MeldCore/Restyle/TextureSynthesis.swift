#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Patch-based texture synthesis (image quilting) and laying a texture onto an object so
/// that it keeps the object's shading.
public enum TextureSynthesis {
    /// Synthesises a `width × height` RGB texture from `pattern` by image quilting (Efros &
    /// Freeman 2001): square patches of `patch` pixels are placed in raster order with
    /// `overlap` pixels shared with their left and top neighbours. For each place, `candidates`
    /// patch positions are drawn from the pattern (seeded), their overlap error (sum of
    /// squared differences) is measured, and one is picked at random among those within 10 %
    /// of the best; the seam through the overlap is then the minimum-error boundary cut
    /// (dynamic programming), so patches join without visible edges, and random choice over
    /// the whole pattern avoids obvious repeats.
    ///
    /// Works on the colour planes (alpha ignored; premultiplied input is fine when opaque).
    /// Serial and seeded: the same inputs give the same bits. Cost: O(places × candidates ×
    /// patch × overlap), ~0.1–0.3 s per megapixel of output with the defaults.
    ///
    /// - Precondition: the pattern is at least `patch` pixels on each side, `patch > overlap ≥ 1`.
    public static func quilt(_ pattern: Raster, width: Int, height: Int, patch: Int, overlap: Int,
                             candidates: Int = 48, seed: UInt64 = 0x7465_7874) -> Raster {
        let src = RasterLayouts.expandedToRGB(pattern)
        precondition(src.width >= patch && src.height >= patch && patch > overlap && overlap >= 1, "quilt sizes")
        var out = Raster(width: width, height: height, layout: .rgb)
        guard width > 0 && height > 0 else { return out }
        var rng = RestyleRandom(seed: seed)
        let step = patch - overlap
        let pw = src.width, ph = src.height
        var filled = [Bool](repeating: false, count: width * height)
        src.withView { sv in
            out.withMutableView { ov in
                var py = 0
                while true {
                    var px = 0
                    while true {
                        let bw = min(patch, width - px), bh = min(patch, height - py)
                        // Candidate patch origins in the pattern; keep the near-best.
                        var scored: [(Double, Int, Int)] = []
                        scored.reserveCapacity(candidates)
                        for _ in 0..<max(1, candidates) {
                            let sx = rng.below(pw - bw + 1), sy = rng.below(ph - bh + 1)
                            var e = 0.0
                            for y in 0..<bh {
                                for x in 0..<bw {
                                    let i = (py + y) * width + px + x
                                    guard filled[i] else { continue }
                                    let j = (sy + y) * pw + sx + x
                                    for c in 0..<3 {
                                        let d = Double(sv.plane(c)[j] - ov.plane(c)[i])
                                        e += d * d
                                    }
                                }
                            }
                            scored.append((e, sx, sy))
                        }
                        let best = scored.map(\.0).min() ?? 0
                        let good = scored.filter { $0.0 <= best * 1.1 + 1e-12 }
                        let pick = good[rng.below(good.count)]
                        let sx = pick.1, sy = pick.2
                        // Per-pixel overlap error, and the minimum-error cuts.
                        func err(_ x: Int, _ y: Int) -> Double {
                            let i = (py + y) * width + px + x, j = (sy + y) * pw + sx + x
                            var e = 0.0
                            for c in 0..<3 { let d = Double(sv.plane(c)[j] - ov.plane(c)[i]); e += d * d }
                            return e
                        }
                        // take[y * bw + x]: whether the new patch writes this pixel.
                        var take = [Bool](repeating: true, count: bw * bh)
                        let leftOverlap = px > 0 ? min(overlap, bw) : 0
                        let topOverlap = py > 0 ? min(overlap, bh) : 0
                        if leftOverlap > 0 {
                            let cut = minimumCut(length: bh, breadth: leftOverlap) { along, across in err(across, along) }
                            for y in 0..<bh { for x in 0..<cut[y] { take[y * bw + x] = false } }
                        }
                        if topOverlap > 0 {
                            let cut = minimumCut(length: bw, breadth: topOverlap) { along, across in err(along, across) }
                            for x in 0..<bw { for y in 0..<cut[x] { take[y * bw + x] = false } }
                        }
                        for y in 0..<bh {
                            for x in 0..<bw {
                                let i = (py + y) * width + px + x
                                guard take[y * bw + x] || !filled[i] else { continue }
                                let j = (sy + y) * pw + sx + x
                                for c in 0..<3 { ov.plane(c)[i] = sv.plane(c)[j] }
                                filled[i] = true
                            }
                        }
                        if px + patch >= width { break }
                        px += step
                    }
                    if py + patch >= height { break }
                    py += step
                }
            }
        }
        return out
    }

    /// The minimum-error path across an overlap strip: for each position `along` the strip
    /// (0..<length), the offset `across` (0..<breadth) where the new patch begins. Dynamic
    /// programming over `error(along, across)` with steps of at most one pixel sideways.
    static func minimumCut(length: Int, breadth: Int, error: (Int, Int) -> Double) -> [Int] {
        var cost = [Double](repeating: 0, count: length * breadth)
        for a in 0..<length {
            for b in 0..<breadth {
                var prev = 0.0
                if a > 0 {
                    prev = cost[(a - 1) * breadth + b]
                    if b > 0 { prev = min(prev, cost[(a - 1) * breadth + b - 1]) }
                    if b + 1 < breadth { prev = min(prev, cost[(a - 1) * breadth + b + 1]) }
                }
                cost[a * breadth + b] = error(a, b) + prev
            }
        }
        var cut = [Int](repeating: 0, count: length)
        var b = 0
        for k in 1..<breadth where cost[(length - 1) * breadth + k] < cost[(length - 1) * breadth + b] { b = k }
        cut[length - 1] = b
        if length > 1 {
            for a in stride(from: length - 2, through: 0, by: -1) {
                var best = b
                for k in [b - 1, b + 1] where k >= 0 && k < breadth && cost[a * breadth + k] < cost[a * breadth + best] { best = k }
                b = best
                cut[a] = b
            }
        }
        return cut
    }

    /// Lays `texture` (RGB, linear, the size of `region`) onto `target` inside `region`,
    /// modulated by the target's own shading, and blends it in by `mask` coverage.
    ///
    /// Shading is the target's luminance (Rec. 709, linear) divided by its coverage-weighted
    /// mean over the mask, raised to `shading` (0 = flat texture, 1 = full shading), capped
    /// at 4: folds darken the texture and highlights brighten it, so the result reads as the
    /// object made of the material. Alpha is kept. Every pixel is independent, so this is
    /// computed serially in a fixed order (bit-identical everywhere).
    public static func layOn(_ target: Raster, texture: Raster, region: Rect, mask: Raster, shading: Float = 1) -> Raster {
        let dst = RasterLayouts.expandedToRGB(target)
        precondition(mask.width == dst.width && mask.height == dst.height, "mask size")
        precondition(texture.width == region.width && texture.height == region.height, "texture size")
        var out = dst
        let hasAlpha = dst.layout.hasAlpha, premultiplied = dst.isPremultiplied
        // Mean luminance under the mask (straight colour).
        var sumY = 0.0, sumW = 0.0
        dst.withView { v in
            mask.withView { m in
                for y in region.y..<region.maxY {
                    for x in region.x..<region.maxX {
                        let i = y * v.width + x
                        let w = Double(m.plane(0)[i])
                        guard w > 0 else { continue }
                        let a: Float = hasAlpha ? v.plane(3)[i] : 1
                        let inv: Float = (hasAlpha && premultiplied && a > 0) ? 1 / a : 1
                        let lum = 0.2126 * v.plane(0)[i] + 0.7152 * v.plane(1)[i] + 0.0722 * v.plane(2)[i]
                        sumY += w * Double(lum * inv)
                        sumW += w
                    }
                }
            }
        }
        let meanY = Float(sumW > 0 ? max(sumY / sumW, 1e-4) : 1)
        dst.withView { v in
            mask.withView { m in
                texture.withView { t in
                    out.withMutableView { o in
                        for y in region.y..<region.maxY {
                            for x in region.x..<region.maxX {
                                let i = y * v.width + x
                                let k = min(max(m.plane(0)[i], 0), 1)
                                guard k > 0 else { continue }
                                let a: Float = hasAlpha ? v.plane(3)[i] : 1
                                let inv: Float = (hasAlpha && premultiplied && a > 0) ? 1 / a : 1
                                let lum = (0.2126 * v.plane(0)[i] + 0.7152 * v.plane(1)[i] + 0.0722 * v.plane(2)[i]) * inv
                                let s = min(powf(max(lum / meanY, 0), shading), 4)
                                let ti = (y - region.y) * region.width + (x - region.x)
                                let back: Float = (hasAlpha && premultiplied) ? a : 1
                                for c in 0..<3 {
                                    let textured = t.plane(c)[ti] * s * back
                                    o.plane(c)[i] = v.plane(c)[i] + k * (textured - v.plane(c)[i])
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
