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

    /// Softens the alpha edge: the image grows by `pad` on every side (colour extended from the
    /// edge, alpha zero), then alpha is blurred with σ = `sigma`. Returns the image and the pad.
    public func feathered(sigma: Double) throws(MeldError) -> (image: VipsImageRef, pad: Int) {
        // An image without alpha is opaque (its colours are not coverage).
        if !hasAlpha { return try addingOpaqueAlpha().feathered(sigma: sigma) }
        let pad = Int((3 * sigma).rounded(.up))
        let w = width + 2 * pad, h = height + 2 * pad
        let bands = try colourBands()
        let colour = try bands.derive("feather", "edge extension failed") {
            cmeld_embed(bands.pointer, &$0, Int32(pad), Int32(pad), Int32(w), Int32(h), VIPS_EXTEND_COPY, nil, 0)
        }
        let alpha = try coverageBand()
        let zero: [Double] = [0]
        let padded = try zero.withUnsafeBufferPointer { bg throws(MeldError) in
            try alpha.derive("feather", "padding failed") {
                cmeld_embed(alpha.pointer, &$0, Int32(pad), Int32(pad), Int32(w), Int32(h), VIPS_EXTEND_BACKGROUND, bg.baseAddress, 1)
            }
        }
        let blurred = try padded.derive("feather", "blur failed") { cmeld_gaussblur(padded.pointer, &$0, sigma) }
        return (try colour.withAlpha(blurred), pad)
    }

    /// Rotation by any angle (degrees, clockwise) about the centre, alpha-correct: colour is
    /// premultiplied for the bicubic interpolation so transparent pixels never bleed in. The
    /// image grows to hold the rotated corners; new area is transparent.
    public func rotatedWithAlpha(degrees: Double) throws(MeldError) -> VipsImageRef {
        let format = sampleFormat
        let withA = hasAlpha ? self : try addingOpaqueAlpha()
        let pre = try withA.derive("rotate", "premultiply failed") { cmeld_premultiply(withA.pointer, &$0) }
        let zeros = [Double](repeating: 0, count: withA.bands)
        let turned = try pre.rotated(degrees: degrees, background: zeros)
        let un = try turned.derive("rotate", "unpremultiply failed") { cmeld_unpremultiply(turned.pointer, &$0) }
        return try un.cast(to: format)
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
