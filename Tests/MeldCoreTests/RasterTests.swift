import MeldCore
import MeldTestSupport
import Testing

@Suite("Raster")
struct RasterTests {
    func basePointer(_ r: Raster) -> UnsafePointer<Float> { r.withView { $0.base } }

    @Test func newRasterIsZeroAndPremultiplied() {
        let r = Raster(width: 5, height: 3, layout: .rgba)
        #expect(r.width == 5 && r.height == 3 && r.channels == 4 && r.planeCount == 15)
        #expect(r.bounds == Rect(width: 5, height: 3))
        #expect(r.isPremultiplied)
        for c in 0..<4 { for y in 0..<3 { for x in 0..<5 { #expect(r[x, y, c].bitPattern == 0) } } }
    }

    @Test func subscriptAddressesPlanarStorage() {
        var r = Raster(width: 7, height: 4, layout: .rgb)
        for c in 0..<3 { for y in 0..<4 { for x in 0..<7 { r[x, y, c] = Float(c * 1000 + y * 10 + x) } } }
        r.withView { v in
            #expect(v.width == 7 && v.height == 4 && v.channels == 3)
            for c in 0..<3 {
                for y in 0..<4 {
                    for x in 0..<7 {
                        #expect(v.base[c * 28 + y * 7 + x] == Float(c * 1000 + y * 10 + x))
                        #expect(v.row(y, channel: c)[x] == r[x, y, c])
                        #expect(v.plane(c)[y * 7 + x] == r[x, y, c])
                    }
                }
            }
        }
        r[6, 3, 2] = -2.5
        #expect(r[6, 3, 2] == -2.5 && r[5, 3, 2] == 2035)
    }

    @Test func copiesAreIndependent() {
        let original = SyntheticScene.noise(width: 9, height: 5, layout: .rgba, seed: 3)
        var copy = original
        #expect(copy == original)
        #expect(basePointer(copy) == basePointer(original), "a plain copy shares storage until written")
        let before = original[4, 2, 1]
        copy[4, 2, 1] = 12345
        #expect(original[4, 2, 1] == before, "writing a copy must not change the original")
        #expect(copy[4, 2, 1] == 12345)
        #expect(copy != original)
        #expect(basePointer(copy) != basePointer(original))

        var viaView = original
        viaView.withMutableView { v in v.plane(3)[0] = -1 }
        #expect(original[0, 0, 3] != -1 && viaView[0, 0, 3] == -1)
        #expect(ImageCompare.firstDifference(viaView, original) == RasterDifference(x: 0, y: 0, channel: 3, a: -1, b: original[0, 0, 3]))
    }

    @Test func uniqueRasterIsWrittenInPlace() {
        var r = SyntheticScene.noise(width: 9, height: 5, layout: .rgb, seed: 4)
        let p = basePointer(r)
        r[1, 1, 1] = 2
        r.withMutableView { $0.base[0] = 3 }
        #expect(basePointer(r) == p, "no copy when the storage is not shared")
    }

    @Test func reshapeReusesUniqueStorage() {
        var r = Raster(width: 20, height: 10, layout: .rgba)   // 800 floats
        let p = basePointer(r)
        r.reshape(width: 10, height: 10, layout: .rgb)          // 300 floats: fits
        #expect(r.width == 10 && r.height == 10 && r.layout == .rgb && r.channels == 3)
        #expect(basePointer(r) == p, "smaller reshape must reuse the buffer")
        r.reshape(width: 40, height: 5, layout: .rgba)           // 800 floats: still fits exactly
        #expect(basePointer(r) == p)
        r.isPremultiplied = false
        r.reshape(width: 41, height: 5, layout: .rgba)           // 820 floats: needs a new buffer
        #expect(r.width == 41 && r.isPremultiplied, "reshape resets the premultiplied flag")
        #expect(basePointer(r) != p)
        // Every pixel is addressable after reshaping.
        r[40, 4, 3] = 1
        #expect(r[40, 4, 3] == 1)
    }

    @Test func reshapeNeverWritesIntoSharedStorage() {
        var r = SyntheticScene.noise(width: 8, height: 8, layout: .rgba, seed: 5)
        let keep = r
        let snapshot = (0..<8).map { keep[$0, $0, 0] }
        r.reshape(width: 4, height: 4, layout: .gray)
        #expect(basePointer(r) != basePointer(keep))
        r.withMutableView { v in for i in 0..<16 { v.base[i] = -7 } }
        #expect((0..<8).map { keep[$0, $0, 0] } == snapshot, "the other raster is untouched")
        #expect(keep.width == 8 && keep.layout == .rgba)
    }

    @Test func equalityComparesBitsShapeAndFlag() {
        var a = Raster(width: 3, height: 2, layout: .grayAlpha)
        var b = Raster(width: 3, height: 2, layout: .grayAlpha)
        #expect(a == b)
        b[2, 1, 0] = -0.0                                       // == 0 numerically, different bits
        #expect(a != b)
        b[2, 1, 0] = 0
        #expect(a == b)
        b.isPremultiplied = false
        #expect(a != b, "the premultiplied flag is part of the value")
        b.isPremultiplied = true
        a[0, 0, 1] = .nan
        var c = a
        c[1, 0, 0] = 0                                           // forces a copy; the NaN bits travel with it
        #expect(a == c, "NaN equals itself bit for bit")
        #expect(Raster(width: 3, height: 2, layout: .rgb) != Raster(width: 2, height: 3, layout: .rgb))
        #expect(Raster(width: 3, height: 2, layout: .rgb) != Raster(width: 3, height: 2, layout: .rgba))
    }

    @Test func emptyRasters() {
        let r = Raster(width: 0, height: 4, layout: .rgb)
        #expect(r.planeCount == 0 && r.bounds.isEmpty)
        #expect(r == Raster(width: 0, height: 4, layout: .rgb))
        var u = Raster(uninitializedWidth: 0, height: 0, layout: .gray)
        u.reshape(width: 2, height: 2, layout: .gray)
        u[1, 1, 0] = 1
        #expect(u[1, 1, 0] == 1)
    }

    @Test func pixelLayoutCounts() {
        for layout in PixelLayout.allCases {
            #expect(PixelLayout(channels: layout.channels) == layout)
            #expect(layout.colourChannels == layout.channels - (layout.hasAlpha ? 1 : 0))
            #expect(layout.addingAlpha.hasAlpha && layout.addingAlpha.colourChannels == layout.colourChannels)
        }
        #expect(PixelLayout(channels: 0) == nil && PixelLayout(channels: 5) == nil)
    }
}
