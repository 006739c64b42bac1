import MeldVips

/// How an image is written. Every field has a sensible default; fields that do not apply to
/// the chosen format are ignored.
public struct SaveOptions: Sendable, Hashable, Codable {
    /// The format; nil picks it from the file extension (and is required for in-memory encoding).
    public var format: ImageFormat?
    /// Lossy quality 1…100 (JPEG, WebP, HEIC/AVIF, JPEG XL, TIFF with JPEG compression). Default 85.
    public var quality: Int
    /// JPEG: progressive (interlaced) encoding. Default false.
    public var progressive: Bool
    /// JPEG: chroma subsampling. Default `.auto` (4:2:0 below quality 90).
    public var chromaSubsampling: ChromaSubsampling
    /// Remove EXIF, XMP, IPTC and comments. The ICC profile is always kept so colours stay right.
    public var stripMetadata: Bool
    /// PNG: zlib compression level 0…9 (0 stores, 9 is smallest and slowest). Default 3: with the
    /// row filter Meld's PNG writer uses, level 3 already makes smaller files from photographs
    /// than libvips' level 6 or Pillow's default, at a fraction of the time (`MeldVips.PNGWriter` explains the choice).
    public var pngCompression: Int
    /// PNG/TIFF: bits per sample, 8 or 16; nil keeps the image's own depth. AVIF/HEIC: 8, 10 or 12.
    public var bitDepth: Int?
    /// WebP, HEIC/AVIF, JPEG XL: lossless encoding. Default false.
    public var lossless: Bool
    /// WebP (0…6), HEIC/AVIF (0…9), JPEG XL (1…9): CPU effort; nil means WebP 4, HEIC/AVIF 2
    /// (faster than libvips' 4 and, measured, no larger), JPEG XL 7.
    public var effort: Int?
    /// TIFF compression. Default deflate.
    public var tiffCompression: TIFFCompression
    /// JPEG: compute optimal Huffman tables (a few % smaller files, ~10 % slower encoding).
    /// Default false, as in libvips.
    public var optimizeCoding: Bool
    /// Replace an existing file at the output path. Default false: an existing file is an error.
    public var overwrite: Bool

    /// Creates options; see each property for its default.
    public init(format: ImageFormat? = nil, quality: Int = 85, progressive: Bool = false,
                chromaSubsampling: ChromaSubsampling = .auto, stripMetadata: Bool = false,
                pngCompression: Int = 3, bitDepth: Int? = nil, lossless: Bool = false, effort: Int? = nil,
                tiffCompression: TIFFCompression = .deflate, optimizeCoding: Bool = false, overwrite: Bool = false) {
        self.format = format
        self.quality = quality
        self.progressive = progressive
        self.chromaSubsampling = chromaSubsampling
        self.stripMetadata = stripMetadata
        self.pngCompression = pngCompression
        self.bitDepth = bitDepth
        self.lossless = lossless
        self.effort = effort
        self.tiffCompression = tiffCompression
        self.optimizeCoding = optimizeCoding
        self.overwrite = overwrite
    }

    /// Checks every field's range for `format`.
    public func validate(for format: ImageFormat) throws(MeldError) {
        func bad(_ m: String) -> MeldError { MeldError(.invalidArgument, operation: "save", m) }
        guard (1...100).contains(quality) else { throw bad("quality must be 1…100 (got \(quality))") }
        guard (0...9).contains(pngCompression) else { throw bad("PNG compression must be 0…9 (got \(pngCompression))") }
        if let bitDepth {
            let allowed: [Int] = switch format {
            case .png, .tiff: [8, 16]
            case .heic, .avif: [8, 10, 12]
            case .jxl: [8, 16]
            default: [8]
            }
            guard allowed.contains(bitDepth) else {
                throw bad("\(format) stores \(allowed.map { String($0) }.joined(separator: " or "))-bit samples, not \(bitDepth)-bit")
            }
        }
        if let effort {
            let range: ClosedRange<Int> = switch format {
            case .webp: 0...6
            case .heic, .avif: 0...9
            case .jxl: 1...9
            default: 0...9
            }
            guard range.contains(effort) else { throw bad("effort for \(format) must be \(range.lowerBound)…\(range.upperBound) (got \(effort))") }
        }
        guard format.canWrite else {
            throw MeldError(.unsupportedFeature, operation: "save", "this libvips build cannot write \(format) (see `meld formats`)")
        }
    }

    /// The encoder settings for `format` and an image of `sourceBits` bits per sample.
    func encoder(for format: ImageFormat, sourceBits: Int) -> EncoderSettings {
        switch format {
        case .jpeg: .jpeg(quality: quality, progressive: progressive, subsampling: chromaSubsampling, optimizeCoding: optimizeCoding)
        case .png: .png(compression: pngCompression, bitDepth: bitDepth ?? (sourceBits > 8 ? 16 : 8), interlace: progressive)
        case .webp: .webp(quality: quality, lossless: lossless, effort: effort ?? 4)
        case .tiff: .tiff(compression: tiffCompression, quality: quality)
        case .gif: .gif
        // HEIF effort 2, not libvips' 4: an 800 px AVIF of fig_in_red_bowl.jpg took 0.31 s and
        // 29.5 KB at effort 2 against 1.28 s and 33.0 KB at effort 4 (Q 50, this machine).
        case .heic: .heif(codec: .hevc, quality: quality, lossless: lossless, effort: effort ?? 2, bitDepth: bitDepth ?? 8)
        case .avif: .heif(codec: .av1, quality: quality, lossless: lossless, effort: effort ?? 2, bitDepth: bitDepth ?? 8)
        case .jxl: .jxl(quality: quality, lossless: lossless, effort: effort ?? 7)
        }
    }
}
