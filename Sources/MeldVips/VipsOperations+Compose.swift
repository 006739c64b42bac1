import CMeldVips
import CMeldVipsShims
import MeldCore

/// Lazy libvips steps that bring a layer to its placed form (all keep straight alpha).
extension VipsImageRef {
    /// The largest sample value of the format (255, 65 535, or 1 for float).
    var maxSampleValue: Double {
        switch sampleFormat {
        case .uchar: 255
        case .ushort: 65535
        default: 1
        }
    }

    /// One band of coverage in 0…1 as float: the alpha band, the grey band, or the Rec. 709 luma
    /// of the stored colour values (no transfer curve).
    public func coverageBand() throws(MeldError) -> VipsImageRef {
        let scale = 1 / maxSampleValue
        var band: VipsImageRef
        if hasAlpha {
            band = try extractingBands(bands - 1)
        } else if bands >= 3 {
            let r = try extractingBands(0), g = try extractingBands(1), b = try extractingBands(2)
            let rs = try r.linear(scale: 0.2126, offset: 0), gs = try g.linear(scale: 0.7152, offset: 0), bs = try b.linear(scale: 0.0722, offset: 0)
            band = try rs.adding(gs).adding(bs)
        } else {
            band = try extractingBands(0)
        }
        return try band.linear(scale: scale, offset: 0)
    }

    /// Every band × `scale` + `offset`, as float.
    public func linear(scale: Double, offset: Double) throws(MeldError) -> VipsImageRef {
        try derive("compose", "arithmetic failed") { cmeld_linear1(pointer, &$0, scale, offset) }
    }

    /// Pixel-wise sum.
    func adding(_ other: VipsImageRef) throws(MeldError) -> VipsImageRef {
        try derive("compose", "addition failed") { cmeld_add(pointer, other.pointer, &$0) }
    }

    /// Pixel-wise product with a one-band image of the same size.
    public func multiplied(by other: VipsImageRef) throws(MeldError) -> VipsImageRef {
        try derive("compose", "multiplication failed") { cmeld_multiply(pointer, other.pointer, &$0) }
    }

    /// Bands of `self` followed by the bands of `other`.
    public func joined(with other: VipsImageRef) throws(MeldError) -> VipsImageRef {
        try derive("compose", "band join failed") { cmeld_bandjoin2(pointer, other.pointer, &$0) }
    }

    /// The colour bands (all but alpha).
    public func colourBands() throws(MeldError) -> VipsImageRef {
        hasAlpha ? try extractingBands(0, count: bands - 1) : self
    }

    /// Replaces (or adds) alpha with `coverage` (float 0…1, same size), keeping the sample format.
    public func withAlpha(_ coverage: VipsImageRef) throws(MeldError) -> VipsImageRef {
        let format = sampleFormat
        let alpha = try coverage.linear(scale: maxSampleValue, offset: 0).cast(to: format)
        return try colourBands().joined(with: alpha)
    }

    /// Multiplies the alpha (1 when absent) by `coverage` (float 0…1, same size).
    public func multiplyingAlpha(by coverage: VipsImageRef) throws(MeldError) -> VipsImageRef {
        guard hasAlpha else { return try withAlpha(coverage) }
        let current = try coverageBand()
        return try withAlpha(current.multiplied(by: coverage))
    }

    /// Softens the alpha edge: the image grows by `pad` = ⌈3σ⌉ on every side and its alpha is
    /// blurred with σ = `sigma` (zero outside the image). Colour is kept where the layer was
    /// opaque and, where the blur spreads alpha into what was transparent, taken from a
    /// premultiplied blur (a coverage-weighted average of nearby visible colour), so no
    /// transparent pixel's colour ever shows: no dark fringes. Returns the image and the pad.
    public func feathered(sigma: Double) throws(MeldError) -> (image: VipsImageRef, pad: Int) {
        // An image without alpha is opaque (its colours are not coverage).
        if !hasAlpha { return try addingOpaqueAlpha().feathered(sigma: sigma) }
        let pad = Int((3 * sigma).rounded(.up))
        let w = width + 2 * pad, h = height + 2 * pad
        let format = sampleFormat
        let zeros = [Double](repeating: 0, count: bands)
        func padded(_ image: VipsImageRef) throws(MeldError) -> VipsImageRef {
            try zeros.withUnsafeBufferPointer { bg throws(MeldError) in
                try image.derive("feather", "padding failed") {
                    cmeld_embed(image.pointer, &$0, Int32(pad), Int32(pad), Int32(w), Int32(h), VIPS_EXTEND_BACKGROUND, bg.baseAddress, Int32(bg.count))
                }
            }
        }
        // Premultiplied blur: blurred alpha, and the coverage-weighted colour around each pixel.
        let pre = try derive("feather", "premultiply failed") { cmeld_premultiply(pointer, &$0) }
        let prePadded = try padded(pre)
        let blurred = try prePadded.derive("feather", "blur failed") { cmeld_gaussblur(prePadded.pointer, &$0, sigma) }
        let un = try blurred.derive("feather", "unpremultiply failed") { cmeld_unpremultiply(blurred.pointer, &$0) }
        let blurredColour = try un.extractingBands(0, count: bands - 1)
        let blurredAlpha = try un.extractingBands(bands - 1)
        // colour = original + (1 − original alpha) · (blurred colour − original): the original
        // wherever it was opaque, the blurred estimate where it was transparent.
        let original = try padded(cast(to: .float))
        let originalColour = try original.extractingBands(0, count: bands - 1)
        let transparency = try original.extractingBands(bands - 1).linear(scale: -1 / maxSampleValue, offset: 1)
        let difference = try blurredColour.adding(originalColour.linear(scale: -1, offset: 0))
        let colour = try originalColour.adding(difference.multiplied(by: transparency))
        return (try colour.joined(with: blurredAlpha).cast(to: format), pad)
    }

    /// Rotation by any angle (degrees, clockwise) about the centre, alpha-correct (see
    /// ``rotated(degrees:background:)``). The image grows to hold the rotated corners; new area
    /// is transparent.
    public func rotatedWithAlpha(degrees: Double) throws(MeldError) -> VipsImageRef {
        let withA = hasAlpha ? self : try addingOpaqueAlpha()
        return try withA.rotated(degrees: degrees, background: [Double](repeating: 0, count: withA.bands))
    }

    /// Text rendered by Pango (through libvips) as coverage: one 8-bit band.
    public static func text(markup: String, font: String, wrapWidth: Int, align: Int, justify: Bool,
                            lineSpacing: Int, fontFile: String?) throws(MeldError) -> VipsImageRef {
        try VipsRuntime.start()
        var out: UnsafeMutablePointer<VipsImage>?
        let alignment: VipsAlign = align < 0 ? VIPS_ALIGN_LOW : (align == 0 ? VIPS_ALIGN_CENTRE : VIPS_ALIGN_HIGH)
        let status = cmeld_text(&out, markup, font, Int32(max(wrapWidth, 0)), alignment, justify ? 1 : 0, 72,
                                Int32(max(lineSpacing, 0)), fontFile, wrapWidth > 0 ? 0 : 1)
        guard status == 0, let out else {
            throw VipsRuntime.failure(.invalidArgument, "text", "the text could not be rendered (check the Pango markup and the font)")
        }
        return VipsImageRef(owning: out)
    }

    /// A constant image of `values.count` float bands.
    public static func constant(width: Int, height: Int, values: [Double]) throws(MeldError) -> VipsImageRef {
        try VipsRuntime.start()
        var out: UnsafeMutablePointer<VipsImage>?
        let status = values.withUnsafeBufferPointer { cmeld_constant(&out, Int32(width), Int32(height), $0.baseAddress, Int32($0.count)) }
        guard status == 0, let out else { throw VipsRuntime.failure(.processingFailed, "compose", "could not make a constant image") }
        return VipsImageRef(owning: out)
    }
}

extension VipsImageRef {
    /// The same pixels tagged as sRGB (text rendered as colour + coverage comes out "multiband",
    /// which libvips cannot colour-convert when a layer is rotated or feathered).
    public func taggedSRGB() throws(MeldError) -> VipsImageRef {
        try derive("compose", "could not tag the image as sRGB") { cmeld_copy_with_interpretation(pointer, &$0, VIPS_INTERPRETATION_sRGB) }
    }

    /// An 8-bit image as 16-bit, exactly: every sample × 257 (so 255 → 65535 and an 8-bit round
    /// trip gives the same codes back), interpreted as RGB16 or GREY16. Alpha scales alike.
    public func widenedTo16Bits() throws(MeldError) -> VipsImageRef {
        let wide = try linear(scale: 257, offset: 0).cast(to: .ushort)
        let interpretation = bands <= 2 ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_RGB16
        return try wide.derive("save", "could not widen to 16 bits") { cmeld_copy_with_interpretation(wide.pointer, &$0, interpretation) }
    }
}
