#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Colour-transfer kernels: Reinhard statistics transfer in Lab, sliced optimal transport in
/// Lab baked into a 3D LUT, a guided-filter regrain, and a masked blend.
public enum ColourTransferKernels {
    /// The largest ratio of deviations the Reinhard transfer applies (and the smallest is its
    /// inverse), so a near-flat source channel is not blown up into noise.
    public static let maxDeviationRatio = 4.0

    /// The per-channel affine map in Lab that takes `source` statistics to `target`:
    /// `x' = (x − μs) · clamp(σt / σs) + μt`, as (scale, offset) per channel.
    public static func reinhardCoefficients(from source: LabStatistics, to target: LabStatistics) -> [(Float, Float)] {
        (0..<3).map { c in
            let ratio = source.deviation[c] > 1e-6 ? target.deviation[c] / source.deviation[c] : 1
            let k = min(max(ratio, 1 / maxDeviationRatio), maxDeviationRatio)
            return (Float(k), Float(target.mean[c] - source.mean[c] * k))
        }
    }

    /// Reinhard et al.'s statistics transfer (2001), in CIE Lab instead of lαβ: every pixel's
    /// L, a, b is mapped by ``reinhardCoefficients(from:to:)``, then blended with the
    /// original by `strength × mask` in linear light. One fused tiled pass (linear → Lab →
    /// affine → linear per row); alpha is copied; grey input gives RGB output. Bit-identical
    /// on any schedule.
    public static func reinhard(_ source: Raster, from: LabStatistics, to: LabStatistics, mask: Raster? = nil,
                                strength: Float = 1, schedule: Schedule = .default) -> Raster {
        let coefficients = reinhardCoefficients(from: from, to: to)
        let (k0, o0) = coefficients[0], (k1, o1) = coefficients[1], (k2, o2) = coefficients[2]
        return LabRowMap.map(source, mask: mask, strength: strength, schedule: schedule) { p0, p1, p2, n in
            for i in 0..<n {
                p0[i] = p0[i] * k0 + o0
                p1[i] = p1[i] * k1 + o1
                p2[i] = p2[i] * k2 + o2
            }
        }
    }

    /// Blends `result` into `original` by `strength × mask` (linear light, premultiplied):
    /// `original + k · (result − original)`. Same sizes and layouts. Bit-identical on any schedule.
    public static func blend(_ original: Raster, _ result: Raster, mask: Raster?, strength: Float,
                             schedule: Schedule = .default) -> Raster {
        precondition(original.width == result.width && original.height == result.height && original.layout == result.layout, "blend shapes")
        if mask == nil && strength >= 1 { return result }
        var out = Raster(uninitializedWidth: result.width, height: result.height, layout: result.layout)
        out.isPremultiplied = result.isPremultiplied
        let colour = result.layout.colourChannels, hasAlpha = result.layout.hasAlpha
        original.withView { ov in
            result.withView { rv in
                out.withMutableView { dv in
                    withOptionalView(mask) { mv in
                        TileScheduler.forEachTile(in: result.bounds, schedule: schedule) { tile in
                            for y in tile.y..<tile.maxY {
                                let o = y &* rv.width
                                let m: UnsafePointer<Float>? = mv.map { $0.plane(0) + o }
                                for c in 0..<colour {
                                    let s = ov.plane(c) + o, r = rv.plane(c) + o, d = dv.plane(c) + o
                                    for x in tile.x..<tile.maxX {
                                        var k = strength
                                        if let m { k *= m[x] }
                                        d[x] = s[x] + k * (r[x] - s[x])
                                    }
                                }
                                if hasAlpha {
                                    (dv.plane(colour) + o + tile.x).update(from: rv.plane(colour) + o + tile.x, count: tile.width)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Pitié-style "regrain": keeps the source's fine detail under a colour transfer so that a
    /// stretched distribution does not turn grain, JPEG blocks or smooth gradients into
    /// banding or noise.
    ///
    /// Meld's regrain is a guided filter (He et al. 2010), not Pitié's gradient-domain solve:
    /// the change the transfer made, `D = transferred − original` (linear RGB, per channel),
    /// is replaced by the local affine function of the source's lightness (L/100) that best
    /// fits it in each Gaussian window of `sigma` pixels (regularised by `epsilon`). The
    /// output `original + D'` has the transferred colours at the scale of the window and the
    /// original's edges and texture below it: where the source is flat the change is smooth,
    /// where the source has an edge the change may follow it.
    ///
    /// Cost: 14 plane blurs of `sigma` plus a Lab conversion; built from bit-identical tiled
    /// stages, so the result is the same on any schedule.
    public static func regrain(original: Raster, transferred: Raster, sigma: Float = 3, epsilon: Float = 2e-4,
                               schedule: Schedule = .default) -> Raster {
        let src = RasterLayouts.expandedToRGB(original)
        precondition(src.width == transferred.width && src.height == transferred.height && src.layout == transferred.layout, "regrain shapes")
        let w = src.width, h = src.height, n = w * h
        guard n > 0 else { return transferred }
        let lab = ColourConversion.convert(src, from: .linearSRGB, to: .lab, schedule: schedule)
        // Planes: guide G, G², D (3), G·D (3).
        var g = Raster(uninitializedWidth: w, height: h, layout: .gray)
        var g2 = Raster(uninitializedWidth: w, height: h, layout: .gray)
        var d = Raster(uninitializedWidth: w, height: h, layout: .rgb)
        var gd = Raster(uninitializedWidth: w, height: h, layout: .rgb)
        lab.withView { lv in
            src.withView { sv in
                transferred.withView { tv in
                    g.withMutableView { gv in
                        g2.withMutableView { g2v in
                            d.withMutableView { dv in
                                gd.withMutableView { gdv in
                                    TileScheduler.forEachTile(in: Rect(width: w, height: h), schedule: schedule) { tile in
                                        for y in tile.y..<tile.maxY {
                                            for x in tile.x..<tile.maxX {
                                                let i = y &* w &+ x
                                                let guide = lv.plane(0)[i] / 100
                                                gv.plane(0)[i] = guide
                                                g2v.plane(0)[i] = guide * guide
                                                for c in 0..<3 {
                                                    let delta = tv.plane(c)[i] - sv.plane(c)[i]
                                                    dv.plane(c)[i] = delta
                                                    gdv.plane(c)[i] = guide * delta
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let blur = GaussianBlur(sigma: sigma)
        let mg = blur.apply(to: g, schedule: schedule), mg2 = blur.apply(to: g2, schedule: schedule)
        let md = blur.apply(to: d, schedule: schedule), mgd = blur.apply(to: gd, schedule: schedule)
        var a = Raster(uninitializedWidth: w, height: h, layout: .rgb)
        var b = Raster(uninitializedWidth: w, height: h, layout: .rgb)
        mg.withView { mgv in
            mg2.withView { mg2v in
                md.withView { mdv in
                    mgd.withView { mgdv in
                        a.withMutableView { av in
                            b.withMutableView { bv in
                                TileScheduler.forEachTile(in: Rect(width: w, height: h), schedule: schedule) { tile in
                                    for y in tile.y..<tile.maxY {
                                        for x in tile.x..<tile.maxX {
                                            let i = y &* w &+ x
                                            let mean = mgv.plane(0)[i]
                                            let variance = max(0, mg2v.plane(0)[i] - mean * mean)
                                            for c in 0..<3 {
                                                let cov = mgdv.plane(c)[i] - mean * mdv.plane(c)[i]
                                                let k = cov / (variance + epsilon)
                                                av.plane(c)[i] = k
                                                bv.plane(c)[i] = mdv.plane(c)[i] - k * mean
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let ma = blur.apply(to: a, schedule: schedule), mb = blur.apply(to: b, schedule: schedule)
        var out = Raster(uninitializedWidth: w, height: h, layout: src.layout)
        out.isPremultiplied = src.isPremultiplied
        let hasAlpha = src.layout.hasAlpha
        g.withView { gv in
            ma.withView { mav in
                mb.withView { mbv in
                    src.withView { sv in
                        out.withMutableView { ov in
                            TileScheduler.forEachTile(in: Rect(width: w, height: h), schedule: schedule) { tile in
                                for y in tile.y..<tile.maxY {
                                    for x in tile.x..<tile.maxX {
                                        let i = y &* w &+ x
                                        let guide = gv.plane(0)[i]
                                        for c in 0..<3 {
                                            ov.plane(c)[i] = sv.plane(c)[i] + mav.plane(c)[i] * guide + mbv.plane(c)[i]
                                        }
                                        if hasAlpha { ov.plane(3)[i] = sv.plane(3)[i] }
                                    }
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
