import Foundation
import Meld
import MeldTestSupport
import Testing

@Suite("Saving", .libvipsShared)
struct SavingTests {
    static let writable = ImageFormat.allCases.filter(\.canWrite)

    @Test func theUsualFormatsAreWritable() {
        for f in [ImageFormat.jpeg, .png, .webp, .tiff, .gif] { #expect(f.canWrite && f.canRead, "\(f)") }
    }

    /// Every format this build writes loads back at the same size and is detected as itself.
    @Test(.libvipsExclusive, arguments: writable)
    func writesAndLoadsBack(_ format: ImageFormat) throws {
        try IO.withTemporaryFolder { folder in
            let photo = try IO.smallPhoto()
            let out = folder + "/photo." + format.extensions[0]
            try photo.write(to: out, options: SaveOptions(quality: 60, effort: format == .webp || format == .heic || format == .avif ? 0 : nil))
            let info = try ImageInfo(contentsOf: out)
            #expect(info.width == 128 && info.height == 150)
            #expect(info.format == format)
            #expect(IO.contents(of: folder) == ["photo." + format.extensions[0]])
            let back = try Image(contentsOf: out).raster()
            let original = try photo.raster()
            try #require(back.width == original.width && back.height == original.height)
        }
    }

    @Test(.libvipsExclusive) func unwritableFormatIsUnsupported() throws {
        for format in ImageFormat.allCases where !format.canWrite {
            try IO.withTemporaryFolder { folder in
                let error = IO.error { try IO.smallPhoto().write(to: folder + "/x." + format.extensions[0]) }
                #expect(error?.kind == .unsupportedFeature, "\(format)")
                #expect(IO.contents(of: folder).isEmpty)
            }
        }
    }

    @Test func jpegQualityChangesTheSize() throws {
        let photo = try IO.smallPhoto()
        let high = try photo.encoded(as: .jpeg, options: SaveOptions(quality: 95))
        let low = try photo.encoded(as: .jpeg, options: SaveOptions(quality: 30))
        #expect(high.count > 2 * low.count, "Q95 \(high.count) bytes, Q30 \(low.count) bytes")
        let h = try Image(data: high).raster(), l = try Image(data: low).raster(), o = try photo.raster()
        #expect(ImageCompare.psnr(h, o) > ImageCompare.psnr(l, o))
    }

    /// Progressive JPEG has an SOF2 frame header, baseline an SOF0/SOF1.
    @Test func progressiveFlag() throws {
        let photo = try IO.smallPhoto()
        let progressive = [UInt8](try photo.encoded(as: .jpeg, options: SaveOptions(progressive: true)))
        let baseline = [UInt8](try photo.encoded(as: .jpeg))
        #expect(jpegFrameMarker(progressive) == 0xC2)
        #expect(jpegFrameMarker(baseline) == 0xC0 || jpegFrameMarker(baseline) == 0xC1)
        #expect(try Image(data: Data(progressive)).width == 128)
    }

    /// Strip removes the camera's EXIF (bridge_at_night.jpg: OLYMPUS, 2005) and keeps ICC.
    @Test func stripRemovesExifKeepsICC() throws {
        try IO.withTemporaryFolder { folder in
            let bridge = try Image(contentsOf: IO.sample("bridge_at_night.jpg")).cropped(to: Rect(x: 600, y: 400, width: 96, height: 64))
            try bridge.write(to: folder + "/kept.jpg")
            try bridge.write(to: folder + "/stripped.jpg", options: SaveOptions(stripMetadata: true))
            let kept = try IO.data(folder + "/kept.jpg"), stripped = try IO.data(folder + "/stripped.jpg")
            for marker in ["OLYMPUS", "2005:04:28", "X-2,C-50Z"] {
                #expect(kept.range(of: Data(marker.utf8)) != nil, "\(marker) kept")
                #expect(stripped.range(of: Data(marker.utf8)) == nil, "\(marker) stripped")
            }
            #expect(try ImageInfo(contentsOf: folder + "/stripped.jpg").iccProfile == "sRGB built-in")
            #expect(try ImageInfo(contentsOf: folder + "/kept.jpg").iccProfile == "sRGB built-in")
            #expect(stripped.count < kept.count - 4000, "the 4.6 KB EXIF block is gone")
        }
    }

    /// Operations that compute new pixels keep the source's EXIF (camera, date), drop nothing
    /// else a user would miss, and do not carry a stale orientation.
    @Test func editsKeepTheCamerasMetadata() throws {
        try IO.withTemporaryFolder { folder in
            let bridge = try Image(contentsOf: IO.sample("bridge_at_night.jpg")).cropped(to: Rect(x: 600, y: 400, width: 96, height: 64))
            let edited: [(String, Image)] = [
                ("recolor", try bridge.applying(Recolor(region: .rectangle(Rect(x: 10, y: 10, width: 30, height: 20)), to: .colour(RGBA(red: 0.9, green: 0.1, blue: 0.1))))),
                ("lut", try bridge.applying(ApplyLUT(lut: try ColourLUT.identity(size: 2)))),
                ("adjust", try bridge.applying(Adjust(region: .rectangle(Rect(x: 0, y: 0, width: 50, height: 40)), exposure: 0.5))),
            ]
            for (name, image) in edited {
                try image.write(to: folder + "/\(name).jpg")
                try image.write(to: folder + "/\(name)-stripped.jpg", options: SaveOptions(stripMetadata: true))
                let kept = try IO.data(folder + "/\(name).jpg"), stripped = try IO.data(folder + "/\(name)-stripped.jpg")
                for marker in ["OLYMPUS", "2005:04:28"] {
                    #expect(kept.range(of: Data(marker.utf8)) != nil, "\(name): \(marker) kept")
                    #expect(stripped.range(of: Data(marker.utf8)) == nil, "\(name): \(marker) stripped")
                }
            }
            // A photo turned upright on load and then edited is saved upright, without orientation 6.
            let turned = try Image(contentsOf: IO.fixture("orientation/orientation-6.jpg"))
            let recoloured = try turned.applying(Recolor(region: .rectangle(Rect(x: 0, y: 0, width: 20, height: 20)), to: .colour(RGBA(red: 0.1, green: 0.1, blue: 0.9))))
            try recoloured.write(to: folder + "/upright.jpg")
            let info = try ImageInfo(contentsOf: folder + "/upright.jpg")
            #expect(info.orientation == 1 && info.width == turned.width && info.height == turned.height)
        }
    }

    @Test func webpLosslessIsExact() throws {
        for image in [try IO.smallPhoto(), try Image(contentsOf: IO.sample("lightbulb_cutout.png"))] {
            let bytes = try image.encoded(as: .webp, options: SaveOptions(lossless: true, effort: 0))
            let back = try Image(data: bytes)
            #expect(back.sourceFormat == .webp && back.hasAlpha == image.hasAlpha)
            #expect(try back.raster() == image.raster(), "premultiplied pixels equal (alpha-0 colour is 0 in both)")
        }
    }

    @Test func encodedBytesLoadBack() throws {
        let photo = try IO.smallPhoto()
        for format in [ImageFormat.jpeg, .png, .webp, .tiff, .gif] {
            let data = try photo.encoded(as: format, options: SaveOptions(effort: format == .webp ? 0 : nil))
            let back = try Image(data: data)
            #expect(back.width == 128 && back.height == 150 && back.sourceFormat == format, "\(format)")
        }
    }

    @Test(arguments: [
        ("quality 0", SaveOptions(quality: 0), ImageFormat.jpeg),
        ("quality 101", SaveOptions(quality: 101), .jpeg),
        ("png compression 10", SaveOptions(pngCompression: 10), .png),
        ("png compression -1", SaveOptions(pngCompression: -1), .png),
        ("jpeg 12-bit", SaveOptions(bitDepth: 12), .jpeg),
        ("jpeg 16-bit", SaveOptions(bitDepth: 16), .jpeg),
        ("png 10-bit", SaveOptions(bitDepth: 10), .png),
        ("webp effort 7", SaveOptions(effort: 7), .webp),
        ("gif 16-bit", SaveOptions(bitDepth: 16), .gif),
    ])
    func invalidOptions(name: String, options: SaveOptions, format: ImageFormat) throws {
        #expect(IO.error { try options.validate(for: format) }?.kind == .invalidArgument)
        try IO.withTemporaryFolder { folder in
            let error = IO.error { try IO.smallPhoto().write(to: folder + "/x." + format.extensions[0], options: options) }
            #expect(error?.kind == .invalidArgument)
            #expect(IO.error { _ = try IO.smallPhoto().encoded(as: format, options: options) }?.kind == .invalidArgument)
            #expect(IO.contents(of: folder).isEmpty)
        }
    }

    @Test func bitDepthMessageNamesTheDepths() {
        let error = IO.error { try SaveOptions(bitDepth: 12).validate(for: .jpeg) }
        #expect(error?.message == "jpeg stores 8-bit samples, not 12-bit")
        let png = IO.error { try SaveOptions(bitDepth: 10).validate(for: .png) }
        #expect(png?.message == "png stores 8 or 16-bit samples, not 10-bit")
    }

    @Test func unknownExtensionNeedsAFormat() throws {
        try IO.withTemporaryFolder { folder in
            let photo = try IO.smallPhoto()
            #expect(IO.error { try photo.write(to: folder + "/photo.xyz") }?.kind == .invalidArgument)
            #expect(IO.error { try photo.write(to: folder + "/photo") }?.kind == .invalidArgument)
            try photo.write(to: folder + "/photo.xyz", options: SaveOptions(format: .png))
            #expect(try ImageInfo(contentsOf: folder + "/photo.xyz").format == .png)
        }
    }

    @Test func existingOutputIsKeptUnlessOverwriting() throws {
        try IO.withTemporaryFolder { folder in
            let out = folder + "/out.jpg"
            let before = Data("not an image, but precious".utf8)
            try before.write(to: URL(fileURLWithPath: out))
            let photo = try IO.smallPhoto()
            #expect(IO.error { try photo.write(to: out) }?.kind == .outputExists)
            #expect(try IO.data(out) == before)
            #expect(IO.contents(of: folder) == ["out.jpg"])
            try photo.write(to: out, options: SaveOptions(overwrite: true))
            #expect(try Image(contentsOf: out).width == 128)
            #expect(IO.contents(of: folder) == ["out.jpg"])
        }
    }

    /// An input is never written over: not by its own path, through a symlink, a relative
    /// path or a path with `..` in it — not even with overwrite allowed.
    @Test func outputIsInputIsRefused() throws {
        try IO.withTemporaryFolder { folder in
            let input = folder + "/in.jpg"
            try IO.data(IO.sample("grace_hopper.jpg")).write(to: URL(fileURLWithPath: input))
            try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: folder + "/link.jpg", withDestinationPath: input)
            let original = try IO.data(input)
            let image = try Image(contentsOf: input).resized(.width(64))
            let relative = relativePath(to: input)
            for target in [input, folder + "/link.jpg", folder + "/sub/../in.jpg", folder + "/./in.jpg", relative] {
                for overwrite in [false, true] {
                    let error = IO.error { try image.write(to: target, options: SaveOptions(overwrite: overwrite)) }
                    #expect(error?.kind == .outputIsInput, "\(target), overwrite \(overwrite)")
                }
            }
            #expect(try IO.data(input) == original)
            #expect(IO.temporaryFiles(in: folder).isEmpty)
            // Loaded through the symlink, the real file is protected as well.
            let viaLink = try Image(contentsOf: folder + "/link.jpg")
            #expect(IO.error { try viaLink.write(to: input, options: SaveOptions(overwrite: true)) }?.kind == .outputIsInput)
        }
    }

    @Test func missingOutputFolderIsNotFound() throws {
        try IO.withTemporaryFolder { folder in
            let error = IO.error { try IO.smallPhoto().write(to: folder + "/missing/out.png") }
            #expect(error?.kind == .notFound)
            #expect(IO.contents(of: folder).isEmpty)
        }
    }

    /// Success leaves only the output; failure (a truncated input met while encoding) leaves nothing.
    @Test(.libvipsExclusive) func noTemporaryFilesAreLeft() throws {
        try IO.withTemporaryFolder { folder in
            try IO.smallPhoto().write(to: folder + "/ok.webp")
            let broken = try Image(contentsOf: IO.fixture("corrupt/truncated.jpg"))
            #expect(IO.error { try broken.write(to: folder + "/broken.webp") }?.kind == .corruptImage)
            // A fresh image: a second save of the same damaged one is a known issue (see CorruptFileTests).
            let brokenAgain = try Image(contentsOf: IO.fixture("corrupt/truncated.jpg"))
            #expect(IO.error { try brokenAgain.write(to: folder + "/ok.webp", options: SaveOptions(overwrite: true)) }?.kind == .corruptImage)
            #expect(IO.contents(of: folder) == ["ok.webp"])
            #expect(try Image(contentsOf: folder + "/ok.webp").width == 128, "a failed overwrite leaves the old file intact")
        }
    }
}

/// The frame marker (0xC0…0xCF except DHT/JPG/DAC) of a JPEG, or nil.
func jpegFrameMarker(_ jpeg: [UInt8]) -> UInt8? {
    var i = 2
    while i + 4 <= jpeg.count, jpeg[i] == 0xFF {
        let marker = jpeg[i + 1]
        if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) { return marker }
        if marker == 0xDA { return nil }
        i += 2 + (Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3]))
    }
    return nil
}

/// `path` relative to the current directory ("../../tmp/…").
func relativePath(to path: String) -> String {
    let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).resolvingSymlinksInPath().pathComponents
    let there = URL(fileURLWithPath: path).pathComponents
    var common = 0
    while common < min(here.count, there.count) && here[common] == there[common] { common += 1 }
    return (Array(repeating: "..", count: here.count - common) + there[common...]).joined(separator: "/")
}

/// Asking for more bits than the image has converts (and scales) the samples: an 8-bit photo
/// saved as 16-bit PNG or TIFF keeps its colours (libvips 8.14's PNG saver crashed on this).
@Suite("Saving at a higher bit depth", .libvipsShared)
struct WideningSaveTests {
    @Test(arguments: ["png", "tif"])
    func eightBitSavedAsSixteen(ext: String) throws {
        let photo = try IO.smallPhoto()
        try IO.withTemporaryFolder { folder in
            let path = folder + "/wide." + ext
            try photo.write(to: path, options: SaveOptions(bitDepth: 16))
            let back = try Image(contentsOf: path)
            #expect(back.bitDepth == 16)
            #expect(codes8(try back.raster()) == codes8(try photo.raster()))
        }
    }
}
