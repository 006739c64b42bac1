import MeldVips

/// Image file formats Meld reads and writes.
public enum ImageFormat: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case jpeg, png, webp, tiff, gif, heic, avif, jxl

    /// The usual file extensions, first one preferred.
    public var extensions: [String] {
        switch self {
        case .jpeg: ["jpg", "jpeg", "jpe"]
        case .png: ["png"]
        case .webp: ["webp"]
        case .tiff: ["tif", "tiff"]
        case .gif: ["gif"]
        case .heic: ["heic", "heif"]
        case .avif: ["avif"]
        case .jxl: ["jxl"]
        }
    }

    /// The format a file name's extension names (case-insensitive), if any.
    public init?(pathExtension path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let ext = path[path.index(after: dot)...].lowercased()
        guard let f = ImageFormat.allCases.first(where: { $0.extensions.contains(ext) }) else { return nil }
        self = f
    }

    /// Parses a format name or extension ("jpg", "JPEG", "avif", ...).
    public init?(name: String) {
        let n = name.lowercased()
        guard let f = ImageFormat(rawValue: n) ?? ImageFormat.allCases.first(where: { $0.extensions.contains(n) }) else { return nil }
        self = f
    }

    /// The name, e.g. `jpeg`.
    public var description: String { rawValue }

    /// Whether this libvips build can read the format.
    public var canRead: Bool {
        switch self {
        case .jpeg: VipsCapabilities.has("jpegload")
        case .png: VipsCapabilities.has("pngload")
        case .webp: VipsCapabilities.has("webpload")
        case .tiff: VipsCapabilities.has("tiffload")
        case .gif: VipsCapabilities.has("gifload")
        case .heic, .avif: VipsCapabilities.has("heifload")
        case .jxl: VipsCapabilities.has("jxlload")
        }
    }

    /// Whether this libvips build can write the format (for HEIC/AVIF: whether libheif has the encoder).
    public var canWrite: Bool {
        switch self {
        case .jpeg: VipsCapabilities.has("jpegsave")
        case .png: VipsCapabilities.has("pngsave")
        case .webp: VipsCapabilities.has("webpsave")
        case .tiff: VipsCapabilities.has("tiffsave")
        case .gif: VipsCapabilities.has("gifsave")
        case .heic: VipsCapabilities.canEncode(.hevc)
        case .avif: VipsCapabilities.canEncode(.av1)
        case .jxl: VipsCapabilities.has("jxlsave")
        }
    }

    /// The maximum bits per sample the format stores.
    public var maxBitDepth: Int {
        switch self {
        case .png, .tiff, .jxl: 16
        case .heic, .avif: 12
        default: 8
        }
    }

    /// The Meld format for a libvips loader name.
    init?(loader: String) {
        guard let name = VipsLoader.formatName(forLoader: loader) else { return nil }
        switch name {
        case "jpeg": self = .jpeg
        case "png": self = .png
        case "webp": self = .webp
        case "tiff": self = .tiff
        case "gif": self = .gif
        case "heif": self = .heic
        case "jxl": self = .jxl
        default: return nil
        }
    }
}
