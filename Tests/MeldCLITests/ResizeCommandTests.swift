import Foundation
import Meld
import Testing

@Suite("meld resize")
struct ResizeCommandTests {
    static let grace = CLI.sample("grace_hopper.jpg") // 512x600

    @Test(arguments: [
        (["--scale", "0.25"], 128, 150),
        (["--width", "100"], 100, 117),
        (["--height", "100"], 85, 100),
        (["--fit", "100x100"], 85, 100),
        (["--fit", "300X100"], 85, 100),
        (["--fill", "100x50"], 100, 50),
        (["--fill", "100x50", "--kernel", "cubic"], 100, 50),
        (["--width", "99", "--kernel", "nearest"], 99, 116),
    ])
    func modes(arguments: [String], width: Int, height: Int) throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["resize", Self.grace, "-o", "out.jpg"] + arguments, in: folder)
            #expect(r.status == 0 && r.stdout.isEmpty && r.stderr.isEmpty, "\(r)")
            let info = try CLI.info(folder + "/out.jpg")
            #expect(info.width == width && info.height == height)
            #expect(CLI.contents(of: folder) == ["out.jpg"])
        }
    }

    @Test func oddSizedFit() throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["resize", CLI.sample("bridge_at_night.jpg"), "-o", "fit.webp", "--fit", "800x800", "--effort", "0"], in: folder)
            #expect(r.status == 0, "\(r)")
            let info = try CLI.info(folder + "/fit.webp")
            #expect(info.width == 800 && info.height == 586 && info.format == .webp)
        }
    }

    @Test func sixteenBitStaysSixteenInPNG() throws {
        try CLI.withTemporaryFolder { folder in
            let input = CLI.fixture("colour/hopper-rgb16.png")
            #expect(try CLI.run(["resize", input, "-o", "small.png", "--width", "48"], in: folder).status == 0)
            let png = try CLI.info(folder + "/small.png")
            #expect(png.bitDepth == 16 && png.width == 48 && png.height == 57)
            #expect(try CLI.run(["resize", input, "-o", "small.jpg", "--width", "48"], in: folder).status == 0)
            #expect(try CLI.info(folder + "/small.jpg").bitDepth == 8)
        }
    }

    /// Alpha survives resizing to PNG.
    @Test func alphaIsKept() throws {
        try CLI.withTemporaryFolder { folder in
            #expect(try CLI.run(["resize", CLI.sample("lightbulb_cutout.png"), "-o", "bulb.png", "--height", "100"], in: folder).status == 0)
            let info = try CLI.info(folder + "/bulb.png")
            #expect(info.channels == 4 && info.hasAlpha && info.height == 100 && info.width == 60)
        }
    }

    @Test(arguments: [
        (["--scale", "0.5", "--width", "10"], "give exactly one of"),
        ([String](), "give exactly one of"),
        (["--fit", "10x"], "--fit takes WIDTHxHEIGHT"),
        (["--fit", "x10"], "--fit takes WIDTHxHEIGHT"),
        (["--fill", "ten"], "--fill takes WIDTHxHEIGHT"),
        (["--fit", "0x10"], "width must be"),
        (["--width", "0"], "width must be"),
        (["--scale=-1"], "scale must be"),
        (["--scale", "-1"], "Missing value for '--scale <factor>'"),
        (["--scale", "nan"], "scale must be"),
        (["--width", "10", "--kernel", "bogus"], "--kernel must be"),
        (["--width", "10", "--quality", "0"], "--quality must be 1–100"),
        (["--width", "10", "--format", "bmp"], "unknown format 'bmp'"),
    ])
    func argumentErrors(arguments: [String], message: String) throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["resize", Self.grace, "-o", "out.jpg"] + arguments, in: folder)
            expectUsageError(r, containing: message)
            #expect(CLI.contents(of: folder).isEmpty)
        }
    }

    @Test func missingOutputAndUnknownExtension() throws {
        try CLI.withTemporaryFolder { folder in
            expectUsageError(try CLI.run(["resize", Self.grace, "--width", "10"], in: folder), containing: "--output")
            expectUsageError(try CLI.run(["resize", Self.grace, "-o", "out.xyz", "--width", "10"], in: folder),
                             containing: "cannot tell the output format from 'out.xyz'")
            expectUsageError(try CLI.run(["convert", Self.grace, "-o", "out"], in: folder), containing: "cannot tell the output format")
            #expect(CLI.contents(of: folder).isEmpty)
        }
    }
}
