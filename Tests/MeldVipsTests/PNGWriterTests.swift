import CZlib
import Foundation
import MeldCore
import MeldTestSupport
@testable import MeldVips
import Testing

@Suite("PNGWriter", .libvipsShared)
struct PNGWriterTests {
    /// Interleaved bytes that compress like a photo (smooth ramps plus noise), deterministic.
    static func pixels(width: Int, height: Int, channels: Int, sampleBytes: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var out = [UInt8](repeating: 0, count: width * height * channels * sampleBytes)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    let ramp = (x * (c + 1) + y * (3 - c)) & 0xFFFF
                    let value = (ramp * 37 + Int(rng.next() % 9)) & (sampleBytes == 2 ? 0xFFFF : 0xFF)
                    let i = ((y * width + x) * channels + c) * sampleBytes
                    out[i] = UInt8(truncatingIfNeeded: value)
                    if sampleBytes == 2 { out[i + 1] = UInt8(truncatingIfNeeded: value >> 8) }
                }
            }
        }
        return out
    }

    /// Inflates the IDAT chunks with zlib (which checks the stream's Adler-32) and undoes the
    /// filters with a scalar reference (PNG spec, all five filter types).
    static func decodeImageData(_ chunks: [[UInt8]], width: Int, height: Int, channels: Int, sampleBytes: Int) -> [UInt8]? {
        var stream: [UInt8] = []
        for c in chunks {
            #expect(Array(c[4..<8]) == Array("IDAT".utf8))
            let length = Int(c[0]) << 24 | Int(c[1]) << 16 | Int(c[2]) << 8 | Int(c[3])
            #expect(c.count == length + 12)
            let crc = c.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress! + 4, UInt32(length + 4))) }
            #expect(Array(c[(length + 8)...]) == PNGWriter.bigEndian(crc), "chunk CRC")
            stream += c[8..<(8 + length)]
        }
        let bpp = channels * sampleBytes, rowBytes = width * bpp
        var raw = [UInt8](repeating: 0, count: height * (rowBytes + 1))
        var rawLength = UInt(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { out in
            stream.withUnsafeBufferPointer { uncompress(out.baseAddress, &rawLength, $0.baseAddress, UInt($0.count)) }
        }
        guard status == Z_OK, rawLength == UInt(raw.count) else { return nil }
        var image = [UInt8](repeating: 0, count: height * rowBytes)
        for y in 0..<height {
            let type = raw[y * (rowBytes + 1)]
            for i in 0..<rowBytes {
                let f = raw[y * (rowBytes + 1) + 1 + i]
                let a = i >= bpp ? Int(image[y * rowBytes + i - bpp]) : 0
                let b = y > 0 ? Int(image[(y - 1) * rowBytes + i]) : 0
                let c = (i >= bpp && y > 0) ? Int(image[(y - 1) * rowBytes + i - bpp]) : 0
                let predictor: Int = switch type {
                case 0: 0
                case 1: a
                case 2: b
                case 3: (a + b) / 2
                default: { let p = a + b - c; let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                           return pa <= pb && pa <= pc ? a : pb <= pc ? b : c }()
                }
                image[y * rowBytes + i] = f &+ UInt8(truncatingIfNeeded: predictor)
            }
        }
        // PNG stores 16-bit samples big-endian; the source is host (little-endian) order.
        if sampleBytes == 2 { for i in stride(from: 0, to: image.count, by: 2) { image.swapAt(i, i + 1) } }
        return image
    }

    @Test(arguments: [(1, 1, 1, 1), (7, 3, 2, 1), (33, 5, 3, 2), (1, 40, 4, 2), (1500, 1200, 3, 1), (700, 600, 4, 2)])
    func imageDataInflatesToThePixels(_ size: (Int, Int, Int, Int)) throws {
        let (w, h, channels, sampleBytes) = size
        let source = Self.pixels(width: w, height: h, channels: channels, sampleBytes: sampleBytes, seed: UInt64(w * h))
        let chunks = source.withUnsafeBytes {
            PNGWriter.imageData($0.baseAddress!, width: w, height: h, channels: channels, sampleBytes: sampleBytes, level: 1, threads: 2)
        }
        // The large cases are several strips, joined through the sync flushes and dictionaries.
        let rowBytes = w * channels * sampleBytes
        let strips = (h + max(1, PNGWriter.stripBytes / (rowBytes + 1)) - 1) / max(1, PNGWriter.stripBytes / (rowBytes + 1))
        #expect(chunks.count == strips + 1)
        #expect(Self.decodeImageData(chunks, width: w, height: h, channels: channels, sampleBytes: sampleBytes) == source)
    }

    @Test func imageDataIsTheSameOnEveryThreadCountAndEveryLevelDecodes() throws {
        let (w, h) = (1400, 1100)
        let source = Self.pixels(width: w, height: h, channels: 3, sampleBytes: 1, seed: 9)
        func encode(_ level: Int, _ threads: Int) -> [[UInt8]] {
            source.withUnsafeBytes { PNGWriter.imageData($0.baseAddress!, width: w, height: h, channels: 3, sampleBytes: 1, level: level, threads: threads) }
        }
        let one = encode(3, 1)
        #expect(encode(3, 2) == one)
        #expect(encode(3, 5) == one)
        for level in [0, 6, 9] {
            #expect(Self.decodeImageData(encode(level, 2), width: w, height: h, channels: 3, sampleBytes: 1) == source, "level \(level)")
        }
    }

    @Test func zlibHeaderIsValidForEveryLevel() {
        for level in 0...9 {
            let h = PNGWriter.zlibHeader(level: level)
            #expect(h[0] == 0x78 && (Int(h[0]) * 256 + Int(h[1])) % 31 == 0 && h[1] & 0x20 == 0)
        }
    }

    /// An image of the given layout and depth made through PixelBridge (so 8-bit images are
    /// sRGB `uchar`, 16-bit ones `rgb16`/`grey16` `ushort`, as Meld writes them).
    static func image(width: Int, height: Int, layout: PixelLayout, bitDepth: Int) throws -> VipsImageRef {
        var rng = SplitMix64(seed: 77)
        var r = Raster(width: width, height: height, layout: layout)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<r.channels {
                    r[x, y, c] = min(1, Float(x + 2 * y + 5 * c) / Float(width + 2 * height + 20) + Float(rng.next() % 100) / 2000)
                }
            }
        }
        if layout.hasAlpha {
            for y in 0..<height { for x in 0..<width { let a = Float((x * 7 + y) % 11) / 10; for c in 0..<r.channels { r[x, y, c] *= a } } }
            r.isPremultiplied = true
        }
        return try PixelBridge.image(from: r, bitDepth: bitDepth)
    }

    @Test(arguments: [PixelLayout.gray, .grayAlpha, .rgb, .rgba], [8, 16])
    func decodesToTheSamePixelsAsLibvipsPNG(_ layout: PixelLayout, _ bitDepth: Int) throws {
        let image = try Self.image(width: 61, height: 47, layout: layout, bitDepth: bitDepth)
        #expect(PNGWriter.handles(image, bitDepth: bitDepth, interlace: false))
        let fast = try VipsSaver.encode(image, .png(compression: 3, bitDepth: bitDepth, interlace: false), strip: false)
        let reference = try VipsSaver.libvipsEncode(image, .png(compression: 3, bitDepth: bitDepth, interlace: false))
        let a = try load(bytes: fast), b = try load(bytes: reference)
        #expect(a.bands == b.bands && a.sampleFormat == b.sampleFormat && a.interpretation == b.interpretation)
        #expect(try PixelBridge.raster(from: a) == PixelBridge.raster(from: b))
    }

    @Test func keepsTheMetadataLibvipsWrites() throws {
        // bridge_at_night.jpg carries an ICC profile and EXIF.
        let photo = try VipsLoader.thumbnail(path: Files.sample("bridge_at_night.jpg"), width: 200, height: 200, force: false,
                                             options: VipsLoadOptions(pixelLimit: 1 << 28)).materialized()
        let settings = EncoderSettings.png(compression: 3, bitDepth: 8, interlace: false)
        #expect(PNGWriter.handles(photo, bitDepth: 8, interlace: false))
        let fast = try VipsSaver.encode(photo, settings, strip: false)
        let reference = try VipsSaver.libvipsEncode(photo, settings)
        let kinds = { (file: [UInt8]) in PNGWriter.ancillaryChunks(inPNG: file).map { String(decoding: $0[4..<8], as: UTF8.self) } }
        #expect(kinds(fast) == kinds(reference))
        #expect(PNGWriter.ancillaryChunks(inPNG: fast) == PNGWriter.ancillaryChunks(inPNG: reference))
        let back = try load(bytes: fast)
        #expect(back.iccProfile != nil && back.iccProfile == photo.iccProfile)
        #expect(try PixelBridge.raster(from: back) == PixelBridge.raster(from: try load(bytes: reference)))
        // Stripping keeps the profile and drops EXIF, as with libvips' saver.
        let stripped = try VipsSaver.encode(photo, settings, strip: true)
        #expect(!kinds(stripped).contains("eXIf") && kinds(stripped).contains("iCCP"))
    }

    @Test func interlacedAndUnusualImagesGoToLibvips() throws {
        let image = try Self.image(width: 9, height: 9, layout: .rgb, bitDepth: 8)
        #expect(!PNGWriter.handles(image, bitDepth: 8, interlace: true))
        #expect(!PNGWriter.handles(image, bitDepth: 16, interlace: false))
        let bytes = try VipsSaver.encode(image, .png(compression: 3, bitDepth: 16, interlace: false), strip: false)
        #expect(try load(bytes: bytes).sampleFormat == .ushort)
    }
}
