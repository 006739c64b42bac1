/// The one pass the Lab-space restyle kernels share: each row's colour is unpremultiplied,
/// converted to Lab planes, changed by `body`, converted back, re-premultiplied and blended
/// with the original by `strength × mask` in linear light; alpha is copied, grey becomes RGB.
/// Per-pixel work only, so the result is bit-identical on any schedule.
enum LabRowMap {
    /// Applies `body` (L, a, b planes of `n` pixels, changed in place) to every row of `source`.
    static func map(_ source: Raster, mask: Raster?, strength: Float, schedule: Schedule,
                    _ body: @escaping @Sendable (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                                 UnsafeMutablePointer<Float>, Int) -> Void) -> Raster {
        let src = RasterLayouts.expandedToRGB(source)
        var out = Raster(uninitializedWidth: src.width, height: src.height, layout: src.layout)
        out.isPremultiplied = src.isPremultiplied
        let hasAlpha = src.layout.hasAlpha, premultiplied = src.isPremultiplied
        let toLab = ColourConversion.plan(from: .linearSRGB, to: .lab), fromLab = ColourConversion.plan(from: .lab, to: .linearSRGB)
        src.withView { sv in
            out.withMutableView { ov in
                withOptionalView(mask) { mv in
                    TileScheduler.forEachTile(in: src.bounds, schedule: schedule,
                                              makeScratch: { RowScratch(capacity: min(schedule.tileWidth, src.width)) }) { tile, scratch in
                        let n = tile.width
                        let p0 = scratch.planes[0], p1 = scratch.planes[1], p2 = scratch.planes[2]
                        for y in tile.y..<tile.maxY {
                            let o = y &* sv.width &+ tile.x
                            let a: UnsafePointer<Float>? = hasAlpha ? sv.plane(3) + o : nil
                            for c in 0..<3 {
                                let s = sv.plane(c) + o, d = scratch.planes[c]
                                if let a, premultiplied {
                                    for i in 0..<n { d[i] = a[i] > 0 ? s[i] / a[i] : 0 }
                                } else {
                                    d.update(from: s, count: n)
                                }
                            }
                            for stage in toLab { stage.run(p0, p1, p2, n) }
                            body(p0, p1, p2, n)
                            for stage in fromLab { stage.run(p0, p1, p2, n) }
                            let m: UnsafePointer<Float>? = mv.map { $0.plane(0) + o }
                            for c in 0..<3 {
                                let s = sv.plane(c) + o, d = ov.plane(c) + o, t = scratch.planes[c]
                                for i in 0..<n {
                                    var v = t[i]
                                    if let a, premultiplied { v *= a[i] }
                                    var k = strength
                                    if let m { k *= m[i] }
                                    d[i] = k >= 1 ? v : s[i] + k * (v - s[i])
                                }
                            }
                            if let a { (ov.plane(3) + o).update(from: a, count: n) }
                        }
                    }
                }
            }
        }
        return out
    }
}
