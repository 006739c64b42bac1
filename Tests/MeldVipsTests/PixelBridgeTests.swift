import MeldCore
import MeldTestSupport
import MeldVips
import Testing

@Suite("PixelBridge", .libvipsShared)
struct PixelBridgeTests {
    /// Opaque 8-bit images: file → raster → 8-bit image → raster reproduces every float, so
    /// every 8-bit code (the decode table is one-to-one).
    @Test(arguments: ["grace_hopper.jpg", "cameraman_gray.png", "citrus_fruits.jpg"])
    func opaqueEightBitRoundTripIsExact(_ file: String) throws {
        let source = try load(Files.sample(file))
        let raster = try PixelBridge.raster(from: source)
        #expect(raster.width == source.width && raster.height == source.height)
        #expect(raster.channels == source.bands)
        let back = try PixelBridge.image(from: raster, bitDepth: 8)
        #expect(back.sampleFormat == .uchar && back.bands == source.bands)
        #expect(back.interpretation == (source.bands == 1 ? .bw : .srgb))
        let again = try PixelBridge.raster(from: back)
        #expect(again == raster, "\(ImageCompare.describe(again, raster))")
    }

    /// Encoded import (for kernels on sRGB-encoded values): code / 255 in every plane, alpha
    /// straight; encoded export gives back the same codes, opaque or not.
    @Test(arguments: ["citrus_fruits.jpg", "lightbulb_cutout.png", "cameraman_gray.png"])
    func encodedRoundTripIsExact(_ file: String) throws {
        let source = try load(Files.sample(file))
        let encoded = try PixelBridge.raster(from: source, encoded: true)
        let linear = try PixelBridge.raster(from: source)
        #expect(!encoded.isPremultiplied && encoded.layout == linear.layout)
        let colour = encoded.layout.colourChannels
        var worst: Float = 0
        for y in Swift.stride(from: 0, to: encoded.height, by: 7) {
            for x in Swift.stride(from: 0, to: encoded.width, by: 5) {
                let a = encoded.layout.hasAlpha ? encoded[x, y, colour] : 1
                if encoded.layout.hasAlpha { #expect(a == linear[x, y, colour]) }
                for c in 0..<colour where a > 0 {
                    let code = encoded[x, y, c] * 255
                    #expect(abs(code - code.rounded()) < 1e-4, "not a code at \(x),\(y)")
                    let straight = linear[x, y, c] / a
                    worst = max(worst, abs(encoded[x, y, c] - SRGBTransfer.encode(straight)))
                }
            }
        }
        #expect(worst < 1e-5)
        let again = try PixelBridge.raster(from: PixelBridge.image(from: encoded, bitDepth: 8, encoded: true), encoded: true)
        #expect(again == encoded, "\(ImageCompare.describe(again, encoded))")
    }

    /// Straight-alpha RGBA: alpha exact, colour within one code wherever alpha > 0.
    @Test func alphaRoundTripKeepsAlphaExactAndColourWithinOneCode() throws {
        let source = try load(Files.sample("lightbulb_cutout.png"))
        let raster = try PixelBridge.raster(from: source)
        #expect(raster.layout == .rgba && raster.isPremultiplied)
        let again = try PixelBridge.raster(from: PixelBridge.image(from: raster))
        let a = codes8(raster), b = codes8(again)
        var worst = 0, transparent = 0
        for i in stride(from: 0, to: a.count, by: 4) {
            #expect(a[i + 3] == b[i + 3], "alpha at pixel \(i / 4)")
            if a[i + 3] == 0 { transparent += 1; continue }
            for c in 0..<3 { worst = max(worst, abs(Int(a[i + c]) - Int(b[i + c]))) }
        }
        #expect(worst <= 1)
        #expect(transparent > 0 && transparent < a.count / 4, "the cut-out has both transparent and visible pixels")
    }

    /// Premultiplied: colour never exceeds alpha, and transparent pixels are black.
    @Test func importPremultiplies() throws {
        let raster = try PixelBridge.raster(from: load(Files.sample("lightbulb_cutout.png")))
        var violations = 0
        raster.withView { v in
            for i in 0..<(v.width * v.height) {
                let a = v.plane(3)[i]
                for c in 0..<3 where v.plane(c)[i] > a + 1e-6 || (a == 0 && v.plane(c)[i] != 0) { violations += 1 }
            }
        }
        #expect(violations == 0)
    }

    /// Every 16-bit code survives raster → 16-bit image → raster (65 536-entry decode table).
    @Test func sixteenBitCodesRoundTripExactly() throws {
        var rng = SplitMix64(seed: 16)
        let w = 256, h = 256
        var raster = Raster(width: w, height: h, layout: .rgb)
        var codes = [UInt16](repeating: 0, count: w * h * 3)
        for i in 0..<codes.count { codes[i] = i < 65536 ? UInt16(i) : UInt16(truncatingIfNeeded: rng.next()) }
        raster.withMutableView { v in
            for c in 0..<3 { for i in 0..<(w * h) { v.plane(c)[i] = SRGBTransfer.decode16[Int(codes[c * w * h + i])] } }
        }
        let image = try PixelBridge.image(from: raster, bitDepth: 16)
        #expect(image.sampleFormat == .ushort && image.interpretation == .rgb16)
        var back = Raster(width: 1, height: 1, layout: .gray)
        let depth = try PixelBridge.read(image, into: &back)
        #expect(depth == 16)
        #expect(back == raster, "\(ImageCompare.describe(back, raster))")
    }

    @Test func sixteenBitFileRoundTripsExactly() throws {
        let source = try load(Files.fixture("colour/hopper-rgb16.png"))
        #expect(source.sampleFormat == .ushort && source.interpretation == .rgb16)
        var raster = Raster(width: 1, height: 1, layout: .gray)
        #expect(try PixelBridge.read(source, into: &raster) == 16)
        let again = try PixelBridge.raster(from: PixelBridge.image(from: raster, bitDepth: 16))
        #expect(again == raster)
        // An 8-bit export cannot hold it: the low byte (a horizontal ramp) is lost.
        let eight = try PixelBridge.raster(from: PixelBridge.image(from: raster, bitDepth: 8))
        #expect(eight != raster)
        #expect(ImageCompare.maxAbsDifference(eight, raster) < 0.01)
    }

    @Test func readingIntoALargeEnoughRasterReusesItsMemory() throws {
        var raster = Raster(width: 600, height: 600, layout: .rgba)
        let before = raster.withView { $0.base }
        let depth = try PixelBridge.read(load(Files.sample("grace_hopper.jpg")), into: &raster)
        #expect(depth == 8)
        #expect(raster.width == 512 && raster.height == 600 && raster.layout == .rgb)
        #expect(raster.withView { $0.base } == before)
    }

    @Test func exportRejectsBadDepthsAndEmptyRasters() {
        let r = Raster(width: 4, height: 4, layout: .rgb)
        #expect(meldError { _ = try PixelBridge.image(from: r, bitDepth: 12) }?.kind == .invalidArgument)
        #expect(meldError { _ = try PixelBridge.image(from: r, bitDepth: 32) }?.kind == .invalidArgument)
        #expect(meldError { _ = try PixelBridge.image(from: Raster(width: 0, height: 4, layout: .rgb)) }?.kind == .invalidArgument)
    }

    /// Damaged pixel data is found when the pixels are read: `.corruptImage`, and the shared
    /// staging buffer still works for the next image.
    @Test(.libvipsExclusive, arguments: ["corrupt/truncated.jpg", "corrupt/bad-crc.png", "corrupt/truncated-idat.png"])
    func damagedPixelsFailWhenRead(_ file: String) throws {
        let image = try load(Files.fixture(file))
        let error = meldError { _ = try PixelBridge.raster(from: image) }
        #expect(error?.kind == .corruptImage)
        let good = try PixelBridge.raster(from: load(Files.fixture("corrupt/jpeg-named.png")))
        #expect(good.width == 137 && good.height == 160)
    }
}
