/// A colour palette: colours with weights (the share of the image each stands for).
///
/// ``extract(from:count:mask:seed:)`` finds the k dominant colours of an image by k-means in
/// CIE Lab (k-means++ seeding from `seed`, Lloyd iterations, on a deterministic grid sample
/// of at most 2¹⁵ pixels), so the same image and seed always give the same palette, heaviest
/// colour first. ``PaletteRemap`` maps an image onto a palette.
public struct Palette: Sendable, Codable, Hashable {
    /// One palette entry.
    public struct Entry: Sendable, Codable, Hashable {
        /// The colour, encoded sRGB (clipped to the sRGB gamut), opaque.
        public var colour: RGBA
        /// The colour in CIE Lab (D65), unclipped: what remapping uses.
        public var lab: [Double]
        /// Share of the measured pixels nearest to this colour (0…1; entries sum to 1).
        public var weight: Double

        /// Creates an entry from a Lab colour and a weight.
        public init(lab: [Double], weight: Double) {
            self.lab = lab
            self.weight = weight
            let lin = Colour.xyzToLinear(Colour.labToXYZ((Float(lab[0]), Float(lab[1]), Float(lab[2]))))
            func enc(_ v: Float) -> Double { Double(min(max(SRGBTransfer.encode(v), 0), 1)) }
            self.colour = RGBA(red: enc(lin.0), green: enc(lin.1), blue: enc(lin.2))
        }

        /// Creates an entry from an sRGB colour and a weight.
        public init(colour: RGBA, weight: Double) {
            let lin = (SRGBTransfer.decode(Float(colour.red)), SRGBTransfer.decode(Float(colour.green)), SRGBTransfer.decode(Float(colour.blue)))
            let lab = Colour.xyzToLab(Colour.linearToXYZ(lin))
            self.colour = RGBA(red: colour.red, green: colour.green, blue: colour.blue)
            self.lab = [Double(lab.0), Double(lab.1), Double(lab.2)]
            self.weight = weight
        }

        /// `#RRGGBB`.
        public var hex: String { String(colour.description.prefix(7)) }
    }

    /// The entries, heaviest first for extracted palettes.
    public var entries: [Entry]

    /// Creates a palette from entries.
    public init(entries: [Entry]) { self.entries = entries }

    /// A palette of the given sRGB colours with equal weights.
    public init(colours: [RGBA]) {
        self.entries = colours.map { Entry(colour: $0, weight: 1 / Double(max(1, colours.count))) }
    }

    /// The largest palette ``extract(from:count:mask:seed:)`` makes.
    public static let maxCount = 64

    /// Extracts the `count` dominant colours of `image` (fewer if it has fewer distinct colours).
    ///
    /// - Parameters:
    ///   - count: k, 1…64.
    ///   - mask: measure only this selection.
    /// - Throws: `.invalidArgument` for k out of range or a mask/alpha covering nothing; decode errors.
    public static func extract(from image: Image, count: Int, mask: Mask? = nil, seed: UInt64 = 0x7061_6C65) throws(MeldError) -> Palette {
        guard (1...maxCount).contains(count) else {
            throw MeldError(.invalidArgument, operation: "palette", "the number of colours must be 1…\(maxCount) (got \(count))")
        }
        var source = image
        if image.width * image.height > 4_000_000 { source = try image.applying(Resize(.fit(width: 2048, height: 2048))) }
        let raster = try source.raster()
        let coverage = try source.coverage(mask, operation: "palette")
        let samples = LabSamples(of: raster, mask: coverage, maxCount: 1 << 15)
        guard samples.count > 0 else {
            throw MeldError(.invalidArgument, operation: "palette", "\(image.sourcePaths.first ?? "the image") has no pixel to measure (its mask or alpha covers nothing)")
        }
        let clusters = PaletteKernels.kMeans(samples, k: count, seed: seed)
        return Palette(entries: clusters.map { Entry(lab: [$0.lab.0, $0.lab.1, $0.lab.2], weight: $0.weight) })
    }
}

/// Maps every pixel of an image onto the nearest colour of a palette (in CIE Lab).
///
/// With `keepLightness` (default false) only the hue and chroma (a*, b*) come from the palette
/// and each pixel keeps its lightness, so shading and texture survive — a recolouring rather
/// than a posterisation. Blends with the original by `strength` and, with
/// ``apply(to:within:)``, a mask. Alpha is kept; grey images become RGB; 16-bit stays 16-bit.
/// Cost: one pass, O(k) per pixel. Bit-identical on any schedule.
public struct PaletteRemap: ImageOperation {
    /// The target palette (1…256 entries).
    public var palette: Palette
    /// Keep each pixel's L* and take only a*, b* from the palette. Default false.
    public var keepLightness: Bool
    /// 0 (no change) … 1. Default 1.
    public var strength: Double

    /// Creates the operation; see each property for its default.
    public init(palette: Palette, keepLightness: Bool = false, strength: Double = 1) {
        self.palette = palette
        self.keepLightness = keepLightness
        self.strength = strength
    }

    /// Checks the palette size (1…256), its Lab values and `strength` (0…1).
    public func validate() throws(MeldError) {
        guard (1...256).contains(palette.entries.count) else {
            throw MeldError(.invalidArgument, operation: "remap", "palette must have 1…256 colours (got \(palette.entries.count))")
        }
        for (i, e) in palette.entries.enumerated() where e.lab.count != 3 || !e.lab.allSatisfy({ $0.isFinite }) {
            throw MeldError(.invalidArgument, operation: "remap", "palette entry \(i + 1): lab must be three finite numbers")
        }
        guard strength.isFinite && (0...1).contains(strength) else {
            throw MeldError(.invalidArgument, operation: "remap", "strength must be 0…1 (got \(strength))")
        }
    }

    /// Remaps the whole image.
    public func apply(to image: Image) throws(MeldError) -> Image { try apply(to: image, within: nil) }

    /// Remaps where `mask` covers the image (resampled to its size when it differs).
    public func apply(to image: Image, within mask: Mask?, schedule: Schedule = .default) throws(MeldError) -> Image {
        try validate()
        let raster = try image.raster(schedule: schedule)
        let coverage = try image.coverage(mask, operation: "remap")
        let labs = palette.entries.map { (Float($0.lab[0]), Float($0.lab[1]), Float($0.lab[2])) }
        let out = PaletteKernels.remap(raster, palette: labs, keepLightness: keepLightness, mask: coverage,
                                       strength: Float(strength), schedule: schedule)
        return try image.replacingPixels(with: out)
    }
}
