import CMeldVips
import CMeldVipsShims
import MeldCore

/// Resampling kernels libvips offers.
public enum ResampleKernel: String, Sendable, Codable, CaseIterable {
    case nearest, linear, cubic, mitchell, lanczos2, lanczos3

    var vips: VipsKernel {
        switch self {
        case .nearest: VIPS_KERNEL_NEAREST
        case .linear: VIPS_KERNEL_LINEAR
        case .cubic: VIPS_KERNEL_CUBIC
        case .mitchell: VIPS_KERNEL_MITCHELL
        case .lanczos2: VIPS_KERNEL_LANCZOS2
        case .lanczos3: VIPS_KERNEL_LANCZOS3
        }
    }
}

/// A right-angle rotation, clockwise.
public enum RightAngle: Int, Sendable, Codable, CaseIterable {
    case d90 = 90, d180 = 180, d270 = 270
}

/// Lazy libvips operations; each returns a new image and leaves `self` alone.
extension VipsImageRef {
    /// Wraps a libvips call that produces one image.
    @inline(__always)
    func derive(_ operation: String, _ message: @autoclosure () -> String,
                _ call: (inout UnsafeMutablePointer<VipsImage>?) -> Int32) throws(MeldError) -> VipsImageRef {
        var out: UnsafeMutablePointer<VipsImage>?
        guard call(&out) == 0, let out else {
            throw VipsRuntime.failure(.processingFailed, operation, message())
        }
        return VipsImageRef(owning: out)
    }

    /// Resamples by independent horizontal and vertical factors. When the image has alpha, colour
    /// is premultiplied before resampling and divided out after, so transparent pixels' colour
    /// never bleeds into edges (no dark fringe); the sample format is kept.
    public func resized(hscale: Double, vscale: Double, kernel: ResampleKernel = .lanczos3) throws(MeldError) -> VipsImageRef {
        guard hscale > 0, vscale > 0, hscale.isFinite, vscale.isFinite else {
            throw MeldError(.invalidArgument, operation: "resize", "scale factors must be positive (got \(hscale), \(vscale))")
        }
        if !hasAlpha {
            return try derive("resize", "resampling failed") { cmeld_resize(pointer, &$0, hscale, vscale, kernel.vips) }
        }
        let format = sampleFormat
        let pre = try derive("resize", "premultiply failed") { cmeld_premultiply(pointer, &$0) }
        let scaled = try pre.derive("resize", "resampling failed") { cmeld_resize(pre.pointer, &$0, hscale, vscale, kernel.vips) }
        let un = try scaled.derive("resize", "unpremultiply failed") { cmeld_unpremultiply(scaled.pointer, &$0) }
        return try un.cast(to: format)
    }

    /// Crops or edge-extends by at most a pixel or two so the size is exactly `width × height`
    /// (libvips' resize rounds output sizes its own way).
    public func fitting(width: Int, height: Int) throws(MeldError) -> VipsImageRef {
        var r = self
        if r.width > width || r.height > height {
            r = try r.cropped(to: Rect(width: min(width, r.width), height: min(height, r.height)))
        }
        if r.width < width || r.height < height {
            r = try r.embeddedByCopyingEdges(width: width, height: height)
        }
        return r
    }

    /// Resamples to exactly `width × height` (independent horizontal and vertical factors).
    public func resampled(width: Int, height: Int, kernel: ResampleKernel = .lanczos3) throws(MeldError) -> VipsImageRef {
        if width == self.width && height == self.height { return self }
        let r = try resized(hscale: Double(width) / Double(self.width), vscale: Double(height) / Double(self.height), kernel: kernel)
        return try r.fitting(width: width, height: height)
    }

    /// Converts the sample format (values are clipped to the new range, not rescaled).
    public func cast(to format: SampleFormat) throws(MeldError) -> VipsImageRef {
        if format == sampleFormat { return self }
        return try derive("cast", "cannot convert samples to \(format)") { cmeld_cast(pointer, &$0, format.vips) }
    }

    /// The pixels inside `rect`, which must lie within the image.
    public func cropped(to rect: Rect) throws(MeldError) -> VipsImageRef {
        guard !rect.isEmpty, Rect(width: width, height: height).contains(rect) else {
            throw MeldError(.invalidArgument, operation: "crop",
                            "crop \(rect) does not lie inside the \(width)x\(height) image")
        }
        return try derive("crop", "crop failed") { cmeld_crop(pointer, &$0, Int32(rect.x), Int32(rect.y), Int32(rect.width), Int32(rect.height)) }
    }

    /// Places the image at (`x`, `y`) on a `width × height` canvas; new pixels take `background`
    /// (one value per band; missing bands are 0).
    public func embedded(x: Int, y: Int, width: Int, height: Int, background: [Double]) throws(MeldError) -> VipsImageRef {
        guard width > 0, height > 0 else {
            throw MeldError(.invalidArgument, operation: "pad", "canvas size must be positive (got \(width)x\(height))")
        }
        return try background.withUnsafeBufferPointer { bg throws(MeldError) in
            try derive("pad", "embedding failed") {
                cmeld_embed(pointer, &$0, Int32(x), Int32(y), Int32(width), Int32(height), VIPS_EXTEND_BACKGROUND,
                            bg.baseAddress, Int32(bg.count))
            }
        }
    }

    /// Rotates by a right angle clockwise (exact, no resampling).
    public func rotated(by angle: RightAngle) throws(MeldError) -> VipsImageRef {
        let a: VipsAngle = switch angle {
        case .d90: VIPS_ANGLE_D90
        case .d180: VIPS_ANGLE_D180
        case .d270: VIPS_ANGLE_D270
        }
        return try derive("rotate", "rotation failed") { cmeld_rot(pointer, &$0, a) }
    }

    /// Rotates by any angle in degrees clockwise with bicubic interpolation; the canvas grows to
    /// hold the whole result and new area takes `background`. Alpha-correct: libvips' affine
    /// premultiplies images with alpha itself (8.14 offers no way to say they already are, so
    /// premultiplying here as well would do it twice and darken soft edges).
    public func rotated(degrees: Double, background: [Double]) throws(MeldError) -> VipsImageRef {
        guard degrees.isFinite else {
            throw MeldError(.invalidArgument, operation: "rotate", "angle must be a finite number of degrees")
        }
        let format = sampleFormat
        let turned = try background.withUnsafeBufferPointer { bg throws(MeldError) in
            try derive("rotate", "rotation failed") {
                cmeld_rotate(pointer, &$0, degrees, bg.baseAddress, Int32(bg.count))
            }
        }
        return try turned.cast(to: format)
    }

    /// Mirrors the image.
    public func flipped(horizontally: Bool) throws(MeldError) -> VipsImageRef {
        try derive("flip", "flip failed") {
            cmeld_flip(pointer, &$0, horizontally ? VIPS_DIRECTION_HORIZONTAL : VIPS_DIRECTION_VERTICAL)
        }
    }

    /// Converts to sRGB (8- or 16-bit) using the embedded ICC profile, or libvips' defaults for
    /// untagged CMYK/Lab/other spaces. Alpha is kept.
    public func convertedToSRGB(depth: Int) throws(MeldError) -> VipsImageRef {
        if iccProfile != nil || interpretation == .cmyk {
            return try derive("colour", "ICC transform to sRGB failed") {
                cmeld_icc_transform(pointer, &$0, "srgb", Int32(depth), VIPS_INTENT_RELATIVE)
            }
        }
        let space = bands <= 2 ? (depth > 8 ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_B_W)
                               : (depth > 8 ? VIPS_INTERPRETATION_RGB16 : VIPS_INTERPRETATION_sRGB)
        return try derive("colour", "conversion to sRGB failed") { cmeld_colourspace(pointer, &$0, space) }
    }

    /// A copy with the ICC profile replaced (nil removes it).
    public func withICCProfile(_ profile: [UInt8]?) throws(MeldError) -> VipsImageRef {
        try derive("colour", "could not attach the ICC profile") { out in
            if let profile {
                return profile.withUnsafeBytes { cmeld_copy_with_icc_profile(pointer, &out, $0.baseAddress, $0.count) }
            }
            return cmeld_copy_with_icc_profile(pointer, &out, nil, 0)
        }
    }

    /// A copy without EXIF/XMP/IPTC/comments (the ICC profile is kept).
    public func strippingMetadata() throws(MeldError) -> VipsImageRef {
        try derive("save", "could not remove metadata") { cmeld_copy_without_metadata(pointer, &$0) }
    }

    /// Removes the alpha band by compositing over `background`.
    public func flattened(background: [Double]) throws(MeldError) -> VipsImageRef {
        try background.withUnsafeBufferPointer { bg throws(MeldError) in
            try derive("flatten", "flatten failed") { cmeld_flatten(pointer, &$0, bg.baseAddress, Int32(bg.count)) }
        }
    }
}

extension VipsImageRef {
    /// Grows the canvas to `width × height` (anchored top-left) by repeating the edge pixels.
    public func embeddedByCopyingEdges(width: Int, height: Int) throws(MeldError) -> VipsImageRef {
        try derive("resize", "edge extension failed") {
            cmeld_embed(pointer, &$0, 0, 0, Int32(width), Int32(height), VIPS_EXTEND_COPY, nil, 0)
        }
    }
}

extension VipsImageRef {
    /// Adds an opaque alpha band (maximum value for the sample format).
    public func addingOpaqueAlpha() throws(MeldError) -> VipsImageRef {
        let maxValue: Double = sampleFormat == .ushort ? 65535 : (sampleFormat == .float ? 1 : 255)
        return try derive("alpha", "could not add an alpha channel") { cmeld_bandjoin_const1(pointer, &$0, maxValue) }
    }
}

extension VipsImageRef {
    /// Renders the image into memory now, so it can be read any number of times in any order
    /// (a sequential-access pipeline can be read only once).
    public func materialized() throws(MeldError) -> VipsImageRef {
        guard let out = vips_image_copy_memory(pointer) else {
            throw VipsRuntime.failure(.corruptImage, "load", "the image could not be decoded (truncated or damaged data)")
        }
        return VipsImageRef(owning: out)
    }
}

extension VipsImageRef {
    /// `count` bands starting at `band`.
    public func extractingBands(_ band: Int, count: Int = 1) throws(MeldError) -> VipsImageRef {
        guard band >= 0, count >= 1, band + count <= bands else {
            throw MeldError(.invalidArgument, operation: "bands", "bands \(band)..<\(band + count) do not exist in a \(bands)-band image")
        }
        return try derive("bands", "band extraction failed") { cmeld_extract_band(pointer, &$0, Int32(band), Int32(count)) }
    }
}
