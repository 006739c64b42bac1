import CMeldVips
import CMeldVipsShims
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MeldCore

/// How libvips should read an image.
public struct VipsLoadOptions: Sendable, Hashable {
    /// Read top to bottom once (faster and leaner for load → resize → save); the image must
    /// then be evaluated only once.
    public var sequential: Bool
    /// Refuse images with more pixels than this, before any pixel is decoded.
    public var pixelLimit: Int
    /// Apply the EXIF orientation so that the pixels are upright.
    public var autorotate: Bool

    /// Creates options.
    public init(sequential: Bool = false, pixelLimit: Int, autorotate: Bool = true) {
        self.sequential = sequential
        self.pixelLimit = pixelLimit
        self.autorotate = autorotate
    }
}

/// Loads images through libvips, with Meld's checks in front of it.
public enum VipsLoader {
    /// The libvips loaders Meld accepts, by a word in their class name, and the format they read.
    /// Everything else (ImageMagick, PDF, SVG, matrix/CSV text, ...) is refused: those loaders
    /// either run untrusted code paths or read non-image files as images.
    static let allowed: [(key: String, format: String)] = [
        ("jpeg", "jpeg"), ("png", "png"), ("webp", "webp"), ("tiff", "tiff"),
        ("gif", "gif"), ("heif", "heif"), ("jxl", "jxl"), ("jp2k", "jp2k"),
    ]

    /// The format name Meld gives a libvips loader class or nickname, or nil when refused.
    public static func formatName(forLoader loader: String) -> String? {
        let l = loader.lowercased()
        return allowed.first { l.contains($0.key) }?.format
    }

    /// Loads the image at `path` (header only; pixels decode when evaluated).
    public static func load(path: String, options: VipsLoadOptions) throws(MeldError) -> VipsImageRef {
        try VipsRuntime.start()
        try checkReadable(path)
        guard let loaderName = cmeld_find_load_file(path).map({ String(cString: $0) }) else {
            throw MeldError(.unsupportedFormat, operation: "load",
                            "\(path) is not an image format Meld reads (\(sniff(path)))")
        }
        try checkAllowed(loaderName, name: path)
        var out: UnsafeMutablePointer<VipsImage>?
        guard cmeld_load_file(path, options.sequential ? 1 : 0, VIPS_FAIL_ON_ERROR, &out) == 0, let out else {
            throw VipsRuntime.failure(.corruptImage, "load", "\(path) could not be read: the file is damaged or not a valid \(formatName(forLoader: loaderName) ?? "image")")
        }
        return try finish(VipsImageRef(owning: out), name: path, options: options)
    }

    /// Loads an image from encoded bytes (copied; the caller's buffer may go away at once).
    public static func load(bytes: UnsafeRawBufferPointer, name: String = "data", options: VipsLoadOptions) throws(MeldError) -> VipsImageRef {
        try VipsRuntime.start()
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw MeldError(.emptyFile, operation: "load", "\(name) is empty (0 bytes)")
        }
        guard let loaderName = cmeld_find_load_buffer(base, bytes.count).map({ String(cString: $0) }) else {
            throw MeldError(.unsupportedFormat, operation: "load", "\(name) is not an image format Meld reads (\(sniff(bytes)))")
        }
        try checkAllowed(loaderName, name: name)
        var out: UnsafeMutablePointer<VipsImage>?
        guard cmeld_load_buffer(base, bytes.count, options.sequential ? 1 : 0, VIPS_FAIL_ON_ERROR, &out) == 0, let out else {
            throw VipsRuntime.failure(.corruptImage, "load", "\(name) could not be read: the data is damaged or not a valid \(formatName(forLoader: loaderName) ?? "image")")
        }
        return try finish(VipsImageRef(owning: out), name: name, options: options)
    }

    /// Decodes straight to a smaller size using the decoder's shrink-on-load (JPEG DCT scaling,
    /// WebP/HEIF/TIFF pyramids), then resamples with premultiplied alpha — libvips' thumbnail.
    /// The result fits inside `width × height` keeping the aspect ratio, or is exactly that size
    /// when `force` is set. Colour managed: pixels stay in the space of an embedded RGB profile,
    /// which is kept; CMYK is converted to sRGB. 16-bit input comes out 8-bit.
    ///
    /// - Parameter header: the image as returned by ``load(path:options:)`` for this path, which
    ///   proves the file passed Meld's checks (existence, format, pixel limit) before any
    ///   decoding; nil makes this call read the header and check it first.
    public static func thumbnail(path: String, width: Int, height: Int, force: Bool,
                                 options: VipsLoadOptions, header: VipsImageRef? = nil) throws(MeldError) -> VipsImageRef {
        if header == nil {
            _ = try load(path: path, options: VipsLoadOptions(sequential: true, pixelLimit: options.pixelLimit, autorotate: false))
        }
        var out: UnsafeMutablePointer<VipsImage>?
        let size = force ? VIPS_SIZE_FORCE : VIPS_SIZE_BOTH
        guard cmeld_thumbnail_file(path, Int32(width), Int32(height), size, options.autorotate ? 0 : 1, 0,
                                   nil, VIPS_FAIL_ON_ERROR, &out) == 0, let out else {
            throw VipsRuntime.failure(.corruptImage, "load", "\(path) could not be decoded")
        }
        return VipsImageRef(owning: out)
    }

    /// Thumbnail from encoded bytes; see ``thumbnail(path:width:height:force:options:)``.
    public static func thumbnail(bytes: UnsafeRawBufferPointer, name: String = "data", width: Int, height: Int, force: Bool,
                                 options: VipsLoadOptions) throws(MeldError) -> VipsImageRef {
        _ = try load(bytes: bytes, name: name, options: VipsLoadOptions(sequential: true, pixelLimit: options.pixelLimit, autorotate: false))
        var out: UnsafeMutablePointer<VipsImage>?
        let size = force ? VIPS_SIZE_FORCE : VIPS_SIZE_BOTH
        guard cmeld_thumbnail_buffer(bytes.baseAddress, bytes.count, Int32(width), Int32(height), size,
                                     options.autorotate ? 0 : 1, 0, nil, VIPS_FAIL_ON_ERROR, &out) == 0, let out else {
            throw VipsRuntime.failure(.corruptImage, "load", "\(name) could not be decoded")
        }
        return VipsImageRef(owning: out)
    }

    private static func finish(_ image: VipsImageRef, name: String, options: VipsLoadOptions) throws(MeldError) -> VipsImageRef {
        let w = image.width, h = image.height
        guard w > 0, h > 0 else {
            throw MeldError(.corruptImage, operation: "load", "\(name) declares a zero-sized image (\(w)x\(h))")
        }
        let (pixels, overflow) = w.multipliedReportingOverflow(by: h)
        if overflow || pixels > options.pixelLimit {
            throw MeldError(.tooLarge, operation: "load",
                            "\(name) is \(w)x\(h) (\(pixels / 1_000_000) MP), over the limit of \(options.pixelLimit) pixels; raise the pixel limit if this is intended")
        }
        if options.autorotate && image.orientation != 1 {
            var out: UnsafeMutablePointer<VipsImage>?
            guard cmeld_autorot(image.pointer, &out) == 0, let out else {
                throw VipsRuntime.failure(.processingFailed, "load", "\(name): could not apply the EXIF orientation")
            }
            return VipsImageRef(owning: out)
        }
        return image
    }

    /// Refuses loaders outside ``allowed`` and loaders this libvips build blocks.
    static func checkAllowed(_ loaderName: String, name: String) throws(MeldError) {
        guard let format = formatName(forLoader: loaderName) else {
            throw MeldError(.unsupportedFormat, operation: "load",
                            "\(name): format read by \(loaderName) is not supported; use JPEG, PNG, WebP, TIFF, GIF or HEIF/AVIF")
        }
        guard cmeld_has_operation(loaderName) != 0 else {
            throw MeldError(.unsupportedFeature, operation: "load",
                            "\(name): this libvips build blocks its \(format) loader as untrusted (see `meld formats`)")
        }
    }

    static func checkReadable(_ path: String) throws(MeldError) {
        let status = FileStatus(path: path)
        guard status.exists else {
            throw MeldError(.notFound, operation: "load", "\(path) does not exist")
        }
        if status.isDirectory { throw MeldError(.invalidArgument, operation: "load", "\(path) is a folder, not an image file") }
        guard status.isReadable else {
            throw MeldError(.ioFailure, operation: "load", "\(path) is not readable (check its permissions)")
        }
        if status.size == 0 { throw MeldError(.emptyFile, operation: "load", "\(path) is empty (0 bytes)") }
    }

    /// A short guess at what a file that is not an image holds, for error messages.
    static func sniff(_ path: String) -> String {
        let head = FileStatus.head(of: path, count: 16)
        return head.withUnsafeBytes { sniff($0) }
    }

    static func sniff(_ bytes: UnsafeRawBufferPointer) -> String {
        let head = Array(bytes.prefix(16))
        if head.isEmpty { return "no bytes" }
        if head.starts(with: [0x25, 0x50, 0x44, 0x46]) { return "it looks like a PDF" }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "it looks like a ZIP archive" }
        let printable = head.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if printable { return "it looks like text" }
        let hex = head.prefix(8).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: " ")
        return "unrecognised bytes: \(hex)"
    }
}
