import Foundation
import Meld
import MeldTestSupport
import Testing

@Suite("Bit depth", .libvipsShared)
struct BitDepthTests {
    static let sixteen = IO.fixture("colour/hopper-rgb16.png")

    @Test func sixteenBitPNGIsReportedAsSuch() throws {
        let info = try ImageInfo(contentsOf: Self.sixteen)
        #expect(info.bitDepth == 16 && info.sampleFormat == "ushort" && info.colourSpace == "rgb16")
        #expect(info.width == 96 && info.height == 113 && info.channels == 3)
        #expect(try Image(contentsOf: Self.sixteen).bitDepth == 16)
    }

    /// PNG and TIFF keep 16 bits (every sample), JPEG and WebP get 8.
    @Test(arguments: [("png", 16), ("tif", 16), ("jpg", 8), ("webp", 8)])
    func conversionKeepsDepthWhereTheFormatCan(ext: String, bits: Int) throws {
        try IO.withTemporaryFolder { folder in
            let image = try Image(contentsOf: Self.sixteen)
            let out = folder + "/out." + ext
            try image.write(to: out)
            #expect(try ImageInfo(contentsOf: out).bitDepth == bits)
            let back = try Image(contentsOf: out).raster()
            let original = try image.raster()
            try #require(sameShape(back, original))
            if bits == 16 {
                #expect(back == original, "\(ImageCompare.describe(back, original))")
            } else {
                #expect(ImageCompare.psnr(back, original) > 30)
            }
        }
    }

    @Test func resizeKeepsSixteenBits() throws {
        try IO.withTemporaryFolder { folder in
            for image in [try Image(contentsOf: Self.sixteen, resizedWith: Resize(.width(50))),
                          try Image(contentsOf: Self.sixteen).resized(.width(50))] {
                #expect(image.bitDepth == 16 && image.width == 50)
                try image.write(to: folder + "/small.png", options: SaveOptions(overwrite: true))
                let info = try ImageInfo(contentsOf: folder + "/small.png")
                #expect(info.bitDepth == 16 && info.width == 50 && info.height == 59)
            }
        }
    }

    /// Raster → 16-bit image → PNG → raster reproduces every sample of a 16-bit file.
    @Test func sixteenBitRasterRoundTripIsExact() throws {
        try IO.withTemporaryFolder { folder in
            let raster = try Image(contentsOf: Self.sixteen).raster()
            let image = try Image(raster: raster, bitDepth: 16)
            #expect(image.bitDepth == 16)
            #expect(try image.raster() == raster)
            try image.write(to: folder + "/again.png")
            #expect(try ImageInfo(contentsOf: folder + "/again.png").bitDepth == 16)
            #expect(try Image(contentsOf: folder + "/again.png").raster() == raster)
            // An 8-bit image of the same raster loses the low byte.
            #expect(try Image(raster: raster).raster() != raster)
        }
    }

    /// Raster → 8-bit image reproduces every 8-bit sample of an opaque image exactly.
    @Test(arguments: ["grace_hopper.jpg", "cameraman_gray.png"])
    func eightBitRasterRoundTripIsExact(_ file: String) throws {
        let raster = try Image(contentsOf: IO.sample(file)).raster()
        let again = try Image(raster: raster).raster()
        #expect(again == raster, "\(ImageCompare.describe(again, raster))")
    }

    /// With alpha: alpha exact everywhere, colour within one code where alpha > 0 (it is
    /// divided by alpha on the way out), also after a trip through a PNG file.
    @Test func rgbaRasterRoundTrip() throws {
        try IO.withTemporaryFolder { folder in
            let raster = try Image(contentsOf: IO.sample("lightbulb_cutout.png")).raster()
            let image = try Image(raster: raster)
            try image.write(to: folder + "/bulb.png")
            for again in [try image.raster(), try Image(contentsOf: folder + "/bulb.png").raster()] {
                try #require(sameShape(again, raster))
                let a = codes8(raster), b = codes8(again)
                var alphaMismatches = 0, worst = 0
                for i in stride(from: 0, to: a.count, by: 4) {
                    if a[i + 3] != b[i + 3] { alphaMismatches += 1 }
                    if a[i + 3] > 0 { for c in 0..<3 { worst = max(worst, abs(Int(a[i + c]) - Int(b[i + c]))) } }
                }
                #expect(alphaMismatches == 0)
                #expect(worst <= 1)
            }
        }
    }

    @Test func explicitBitDepthOption() throws {
        try IO.withTemporaryFolder { folder in
            let photo = try IO.smallPhoto()
            try photo.write(to: folder + "/deep.png", options: SaveOptions(bitDepth: 16))
            #expect(try ImageInfo(contentsOf: folder + "/deep.png").bitDepth == 16)
            try Image(contentsOf: Self.sixteen).write(to: folder + "/shallow.png", options: SaveOptions(bitDepth: 8))
            #expect(try ImageInfo(contentsOf: folder + "/shallow.png").bitDepth == 8)
            try Image(contentsOf: Self.sixteen).write(to: folder + "/shallow.tif", options: SaveOptions(bitDepth: 8))
            #expect(try ImageInfo(contentsOf: folder + "/shallow.tif").bitDepth == 8)
        }
    }
}
