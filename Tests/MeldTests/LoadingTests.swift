import Foundation
import Meld
import Testing

/// One bundled sample and what Meld must report about it.
struct SampleFacts: Sendable, CustomTestStringConvertible {
    let file: String
    let width: Int, height: Int, channels: Int
    let format: ImageFormat
    let colourSpace: String
    let icc: String?
    var hasAlpha: Bool { channels == 2 || channels == 4 }
    var testDescription: String { file }
}

let allSamples: [SampleFacts] = [
    SampleFacts(file: "bridge_at_night.jpg", width: 1302, height: 953, channels: 3, format: .jpeg, colourSpace: "srgb", icc: "sRGB built-in"),
    SampleFacts(file: "citrus_fruits.jpg", width: 1350, height: 890, channels: 3, format: .jpeg, colourSpace: "srgb", icc: "sRGB built-in"),
    SampleFacts(file: "dandelion_meadow_16mp.jpg", width: 5312, height: 2988, channels: 3, format: .jpeg, colourSpace: "srgb", icc: nil),
    SampleFacts(file: "fig_in_red_bowl.jpg", width: 2572, height: 1740, channels: 3, format: .jpeg, colourSpace: "srgb", icc: nil),
    SampleFacts(file: "grace_hopper.jpg", width: 512, height: 600, channels: 3, format: .jpeg, colourSpace: "srgb", icc: nil),
    SampleFacts(file: "toy_bird_lamp.jpg", width: 2880, height: 2160, channels: 3, format: .jpeg, colourSpace: "srgb", icc: nil),
    SampleFacts(file: "cameraman_gray.png", width: 512, height: 512, channels: 1, format: .png, colourSpace: "b-w", icc: nil),
    SampleFacts(file: "lightbulb_cutout.png", width: 301, height: 500, channels: 4, format: .png, colourSpace: "srgb", icc: nil),
]

@Suite("Loading the bundled samples", .libvipsShared)
struct LoadingTests {
    /// Header facts from a path and from the same bytes in memory (no pixels are decoded, so
    /// the 16 MP sample costs nothing here).
    @Test(arguments: allSamples)
    func loadsFromPathAndData(_ s: SampleFacts) throws {
        let path = IO.sample(s.file)
        let fromPath = try Image(contentsOf: path)
        let fromData = try Image(data: IO.data(path))
        let fromURL = try Image(contentsOf: URL(fileURLWithPath: path))
        for image in [fromPath, fromData, fromURL] {
            #expect(image.width == s.width && image.height == s.height)
            #expect(image.channels == s.channels)
            #expect(image.bitDepth == 8)
            #expect(image.hasAlpha == s.hasAlpha)
            #expect(image.sourceFormat == s.format)
        }
        #expect(fromPath.sourcePaths == [URL(fileURLWithPath: path).resolvingSymlinksInPath().path])
        #expect(fromData.sourcePaths.isEmpty)
    }

    @Test(arguments: allSamples)
    func infoReportsTheHeader(_ s: SampleFacts) throws {
        let path = IO.sample(s.file)
        let info = try ImageInfo(contentsOf: path)
        #expect(info.path == path)
        #expect(info.format == s.format)
        #expect(info.width == s.width && info.height == s.height)
        #expect(info.channels == s.channels && info.hasAlpha == s.hasAlpha)
        #expect(info.bitDepth == 8 && info.sampleFormat == "uchar")
        #expect(info.colourSpace == s.colourSpace)
        #expect(info.iccProfile == s.icc)
        #expect((info.iccProfileBytes > 0) == (s.icc != nil))
        #expect(info.orientation == 1 && info.pages == 1)
        #expect(info.fileBytes == IO.size(path))
        // The same facts through a loaded image.
        let viaImage = try Image(contentsOf: path).info
        #expect(viaImage.width == info.width && viaImage.channels == info.channels && viaImage.iccProfile == info.iccProfile)
    }

    /// Pixels of the small samples decode into the working format with the right layout.
    @Test(arguments: [("grace_hopper.jpg", PixelLayout.rgb), ("cameraman_gray.png", .gray), ("lightbulb_cutout.png", .rgba)])
    func rasterLayout(file: String, layout: PixelLayout) throws {
        let image = try Image(contentsOf: IO.sample(file))
        let raster = try image.raster()
        #expect(raster.layout == layout)
        #expect(raster.width == image.width && raster.height == image.height)
        #expect(raster.isPremultiplied)
        var lo: Float = .infinity, hi: Float = -.infinity
        raster.withView { v in
            for i in 0..<(v.width * v.height * v.channels) { lo = min(lo, v.base[i]); hi = max(hi, v.base[i]) }
        }
        #expect(lo >= 0 && hi <= 1 && hi > 0.5, "linear values in 0…1 with real content (\(lo)…\(hi))")
    }
}
