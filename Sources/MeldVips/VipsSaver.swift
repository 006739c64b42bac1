import CMeldVips
import CMeldVipsShims
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MeldCore

/// JPEG chroma subsampling.
public enum ChromaSubsampling: String, Sendable, Codable, CaseIterable {
    /// 4:2:0 below quality 90, 4:4:4 at 90 and above (libvips' rule).
    case auto
    /// Always 4:2:0.
    case on
    /// Always 4:4:4.
    case off
}

/// TIFF compression schemes.
public enum TIFFCompression: String, Sendable, Codable, CaseIterable {
    case none, deflate, lzw, jpeg, zstd, webp
}

/// HEIF codecs.
public enum HEIFCodec: String, Sendable, Codable, CaseIterable {
    /// HEVC (H.265): `.heic` files.
    case hevc
    /// AV1: `.avif` files.
    case av1
}

/// Everything an encoder needs, per format, already validated.
public enum EncoderSettings: Sendable, Hashable {
    case jpeg(quality: Int, progressive: Bool, subsampling: ChromaSubsampling, optimizeCoding: Bool)
    case png(compression: Int, bitDepth: Int, interlace: Bool)
    case webp(quality: Int, lossless: Bool, effort: Int)
    case tiff(compression: TIFFCompression, quality: Int)
    case heif(codec: HEIFCodec, quality: Int, lossless: Bool, effort: Int, bitDepth: Int)
    case gif
    case jxl(quality: Int, lossless: Bool, effort: Int)

    /// Whether the format can hold CMYK pixels.
    var holdsCMYK: Bool {
        switch self {
        case .jpeg, .tiff: true
        default: false
        }
    }
}

/// Encodes images through libvips.
public enum VipsSaver {
    /// Encodes to bytes in memory.
    public static func encode(_ image: VipsImageRef, _ settings: EncoderSettings, strip: Bool) throws(MeldError) -> [UInt8] {
        try VipsRuntime.start()
        var prepared = try prepare(image, settings, strip: strip)
        if let runs = try parallelPNG(&prepared, settings) { return Array(runs.joined()) }
        if let bytes = try parallelJPEG(prepared, settings) { return bytes }
        guard let target = vips_target_new_to_memory() else {
            throw VipsRuntime.failure(.processingFailed, "save", "could not create an output buffer")
        }
        defer { cmeld_object_unref(target) }
        guard run(prepared, target, settings, strip: strip) == 0 else {
            throw failure(settings)
        }
        var length = 0
        guard let bytes = cmeld_target_copy_bytes(target, &length) else {
            throw MeldError(.processingFailed, operation: "save", "the encoder produced no data")
        }
        defer { cmeld_free(bytes) }
        return Array(UnsafeRawBufferPointer(start: bytes, count: length))
    }

    /// Encodes to `path` by way of a temporary file in the same folder that is renamed over
    /// `path` only when encoding succeeded, so a failed save never leaves a partial file and
    /// never damages an existing one.
    public static func write(_ image: VipsImageRef, to path: String, _ settings: EncoderSettings, strip: Bool) throws(MeldError) {
        try VipsRuntime.start()
        var prepared = try prepare(image, settings, strip: strip)
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let folderStatus = FileStatus(path: folder)
        guard folderStatus.exists, folderStatus.isDirectory else {
            throw MeldError(.notFound, operation: "save", "output folder \(folder) does not exist")
        }
        let temp = (folder == "/" ? "" : folder) + "/." + name + ".meld-\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard let target = vips_target_new_to_file(temp) else {
            throw VipsRuntime.failure(.ioFailure, "save", "cannot create a file in \(folder) (check permissions and free space)")
        }
        let status: Int32
        do throws(MeldError) {
            if let runs = try parallelPNG(&prepared, settings) {
                status = runs.allSatisfy { run in
                    run.withUnsafeBytes { vips_target_write(target, $0.baseAddress, $0.count) == 0 }
                } && vips_target_end(target) == 0 ? 0 : -1
            } else if let bytes = try parallelJPEG(prepared, settings) {
                status = bytes.withUnsafeBytes { vips_target_write(target, $0.baseAddress, $0.count) == 0 }
                    && vips_target_end(target) == 0 ? 0 : -1
            } else {
                status = run(prepared, target, settings, strip: strip)
            }
        } catch {
            cmeld_object_unref(target)
            unlink(temp)
            throw error
        }
        cmeld_object_unref(target)
        guard status == 0 else {
            let error = failure(settings)
            unlink(temp)
            throw error
        }
        guard rename(temp, path) == 0 else {
            let reason = FileStatus.lastErrorDescription
            unlink(temp)
            throw MeldError(.ioFailure, operation: "save", "cannot move the finished file to \(path): \(reason)")
        }
    }

    /// The PNG as byte runs from ``PNGWriter`` when it handles the image and settings, else nil.
    /// The image is rendered to memory first (and `image` replaced by that rendering), so a
    /// one-pass pipeline is read only once even when libvips' saver has to write it after all.
    private static func parallelPNG(_ image: inout VipsImageRef, _ settings: EncoderSettings) throws(MeldError) -> [[UInt8]]? {
        guard case let .png(compression, bitDepth, interlace) = settings,
              PNGWriter.handles(image, bitDepth: bitDepth, interlace: interlace) else { return nil }
        guard let memory = vips_image_copy_memory(image.pointer) else { throw failure(settings) }
        image = VipsImageRef(owning: memory)
        return try PNGWriter.encode(image, compression: compression, bitDepth: bitDepth, threads: Schedule.defaultThreads) { (tiny: VipsImageRef) throws(MeldError) -> [UInt8] in
            try libvipsEncode(tiny, .png(compression: 0, bitDepth: bitDepth, interlace: false))
        }
    }

    /// The JPEG from ``JPEGWriter`` when it handles the image and settings, else nil.
    private static func parallelJPEG(_ image: VipsImageRef, _ settings: EncoderSettings) throws(MeldError) -> [UInt8]? {
        guard let (quality, subsampling) = JPEGWriter.handles(image, settings) else { return nil }
        return try JPEGWriter.encode(image, quality: quality, subsampling: subsampling, threads: Schedule.defaultThreads) {
            (strip: VipsImageRef, interval: Int) throws(MeldError) -> [UInt8] in
            try libvipsEncode(strip, settings, restartInterval: interval)
        }
    }

    /// Encodes with libvips' own saver, to memory.
    /// `restartInterval`: JPEG only, a restart marker every that many MCUs (0: none).
    static func libvipsEncode(_ image: VipsImageRef, _ settings: EncoderSettings, restartInterval: Int = 0) throws(MeldError) -> [UInt8] {
        guard let target = vips_target_new_to_memory() else {
            throw VipsRuntime.failure(.processingFailed, "save", "could not create an output buffer")
        }
        defer { cmeld_object_unref(target) }
        guard run(image, target, settings, strip: false, restartInterval: restartInterval) == 0 else { throw failure(settings) }
        var length = 0
        guard let bytes = cmeld_target_copy_bytes(target, &length) else {
            throw MeldError(.processingFailed, operation: "save", "the encoder produced no data")
        }
        defer { cmeld_free(bytes) }
        return Array(UnsafeRawBufferPointer(start: bytes, count: length))
    }

    private static func failure(_ settings: EncoderSettings) -> MeldError {
        let detail = VipsRuntime.takeError()
        if detail?.contains("out of order read") ?? false {
            return MeldError(.processingFailed, operation: "save",
                             "an image loaded for one sequential pass was read a second time; load it with sequential access off",
                             detail: detail)
        }
        let kind: MeldError.Kind = (detail?.contains("truncated") ?? false) || (detail?.contains("Premature") ?? false)
            || (detail?.contains("read error") ?? false) ? .corruptImage : .processingFailed
        let what = kind == .corruptImage ? "the input image is truncated or damaged" : "encoding failed"
        return MeldError(kind, operation: "save", what, detail: detail)
    }

    /// Makes the image storable in the format: CMYK becomes sRGB where the format has no CMYK.
    static func prepare(_ image: VipsImageRef, _ settings: EncoderSettings, strip: Bool) throws(MeldError) -> VipsImageRef {
        var image = strip ? try image.strippingMetadata() : image
        if image.interpretation == .cmyk && !settings.holdsCMYK {
            image = try image.convertedToSRGB(depth: image.sampleFormat.bits > 8 ? 16 : 8)
        }
        if case .gif = settings, image.sampleFormat != .uchar {
            image = try image.convertedToSRGB(depth: 8)
        }
        return image
    }

    private static func run(_ image: VipsImageRef, _ target: UnsafeMutablePointer<VipsTarget>, _ settings: EncoderSettings, strip: Bool,
                            restartInterval: Int = 0) -> Int32 {
        // libvips' own `strip` also drops the ICC profile, which would change how the colours
        // display; `prepare` removes the other metadata itself and keeps the profile.
        let s: Int32 = 0
        switch settings {
        case let .jpeg(quality, progressive, subsampling, optimize):
            let mode: VipsForeignSubsample = switch subsampling {
            case .auto: VIPS_FOREIGN_SUBSAMPLE_AUTO
            case .on: VIPS_FOREIGN_SUBSAMPLE_ON
            case .off: VIPS_FOREIGN_SUBSAMPLE_OFF
            }
            return cmeld_jpegsave(image.pointer, target, Int32(quality), progressive ? 1 : 0, mode, s, optimize ? 1 : 0,
                                  Int32(restartInterval))
        case let .png(compression, bitDepth, interlace):
            return cmeld_pngsave(image.pointer, target, Int32(compression), Int32(bitDepth), interlace ? 1 : 0, s)
        case let .webp(quality, lossless, effort):
            return cmeld_webpsave(image.pointer, target, Int32(quality), lossless ? 1 : 0, Int32(effort), s)
        case let .tiff(compression, quality):
            let c: VipsForeignTiffCompression = switch compression {
            case .none: VIPS_FOREIGN_TIFF_COMPRESSION_NONE
            case .deflate: VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE
            case .lzw: VIPS_FOREIGN_TIFF_COMPRESSION_LZW
            case .jpeg: VIPS_FOREIGN_TIFF_COMPRESSION_JPEG
            case .zstd: VIPS_FOREIGN_TIFF_COMPRESSION_ZSTD
            case .webp: VIPS_FOREIGN_TIFF_COMPRESSION_WEBP
            }
            return cmeld_tiffsave(image.pointer, target, c, Int32(quality), s)
        case let .heif(codec, quality, lossless, effort, bitDepth):
            let c = codec == .av1 ? VIPS_FOREIGN_HEIF_COMPRESSION_AV1 : VIPS_FOREIGN_HEIF_COMPRESSION_HEVC
            return cmeld_heifsave(image.pointer, target, Int32(quality), lossless ? 1 : 0, c, Int32(effort), Int32(bitDepth), s)
        case .gif:
            return cmeld_gifsave(image.pointer, target, s)
        case let .jxl(quality, lossless, effort):
            return cmeld_jxlsave(image.pointer, target, Int32(quality), lossless ? 1 : 0, Int32(effort), s)
        }
    }
}

/// What this libvips build can read and write.
public enum VipsCapabilities {
    /// Whether libvips has an operation of this nickname ("heifload", "jxlsave", ...).
    public static func has(_ operation: String) -> Bool {
        (try? VipsRuntime.start()) != nil && cmeld_has_operation(operation) != 0
    }

    /// Whether HEIF files with this codec can be written (libheif's encoders are optional).
    /// Found out once per process by a trial encode of a tiny image.
    public static func canEncode(_ codec: HEIFCodec) -> Bool {
        codec == .av1 ? canEncodeAV1 : canEncodeHEVC
    }

    private static let canEncodeAV1: Bool = {
        guard (try? VipsRuntime.start()) != nil else { return false }
        return cmeld_can_encode_heif(VIPS_FOREIGN_HEIF_COMPRESSION_AV1) != 0
    }()

    private static let canEncodeHEVC: Bool = {
        guard (try? VipsRuntime.start()) != nil else { return false }
        return cmeld_can_encode_heif(VIPS_FOREIGN_HEIF_COMPRESSION_HEVC) != 0
    }()
}
