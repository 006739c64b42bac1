import Meld
import MeldTestSupport
import Testing

/// Masks are read as stored values (no transfer curve), from alpha, grey or luma, any bit depth,
/// resampled to the size asked for.
@Suite("Masks", .libvipsShared)
struct MaskTests {
    @Test(arguments: [8, 16])
    func storedValuesRoundTrip(bits: Int) throws {
        try IO.withTemporaryFolder { folder in
            var r = Raster(width: 5, height: 3, layout: .gray)
            r.isPremultiplied = false
            r.withMutableView { v in for i in 0..<15 { v.plane(0)[i] = Float(i) / 14 } }
            let path = folder + "/m.png"
            try Mask(raster: r).image(bitDepth: bits).write(to: path)
            let back = try Mask(contentsOf: path)
            #expect(back.width == 5 && back.height == 3)
            let step: Float = bits == 8 ? 1 / 255 : 1 / 65535
            for i in 0..<15 {
                let want = Float(i) / 14
                #expect(abs(back.raster[i % 5, i / 5, 0] - want) <= step / 2 + 1e-6, "pixel \(i)")
            }
        }
    }

    @Test func halfGreyIsHalfCoverage() throws {
        // An sRGB image whose stored code is 128 everywhere: coverage 128/255, not the linear 0.216.
        var r = Raster(width: 4, height: 4, layout: .rgb)
        let linear = SRGBTransfer.decode8[128]
        r.withMutableView { v in for c in 0..<3 { v.plane(c).update(repeating: linear, count: 16) } }
        let mask = try Mask(image: try Image(raster: r))
        #expect(abs(mask.raster[2, 2, 0] - 128.0 / 255) < 1e-6)
    }

    @Test func alphaWinsOverColour() throws {
        var r = Raster(width: 4, height: 4, layout: .rgba)
        r.withMutableView { v in
            for c in 0..<3 { v.plane(c).update(repeating: 0, count: 16) }   // black, premultiplied
            for i in 0..<16 { v.plane(3)[i] = i < 8 ? 0 : 1 }
        }
        let mask = try Mask(image: try Image(raster: r))
        #expect(mask.raster[0, 0, 0] == 0 && mask.raster[0, 3, 0] == 1)
    }

    @Test func resampledToAnySize() throws {
        let mask = Mask(width: 8, height: 6, value: 0.25)
        let big = try mask.resampled(width: 37, height: 11)
        #expect(big.width == 37 && big.height == 11)
        for y in 0..<11 { for x in 0..<37 { #expect(abs(big.raster[x, y, 0] - 0.25) < 1e-4) } }
    }
}
