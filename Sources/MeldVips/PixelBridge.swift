import CMeldVips
import CMeldVipsShims
import MeldCore
import Synchronization

/// Moves pixels between libvips images and Meld's working format (``Raster``: planar Float32,
/// linear light, premultiplied alpha).
///
/// Import: the image is colour-managed to sRGB (embedded ICC profile, or libvips' defaults for
/// CMYK), evaluated by libvips into a staging buffer that is reused across calls (no per-call
/// full-size allocation once warm), then decoded in parallel tiles with exact lookup tables
/// (8-bit: 256 entries, 16-bit: 65 536) and premultiplied. Export: un-premultiplied, encoded with
/// the sRGB transfer (exact to the nearest code) into a buffer libvips takes ownership of.
public enum PixelBridge {
    /// Reused interleaved staging memory for imports. One at a time; concurrent imports wait.
    private static let staging = Mutex<StagingBuffer>(StagingBuffer())

    /// Decodes `image` into `raster`, reusing the raster's storage when it is large enough.
    /// The source's bit depth (8 or 16) is returned so that export can match it.
    ///
    /// With `encoded` true the colour planes hold the sRGB-encoded values instead (code / max
    /// code, no transfer function; float scRGB input is encoded) and alpha is not multiplied in
    /// (`isPremultiplied` false): for kernels that work on encoded values, as Poisson cloning does.
    @discardableResult
    public static func read(_ image: VipsImageRef, into raster: inout Raster, encoded: Bool = false,
                            schedule: Schedule = .default) throws(MeldError) -> Int {
        var source = image
        // Colour management and sample format: everything becomes 8- or 16-bit sRGB (or grey),
        // except linear float (scRGB), which is taken as is.
        let isLinearFloat = source.interpretation == .scrgb && source.sampleFormat == .float
        let sixteen = source.sampleFormat.bits > 8
        if !isLinearFloat { source = try source.inSRGB() }
        let bands = source.bands
        guard let layout = PixelLayout(channels: bands) else {
            throw MeldError(.unsupportedFormat, operation: "read", "images with \(bands) bands are not supported (1–4: grey, grey+alpha, RGB, RGBA)")
        }
        let format = source.sampleFormat
        let bytesPerSample = format == .uchar ? 1 : (format == .ushort ? 2 : 4)
        let w = source.width, h = source.height
        let needed = w * h * bands * bytesPerSample
        raster.reshape(width: w, height: h, layout: layout)
        try staging.withLock { (stage: inout StagingBuffer) throws(MeldError) in
            stage.reserve(needed)
            guard cmeld_write_to_buffer(source.pointer, stage.base, needed) == 0 else {
                throw VipsRuntime.failure(.corruptImage, "read", "the image could not be decoded (truncated or damaged data)")
            }
            let src = UnsafeSendablePointer(stage.base)
            raster.withMutableView { dst in
                switch format {
                case .uchar:
                    decode(UnsafePointer(src.pointer.assumingMemoryBound(to: UInt8.self)), bands: bands,
                           table: encoded ? Self.identity8 : SRGBTransfer.decode8, premultiply: !encoded, into: dst, schedule: schedule)
                case .ushort:
                    decode(UnsafePointer(src.pointer.assumingMemoryBound(to: UInt16.self)), bands: bands,
                           table: encoded ? Self.identity16 : SRGBTransfer.decode16, premultiply: !encoded, into: dst, schedule: schedule)
                default:
                    copyLinear(UnsafePointer(src.pointer.assumingMemoryBound(to: Float.self)), bands: bands, encode: encoded,
                               into: dst, schedule: schedule)
                }
            }
        }
        raster.isPremultiplied = !encoded
        return sixteen ? 16 : 8
    }

    /// Decodes `image` into a new raster (`encoded`: see ``read(_:into:encoded:schedule:)``).
    public static func raster(from image: VipsImageRef, encoded: Bool = false, schedule: Schedule = .default) throws(MeldError) -> Raster {
        var r = Raster(uninitializedWidth: 0, height: 0, layout: .rgb)
        try read(image, into: &r, encoded: encoded, schedule: schedule)
        return r
    }

    /// code / 255 and code / 65535: the encoded values of the integer codes.
    static let identity8: [Float] = (0..<256).map { Float($0) / 255 }
    static let identity16: [Float] = (0..<65536).map { Float($0) / 65535 }

    /// Encodes a raster as an sRGB (or grey) libvips image of 8 or 16 bits per sample.
    ///
    /// `metadataFrom`: an image whose metadata (EXIF, XMP, IPTC, resolution, orientation,
    /// comments — not its ICC profile, since the new pixels are sRGB) the new image carries.
    ///
    /// `encoded`: the colour planes hold sRGB-encoded values (as ``read(_:into:encoded:schedule:)``
    /// gives them), rounded to the nearest code.
    public static func image(from raster: Raster, bitDepth: Int = 8, encoded: Bool = false, schedule: Schedule = .default,
                             metadataFrom source: VipsImageRef? = nil) throws(MeldError) -> VipsImageRef {
        try VipsRuntime.start()
        guard bitDepth == 8 || bitDepth == 16 else {
            throw MeldError(.invalidArgument, operation: "write", "bit depth must be 8 or 16 (got \(bitDepth))")
        }
        guard raster.width > 0, raster.height > 0 else {
            throw MeldError(.invalidArgument, operation: "write", "cannot make an image of \(raster.width)x\(raster.height) pixels")
        }
        let bands = raster.channels, w = raster.width, h = raster.height
        let bytes = w * h * bands * (bitDepth / 8)
        guard let memory = malloc(bytes) else {
            throw MeldError(.processingFailed, operation: "write", "out of memory for a \(w)x\(h) image")
        }
        let dst = UnsafeSendablePointer(memory)
        raster.withView { src in
            switch (bitDepth, encoded) {
            case (8, false):
                encode(src, premultiplied: raster.isPremultiplied, into: dst.pointer.assumingMemoryBound(to: UInt8.self),
                       schedule: schedule, Encode8.self)
            case (8, true):
                encode(src, premultiplied: raster.isPremultiplied, into: dst.pointer.assumingMemoryBound(to: UInt8.self),
                       schedule: schedule, Round8.self)
            case (_, false):
                encode(src, premultiplied: raster.isPremultiplied, into: dst.pointer.assumingMemoryBound(to: UInt16.self),
                       schedule: schedule, Encode16.self)
            case (_, true):
                encode(src, premultiplied: raster.isPremultiplied, into: dst.pointer.assumingMemoryBound(to: UInt16.self),
                       schedule: schedule, Round16.self)
            }
        }
        let interpretation: VipsInterpretation = bands <= 2
            ? (bitDepth == 16 ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_B_W)
            : (bitDepth == 16 ? VIPS_INTERPRETATION_RGB16 : VIPS_INTERPRETATION_sRGB)
        guard let image = cmeld_image_from_owned_memory(memory, bytes, Int32(w), Int32(h), Int32(bands),
                                                        bitDepth == 16 ? VIPS_FORMAT_USHORT : VIPS_FORMAT_UCHAR, interpretation) else {
            free(memory)
            throw VipsRuntime.failure(.processingFailed, "write", "libvips could not wrap the pixels")
        }
        // The image is new and not shared yet, so its fields may still be set.
        if let source { cmeld_copy_metadata(source.pointer, image) }
        return VipsImageRef(owning: image)
    }

    /// Runs `body` over `image`'s pixels as interleaved 8-bit encoded sRGB (colour-managed as
    /// ``read(_:into:encoded:schedule:)`` does) and wraps the result as a new sRGB image carrying
    /// `image`'s metadata (not its ICC profile: the pixels are sRGB now). Only for 8-bit RGB and
    /// RGBA sources; returns nil for others (grey, 16-bit, float), which take the working format.
    /// Alpha is unassociated, as decoders deliver it.
    public static func mappingCodes8(_ image: VipsImageRef,
                                     _ body: (_ pixels: UnsafeMutablePointer<UInt8>, _ width: Int, _ height: Int, _ channels: Int) -> Void) throws(MeldError) -> VipsImageRef? {
        guard image.sampleFormat == .uchar else { return nil }
        let source = try image.inSRGB()
        let bands = source.bands, w = source.width, h = source.height
        guard source.sampleFormat == .uchar, bands == 3 || bands == 4 else { return nil }
        let bytes = w * h * bands
        guard let memory = malloc(bytes) else {
            throw MeldError(.processingFailed, operation: "read", "out of memory for a \(w)x\(h) image")
        }
        guard cmeld_write_to_buffer(source.pointer, memory, bytes) == 0 else {
            free(memory)
            throw VipsRuntime.failure(.corruptImage, "read", "the image could not be decoded (truncated or damaged data)")
        }
        body(memory.assumingMemoryBound(to: UInt8.self), w, h, bands)
        guard let out = cmeld_image_from_owned_memory(memory, bytes, Int32(w), Int32(h), Int32(bands),
                                                      VIPS_FORMAT_UCHAR, VIPS_INTERPRETATION_sRGB) else {
            free(memory)
            throw VipsRuntime.failure(.processingFailed, "write", "libvips could not wrap the pixels")
        }
        cmeld_copy_metadata(image.pointer, out)
        return VipsImageRef(owning: out)
    }

    // MARK: kernels

    /// Interleaved codes → planar linear floats, premultiplied, in row bands.
    static func decode<T: FixedWidthInteger & UnsignedInteger & Sendable>(_ src: UnsafePointer<T>, bands: Int, table: [Float],
                                                               premultiply: Bool = true, into dst: MutableRasterView, schedule: Schedule) {
        let w = dst.width
        let hasAlpha = bands == 2 || bands == 4
        let colour = hasAlpha ? bands - 1 : bands
        let scale = 1 / Float(T.max)
        let source = UnsafeSendablePointer(UnsafeMutableRawPointer(mutating: src))
        table.withUnsafeBufferPointer { lut in
            let lut = UnsafeSendableBufferPointer(lut)
            TileScheduler.forEachTile(in: Rect(width: w, height: dst.height),
                                      schedule: Schedule(tileWidth: w, tileHeight: 32, threads: schedule.threads)) { tile in
                let s = UnsafePointer(source.pointer.assumingMemoryBound(to: T.self))
                for y in tile.y..<tile.maxY {
                    let row = s + y &* w &* bands
                    if hasAlpha && premultiply {
                        let a = dst.row(y, channel: colour)
                        for x in 0..<w { a[x] = Float(row[x &* bands &+ colour]) * scale }
                        for c in 0..<colour {
                            let d = dst.row(y, channel: c)
                            for x in 0..<w { d[x] = lut.buffer[Int(row[x &* bands &+ c])] * a[x] }
                        }
                    } else {
                        for c in 0..<colour {
                            let d = dst.row(y, channel: c)
                            for x in 0..<w { d[x] = lut.buffer[Int(row[x &* bands &+ c])] }
                        }
                        if hasAlpha {
                            let a = dst.row(y, channel: colour)
                            for x in 0..<w { a[x] = Float(row[x &* bands &+ colour]) * scale }
                        }
                    }
                }
            }
        }
    }

    /// Interleaved linear floats (scRGB) → planar, premultiplied (or, with `encode`, sRGB-encoded
    /// colour and straight alpha).
    static func copyLinear(_ src: UnsafePointer<Float>, bands: Int, encode: Bool = false, into dst: MutableRasterView, schedule: Schedule) {
        let w = dst.width
        let hasAlpha = bands == 2 || bands == 4
        let colour = hasAlpha ? bands - 1 : bands
        let source = UnsafeSendablePointer(UnsafeMutableRawPointer(mutating: src))
        TileScheduler.forEachTile(in: Rect(width: w, height: dst.height),
                                  schedule: Schedule(tileWidth: w, tileHeight: 32, threads: schedule.threads)) { tile in
            let s = UnsafePointer(source.pointer.assumingMemoryBound(to: Float.self))
            for y in tile.y..<tile.maxY {
                let row = s + y &* w &* bands
                for c in 0..<bands {
                    let d = dst.row(y, channel: c)
                    for x in 0..<w { d[x] = row[x &* bands &+ c] }
                }
                if encode {
                    for c in 0..<colour {
                        let d = dst.row(y, channel: c)
                        for x in 0..<w { d[x] = SRGBTransfer.encode(d[x]) }
                    }
                } else if hasAlpha {
                    let a = dst.row(y, channel: colour)
                    for c in 0..<colour {
                        let d = dst.row(y, channel: c)
                        for x in 0..<w { d[x] *= a[x] }
                    }
                }
            }
        }
    }

    /// Planar linear (premultiplied or straight) → interleaved sRGB codes, in row bands.
    /// Generic over the sample encoder so each depth gets its own inlined loop (a closure per
    /// sample cost ~15× more, measured on a 20 MP export).
    static func encode<E: SampleEncoder>(_ src: RasterView, premultiplied: Bool, into dst: UnsafeMutablePointer<E.Sample>,
                                         schedule: Schedule, _: E.Type) {
        let w = src.width, bands = src.channels
        let hasAlpha = bands == 2 || bands == 4
        let colour = hasAlpha ? bands - 1 : bands
        let out = UnsafeSendablePointer(UnsafeMutableRawPointer(dst))
        TileScheduler.forEachTile(in: Rect(width: w, height: src.height),
                                  schedule: Schedule(tileWidth: w, tileHeight: 32, threads: schedule.threads),
                                  makeScratch: { (inverse: [Float](repeating: 1, count: w), tables: E.makeTables()) }) { tile, scratch in
            let d0 = out.pointer.assumingMemoryBound(to: E.Sample.self)
            scratch.inverse.withUnsafeMutableBufferPointer { inverse in
                for y in tile.y..<tile.maxY {
                    let row = d0 + y &* w &* bands
                    if hasAlpha {
                        let a = src.row(y, channel: colour)
                        for x in 0..<w {
                            let alpha = a[x]
                            inverse[x] = premultiplied ? (alpha > 0 ? 1 / alpha : 0) : 1
                            row[x &* bands &+ colour] = E.alpha(alpha)
                        }
                    }
                    for c in 0..<colour {
                        let s = src.row(y, channel: c)
                        if hasAlpha {
                            for x in 0..<w { row[x &* bands &+ c] = E.colour(s[x] * inverse[x], scratch.tables) }
                        } else {
                            for x in 0..<w { row[x &* bands &+ c] = E.colour(s[x], scratch.tables) }
                        }
                    }
                }
            }
        }
    }
}

/// Encodes linear floats to integer sRGB samples of one depth.
protocol SampleEncoder: Sendable {
    associatedtype Sample
    associatedtype Tables
    static func makeTables() -> Tables
    static func colour(_ linear: Float, _ tables: Tables) -> Sample
    static func alpha(_ value: Float) -> Sample
}

/// Exact 8-bit sRGB encoding: the guess table and thresholds of ``SRGBTransfer``, held as
/// unsafe pointers for the loop (Swift arrays would be bounds-checked and retained per call).
enum Encode8: SampleEncoder {
    struct Tables {
        let guess: UnsafeBufferPointer<UInt8>
        let thresholds: UnsafeBufferPointer<Float>
        init() {
            guess = Encode8.guess
            thresholds = Encode8.thresholds
        }
    }

    // Copies of the tables that live for the whole process.
    nonisolated(unsafe) static let guess: UnsafeBufferPointer<UInt8> = {
        let p = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: SRGBTransfer.encode8Guess.count)
        _ = p.initialize(from: SRGBTransfer.encode8Guess)
        return UnsafeBufferPointer(p)
    }()
    nonisolated(unsafe) static let thresholds: UnsafeBufferPointer<Float> = {
        let p = UnsafeMutableBufferPointer<Float>.allocate(capacity: SRGBTransfer.encode8Thresholds.count)
        _ = p.initialize(from: SRGBTransfer.encode8Thresholds)
        return UnsafeBufferPointer(p)
    }()

    static func makeTables() -> Tables { Tables() }

    /// `v.rounded()` (half away from zero) for 0 ≤ v < 2²⁴, without a libm call: the fraction
    /// left by truncation is exact.
    @inline(__always) static func roundHalfUp(_ v: Float) -> Int {
        let i = Int(v)
        return v - Float(i) >= 0.5 ? i &+ 1 : i
    }

    @inline(__always) static func colour(_ linear: Float, _ t: Tables) -> UInt8 {
        let x = linear.isNaN ? 0 : min(max(linear, 0), 1)
        var c = Int(t.guess[Int(x * 4096)])
        if x >= t.thresholds[c &+ 1] { c &+= 1 }
        return UInt8(truncatingIfNeeded: c)
    }

    @inline(__always) static func alpha(_ value: Float) -> UInt8 {
        UInt8(truncatingIfNeeded: roundHalfUp(min(max(value.isNaN ? 0 : value, 0), 1) * 255))
    }
}

/// 16-bit sRGB encoding with the exact transfer function.
enum Encode16: SampleEncoder {
    struct Tables {}

    static func makeTables() -> Tables { Tables() }

    @inline(__always) static func colour(_ linear: Float, _: Tables) -> UInt16 { SRGBTransfer.encode16(linear) }

    @inline(__always) static func alpha(_ value: Float) -> UInt16 {
        UInt16(truncatingIfNeeded: Encode8.roundHalfUp(min(max(value.isNaN ? 0 : value, 0), 1) * 65535))
    }
}

/// sRGB-encoded floats (0…1) to the nearest 8-bit code.
enum Round8: SampleEncoder {
    static func makeTables() {}
    @inline(__always) static func colour(_ encoded: Float, _: ()) -> UInt8 { Encode8.alpha(encoded) }
    @inline(__always) static func alpha(_ value: Float) -> UInt8 { Encode8.alpha(value) }
}

/// sRGB-encoded floats (0…1) to the nearest 16-bit code.
enum Round16: SampleEncoder {
    static func makeTables() {}
    @inline(__always) static func colour(_ encoded: Float, _: ()) -> UInt16 { Encode16.alpha(encoded) }
    @inline(__always) static func alpha(_ value: Float) -> UInt16 { Encode16.alpha(value) }
}

/// Growable, reusable raw memory (page-faulted once, kept for later imports).
struct StagingBuffer: ~Copyable {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var capacity = 0

    mutating func reserve(_ bytes: Int) {
        if bytes <= capacity { return }
        base?.deallocate()
        base = .allocate(byteCount: bytes, alignment: 64)
        capacity = bytes
    }

    deinit { base?.deallocate() }
}

struct UnsafeSendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer?) { self.pointer = pointer! }
}

struct UnsafeSendableBufferPointer: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<Float>
    init(_ buffer: UnsafeBufferPointer<Float>) { self.buffer = buffer }
}
