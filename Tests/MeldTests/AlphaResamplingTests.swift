import Meld
import Testing

/// Resampling treats colour as premultiplied by alpha, so a white shape on transparent black
/// keeps a white edge: no transparent-black colour bleeds into visible pixels.
@Suite("Alpha-correct resampling", .libvipsShared)
struct AlphaResamplingTests {
    /// 64x64 RGBA: a 32x32 opaque white square at (16, 16) on transparent black.
    static func whiteSquare(layout: PixelLayout = .rgba) -> Raster {
        var r = Raster(width: 64, height: 64, layout: layout)
        r.withMutableView { v in
            for c in 0..<v.channels {
                for y in 16..<48 { for x in 16..<48 { v.row(y, channel: c)[x] = 1 } }
            }
        }
        return r
    }

    /// (darkest colour code among pixels with alpha > 0, number of such pixels, number of
    /// partly transparent ones).
    static func edgeReport(_ r: Raster) -> (darkest: UInt8, visible: Int, partial: Int) {
        let codes = codes8(r)
        var darkest: UInt8 = 255, visible = 0, partial = 0
        for i in stride(from: 0, to: codes.count, by: 4) where codes[i + 3] > 0 {
            visible += 1
            if codes[i + 3] < 255 { partial += 1 }
            darkest = min(darkest, codes[i], codes[i + 1], codes[i + 2])
        }
        return (darkest, visible, partial)
    }

    @Test(arguments: [0.5, 0.37], ResampleKernel.allCases)
    func downscaleKeepsEdgesWhite(scale: Double, kernel: ResampleKernel) throws {
        let image = try Image(raster: Self.whiteSquare())
        let small = try image.applying(Resize(.scale(scale), kernel: kernel))
        let expected = Int((64 * scale).rounded())
        #expect(small.width == expected && small.height == expected && small.channels == 4)
        let report = Self.edgeReport(try small.raster())
        #expect(report.darkest >= 250, "darkest visible colour \(report.darkest)")
        #expect(report.visible > 0)
        if kernel != .nearest { #expect(report.partial > 0, "the edge is resampled, so some pixels are partly transparent") }
    }

    @Test func rotationKeepsEdgesWhite() throws {
        let rotated = try Image(raster: Self.whiteSquare()).applying(Rotate(degrees: 30))
        #expect(rotated.channels == 4)
        #expect(rotated.width > 64 && rotated.height > 64, "the canvas grows to hold the corners")
        let report = Self.edgeReport(try rotated.raster())
        #expect(report.darkest >= 250, "darkest visible colour \(report.darkest)")
        #expect(report.partial > 0)
    }

    /// The control: the same square without alpha (white on opaque black) does darken at the
    /// edge, so the test above would see a fringe if colour were resampled straight.
    @Test func withoutAlphaTheEdgeDarkens() throws {
        let small = try Image(raster: Self.whiteSquare(layout: .rgb)).applying(Resize(.scale(0.37)))
        let codes = codes8(try small.raster())
        let greys = codes.filter { $0 > 5 && $0 < 250 }.count
        #expect(greys > 0, "edge pixels mix white with black")
    }
}
