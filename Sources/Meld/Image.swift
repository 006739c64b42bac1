#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MeldVips

/// How an image is read.
public struct LoadOptions: Sendable, Hashable, Codable {
    /// Read top to bottom in one pass. Faster and leaner for load → resize → save, but the
    /// image may then be rendered only once. Default false.
    public var sequential: Bool
    /// Refuse images with more pixels than this (nil: ``Meld/pixelLimit``).
    public var pixelLimit: Int?
    /// Turn the pixels upright according to the EXIF orientation. Default true.
    public var autorotate: Bool

    /// Creates options; see each property for its default.
    public init(sequential: Bool = false, pixelLimit: Int? = nil, autorotate: Bool = true) {
        self.sequential = sequential
        self.pixelLimit = pixelLimit
        self.autorotate = autorotate
    }

    var vips: VipsLoadOptions {
        VipsLoadOptions(sequential: sequential, pixelLimit: pixelLimit ?? Meld.pixelLimit, autorotate: autorotate)
    }
}

/// An image: a lazily evaluated libvips pipeline (decoding happens when pixels are needed) plus
/// where it came from. Immutable and `Sendable`; operations return new images.
///
/// Pixels are in the file's own colour space until Meld's kernels need them: ``raster(schedule:)``
/// converts to the working format (linear-light sRGB, Float32, premultiplied alpha), honouring
/// an embedded ICC profile. Saving keeps the ICC profile, so colour-managed files stay right.
public struct Image: Sendable {
    let ref: VipsImageRef
    /// The files this image reads from; writing over any of them is refused.
    public let sourcePaths: [String]
    /// The format of the file or data it was loaded from, if loaded.
    public let sourceFormat: ImageFormat?

    init(ref: VipsImageRef, sourcePaths: [String], sourceFormat: ImageFormat?) {
        self.ref = ref
        self.sourcePaths = sourcePaths
        self.sourceFormat = sourceFormat
    }

    /// Opens the image file at `path`. Only the header is read now; a damaged file is
    /// reported when its pixels are first needed.
    ///
    /// - Throws: ``MeldError`` — `.notFound`, `.emptyFile`, `.unsupportedFormat`,
    ///   `.corruptImage`, `.tooLarge` (over the pixel limit).
    public init(contentsOf path: String, options: LoadOptions = LoadOptions()) throws(MeldError) {
        let ref = try VipsLoader.load(path: path, options: options.vips)
        self.init(ref: ref, sourcePaths: [Image.canonical(path)], sourceFormat: ref.loader.flatMap(ImageFormat.init(loader:)))
    }

    /// Opens the image file at `url` (a file URL).
    public init(contentsOf url: URL, options: LoadOptions = LoadOptions()) throws(MeldError) {
        try self.init(contentsOf: url.path, options: options)
    }

    /// Decodes an image from encoded bytes (JPEG, PNG, WebP, TIFF, GIF, HEIF/AVIF, JPEG XL).
    public init(data: Data, options: LoadOptions = LoadOptions()) throws(MeldError) {
        let ref: VipsImageRef
        do {
            ref = try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in try VipsLoader.load(bytes: bytes, options: options.vips) }
        } catch let error as MeldError {
            throw error
        } catch {
            throw MeldError(.processingFailed, operation: "load", "\(error)")
        }
        self.init(ref: ref, sourcePaths: [], sourceFormat: ref.loader.flatMap(ImageFormat.init(loader:)))
    }

    /// Opens `path` already resized: the decoder shrinks on load (JPEG decodes at 1/2, 1/4 or
    /// 1/8 scale; pyramidal formats pick a level), then resamples with premultiplied alpha.
    /// Much faster and leaner than loading then resizing when the result is much smaller.
    /// Colour managed: an embedded ICC profile stays with the pixels; CMYK becomes sRGB.
    /// Images deeper than 8 bits take the ordinary load-then-resize path and keep their depth.
    public init(contentsOf path: String, resizedWith resize: Resize, options: LoadOptions = LoadOptions()) throws(MeldError) {
        try resize.validate()
        let header = try VipsLoader.load(path: path, options: VipsLoadOptions(sequential: true, pixelLimit: options.vips.pixelLimit, autorotate: options.autorotate))
        if header.sampleFormat.bits > 8 {
            // libvips' thumbnail reduces 16-bit images to 8 bits; shrink-on-load only helps
            // JPEG (always 8-bit) anyway, so deeper images take the ordinary path and stay deep.
            self = try Image(contentsOf: path, options: options).applying(resize)
            return
        }
        let plan = resize.plan(width: header.width, height: header.height)
        // Aspect-keeping modes ask libvips to fit the planned box rather than force it: its
        // forced-size path measured ~100 ms slower for the same ¼ resize of a 24 MP JPEG
        // (317 vs 206 ms, `vips thumbnail --size force` vs the default), and any 1-pixel
        // rounding difference is fixed by `fitting` below.
        var keepsAspect = true
        if case .exact = resize.mode { keepsAspect = false }
        var loaded = try VipsLoader.thumbnail(path: path, width: plan.scaledWidth, height: plan.scaledHeight,
                                              force: !keepsAspect, options: options.vips, header: header)
        if loaded.width != plan.scaledWidth || loaded.height != plan.scaledHeight {
            loaded = try loaded.fitting(width: plan.scaledWidth, height: plan.scaledHeight)
        }
        // libvips' thumbnail always decodes in one sequential pass; unless the caller asked for
        // sequential access, render it now so the image can be read any number of times.
        if !options.sequential { loaded = try loaded.materialized() }
        let image = Image(ref: loaded, sourcePaths: [Image.canonical(path)], sourceFormat: header.loader.flatMap(ImageFormat.init(loader:)))
        if let crop = plan.crop {
            self = try image.cropped(to: crop)
        } else {
            self = image
        }
    }

    /// An sRGB image of 8 or 16 bits per sample made from working-format pixels.
    public init(raster: Raster, bitDepth: Int = 8, schedule: Schedule = .default) throws(MeldError) {
        let ref = try PixelBridge.image(from: raster, bitDepth: bitDepth, schedule: schedule)
        self.init(ref: ref, sourcePaths: [], sourceFormat: nil)
    }

    /// This image's metadata and sources with new pixels: what an operation that computes its
    /// result in the working format returns. EXIF, XMP, IPTC, resolution and comments are kept
    /// (so a camera's or a rights holder's data survive an edit; `SaveOptions.stripMetadata`
    /// removes them); the ICC profile is not, since the new pixels are sRGB. 16-bit when this
    /// image is, else 8-bit.
    public func replacingPixels(with raster: Raster, schedule: Schedule = .default) throws(MeldError) -> Image {
        let ref = try PixelBridge.image(from: raster, bitDepth: bitDepth > 8 ? 16 : 8, schedule: schedule, metadataFrom: self.ref)
        return Image(ref: ref, sourcePaths: sourcePaths, sourceFormat: sourceFormat)
    }

    /// Width in pixels (upright, after EXIF orientation).
    public var width: Int { ref.width }
    /// Height in pixels.
    public var height: Int { ref.height }
    /// Channels (bands), alpha included.
    public var channels: Int { ref.bands }
    /// Whether the last channel is alpha.
    public var hasAlpha: Bool { ref.hasAlpha }
    /// Bits per sample (8, 16, 32 for float).
    public var bitDepth: Int { ref.sampleFormat.bits }

    /// Decodes to Meld's working format: planar Float32, linear-light sRGB, premultiplied alpha.
    /// Colour managed (embedded ICC profile, CMYK). Greyscale stays one channel.
    public func raster(schedule: Schedule = .default) throws(MeldError) -> Raster {
        try PixelBridge.raster(from: ref, schedule: schedule)
    }

    /// Decodes into an existing raster, reusing its memory when large enough.
    /// Returns the source's bit depth (8 or 16).
    @discardableResult
    public func read(into raster: inout Raster, schedule: Schedule = .default) throws(MeldError) -> Int {
        try PixelBridge.read(ref, into: &raster, schedule: schedule)
    }

    /// Applies an operation.
    public func applying<Op: ImageOperation>(_ operation: Op) throws(MeldError) -> Image {
        try operation.validate()
        return try operation.apply(to: self)
    }

    /// The image computed now and held in memory, so that reading it again (several outputs,
    /// a session's later steps) does not recompute the operations that made it. Costs
    /// width × height × channels × bytes per sample of memory.
    public func materialized() throws(MeldError) -> Image { with(try ref.materialized()) }

    /// Bytes the pixels take in memory when materialized.
    public var memoryFootprint: Int { width * height * channels * max(1, bitDepth / 8) }

    func with(_ ref: VipsImageRef) -> Image { Image(ref: ref, sourcePaths: sourcePaths, sourceFormat: sourceFormat) }

    /// Writes the image to `path`. The format comes from `options.format` or the extension.
    /// The file is written to a temporary file in the same folder and renamed into place.
    ///
    /// - Throws: `.outputIsInput` when `path` is one of the image's sources, `.outputExists`
    ///   when a file is there and `options.overwrite` is false, `.invalidArgument` for options
    ///   out of range, `.corruptImage` when a damaged source is discovered while encoding.
    public func write(to path: String, options: SaveOptions = SaveOptions()) throws(MeldError) {
        guard let format = options.format ?? ImageFormat(pathExtension: path) else {
            throw MeldError(.invalidArgument, operation: "save",
                            "cannot tell the format of \(path) from its extension; name one (jpg, png, webp, tif, gif, heic, avif, jxl)")
        }
        try options.validate(for: format)
        let target = Image.canonical(path)
        if sourcePaths.contains(target) {
            throw MeldError(.outputIsInput, operation: "save", "\(path) is an input of this image; write to another path")
        }
        if FileManager.default.fileExists(atPath: path) && !options.overwrite {
            throw MeldError(.outputExists, operation: "save", "\(path) already exists; allow overwriting to replace it")
        }
        let prepared = try prepared(for: format, options: options)
        try VipsSaver.write(prepared, to: path, options.encoder(for: format, sourceBits: prepared.sampleFormat.bits), strip: options.stripMetadata)
    }

    /// Encodes the image to bytes in memory.
    public func encoded(as format: ImageFormat, options: SaveOptions = SaveOptions()) throws(MeldError) -> Data {
        try options.validate(for: format)
        let prepared = try prepared(for: format, options: options)
        let bytes = try VipsSaver.encode(prepared, options.encoder(for: format, sourceBits: prepared.sampleFormat.bits), strip: options.stripMetadata)
        return Data(bytes)
    }

    /// Brings samples into what the format stores: 16-bit stays 16-bit where the format
    /// allows, and is converted (with rounding) otherwise.
    private func prepared(for format: ImageFormat, options: SaveOptions) throws(MeldError) -> VipsImageRef {
        var image = ref
        let bits = image.sampleFormat.bits
        let wantBits = options.bitDepth ?? min(bits, format.maxBitDepth)
        // Convert (scaling the samples) whenever the stored depth changes: libvips 8.14's PNG
        // saver crashes when asked for 16 bits of an 8-bit image, and a plain cast would not
        // scale 255 to 65535 anyway.
        if image.interpretation != .cmyk, (bits > 8 && wantBits <= 8) || image.sampleFormat == .float || image.sampleFormat == .double {
            image = try image.convertedToSRGB(depth: wantBits > 8 ? 16 : 8)
        } else if image.interpretation != .cmyk, bits <= 8, wantBits > 8 {
            if image.iccProfile.map({ !ICCProfile.isSRGB($0) }) ?? false {
                image = try image.convertedToSRGB(depth: 16)
            } else {
                image = try image.widenedTo16Bits()
            }
        }
        return image
    }

    /// The absolute, symlink-resolved form of a path, for comparing inputs with outputs.
    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
