import Foundation
import Meld
import MeldTestSupport
import Testing

@Suite("meld convert")
struct ConvertCommandTests {
    static let grace = CLI.sample("grace_hopper.jpg")

    @Test func qualityChangesTheSize() throws {
        try CLI.withTemporaryFolder { folder in
            let high = try CLI.run(["convert", Self.grace, "-o", "high.jpg", "--quality", "95"], in: folder)
            let low = try CLI.run(["convert", Self.grace, "-o", "low.jpg", "-q", "30"], in: folder)
            #expect(high.status == 0 && low.status == 0, "\(high)\n\(low)")
            #expect(high.stdout.isEmpty && high.stderr.isEmpty)
            #expect(CLI.size(folder + "/high.jpg") > 2 * CLI.size(folder + "/low.jpg"))
            let info = try CLI.info(folder + "/low.jpg")
            #expect(info.format == .jpeg && info.width == 512 && info.height == 600)
            #expect(CLI.contents(of: folder) == ["high.jpg", "low.jpg"])
        }
    }

    /// --format overrides the extension.
    @Test func formatOption() throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["convert", Self.grace, "-o", "picture.out", "--format", "png", "--compression", "1"], in: folder)
            #expect(r.status == 0, "\(r)")
            let info = try CLI.info(folder + "/picture.out")
            #expect(info.format == .png && info.width == 512)
            let webp = try CLI.run(["convert", Self.grace, "-o", "picture.jpg", "--format", "webp", "--lossless", "--effort", "0"], in: folder)
            #expect(webp.status == 0, "\(webp)")
            #expect(try CLI.info(folder + "/picture.jpg").format == .webp)
        }
    }

    /// Every format `meld formats` says it writes converts and reads back at the same size.
    @Test func everyWritableFormat() throws {
        let formats = try CLI.run(["formats", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(formats.stdout.utf8)) as? [String: Any])
        let writable = (object["formats"] as? [[String: Any]] ?? []).filter { $0["write"] as? Bool == true }.compactMap { $0["format"] as? String }
        #expect(Set(["jpeg", "png", "webp", "tiff", "gif"]).isSubset(of: writable))
        // The command loads only the libvips modules it needs; HEIF must still be there whenever
        // the library (which loads every module) can write it.
        for heif in [ImageFormat.heic, .avif] where heif.canWrite {
            #expect(writable.contains(heif.rawValue), "meld lost \(heif) by loading only the HEIF module")
        }
        try CLI.withTemporaryFolder { folder in
            let small = folder + "/small.png"
            #expect(try CLI.run(["resize", Self.grace, "-o", small, "--width", "96"]).status == 0)
            let formats = try writable.map { try #require(ImageFormat(name: $0)) }
            for format in formats {
                let r = try CLI.run(["convert", small, "-o", "out." + format.extensions[0], "--effort", format == .jxl ? "1" : "0", "-q", "60"], in: folder)
                #expect(r.status == 0, "\(format): \(r)")
            }
            let infos = try CLI.infos(formats.map { folder + "/out." + $0.extensions[0] })
            for (format, info) in zip(formats, infos) {
                #expect(info.format == format && info.width == 96 && info.height == 113, "\(format)")
            }
        }
    }

    /// --strip drops the camera's EXIF and keeps the ICC profile.
    @Test func stripOption() throws {
        try CLI.withTemporaryFolder { folder in
            let bridge = CLI.sample("bridge_at_night.jpg")
            #expect(try CLI.run(["convert", bridge, "-o", "kept.jpg"], in: folder).status == 0)
            #expect(try CLI.run(["convert", bridge, "-o", "stripped.jpg", "--strip"], in: folder).status == 0)
            let kept = try Data(contentsOf: URL(fileURLWithPath: folder + "/kept.jpg"))
            let stripped = try Data(contentsOf: URL(fileURLWithPath: folder + "/stripped.jpg"))
            #expect(kept.range(of: Data("OLYMPUS".utf8)) != nil)
            #expect(stripped.range(of: Data("OLYMPUS".utf8)) == nil)
            #expect(stripped.range(of: Data("Derek Jensen".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })) == nil)
            #expect(try CLI.info(folder + "/stripped.jpg").iccProfile == "sRGB built-in")
        }
    }

    @Test func bitDepthOption() throws {
        try CLI.withTemporaryFolder { folder in
            #expect(try CLI.run(["convert", Self.grace, "-o", "deep.png", "--bit-depth", "16"], in: folder).status == 0)
            #expect(try CLI.info(folder + "/deep.png").bitDepth == 16)
            let sixteen = CLI.fixture("colour/hopper-rgb16.png")
            for (out, bits) in [("keep.png", 16), ("keep.tif", 16), ("flat.jpg", 8), ("flat.png", 8)] {
                let extra = out == "flat.png" ? ["--bit-depth", "8"] : []
                let r = try CLI.run(["convert", sixteen, "-o", out] + extra, in: folder)
                #expect(r.status == 0, "\(r)")
                #expect(try CLI.info(folder + "/" + out).bitDepth == bits, "\(out)")
            }
            let bad = try CLI.run(["convert", Self.grace, "-o", "x.jpg", "--bit-depth", "12"], in: folder)
            expectOneErrorLine(bad, startingWith: "meld convert: save: ", containing: "jpeg stores 8-bit samples, not 12-bit")
            #expect(!CLI.contents(of: folder).contains("x.jpg"))
        }
    }

    /// CMYK: to PNG it becomes 3-band sRGB with the same colours; to JPEG it stays CMYK with
    /// its profile.
    @Test(.libvipsShared) func cmykInput() throws {
        try CLI.withTemporaryFolder { folder in
            let cmyk = CLI.fixture("colour/citrus-cmyk.jpg")
            #expect(try CLI.run(["convert", cmyk, "-o", "rgb.png"], in: folder).status == 0)
            let png = try CLI.info(folder + "/rgb.png")
            #expect(png.channels == 3 && png.colourSpace == "srgb" && png.format == .png)
            let converted = try Image(contentsOf: folder + "/rgb.png").raster()
            let reference = try Image(contentsOf: CLI.fixture("colour/citrus-srgb.jpg")).raster()
            try #require(converted.width == reference.width && converted.height == reference.height && converted.layout == reference.layout)
            #expect(ImageCompare.psnr(converted, reference) > 35)
            #expect(try CLI.run(["convert", cmyk, "-o", "still.jpg"], in: folder).status == 0)
            let jpeg = try CLI.info(folder + "/still.jpg")
            #expect(jpeg.channels == 4 && jpeg.colourSpace == "cmyk" && jpeg.iccProfile == "Meld naive CMYK")
        }
    }

    @Test func existingOutputNeedsOverwrite() throws {
        try CLI.withTemporaryFolder { folder in
            let out = folder + "/out.jpg"
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: out))
            let refused = try CLI.run(["convert", Self.grace, "-o", out])
            expectOneErrorLine(refused, startingWith: "meld convert: save: ", containing: "already exists")
            #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data("keep me".utf8))
            let replaced = try CLI.run(["convert", Self.grace, "-o", out, "--overwrite"])
            #expect(replaced.status == 0, "\(replaced)")
            #expect(try CLI.info(out).width == 512)
            #expect(CLI.contents(of: folder) == ["out.jpg"])
        }
    }

    @Test func outputThatIsTheInputIsRefused() throws {
        try CLI.withTemporaryFolder { folder in
            let input = folder + "/photo.jpg"
            try Data(contentsOf: URL(fileURLWithPath: Self.grace)).write(to: URL(fileURLWithPath: input))
            let before = try Data(contentsOf: URL(fileURLWithPath: input))
            for target in [input, "photo.jpg", "./sub/../photo.jpg"] {
                try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
                let r = try CLI.run(["convert", "photo.jpg", "-o", target, "--overwrite"], in: folder)
                expectOneErrorLine(r, startingWith: "meld convert: save: ", containing: "is an input")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
            #expect(CLI.contents(of: folder) == ["photo.jpg", "sub"])
        }
    }
}
