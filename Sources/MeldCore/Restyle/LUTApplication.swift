/// Applies a ``ColourLUT`` to a working-format raster, optionally weighted by a coverage mask.
///
/// Per pixel: unpremultiply, encode each channel to sRGB (``EncodedSRGB``, within 2e-5 of
/// exact), look the colour up (``ColourLUT/evaluate(_:_:_:)``: tetrahedral for 3D tables),
/// decode back to linear light, premultiply, and blend with the original by
/// `strength × mask` (in linear light, premultiplied). Alpha is copied. Grey rasters are
/// treated as R = G = B and give RGB output.
///
/// Every pixel is computed on its own with the same float operations whatever the tiling, so
/// all schedules give bit-identical output. Cost: one pass, four lattice reads per pixel (a
/// 33³ table, 431 KB, stays in cache); whole-process timings are in
/// `Benchmarks/peers/results/restyle-*.md`.
public enum LUTApplication {
    /// Returns `source` graded by `lut`.
    ///
    /// - Parameters:
    ///   - mask: optional coverage (one plane, same size as `source`); 0 keeps the original.
    ///   - strength: 0…1 blend between original (0) and graded (1).
    public static func apply(_ lut: ColourLUT, to source: Raster, mask: Raster? = nil, strength: Float = 1,
                             schedule: Schedule = .default) -> Raster {
        precondition(mask == nil || (mask!.width == source.width && mask!.height == source.height), "mask size")
        let src = source.layout.colourChannels == 1 ? RasterLayouts.expandedToRGB(source) : source
        var out = Raster(uninitializedWidth: src.width, height: src.height, layout: src.layout)
        out.isPremultiplied = src.isPremultiplied
        src.withView { sv in
            out.withMutableView { ov in
                grade(lut, from: sv, into: ov, premultiplied: src.isPremultiplied, mask: mask, strength: strength, schedule: schedule)
            }
        }
        return out
    }

    /// Grades `raster` in place: the same result as ``apply(_:to:mask:strength:schedule:)``
    /// without a second full-size raster (a grey raster still becomes RGB).
    public static func apply(_ lut: ColourLUT, toInPlace raster: inout Raster, mask: Raster? = nil, strength: Float = 1,
                             schedule: Schedule = .default) {
        precondition(mask == nil || (mask!.width == raster.width && mask!.height == raster.height), "mask size")
        if raster.layout.colourChannels == 1 { raster = RasterLayouts.expandedToRGB(raster) }
        let premultiplied = raster.isPremultiplied
        raster.withMutableView { view in
            grade(lut, from: view.readOnly, into: view, premultiplied: premultiplied, mask: mask, strength: strength, schedule: schedule)
        }
    }

    /// Grades interleaved 8-bit encoded sRGB pixels in place: RGB, or RGBA with unassociated
    /// alpha (as decoders deliver them). For 8-bit images graded in full this is the same
    /// function as the working-format path without the trip through linear light: each code
    /// `c` is looked up at exactly `c / 255` and the result rounded to the nearest code (the
    /// working-format path agrees within one code; most codes are identical). Fully transparent
    /// pixels and alpha are left alone. Every pixel is computed on its own, so all schedules
    /// give bit-identical output. Cost: one pass, ~4 lattice reads per pixel, no float images.
    ///
    /// - Precondition: `channels` is 3 or 4; `pixels` holds `width × height × channels` bytes.
    public static func apply(_ lut: ColourLUT, toCodes pixels: UnsafeMutablePointer<UInt8>, width: Int, height: Int,
                             channels: Int, schedule: Schedule = .default) {
        precondition(channels == 3 || channels == 4, "RGB or RGBA codes")
        let dim = lut.dimension, n = lut.size
        let scale = (Float(n - 1) / (lut.domainMax[0] - lut.domainMin[0]),
                     Float(n - 1) / (lut.domainMax[1] - lut.domainMin[1]),
                     Float(n - 1) / (lut.domainMax[2] - lut.domainMin[2]))
        let offset = (lut.domainMin[0], lut.domainMin[1], lut.domainMin[2])
        let codes = (0..<256).map { Float($0) / 255 }
        lut.table.withUnsafeBufferPointer { tablePointer in
            codes.withUnsafeBufferPointer { codePointer in
                let t = SendablePointer(tablePointer.baseAddress!), c = SendablePointer(codePointer.baseAddress!)
                let px = UnsafeSendableBox(pixels)
                TileScheduler.forEachTile(in: Rect(width: width, height: height), schedule: schedule) { tile in
                    let code = c.pointer
                    for y in tile.y..<tile.maxY {
                        let row = px.value + (y &* width &+ tile.x) &* channels
                        for i in 0..<tile.width {
                            let p = row + i &* channels
                            if channels == 4 && p[3] == 0 { continue }
                            let v = ColourLUT.lookup(t.pointer, dimension: dim, size: n, scale: scale, offset: offset,
                                                     code[Int(p[0])], code[Int(p[1])], code[Int(p[2])])
                            p[0] = quantise8(v.0); p[1] = quantise8(v.1); p[2] = quantise8(v.2)
                        }
                    }
                }
            }
        }
    }

    /// The nearest 8-bit code of an encoded value (clamped to 0…1; NaN gives 0).
    @inline(__always) static func quantise8(_ v: Float) -> UInt8 {
        UInt8((v > 0 ? min(v, 1) : 0) * 255 + 0.5)
    }

    /// The per-pixel grade from `sv` into `ov` (which may be the same pixels: each pixel is
    /// read before it is written).
    private static func grade(_ lut: ColourLUT, from sv: RasterView, into ov: MutableRasterView, premultiplied: Bool,
                              mask: Raster?, strength: Float, schedule: Schedule) {
        let hasAlpha = sv.channels == 4
        let dim = lut.dimension, n = lut.size
        let scale = (Float(n - 1) / (lut.domainMax[0] - lut.domainMin[0]),
                     Float(n - 1) / (lut.domainMax[1] - lut.domainMin[1]),
                     Float(n - 1) / (lut.domainMax[2] - lut.domainMin[2]))
        let offset = (lut.domainMin[0], lut.domainMin[1], lut.domainMin[2])
        lut.table.withUnsafeBufferPointer { tablePointer in
            EncodedSRGB.withTables { enc, dec in
                let t = SendablePointer(tablePointer.baseAddress!), e = SendablePointer(enc), d = SendablePointer(dec)
                withOptionalView(mask) { mv in
                    TileScheduler.forEachTile(in: Rect(width: sv.width, height: sv.height), schedule: schedule) { tile in
                        for y in tile.y..<tile.maxY {
                            let o = y &* sv.width
                            let r0 = sv.plane(0) + o, g0 = sv.plane(1) + o, b0 = sv.plane(2) + o
                            let r1 = ov.plane(0) + o, g1 = ov.plane(1) + o, b1 = ov.plane(2) + o
                            let a0: UnsafePointer<Float>? = hasAlpha ? sv.plane(3) + o : nil
                            let m0: UnsafePointer<Float>? = mv.map { $0.plane(0) + o }
                            for x in tile.x..<tile.maxX {
                                let a: Float = a0?[x] ?? 1
                                var k = strength
                                if let m0 { k *= m0[x] }
                                let r00 = r0[x], g00 = g0[x], b00 = b0[x]
                                if k <= 0 || a <= 0 {
                                    r1[x] = r00; g1[x] = g00; b1[x] = b00
                                    continue
                                }
                                let inv: Float = (hasAlpha && premultiplied) ? 1 / a : 1
                                let v = ColourLUT.lookup(t.pointer, dimension: dim, size: n, scale: scale, offset: offset,
                                                         EncodedSRGB.encode(r00 * inv, e.pointer),
                                                         EncodedSRGB.encode(g00 * inv, e.pointer),
                                                         EncodedSRGB.encode(b00 * inv, e.pointer))
                                let back: Float = (hasAlpha && premultiplied) ? a : 1
                                let r = EncodedSRGB.decode(v.0, d.pointer) * back
                                let g = EncodedSRGB.decode(v.1, d.pointer) * back
                                let b = EncodedSRGB.decode(v.2, d.pointer) * back
                                if k >= 1 {
                                    r1[x] = r; g1[x] = g; b1[x] = b
                                } else {
                                    r1[x] = r00 + k * (r - r00)
                                    g1[x] = g00 + k * (g - g00)
                                    b1[x] = b00 + k * (b - b00)
                                }
                            }
                            if let a0, UnsafePointer(ov.plane(3)) != sv.plane(3) {
                                (ov.plane(3) + o + tile.x).update(from: a0 + tile.x, count: tile.width)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Calls `body` with a view of `raster` when there is one.
@inline(__always)
func withOptionalView<R>(_ raster: Raster?, _ body: (RasterView?) -> R) -> R {
    if let raster { return raster.withView { body($0) } }
    return body(nil)
}

/// Layout changes kernels need.
public enum RasterLayouts {
    /// A grey or grey+alpha raster as RGB or RGBA (R = G = B); other layouts are returned as is.
    public static func expandedToRGB(_ source: Raster) -> Raster {
        guard source.layout.colourChannels == 1 else { return source }
        let layout: PixelLayout = source.layout.hasAlpha ? .rgba : .rgb
        var out = Raster(uninitializedWidth: source.width, height: source.height, layout: layout)
        out.isPremultiplied = source.isPremultiplied
        let n = source.planeCount
        source.withView { s in
            out.withMutableView { d in
                for c in 0..<3 { d.plane(c).update(from: s.plane(0), count: n) }
                if source.layout.hasAlpha { d.plane(3).update(from: s.plane(1), count: n) }
            }
        }
        return out
    }
}
