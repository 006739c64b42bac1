/// Fills a region of an image with a pattern taken from another image, keeping the object's
/// own shading — "make this shirt out of that fabric".
///
/// 1. The pattern (optionally scaled by `patternScale`) is quilted into a seamless texture the
///    size of the region's bounding box (``TextureSynthesis/quilt(_:width:height:patch:overlap:candidates:seed:)``:
///    random near-best patches joined along minimum-error cuts, so there are no visible seams
///    or obvious repeats).
/// 2. The texture is multiplied by the object's shading — its luminance over the mean
///    luminance under the mask, to the power `shading` — so folds stay dark and highlights
///    bright (``TextureSynthesis/layOn(_:texture:region:mask:shading:)``).
/// 3. The result is blended in by the mask's coverage (soft mask edges blend softly).
///
/// Works in linear light; alpha is kept; grey images become RGB; 16-bit stays 16-bit. The
/// shading model assumes the object's own colour is roughly uniform (a plain shirt, a white
/// shoe): a strongly printed object's print shows through as shading. Deterministic for a
/// given `seed`. Cost: synthesis O(region area × candidates × patch); serial.
public struct TextureTransfer: Sendable, Codable, Hashable {
    /// Patch side in pattern pixels (8…256); nil picks a quarter of the pattern's shorter side,
    /// clamped to 16…96. Larger patches keep larger motifs whole.
    public var patchSize: Int?
    /// Scale applied to the pattern before synthesis (0.05…8; default 1). Below 1 makes the motif smaller.
    public var patternScale: Double
    /// How much of the object's shading modulates the texture, 0…2 (default 1).
    public var shading: Double
    /// Candidate patches tried per placement, 1…512 (default 48).
    public var candidates: Int
    /// Seed of the patch choices.
    public var seed: UInt64

    /// Creates a transfer; see each property for its default.
    public init(patchSize: Int? = nil, patternScale: Double = 1, shading: Double = 1, candidates: Int = 48,
                seed: UInt64 = 0x7465_7874) {
        self.patchSize = patchSize
        self.patternScale = patternScale
        self.shading = shading
        self.candidates = candidates
        self.seed = seed
    }

    /// Checks every setting.
    public func validate() throws(MeldError) {
        if let patchSize, !(8...256).contains(patchSize) {
            throw MeldError(.invalidArgument, operation: "texture", "patchSize must be 8…256 (got \(patchSize))")
        }
        guard patternScale.isFinite && (0.05...8).contains(patternScale) else {
            throw MeldError(.invalidArgument, operation: "texture", "patternScale must be 0.05…8 (got \(patternScale))")
        }
        guard shading.isFinite && (0...2).contains(shading) else {
            throw MeldError(.invalidArgument, operation: "texture", "shading must be 0…2 (got \(shading))")
        }
        guard (1...512).contains(candidates) else {
            throw MeldError(.invalidArgument, operation: "texture", "candidates must be 1…512 (got \(candidates))")
        }
    }

    /// Lays `pattern` onto `image` where `region` covers it (a mask of another size is resampled).
    ///
    /// - Throws: `.invalidArgument` for bad settings, a region covering nothing, or a pattern
    ///   smaller than the patch; decode errors.
    public func apply(to image: Image, pattern: Image, region: Mask) throws(MeldError) -> Image {
        try validate()
        let target = try image.raster()
        guard let coverage = try image.coverage(region, operation: "texture") else { return image }
        // Bounding box of the covered pixels.
        var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
        coverage.withView { m in
            for y in 0..<m.height {
                let row = m.row(y, channel: 0)
                for x in 0..<m.width where row[x] > 0 {
                    minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                }
            }
        }
        guard maxX >= 0 else {
            throw MeldError(.invalidArgument, operation: "texture", "the region covers no pixel of \(image.sourcePaths.first ?? "the image")")
        }
        let box = Rect(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)
        var source = pattern
        if patternScale != 1 { source = try pattern.applying(Resize(.scale(patternScale))) }
        let patternRaster = try source.raster()
        let side = min(patternRaster.width, patternRaster.height)
        let patch = patchSize ?? min(max(side / 4, 16), 96)
        guard side >= patch, side >= 9 else {
            throw MeldError(.invalidArgument, operation: "texture",
                            "the pattern is \(patternRaster.width)x\(patternRaster.height) after scaling; it must be at least \(max(patch, 9)) pixels on each side")
        }
        let overlap = max(2, patch / 6)
        let texture = TextureSynthesis.quilt(patternRaster, width: box.width, height: box.height, patch: patch, overlap: overlap,
                                             candidates: candidates, seed: seed)
        let out = TextureSynthesis.layOn(target, texture: texture, region: box, mask: coverage, shading: Float(shading))
        return try image.replacingPixels(with: out)
    }
}
