import Foundation
import Meld
import MeldTestSupport
import Testing

/// Colour-managed images through the public API: P3 and CMYK JPEGs (made from the same sRGB
/// picture by Tests/Fixtures/make-corpus.sh) decode to the sRGB picture's colours.
@Suite("Colour profiles", .libvipsShared)
struct ColourProfileTests {
    static let reference = IO.fixture("colour/citrus-srgb.jpg")

    @Test(arguments: [
        // (file, ICC description, channels, colour space, bound on mean |Δ| in linear light)
        ("colour/citrus-p3.jpg", "sP3C", 3, "srgb", 0.02),
        ("colour/citrus-cmyk.jpg", "Meld naive CMYK", 4, "cmyk", 0.01),
    ])
    func decodesToTheSameColours(file: String, icc: String, channels: Int, space: String, bound: Double) throws {
        let path = IO.fixture(file)
        let info = try ImageInfo(contentsOf: path)
        #expect(info.iccProfile == icc && info.channels == channels && info.colourSpace == space)
        let original = try Image(contentsOf: Self.reference).raster()
        let managed = try Image(contentsOf: path).raster()
        try #require(sameShape(original, managed))
        let difference = meanAbsColourDifference(managed, original)
        #expect(difference < bound, "mean |Δ| \(difference)")
    }

    /// Converting CMYK to a format without CMYK gives 3-band sRGB with the same colours;
    /// JPEG and TIFF keep the CMYK pixels and their profile.
    @Test func cmykOutputs() throws {
        try IO.withTemporaryFolder { folder in
            let cmyk = try Image(contentsOf: IO.fixture("colour/citrus-cmyk.jpg"))
            let original = try Image(contentsOf: Self.reference).raster()
            for name in ["out.png", "out.webp", "out.gif"] {
                try cmyk.write(to: folder + "/" + name)
                let info = try ImageInfo(contentsOf: folder + "/" + name)
                #expect(info.channels == 3 && info.colourSpace == "srgb", "\(name)")
            }
            let png = try Image(contentsOf: folder + "/out.png").raster()
            try #require(sameShape(png, original))
            #expect(meanAbsColourDifference(png, original) < 0.01)
            for name in ["out.jpg", "out.tif"] {
                try cmyk.write(to: folder + "/" + name)
                let info = try ImageInfo(contentsOf: folder + "/" + name)
                #expect(info.channels == 4 && info.colourSpace == "cmyk", "\(name)")
                #expect(info.iccProfile == "Meld naive CMYK", "\(name)")
            }
        }
    }

    /// An RGB profile stays with the pixels: a P3 JPEG converted to PNG is still P3.
    @Test func rgbProfileIsKept() throws {
        try IO.withTemporaryFolder { folder in
            let p3 = try Image(contentsOf: IO.fixture("colour/citrus-p3.jpg"))
            for name in ["out.png", "out.webp", "out.tif", "out.jpg"] {
                try p3.write(to: folder + "/" + name, options: SaveOptions(stripMetadata: name == "out.jpg"))
                #expect(try ImageInfo(contentsOf: folder + "/" + name).iccProfile == "sP3C", "\(name)")
            }
            let png = try Image(contentsOf: folder + "/out.png").raster()
            #expect(png == (try p3.raster()), "a lossless copy decodes to the same colours")
        }
    }
}
