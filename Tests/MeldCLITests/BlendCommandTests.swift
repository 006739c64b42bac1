import Foundation
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
