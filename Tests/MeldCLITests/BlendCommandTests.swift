import Foundation
import Meld
import MeldCore
import MeldTestSupport
import Testing

@Suite("meld blend")
struct BlendCommandTests {
    static let citrus = CLI.sample("citrus_fruits.jpg") // 1350x890
    static let bulb = CLI.sample("lightbulb_cutout.png") // 301x500, alpha: its own mask

    @Test(arguments: ["normal", "mixed", "monochrome", "multiband"])
    func modes(mode: String) throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["blend", Self.bulb, "--into", Self.citrus, "--mask", Self.bulb,
                                 "--center", "675,445", "--mode", mode, "-o", "out.jpg"], in: folder)
            #expect(r.status == 0 && r.stdout.isEmpty && r.stderr.isEmpty, "\(r)")
            let info = try CLI.info(folder + "/out.jpg")
            #expect(info.width == 1350 && info.height == 890 && info.channels == 3)
            #expect(CLI.contents(of: folder) == ["out.jpg"])
        }
    }

    /// The default erosion: OpenCV's 3 px for the Poisson modes with an opaque source (the output
    /// is `--erode 3`'s, byte for byte, and differs from `--erode 0`'s), none with a source that
    /// has alpha (a cut-out) or in multiband mode.
    @Test func defaultErosionFollowsOpenCVExceptForCutOuts() throws {
        try CLI.withTemporaryFolder { folder in
            let photo = try Image(contentsOf: Self.citrus).raster()
            var rgb = Raster(width: 240, height: 160, layout: .rgb), rgba = Raster(width: 240, height: 160, layout: .rgba)
            for y in 0..<160 {
                for x in 0..<240 {
                    for c in 0..<3 { rgb[x, y, c] = photo[500 + x, 300 + y, c] * 0.8; rgba[x, y, c] = rgb[x, y, c] }
                    rgba[x, y, 3] = 1
                }
            }
            let ellipse = Coverage.ellipse(cx: 120, cy: 80, rx: 100, ry: 60, width: 240, height: 160, schedule: .default)
            try Image(raster: rgb).write(to: folder + "/rgb.png")
            try Image(raster: rgba).write(to: folder + "/rgba.png")
            try Image(raster: ellipse).write(to: folder + "/mask.png")
            func blend(_ source: String, _ extra: [String], _ out: String) throws -> Data {
                let r = try CLI.run(["blend", source, "--into", Self.citrus, "--mask", "mask.png", "--center", "600,400",
                                     "-o", out] + extra, in: folder)
                #expect(r.status == 0, "\(r)")
                return try Data(contentsOf: URL(fileURLWithPath: folder + "/" + out))
            }
            let plain = try blend("rgb.png", [], "a.png"), three = try blend("rgb.png", ["--erode", "3"], "b.png")
            let none = try blend("rgb.png", ["--erode", "0"], "c.png")
            #expect(plain == three && plain != none)
            #expect(try blend("rgba.png", [], "d.png") == (try blend("rgba.png", ["--erode", "0"], "e.png")))
            #expect(try blend("rgb.png", ["--mode", "multiband"], "f.png") == (try blend("rgb.png", ["--mode", "multiband", "--erode", "0"], "g.png")))
            #expect(try blend("rgb.png", ["--mode", "mixed"], "h.png") == (try blend("rgb.png", ["--mode", "mixed", "--erode", "3"], "i.png")))
            // A mask thinner than the default shrink: the error names the default and the way out.
            var thin = Coverage.empty(width: 240, height: 160)
            for y in 78..<83 { for x in 20..<220 { thin[x, y, 0] = 1 } }
            try Image(raster: thin).write(to: folder + "/thin.png")
            let r = try CLI.run(["blend", "rgb.png", "--into", Self.citrus, "--mask", "thin.png", "--center", "600,400", "-o", "t.png"], in: folder)
            expectOneErrorLine(r, startingWith: "meld blend: ", containing: "too thin for the default 3 px shrink (OpenCV's seam); pass --erode 0")
            #expect(try CLI.run(["blend", "rgb.png", "--into", Self.citrus, "--mask", "thin.png", "--center", "600,400", "-o", "t.png",
                                 "--erode", "0"], in: folder).status == 0)
        }
    }

    /// A region hanging over DEST's corner is clipped; a 16-bit DEST gives a 16-bit PNG.
    @Test func sixteenBitAndBorder() throws {
        try CLI.withTemporaryFolder { folder in
            let dest = CLI.fixture("colour/hopper-rgb16.png") // 96x113, 16-bit
            let r = try CLI.run(["blend", Self.bulb, "--into", dest, "--mask", Self.bulb,
                                 "--center", "10,10", "-o", "out.png"], in: folder)
            #expect(r.status == 0, "\(r)")
            let info = try CLI.info(folder + "/out.png")
            #expect(info.width == 96 && info.height == 113 && info.bitDepth == 16)
        }
    }

    /// A float (scRGB TIFF) destination works and is written as 16-bit.
    @Test func floatDestination() throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["blend", Self.bulb, "--into", CLI.fixture("colour/hopper-float.tif"), "--mask", Self.bulb,
                                 "--center", "48,56", "--mode", "mixed", "-o", "out.png"], in: folder)
            #expect(r.status == 0, "\(r)")
            let info = try CLI.info(folder + "/out.png")
            #expect(info.width == 96 && info.height == 113 && info.bitDepth == 16)
        }
    }

    @Test func errors() throws {
        try CLI.withTemporaryFolder { folder in
            let missing = try CLI.run(["blend", Self.bulb, "--into", Self.citrus, "--mask", "no-mask.png",
                                       "--center", "675,445", "-o", "out.jpg"], in: folder)
            expectOneErrorLine(missing, startingWith: "meld blend: ", containing: "does not exist")

            let wrongSize = try CLI.run(["blend", Self.citrus, "--into", Self.citrus, "--mask", Self.bulb,
                                         "--center", "675,445", "-o", "out.jpg"], in: folder)
            expectOneErrorLine(wrongSize, startingWith: "meld blend: mask is 301x500 but the source is 1350x890")

            let outside = try CLI.run(["blend", Self.bulb, "--into", Self.citrus, "--mask", Self.bulb,
                                       "--center", "5000,445", "-o", "out.jpg"], in: folder)
            expectOneErrorLine(outside, startingWith: "meld blend: center:", containing: "lies outside the 1350x890 destination")

            try FileManager.default.copyItem(atPath: Self.bulb, toPath: folder + "/mask.png")
            let maskIsOutput = try CLI.run(["blend", Self.bulb, "--into", Self.citrus, "--mask", "mask.png",
                                            "--center", "675,445", "-o", "./mask.png", "--overwrite"], in: folder)
            expectOneErrorLine(maskIsOutput, startingWith: "meld blend: save: ./mask.png is the mask")
            try FileManager.default.removeItem(atPath: folder + "/mask.png")

            let mode = try CLI.run(["blend", Self.bulb, "--into", Self.citrus, "--mask", Self.bulb, "--mode", "poisson", "-o", "out.jpg"], in: folder)
            expectUsageError(mode, containing: "--mode must be normal, mixed, monochrome or multiband (got 'poisson')")

            let center = try CLI.run(["blend", Self.bulb, "--into", Self.citrus, "--mask", Self.bulb, "--center", "12", "-o", "out.jpg"], in: folder)
            expectUsageError(center, containing: "--center takes X,Y")

            let bands = try CLI.run(["blend", Self.bulb, "--into", Self.citrus, "--mask", Self.bulb, "--bands", "40", "-o", "out.jpg"], in: folder)
            expectUsageError(bands, containing: "bands must be 1–12 (got 40)")

            let erode = try CLI.run(["blend", Self.bulb, "--into", Self.citrus, "--mask", Self.bulb, "--erode", "65", "-o", "out.jpg"], in: folder)
            expectUsageError(erode, containing: "erode must be 0–64 pixels (got 65)")
            #expect(CLI.contents(of: folder).isEmpty)
        }
    }
}
