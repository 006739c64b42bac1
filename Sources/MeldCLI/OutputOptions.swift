import ArgumentParser
import Meld

/// Options shared by every command that writes an image.
struct OutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Output file. The format comes from its extension unless --format is given.", valueName: "path"))
    var output: String

    @Option(help: ArgumentHelp("Output format: jpeg, png, webp, tiff, gif, heic, avif, jxl (default: from the extension).", valueName: "name"))
    var format: String?

    @Option(name: [.short, .long], help: ArgumentHelp("Quality 1–100 for JPEG, WebP, HEIC/AVIF, JPEG XL.", valueName: "Q"))
    var quality: Int = 85

    @Flag(help: "JPEG: progressive encoding. PNG: interlaced.")
    var progressive = false

    @Option(help: ArgumentHelp("JPEG chroma subsampling: auto (4:2:0 below Q 90), on (4:2:0), off (4:4:4).", valueName: "mode"))
    var subsample: String = "auto"

    @Flag(help: "Remove EXIF, XMP, IPTC and comments (the ICC profile is kept so colours stay right).")
    var strip = false

    @Option(help: ArgumentHelp("PNG compression level 0–9 (0 fastest, 9 smallest; 3 is already smaller than most tools' 6).", valueName: "level"))
    var compression: Int = 3

    @Option(help: ArgumentHelp("Bits per sample: 8 or 16 for PNG/TIFF; 8, 10 or 12 for HEIC/AVIF. Default: keep the input's depth where the format allows.", valueName: "bits"))
    var bitDepth: Int?

    @Flag(help: "Lossless encoding for WebP, HEIC/AVIF and JPEG XL.")
    var lossless = false

    @Option(help: ArgumentHelp("Encoder CPU effort: WebP 0–6, HEIC/AVIF 0–9, JPEG XL 1–9.", valueName: "n"))
    var effort: Int?

    @Option(help: ArgumentHelp("TIFF compression: none, deflate, lzw, jpeg, zstd, webp.", valueName: "scheme"))
    var tiffCompression: String = "deflate"

    @Flag(help: "JPEG: optimise Huffman tables (a few % smaller, slightly slower).")
    var optimizeCoding = false

    @Flag(help: "Replace the output file if it exists.")
    var overwrite = false

    func validate() throws {
        if let format, ImageFormat(name: format) == nil {
            throw ValidationError("unknown format '\(format)'; use jpeg, png, webp, tiff, gif, heic, avif or jxl")
        }
        if format == nil && ImageFormat(pathExtension: output) == nil {
            throw ValidationError("cannot tell the output format from '\(output)'; give a known extension or --format")
        }
        guard ChromaSubsampling(rawValue: subsample) != nil else {
            throw ValidationError("--subsample must be auto, on or off (got '\(subsample)')")
        }
        guard TIFFCompression(rawValue: tiffCompression) != nil else {
            throw ValidationError("--tiff-compression must be none, deflate, lzw, jpeg, zstd or webp (got '\(tiffCompression)')")
        }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be 1–100 (got \(quality))") }
        guard (0...9).contains(compression) else { throw ValidationError("--compression must be 0–9 (got \(compression))") }
    }

    var saveOptions: SaveOptions {
        SaveOptions(format: format.flatMap(ImageFormat.init(name:)), quality: quality, progressive: progressive,
                    chromaSubsampling: ChromaSubsampling(rawValue: subsample) ?? .auto, stripMetadata: strip,
                    pngCompression: compression, bitDepth: bitDepth, lossless: lossless, effort: effort,
                    tiffCompression: TIFFCompression(rawValue: tiffCompression) ?? .deflate,
                    optimizeCoding: optimizeCoding, overwrite: overwrite)
    }
}

/// Options shared by every command that reads images.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Refuse images with more pixels than this (a guard against decompression bombs).", valueName: "pixels"))
    var pixelLimit: Int = Meld.defaultPixelLimit

    @Flag(help: "Ignore the EXIF orientation instead of turning the image upright.")
    var noAutorotate = false

    func validate() throws {
        guard pixelLimit > 0 else { throw ValidationError("--pixel-limit must be positive") }
    }

    func loadOptions(sequential: Bool) -> LoadOptions {
        LoadOptions(sequential: sequential, pixelLimit: pixelLimit, autorotate: !noAutorotate)
    }
}
