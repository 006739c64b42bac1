#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MeldVips

/// What an image file holds, as `meld info` reports it.
public struct ImageInfo: Sendable, Hashable, Codable {
    /// The file path, when read from a file.
    public var path: String?
    /// The file format (nil when unknown).
    public var format: ImageFormat?
    /// Stored width in pixels (before EXIF orientation).
    public var width: Int
    /// Stored height in pixels.
    public var height: Int
    /// Channels (bands), alpha included.
    public var channels: Int
    /// Whether the last channel is alpha.
    public var hasAlpha: Bool
    /// Bits per sample (8, 16, 32).
    public var bitDepth: Int
    /// libvips' sample format name ("uchar", "ushort", "float", ...).
    public var sampleFormat: String
    /// The colour space libvips sees ("srgb", "b-w", "cmyk", "rgb16", "grey16", ...).
    public var colourSpace: String
    /// The embedded ICC profile's description, if there is a profile.
    public var iccProfile: String?
    /// The embedded ICC profile's size in bytes (0 when none).
    public var iccProfileBytes: Int
    /// EXIF orientation 1…8 (1 = upright).
    public var orientation: Int
    /// Pages or frames in the file.
    public var pages: Int
    /// The file's size in bytes, when read from a file.
    public var fileBytes: Int?

    /// Reads only the header of the file at `path` (fast; no pixel decoding).
    public init(contentsOf path: String, pixelLimit: Int? = nil) throws(MeldError) {
        let ref = try VipsLoader.load(path: path, options: VipsLoadOptions(sequential: true, pixelLimit: pixelLimit ?? Meld.pixelLimit, autorotate: false))
        self.init(ref: ref, path: path)
        fileBytes = FileStatus(path: path).size
    }

    init(ref: VipsImageRef, path: String?) {
        self.path = path
        let loader = ref.loader
        var format = loader.flatMap(ImageFormat.init(loader:))
        if format == .heic, ref.stringField("heif-compression") == "av1" { format = .avif }
        self.format = format
        width = ref.width
        height = ref.height
        channels = ref.bands
        hasAlpha = ref.hasAlpha
        bitDepth = ref.sampleFormat.bits
        sampleFormat = ref.sampleFormat.rawValue
        colourSpace = ref.interpretation == .bw ? "b-w" : ref.interpretation.rawValue
        let profile = ref.iccProfile
        iccProfile = profile.map { ICCProfile.description($0) ?? "unnamed profile" }
        iccProfileBytes = profile?.count ?? 0
        orientation = ref.orientation
        pages = ref.pageCount
        fileBytes = nil
    }
}

extension Image {
    /// Facts about the image as it is now (size, channels, depth, colour space, profile).
    public var info: ImageInfo { ImageInfo(ref: ref, path: sourcePaths.first) }
}
