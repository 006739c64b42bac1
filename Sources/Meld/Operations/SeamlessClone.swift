import Dispatch
import MeldCore
import MeldVips
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pastes the masked part of one photo into another so that it looks as if it belonged there:
/// gradient-domain (Poisson) cloning or multi-band blending.
///
/// Placement follows `cv2.seamlessClone`: the mask has the source's size, and the centre of the
/// bounding box of its non-zero pixels lands on ``center`` in the destination (nil: the source is
/// laid over the destination at the same coordinates, for in-place edits). The region may hang
/// over the destination's edges (it is clipped); it may not miss the destination entirely.
///
/// Modes (``Mode``): `normal` keeps the source's gradients and takes colour and light from the
/// destination at the seam; `mixed` keeps, pixel pair by pixel pair, the stronger of the source's
/// and the destination's gradients (for pasting writing or transparent things over texture);
/// `monochrome` keeps the source's luma texture in the destination's colours; `multiband` blends a
/// Laplacian pyramid through the soft mask (``bands`` bands, automatic by default) and keeps the
/// source's colours.
///
/// Working values: sRGB-encoded (after colour management to sRGB), as OpenCV solves on 8-bit
/// codes, so a colour offset is removed exactly and seams are judged in a perceptual scale; the
/// Poisson modes read them as such (code / max code, straight alpha) and round the result back to
/// codes, multiband works in linear light. Poisson
/// modes use mask coverage ≥ 0.5 as the region; multiband uses the coverage as a weight. Source
/// alpha multiplies the mask; destination alpha is kept. The result has the destination's size,
/// channels and bit depth (8-bit stays 8-bit, 16-bit stays 16-bit; float becomes 16-bit). Outside the blended
/// rectangle the destination's pixels are copied unchanged.
///
/// Cost: proportional to the region of interest (the mask's bounding box, plus 2^(bands+1) pixels
/// for multiband), not to the destination; the Poisson solve is banded (``PoissonSolver/fineBand``),
/// so its fine-grid work follows the seam. Measured whole `meld blend` processes of a 1 MP and a
/// 4 MP region into a 20 MP JPEG on a shared 2-core machine: 0.42 s and 0.96 s (178 and 381 MB
/// peak; 0.29 and 0.24 of OpenCV's time in the same run), the destination decoding on its own
/// thread while the mask and source are read, and the JPEG encoded in ≈ 60 ms. Memory is about 75 bytes per
/// region pixel on top of the 8-bit decoded images. The solve stops when a multigrid cycle
/// changes no value by more than ``tolerance`` (full scale = 1).
public struct SeamlessClone: Sendable, Codable, Hashable {
    /// How the pasted region is blended.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Poisson cloning with the source's gradients.
        case normal
        /// Poisson cloning with the stronger of the source's and destination's gradients.
        case mixed
        /// Poisson cloning with the source's luma gradients (texture without its colour).
        case monochrome
        /// Laplacian-pyramid blending through the mask.
        case multiband
    }

    /// A pixel position.
    public struct Point: Sendable, Codable, Hashable, CustomStringConvertible {
        /// Column.
        public var x: Int
        /// Row.
        public var y: Int
        /// Creates a point.
        public init(x: Int, y: Int) { self.x = x; self.y = y }
        /// `"X,Y"`.
        public var description: String { "\(x),\(y)" }
    }

    /// The blending method (default ``Mode/normal``).
    public var mode: Mode
    /// Where the centre of the mask's bounding box lands in the destination; nil keeps the
    /// source's own coordinates.
    public var center: Point?
    /// Poisson modes: stop when a cycle changes no value by more than this (0 < t ≤ 0.1; default
    /// 1/1024, a quarter of an 8-bit level).
    public var tolerance: Double
    /// Multiband: the number of bands, 1…12; nil chooses ⌊log₂ min(w, h)⌋ − 3 (1…8) from the
    /// mask's bounding box.
    public var bands: Int?
    /// Pixels by which the region is shrunk before blending, by a disk of that radius: the
    /// Poisson modes' region (coverage ≥ 0.5) loses its pixels within that distance of the
    /// outside; multiband takes the coverage's minimum over the disk. 0, the library's default,
    /// blends the mask as given, as Pérez et al. do. Placement still follows the mask as given.
    /// OpenCV's `seamlessClone` always shrinks the mask, by a 7 × 7 square (three 3 × 3
    /// erosions), so that its seam lies 3 pixels inside, where the destination's own gradients
    /// guide the solve; `erode: 3` comes close, and `meld blend` uses it by default for the
    /// Poisson modes, so that masks drawn for OpenCV give its seam. Keep 0 for a tight cut-out
    /// (an alpha matte), which erosion would trim. 0…64.
    public var erode: Int

    /// Creates a clone description.
    public init(mode: Mode = .normal, center: Point? = nil, tolerance: Double = 1.0 / 1024, bands: Int? = nil, erode: Int = 0) {
        self.mode = mode
        self.center = center
        self.tolerance = tolerance
        self.bands = bands
        self.erode = erode
    }

    private enum CodingKeys: String, CodingKey { case mode, center, tolerance, bands, erode }

    /// Decodes a clone description; `erode` may be absent (descriptions written before it existed).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(mode: try c.decode(Mode.self, forKey: .mode), center: try c.decodeIfPresent(Point.self, forKey: .center),
                  tolerance: try c.decode(Double.self, forKey: .tolerance), bands: try c.decodeIfPresent(Int.self, forKey: .bands),
                  erode: try c.decodeIfPresent(Int.self, forKey: .erode) ?? 0)
    }

    /// Checks the fields; throws `.invalidArgument` naming the one that is wrong.
    public func validate() throws(MeldError) {
        guard tolerance.isFinite, tolerance > 0, tolerance <= 0.1 else {
            throw MeldError(.invalidArgument, operation: "blend", "tolerance must be in 0 < t ≤ 0.1 (got \(tolerance))")
        }
        if let bands, !(1...12).contains(bands) {
            throw MeldError(.invalidArgument, operation: "blend", "bands must be 1–12 (got \(bands))")
        }
        guard (0...64).contains(erode) else {
            throw MeldError(.invalidArgument, operation: "blend", "erode must be 0–64 pixels (got \(erode))")
        }
    }

    /// The offset that puts source pixel (x, y) on destination pixel (x + dx, y + dy), given the
    /// mask's coverage: `center − (bbox.origin + bbox.size / 2)` (integer halves, as OpenCV).
    ///
    /// - Throws: `.invalidArgument` when the mask has no pixel above 0.
    public func offset(for mask: Mask) throws(MeldError) -> (x: Int, y: Int) {
        let box = PoissonBlend.coverageBounds(mask: mask.raster, offset: (0, 0), destination: mask.raster.bounds,
                                              threshold: .leastNonzeroMagnitude)
        guard !box.isEmpty else { throw MeldError(.invalidArgument, operation: "blend", "mask is empty (no pixel above 0)") }
        guard let center else { return (0, 0) }
        return (center.x - box.width / 2 - box.x, center.y - box.height / 2 - box.y)
    }

    /// Blends `source` through `mask` into `destination`.
    ///
    /// A destination opened with `LoadOptions(sequential: true)` is decoded on a thread of its own
    /// while the source is read and the solve planned, and the output is made of that decoded
    /// buffer (see `StreamedDecode` in MeldVips); one opened for random access is read as a libvips image.
    /// The pixels are the same either way.
    ///
    /// - Throws: `.invalidArgument` when the mask's size differs from the source's, the mask is
    ///   empty, or the placed region misses the destination; load errors of the inputs.
    public func apply(source: Image, mask: Mask, into destination: Image) throws(MeldError) -> Image {
        try apply(source: source, mask: { () throws(MeldError) in mask }, into: destination, streaming: destination.ref.isSequential)
    }

    /// Blends `source` through the mask held in `maskImage` (alpha, grey or luma, as
    /// ``Mask/init(image:)`` reads it) into `destination`: the same result as converting the mask
    /// first, with the destination already decoding while the mask is read.
    ///
    /// - Throws: as ``apply(source:mask:into:)``, and the mask's load errors.
    public func apply(source: Image, maskImage: Image, into destination: Image) throws(MeldError) -> Image {
        try apply(source: source, mask: { () throws(MeldError) in try Mask(image: maskImage) }, into: destination,
                  streaming: destination.ref.isSequential)
    }

    /// The public calls stream a destination opened for one sequential pass (as `meld blend` opens
    /// it); one opened for random access is decoded whole by libvips on first use anyway, and
    /// streaming it would only hold a second copy.
    ///
    /// `streaming`: the destination is decoded on a thread of its own while the mask and the
    /// source are read and the region planned (see `StreamedDecode`), and the result is that
    /// decoded buffer with the region written over it. Otherwise the region is read from the
    /// destination and the result is the destination with the region inserted (the same pixels;
    /// tests compare them). `mask` is called once, after the destination has started decoding.
    func apply(source: Image, mask makeMask: () throws(MeldError) -> Mask, into destination: Image,
               streaming: Bool) throws(MeldError) -> Image {
        try validate()
        // Colour-manage the destination to sRGB once, so the untouched pixels and the blended
        // rectangle share one encoding.
        let depth = destination.bitDepth > 8 ? 16 : 8
        var base = destination.ref
        if base.iccProfile != nil || base.interpretation == .cmyk || base.sampleFormat.bits != depth {
            base = try base.convertedToSRGB(depth: depth)
        }
        guard let layout = PixelLayout(channels: base.bands) else {
            throw MeldError(.unsupportedFormat, operation: "blend", "destinations with \(base.bands) bands are not supported (1–4: grey, grey+alpha, RGB, RGBA)")
        }
        // The destination is decoded whole (the output holds it) but only once, top to bottom:
        // streamed on its own thread from here on, or else held in memory, since the region and
        // then the output read it.
        let stream = streaming ? try StreamedDecode(base) : nil
        defer { stream?.cancel() }
        if stream == nil, base.isSequential { base = try base.materialized() }

        let mask = try makeMask()
        guard mask.width == source.width, mask.height == source.height else {
            throw MeldError(.invalidArgument, operation: "blend",
                            "mask is \(mask.width)x\(mask.height) but the source is \(source.width)x\(source.height); the mask must have the source's size")
        }
        let offset = try self.offset(for: mask)
        // Placement follows the mask as given; the blended region is then shrunk. Multiband
        // weighs by the coverage, so it takes the coverage's minimum over the disk. The Poisson
        // modes only see coverage ≥ 0.5, so their region is shrunk in place by run arithmetic
        // (no second mask-sized raster; the mask is consumed so that it is not copied when the
        // caller does not hold it).
        let shrunk: Mask
        var left = true
        if erode == 0 {
            shrunk = mask
        } else if mode == .multiband {
            shrunk = Mask(raster: Coverage.morphology(mask.raster, radius: -erode))
            left = !PoissonBlend.coverageBounds(mask: shrunk.raster, offset: (0, 0), destination: shrunk.raster.bounds,
                                                threshold: .leastNonzeroMagnitude).isEmpty
        } else {
            var raster = (consume mask).raster
            left = Coverage.shrinkRegion(&raster, radius: erode, threshold: 0.5)
            shrunk = Mask(raster: raster)
        }
        guard left else {
            throw MeldError(.invalidArgument, operation: "blend",
                            "erode: shrinking the mask by \(erode) px leaves nothing of it (erode 0 blends the mask as given)")
        }
        let destSize = (destination.width, destination.height)
        let roi: Rect
        switch mode {
        case .multiband:
            roi = MultibandBlend.regionOfInterest(mask: shrunk.raster, offset: offset, destinationSize: destSize, bands: bands).rect
        default:
            roi = PoissonBlend.regionOfInterest(mask: shrunk.raster, offset: offset, destinationSize: destSize)
        }
        guard !roi.isEmpty else {
            let placed = center.map { "centred at \($0)" } ?? "at the source's own position"
            throw MeldError(.invalidArgument, operation: "blend",
                            "center: the masked region \(placed) lies outside the \(destination.width)x\(destination.height) destination")
        }

        // Only the rectangles that matter are converted to float.
        let sourceRect = Rect(x: roi.x - offset.x, y: roi.y - offset.y, width: roi.width, height: roi.height)
            .intersection(Rect(width: source.width, height: source.height))
        // Poisson modes solve on sRGB-encoded values, so they read them as such (code / max code):
        // no transfer function either way, and alpha left straight.
        let encoded = mode != .multiband
        let (srcPlanes, srcAlpha) = Self.colourPlanes(try PixelBridge.raster(from: source.cropped(to: sourceRect).ref, encoded: encoded),
                                                      count: layout.colourChannels)
        // The mask as it is when the whole source takes part (no copy), else the part that does.
        var weights = sourceRect == Rect(width: shrunk.width, height: shrunk.height) && !shrunk.raster.isPremultiplied
            ? shrunk.raster : Self.crop(shrunk.raster, to: sourceRect)
        if let srcAlpha { Self.multiply(&weights, by: srcAlpha) }
        let local = (sourceRect.x + offset.x - roi.x, sourceRect.y + offset.y - roi.y)
        // The Poisson modes' region, levels and bands depend on the mask only: made while the
        // destination is still being decoded.
        let guidance: PoissonBlend.Guidance = mode == .mixed ? .mixed : (mode == .monochrome ? .monochrome : .normal)
        let started = DispatchTime.now().uptimeNanoseconds
        let plan = mode == .multiband ? nil
            : PoissonBlend.plan(mask: weights, offset: local, destinationSize: (roi.width, roi.height), channels: layout.colourChannels,
                                guidance: guidance, solver: PoissonSolver(tolerance: Float(tolerance)))
        let region = if let stream { try stream.copy(roi) } else { try base.cropped(to: roi) }
        var (dstPlanes, dstAlpha) = Self.colourPlanes(try PixelBridge.raster(from: region, encoded: encoded), count: nil)
        if let plan {
            let solveStart = DispatchTime.now().uptimeNanoseconds
            let report = PoissonBlend.apply(plan, source: srcPlanes, into: &dstPlanes, values: .asStored)
            if getenv("MELD_BLEND_TRACE") != nil {
                let now = DispatchTime.now().uptimeNanoseconds
                let ms = Double(now - solveStart) / 1e6, planned = Double(solveStart - started) / 1e6
                let line = "blend: \(roi.width)x\(roi.height) region, \(report.cycles) cycles, last change \(report.lastChange), "
                    + "solved in \(Int(ms.rounded())) ms (planning and waiting for the destination \(Int(planned.rounded())) ms before)\n"
                let bytes = Array(line.utf8)
                _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            }
        } else {
            MultibandBlend.apply(source: srcPlanes, mask: weights, into: &dstPlanes, offset: local, bands: bands)
        }
        let blended = try PixelBridge.image(from: Self.joining(dstPlanes, alpha: dstAlpha, premultiply: !encoded), bitDepth: depth,
                                            encoded: encoded)
        let out: VipsImageRef
        if let stream {
            try stream.overwrite(with: blended, x: roi.x, y: roi.y)
            out = try stream.finish()
        } else {
            out = try base.inserting(blended, x: roi.x, y: roi.y)
        }
        return Image(ref: out, sourcePaths: destination.sourcePaths + source.sourcePaths, sourceFormat: destination.sourceFormat)
    }

    /// `count` (default: the raster's own) unpremultiplied colour planes (grey replicated or RGB reduced to Rec. 709 luma) and
    /// the alpha plane, if any.
    static func colourPlanes(_ r: Raster, count wanted: Int?) -> (Raster, Raster?) {
        let n = r.planeCount, have = r.layout.colourChannels, count = wanted ?? have
        // Without alpha and with the wanted planes, the raster is used as it is (no copy).
        if !r.layout.hasAlpha && have == count { return (r, nil) }
        var out = Raster(uninitializedWidth: r.width, height: r.height, layout: count == 1 ? .gray : .rgb)
        var alpha: Raster?
        r.withView { v in
            if r.layout.hasAlpha {
                var a = Raster(uninitializedWidth: r.width, height: r.height, layout: .gray)
                a.isPremultiplied = false
                a.withMutableView { $0.plane(0).update(from: v.plane(have), count: n) }
                alpha = a
            }
            out.withMutableView { o in
                for i in 0..<n {
                    let a: Float = r.layout.hasAlpha && r.isPremultiplied ? v.plane(have)[i] : 1
                    let scale: Float = a > 0 ? 1 / a : 0
                    if count == have {
                        for c in 0..<count { o.plane(c)[i] = v.plane(c)[i] * scale }
                    } else if have == 1 {
                        for c in 0..<count { o.plane(c)[i] = v.plane(0)[i] * scale }
                    } else {
                        o.plane(0)[i] = (0.2126 * v.plane(0)[i] + 0.7152 * v.plane(1)[i] + 0.0722 * v.plane(2)[i]) * scale
                    }
                }
            }
        }
        return (out, alpha)
    }

    /// Colour planes with an alpha plane joined back (premultiplied, or straight), or as they are.
    static func joining(_ colour: Raster, alpha: Raster?, premultiply: Bool = true) -> Raster {
        guard let alpha else { return colour }
        let n = colour.planeCount, k = colour.channels
        var out = Raster(uninitializedWidth: colour.width, height: colour.height, layout: colour.layout.addingAlpha)
        out.isPremultiplied = premultiply
        colour.withView { c in
            alpha.withView { a in
                out.withMutableView { o in
                    for i in 0..<n {
                        let scale = premultiply ? a.plane(0)[i] : 1
                        for p in 0..<k { o.plane(p)[i] = c.plane(p)[i] * scale }
                        o.plane(k)[i] = a.plane(0)[i]
                    }
                }
            }
        }
        return out
    }

    /// The pixels of a one-plane raster inside `rect`.
    static func crop(_ r: Raster, to rect: Rect) -> Raster {
        var out = Raster(uninitializedWidth: rect.width, height: rect.height, layout: .gray)
        out.isPremultiplied = false
        r.withView { v in
            out.withMutableView { o in
                for y in 0..<rect.height {
                    o.row(y, channel: 0).update(from: v.row(rect.y + y, channel: 0) + rect.x, count: rect.width)
                }
            }
        }
        return out
    }

    static func multiply(_ r: inout Raster, by other: Raster) {
        let n = r.planeCount
        other.withView { o in r.withMutableView { v in for i in 0..<n { v.plane(0)[i] *= o.plane(0)[i] } } }
    }
}

extension Image {
    /// This image with the masked part of `source` blended in (see ``SeamlessClone``).
    public func blending(_ source: Image, mask: Mask, using clone: SeamlessClone) throws(MeldError) -> Image {
        try clone.apply(source: source, mask: mask, into: self)
    }
}
