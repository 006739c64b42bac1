import Foundation
import MeldCore
import MeldVips
import Testing

/// One bundled sample and what its header must say.
struct SampleHeader: Sendable, CustomTestStringConvertible {
    let file: String
    let width: Int, height: Int, bands: Int
    let loader: String
    let interpretation: Interpretation
    let hasAlpha: Bool
    var testDescription: String { file }
}

let sampleHeaders: [SampleHeader] = [
    SampleHeader(file: "bridge_at_night.jpg", width: 1302, height: 953, bands: 3, loader: "jpegload", interpretation: .srgb, hasAlpha: false),
    SampleHeader(file: "citrus_fruits.jpg", width: 1350, height: 890, bands: 3, loader: "jpegload", interpretation: .srgb, hasAlpha: false),
    SampleHeader(file: "dandelion_meadow_16mp.jpg", width: 5312, height: 2988, bands: 3, loader: "jpegload", interpretation: .srgb, hasAlpha: false),
    SampleHeader(file: "fig_in_red_bowl.jpg", width: 2572, height: 1740, bands: 3, loader: "jpegload", interpretation: .srgb, hasAlpha: false),
    SampleHeader(file: "grace_hopper.jpg", width: 512, height: 600, bands: 3, loader: "jpegload", interpretation: .srgb, hasAlpha: false),
    SampleHeader(file: "toy_bird_lamp.jpg", width: 2880, height: 2160, bands: 3, loader: "jpegload", interpretation: .srgb, hasAlpha: false),
    SampleHeader(file: "cameraman_gray.png", width: 512, height: 512, bands: 1, loader: "pngload", interpretation: .bw, hasAlpha: false),
    SampleHeader(file: "lightbulb_cutout.png", width: 301, height: 500, bands: 4, loader: "pngload", interpretation: .srgb, hasAlpha: true),
]

@Suite("VipsLoader", .libvipsShared)
struct VipsLoaderTests {
    @Test("every sample's header, from a path and from bytes", arguments: sampleHeaders)
    func sampleHeader(_ s: SampleHeader) throws {
        let path = Files.sample(s.file)
        let fromPath = try load(path, sequential: true)
        let fromBytes = try load(bytes: Files.bytes(path), sequential: true)
        for image in [fromPath, fromBytes] {
            #expect(image.width == s.width && image.height == s.height)
            #expect(image.bands == s.bands)
            #expect(image.sampleFormat == .uchar)
            #expect(image.interpretation == s.interpretation)
            #expect(image.hasAlpha == s.hasAlpha)
            #expect(image.orientation == 1)
            #expect(image.pageCount == 1)
            #expect(VipsLoader.formatName(forLoader: image.loader ?? "") == (s.loader == "jpegload" ? "jpeg" : "png"))
        }
        #expect(fromPath.loader == s.loader)
    }

    @Test func loaderNamesMapToFormatsAndUntrustedOnesAreRefused() {
        #expect(VipsLoader.formatName(forLoader: "jpegload_source") == "jpeg")
        #expect(VipsLoader.formatName(forLoader: "VipsForeignLoadPngFile") == "png")
        #expect(VipsLoader.formatName(forLoader: "heifload") == "heif")
        #expect(VipsLoader.formatName(forLoader: "magickload") == nil)
        #expect(VipsLoader.formatName(forLoader: "pdfload") == nil)
        #expect(VipsLoader.formatName(forLoader: "matrixload") == nil)
        #expect(VipsLoader.formatName(forLoader: "csvload") == nil)
    }

    @Test func missingFileFolderAndEmptyInputs() throws {
        try withTemporaryFolder { folder in
            #expect(meldError { _ = try load(folder + "/nothing-here.jpg") }?.kind == .notFound)
            #expect(meldError { _ = try load(folder) }?.kind == .invalidArgument)
            #expect(meldError { _ = try load(Files.fixture("corrupt/empty.jpg")) }?.kind == .emptyFile)
            #expect(meldError { _ = try load(bytes: []) }?.kind == .emptyFile)
        }
    }

    @Test(.libvipsExclusive) func textIsNotAnImage() throws {
        let path = Files.fixture("corrupt/text.jpg")
        let fromPath = meldError { _ = try load(path) }
        #expect(fromPath?.kind == .unsupportedFormat)
        #expect(fromPath?.message.contains("looks like text") == true)
        let bytes = try Files.bytes(path)
        #expect(meldError { _ = try load(bytes: bytes) }?.kind == .unsupportedFormat)
    }

    /// The limit is inclusive: exactly `width × height` pixels pass, one fewer is refused,
    /// and the refusal happens on the header, before any pixel is decoded.
    @Test func pixelLimitIsCheckedOnTheHeader() throws {
        let path = Files.sample("grace_hopper.jpg")
        #expect(try load(path, pixelLimit: 512 * 600).width == 512)
        let error = meldError { _ = try load(path, pixelLimit: 512 * 600 - 1) }
        #expect(error?.kind == .tooLarge)
        #expect(error?.message.contains("512x600") == true)
        // The 100000x100000 PNG bomb would need 30 GB; its header alone is read when allowed.
        let bomb = Files.fixture("corrupt/huge.png")
        #expect(meldError { _ = try load(bomb) }?.kind == .tooLarge)
        let header = try load(bomb, pixelLimit: .max)
        #expect(header.width == 100_000 && header.height == 100_000)
        #expect(meldError { _ = try load(Files.fixture("corrupt/huge.gif")) }?.kind == .tooLarge)
    }

    /// JPEG XL: loads where this build allows it; where libvips blocks the loader (8.14 flags it
    /// untrusted and Meld blocks untrusted operations) the error says so, not "damaged".
    @Test func blockedLoaderIsUnsupportedNotCorrupt() throws {
        let path = Files.fixture("formats/hopper.jxl")
        if VipsCapabilities.has("jxlload") {
            let image = try load(path)
            #expect(image.width == 137 && image.height == 160)
        } else {
            let error = meldError { _ = try load(path) }
            #expect(error?.kind == .unsupportedFeature)
            #expect(meldError { _ = try load(bytes: Files.bytes(path)) }?.kind == .unsupportedFeature)
        }
    }

    @Test func thumbnailShrinksOnLoadToTheRequestedBox() throws {
        let path = Files.sample("citrus_fruits.jpg")
        let forced = try VipsLoader.thumbnail(path: path, width: 200, height: 100, force: true, options: VipsLoadOptions(pixelLimit: 1 << 28))
        #expect(forced.width == 200 && forced.height == 100)
        let fitted = try VipsLoader.thumbnail(path: path, width: 200, height: 200, force: false, options: VipsLoadOptions(pixelLimit: 1 << 28))
        #expect(fitted.width == 200 && fitted.height == 132)
        // The limit applies to the thumbnail path too, before decoding.
        let error = meldError {
            _ = try VipsLoader.thumbnail(path: path, width: 10, height: 10, force: false, options: VipsLoadOptions(pixelLimit: 1000))
        }
        #expect(error?.kind == .tooLarge)
    }
}
