import CMeldVips
import CMeldVipsShims
import Foundation
import MeldCore
import MeldTestSupport
@testable import MeldVips
import Testing

@Suite("JPEGWriter", .libvipsShared)
struct JPEGWriterTests {
    /// A real photo (EXIF and an ICC profile) enlarged to an odd size: 1301 × 1163, neither side a
    /// multiple of the MCU, so the last strip and the last MCU column are partial.
    static func photo() throws -> VipsImageRef {
        let small = try load(Files.sample("bridge_at_night.jpg"))
        return try small.resized(hscale: 1301.0 / 1302, vscale: 1163.0 / 953, kernel: .lanczos3).materialized()
    }

    static func encodeStrip(_ settings: EncoderSettings) -> @Sendable (VipsImageRef, Int) throws(MeldError) -> [UInt8] {
        { (strip: VipsImageRef, interval: Int) throws(MeldError) -> [UInt8] in
            try VipsSaver.libvipsEncode(strip, settings, restartInterval: interval)
        }
    }

    /// Strips joined are byte for byte libvips' own one-pass file with the same restart interval,
    /// for any number of strips (so for every thread count), at 4:2:0, 4:4:4 and in grey.
    @Test(arguments: [(85, ChromaSubsampling.auto, 3), (95, .auto, 3), (80, .off, 3), (92, .on, 3), (85, .auto, 1)])
    func joinedStripsAreLibvipsOnePass(_ quality: Int, _ subsampling: ChromaSubsampling, _ bands: Int) throws {
        var image = try Self.photo()
        if bands == 1 {
            var grey: UnsafeMutablePointer<VipsImage>?
            #expect(cmeld_colourspace(image.pointer, &grey, VIPS_INTERPRETATION_B_W) == 0)
            image = try VipsImageRef(owning: grey!).materialized()
            #expect(image.bands == 1)
        }
        let settings = EncoderSettings.jpeg(quality: quality, progressive: false, subsampling: subsampling, optimizeCoding: false)
        let mcu = JPEGWriter.mcuSize(bands: bands, quality: quality, subsampling: subsampling)
        let interval = (image.width + mcu - 1) / mcu
        let reference = try VipsSaver.libvipsEncode(image, settings, restartInterval: interval)
        for threads in [1, 2, 3, 5, 16] {
            let joined = try JPEGWriter.encode(image, quality: quality, subsampling: subsampling, threads: threads,
                                               encode: Self.encodeStrip(settings))
            #expect(joined == reference, "\(threads) threads, Q\(quality) \(subsampling), \(bands) bands")
        }
        // And the file decodes to what a file without restart markers decodes to.
        let plain = try VipsSaver.libvipsEncode(image, settings)
        #expect(try PixelBridge.raster(from: load(bytes: reference)) == PixelBridge.raster(from: load(bytes: plain)))
        #expect(JPEGWriter.layout(reference)?.restartInterval == interval)
    }

    @Test func stripsAreWholeRowsOfMCUsAndCoverTheImage() {
        for (height, threads) in [(1163, 2), (128, 4), (129, 2), (3347, 2), (3347, 3), (5000, 1), (300, 64)] {
            let starts = JPEGWriter.stripStarts(height: height, threads: threads)
            #expect(starts.first == 0 && starts.count <= threads && starts.allSatisfy { $0 % 128 == 0 && $0 < height })
            #expect(zip(starts, starts.dropFirst()).allSatisfy { $0 < $1 })
        }
        #expect(JPEGWriter.stripStarts(height: 3347, threads: 2) == [0, 1792])
    }

    /// The saver takes this path for a large in-memory image: restart markers every row of MCUs,
    /// the same pixels and metadata as libvips' own file.
    @Test func saverUsesItForLargeImagesInMemory() throws {
        let image = try Self.photo().resized(hscale: 2, vscale: 2, kernel: .linear).materialized()  // 2602 × 2326
        let settings = EncoderSettings.jpeg(quality: 85, progressive: false, subsampling: .auto, optimizeCoding: false)
        #expect(JPEGWriter.handles(image, settings) != nil)
        let fast = try VipsSaver.encode(image, settings, strip: false)
        let plain = try VipsSaver.libvipsEncode(image, settings)
        #expect(JPEGWriter.layout(fast)?.restartInterval == (2602 + 15) / 16)
        let a = try load(bytes: fast), b = try load(bytes: plain)
        #expect(a.width == 2602 && a.height == 2326)
        #expect(try PixelBridge.raster(from: a) == PixelBridge.raster(from: b))
        #expect(a.iccProfile != nil && a.iccProfile == b.iccProfile)
        #expect(cmeld_image_get_string(a.pointer, "exif-ifd2-PixelYDimension").map { String(cString: $0) }?.hasPrefix("2326") == true)
        // Written to a file the same way.
        try withTemporaryFolder { folder in
            let path = folder + "/out.jpg"
            try VipsSaver.write(image, to: path, settings, strip: false)
            #expect(try Files.bytes(path) == fast)
        }
    }

    @Test func otherImagesAndSettingsGoToLibvips() throws {
        let image = try Self.photo().resized(hscale: 2, vscale: 2, kernel: .linear).materialized()
        let jpeg = { (q: Int, progressive: Bool, optimize: Bool) in
            EncoderSettings.jpeg(quality: q, progressive: progressive, subsampling: .auto, optimizeCoding: optimize)
        }
        #expect(JPEGWriter.handles(image, jpeg(85, true, false)) == nil)
        #expect(JPEGWriter.handles(image, jpeg(85, false, true)) == nil)
        #expect(JPEGWriter.handles(image, .png(compression: 3, bitDepth: 8, interlace: false)) == nil)
        #expect(JPEGWriter.handles(try Self.photo(), jpeg(85, false, false)) == nil)  // 1.5 MP: one pass
        #expect(JPEGWriter.handles(try image.cast(to: .ushort), jpeg(85, false, false)) == nil)
        // An image read in one sequential pass cannot be cut into strips read out of order.
        try withTemporaryFolder { folder in
            let path = folder + "/big.jpg"
            try VipsSaver.write(image, to: path, jpeg(90, false, false), strip: false)
            let streamed = try load(path, sequential: true)
            #expect(streamed.isSequential && JPEGWriter.handles(streamed, jpeg(85, false, false)) == nil)
            #expect(try !load(path).isSequential)
            // And saving it streams it through libvips' saver without error.
            let out = try VipsSaver.encode(streamed, jpeg(85, false, false), strip: false)
            #expect(JPEGWriter.layout(out)?.restartInterval == 0)
        }
    }

    /// Parts that do not belong together are refused rather than joined into a broken file.
    @Test func refusesPartsThatDoNotFit() throws {
        let image = try Self.photo()
        let top = try image.cropped(to: Rect(x: 0, y: 0, width: image.width, height: 256))
        let rest = try image.cropped(to: Rect(x: 0, y: 256, width: image.width, height: image.height - 256))
        let q85 = EncoderSettings.jpeg(quality: 85, progressive: false, subsampling: .auto, optimizeCoding: false)
        let q70 = EncoderSettings.jpeg(quality: 70, progressive: false, subsampling: .auto, optimizeCoding: false)
        let interval = (image.width + 15) / 16
        let a = try VipsSaver.libvipsEncode(top, q85, restartInterval: interval)
        let b = try VipsSaver.libvipsEncode(rest, q85, restartInterval: interval)
        #expect(JPEGWriter.join([a, b], width: image.width, height: image.height, mcu: 16, interval: interval) != nil)
        let other = try VipsSaver.libvipsEncode(rest, q70, restartInterval: interval)
        #expect(JPEGWriter.join([a, other], width: image.width, height: image.height, mcu: 16, interval: interval) == nil)
        #expect(JPEGWriter.join([a, b], width: image.width, height: image.height + 1, mcu: 16, interval: interval) == nil)
        #expect(JPEGWriter.join([a, b], width: image.width, height: image.height, mcu: 8, interval: interval) == nil)
        let noRestarts = try VipsSaver.libvipsEncode(top, q85)
        #expect(JPEGWriter.join([noRestarts, b], width: image.width, height: image.height, mcu: 16, interval: interval) == nil)
        #expect(JPEGWriter.layout(Array(a.dropLast(2))) == nil)
        #expect(JPEGWriter.layout([0xFF, 0xD8, 0xFF, 0xD9]) == nil)
    }
}

@Suite("StreamedDecode", .libvipsShared)
struct StreamedDecodeTests {
    @Test func decodesTheSamePixelsAndMetadataAsALoad() throws {
        let path = Files.sample("bridge_at_night.jpg")
        let whole = try load(path)
        let stream = try StreamedDecode(try load(path, sequential: true))
        let region = try stream.copy(Rect(x: 100, y: 200, width: 300, height: 150))
        #expect(stream.decodedRows >= 350)
        #expect(try PixelBridge.raster(from: region) == PixelBridge.raster(from: whole.cropped(to: Rect(x: 100, y: 200, width: 300, height: 150))))
        let image = try stream.finish()
        #expect(image.width == whole.width && image.height == whole.height && image.bands == 3 && !image.isSequential)
        #expect(try PixelBridge.raster(from: image) == PixelBridge.raster(from: whole))
        #expect(image.iccProfile != nil && image.iccProfile == whole.iccProfile)
        #expect(cmeld_image_get_string(image.pointer, "exif-ifd0-Model") != nil)
    }

    @Test func overwriteReplacesARectangle() throws {
        let stream = try StreamedDecode(try load(Files.sample("grace_hopper.jpg"), sequential: true))
        var patch = Raster(width: 20, height: 10, layout: .rgb)
        for y in 0..<10 { for x in 0..<20 { for c in 0..<3 { patch[x, y, c] = Float(c) / 2 } } }
        try stream.overwrite(with: try PixelBridge.image(from: patch), x: 480, y: 590)
        #expect(throws: MeldError.self) { try stream.overwrite(with: try PixelBridge.image(from: patch), x: 480, y: 591) }
        #expect(throws: MeldError.self) { try stream.overwrite(with: try PixelBridge.image(from: patch), x: 493, y: 0) }
        #expect(throws: MeldError.self) { try stream.overwrite(with: try PixelBridge.image(from: patch, bitDepth: 16), x: 0, y: 0) }
        let out = try PixelBridge.raster(from: stream.finish(), encoded: true)
        #expect(out[485, 595, 0] == 0 && out[485, 595, 2] == 1 && out[485, 589, 2] != 1 && out[479, 595, 2] != 1)
    }

    @Test func aDamagedFileFailsAsCorrupt() throws {
        var bytes = try Files.bytes(Files.sample("citrus_fruits.jpg"))
        bytes.removeLast(bytes.count / 2)
        try withTemporaryFolder { folder in
            let path = folder + "/cut.jpg"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let stream = try StreamedDecode(try load(path, sequential: true))
            let error = meldError { _ = try stream.finish() }
            #expect(error?.kind == .corruptImage)
            #expect(stream.decodedRows < 890)
            #expect(throws: MeldError.self) { _ = try stream.copy(Rect(x: 0, y: 800, width: 10, height: 10)) }
        }
    }

    @Test func cancellingStopsEarlyAndIsSafe() throws {
        let stream = try StreamedDecode(try load(Files.sample("dandelion_meadow_16mp.jpg"), sequential: true))
        stream.cancel()
        #expect(throws: MeldError.self) { _ = try stream.finish() }
        #expect(stream.decodedRows < 2988)
    }
}
