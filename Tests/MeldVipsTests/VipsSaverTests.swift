import Foundation
import MeldCore
import MeldTestSupport
import MeldVips
import Testing

struct EncoderCase: Sendable, CustomTestStringConvertible {
    let name: String
    let settings: EncoderSettings
    let loader: String
    var testDescription: String { name }
}

@Suite("VipsSaver", .libvipsShared)
struct VipsSaverTests {
    static let cases: [EncoderCase] = {
        var c: [EncoderCase] = [
            EncoderCase(name: "jpeg", settings: .jpeg(quality: 80, progressive: false, subsampling: .auto, optimizeCoding: false), loader: "jpegload"),
            EncoderCase(name: "jpeg progressive 4:4:4", settings: .jpeg(quality: 80, progressive: true, subsampling: .off, optimizeCoding: true), loader: "jpegload"),
            EncoderCase(name: "png 8", settings: .png(compression: 1, bitDepth: 8, interlace: false), loader: "pngload"),
            EncoderCase(name: "png 16 interlaced", settings: .png(compression: 1, bitDepth: 16, interlace: true), loader: "pngload"),
            EncoderCase(name: "webp", settings: .webp(quality: 75, lossless: false, effort: 0), loader: "webpload"),
            EncoderCase(name: "webp lossless", settings: .webp(quality: 75, lossless: true, effort: 0), loader: "webpload"),
            EncoderCase(name: "gif", settings: .gif, loader: "gifload"),
        ]
        for t in TIFFCompression.allCases {
            c.append(EncoderCase(name: "tiff \(t)", settings: .tiff(compression: t, quality: 80), loader: "tiffload"))
        }
        if VipsCapabilities.canEncode(.hevc) {
            c.append(EncoderCase(name: "heic", settings: .heif(codec: .hevc, quality: 50, lossless: false, effort: 0, bitDepth: 8), loader: "heifload"))
        }
        if VipsCapabilities.canEncode(.av1) {
            c.append(EncoderCase(name: "avif", settings: .heif(codec: .av1, quality: 50, lossless: false, effort: 0, bitDepth: 8), loader: "heifload"))
        }
        if VipsCapabilities.has("jxlsave") {
            c.append(EncoderCase(name: "jxl", settings: .jxl(quality: 80, lossless: false, effort: 1), loader: "jxlload"))
        }
        return c
    }()

    /// A 96x112 RGB image to encode (grace_hopper shrunk).
    static func small() throws -> VipsImageRef {
        // Rendered to memory: a thumbnail is a one-pass (sequential) pipeline, read twice here.
        try VipsLoader.thumbnail(path: Files.sample("grace_hopper.jpg"), width: 96, height: 112, force: true,
                                 options: VipsLoadOptions(pixelLimit: 1 << 28)).materialized()
    }

    @Test(arguments: cases)
    func encodesAndDecodesBack(_ c: EncoderCase) throws {
        let image = try Self.small()
        let bytes = try VipsSaver.encode(image, c.settings, strip: false)
        #expect(bytes.count > 100)
        let back = try load(bytes: bytes)
        #expect(back.width == 96 && back.height == 112)
        #expect(back.loader?.hasPrefix(c.loader) == true, "loader \(back.loader ?? "none")")
        if case .png(_, 16, _) = c.settings { #expect(back.sampleFormat == .ushort) }
        if case .webp(_, true, _) = c.settings {
            #expect(try PixelBridge.raster(from: back) == PixelBridge.raster(from: image))
        }
    }

    @Test func writeLeavesOnlyTheFinishedFile() throws {
        try withTemporaryFolder { folder in
            let out = folder + "/small.png"
            try VipsSaver.write(Self.small(), to: out, .png(compression: 1, bitDepth: 8, interlace: false), strip: false)
            #expect(contents(of: folder) == ["small.png"])
            #expect(try load(out).width == 96)
        }
    }

    @Test func writeIntoAMissingFolderIsNotFound() throws {
        try withTemporaryFolder { folder in
            let error = meldError {
                try VipsSaver.write(try Self.small(), to: folder + "/no/such/folder/x.png", .png(compression: 1, bitDepth: 8, interlace: false), strip: false)
            }
            #expect(error?.kind == .notFound)
            #expect(contents(of: folder).isEmpty)
        }
    }

    /// A truncated JPEG is only discovered while encoding: the error is `.corruptImage`, the
    /// temporary file is removed and nothing appears at the output path.
    @Test(.libvipsExclusive, arguments: ["corrupt/truncated.jpg", "corrupt/truncated-idat.png", "corrupt/bad-crc.png"])
    func damagedInputFailsTheWriteAndLeavesNothing(_ file: String) throws {
        try withTemporaryFolder { folder in
            let image = try load(Files.fixture(file), sequential: true)
            let error = meldError { try VipsSaver.write(image, to: folder + "/out.png", .png(compression: 1, bitDepth: 8, interlace: false), strip: false) }
            #expect(error?.kind == .corruptImage, "\(String(describing: error))")
            #expect(error?.detail != nil)
            #expect(contents(of: folder).isEmpty)
        }
    }

    /// CMYK stays CMYK (with its profile) in JPEG and TIFF; other formats get sRGB.
    @Test func cmykIsConvertedOnlyWhereTheFormatCannotHoldIt() throws {
        let cmyk = try load(Files.fixture("colour/citrus-cmyk.jpg"))
        let jpeg = try load(bytes: VipsSaver.encode(cmyk, .jpeg(quality: 90, progressive: false, subsampling: .auto, optimizeCoding: false), strip: false))
        #expect(jpeg.interpretation == .cmyk && jpeg.bands == 4)
        #expect(jpeg.iccProfile.flatMap(ICCProfile.description) == "Meld naive CMYK")
        let tiff = try load(bytes: VipsSaver.encode(cmyk, .tiff(compression: .deflate, quality: 80), strip: false))
        #expect(tiff.interpretation == .cmyk && tiff.bands == 4)
        let png = try load(bytes: VipsSaver.encode(cmyk, .png(compression: 1, bitDepth: 8, interlace: false), strip: false))
        #expect(png.interpretation == .srgb && png.bands == 3)
        #expect(png.iccProfile.map(ICCProfile.isSRGB) ?? true)
    }

    /// `strip` removes the camera's EXIF (make, model, dates, maker note), XMP and IPTC but
    /// keeps the ICC profile. libvips 8.14 then writes a fresh minimal EXIF block of its own
    /// (resolution, pixel size, colour space) because its `strip` would also drop the profile.
    @Test func stripRemovesCameraExifKeepsICC() throws {
        let bridge = try load(Files.sample("bridge_at_night.jpg")).cropped(to: Rect(x: 600, y: 400, width: 64, height: 48))
        #expect(bridge.stringField("exif-ifd0-Make") != nil)
        let settings = EncoderSettings.jpeg(quality: 80, progressive: false, subsampling: .auto, optimizeCoding: false)
        let kept = try load(bytes: VipsSaver.encode(bridge, settings, strip: false))
        let stripped = try load(bytes: VipsSaver.encode(bridge, settings, strip: true))
        for field in ["exif-ifd0-Make", "exif-ifd0-Model", "exif-ifd0-DateTime", "exif-ifd2-DateTimeOriginal", "exif-ifd2-MakerNote"] {
            #expect(kept.stringField(field) != nil, "\(field) kept without strip")
            #expect(stripped.stringField(field) == nil, "\(field) removed by strip")
        }
        #expect(stripped.iccProfile.flatMap(ICCProfile.description) == "sRGB built-in")
        #expect(kept.iccProfile.flatMap(ICCProfile.description) == "sRGB built-in")
    }

    /// A capability is only reported when it works: every operation Meld calls that libvips
    /// blocks (8.14 flags JPEG XL untrusted) is reported missing, so `canWrite` never lies.
    @Test(.libvipsExclusive) func capabilitiesMatchWhatWorks() throws {
        for op in ["jpegload", "pngload", "webpload", "tiffload", "gifload", "jpegsave", "pngsave", "webpsave", "tiffsave", "gifsave"] {
            #expect(VipsCapabilities.has(op), "\(op)")
        }
        #expect(!VipsCapabilities.has("no_such_operation"))
        #expect(!VipsCapabilities.has("magickload"), "untrusted loaders are blocked")
        let jxl = Result { try VipsSaver.encode(try Self.small(), .jxl(quality: 80, lossless: false, effort: 7), strip: false) }
        #expect(VipsCapabilities.has("jxlsave") == ((try? jxl.get()) != nil))
    }
}

/// Whether JPEG bytes hold an APP1 "Exif" segment.
func hasExif(_ jpeg: [UInt8]) -> Bool {
    var i = 2
    while i + 4 <= jpeg.count, jpeg[i] == 0xFF {
        let marker = jpeg[i + 1]
        if marker == 0xDA { return false } // start of scan: no more metadata segments
        let length = Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3])
        if marker == 0xE1, i + 10 <= jpeg.count, Array(jpeg[(i + 4)..<(i + 10)]) == Array("Exif\0\0".utf8) { return true }
        i += 2 + length
    }
    return false
}
