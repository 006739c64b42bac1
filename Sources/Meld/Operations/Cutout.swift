import MeldCore

/// Cuts the subject out of a photo: a transparent RGBA image whose alpha is the subject, with a
/// soft, refined edge and the old background's colour removed from edge pixels.
///
/// Without a ``box`` the photo is taken as a product shot on a plain, graded or lightly textured
/// backdrop: the backdrop is modelled from the image border. With a box (general photos),
/// everything outside it is background (GrabCut). Method (see ``SubjectSegmenter`` and
/// ``GuidedMatte``): the photo is shrunk to ``workingPixels``; colour mixtures for subject and
/// background are iterated with a graph cut in CIE Lab; the main connected subject is kept and
/// its holes decided by colour (a handle's opening that shows the backdrop stays transparent);
/// the mask is upsampled and, in a band around its edge, refined at full resolution by a colour
/// guided filter; edge colours are despilled. A photo that already has transparency is its own
/// cut-out (its alpha is kept).
///
/// Output: 8-bit RGBA (16-bit for 16-bit sources), straight alpha in files. Deterministic and
/// bit-identical on every schedule. Cost: the segmentation is fixed by the working size; the
/// matte touches only a band around the edge. Measured for a 12 MP JPEG on this project's
/// shared 2-core machine (README, Product shots): `meld cutout --compression 1` 2.9 s wall,
/// 1.8 s CPU, of which JPEG decode and PNG encode take about 1 s.
public struct Cutout: ImageOperation {
    /// A rectangle around the object (pixels of the upright image); nil: the border is backdrop.
    public var box: Rect?
    /// Guided filter radius in full-resolution pixels, 1…64 (nil: 0.6 × the working scale, at
    /// least 2).
    public var edgeRadius: Int?
    /// Remove the old background's colour cast from edge pixels (default true).
    public var despill: Bool
    /// Refine the edge into a soft alpha (default true; false gives the upsampled hard mask).
    public var refineEdges: Bool
    /// Pixels of the working image the segmentation runs on, 10 000…4 000 000 (default 250 000).
    public var workingPixels: Int

    /// Creates a cut-out operation.
    public init(box: Rect? = nil, edgeRadius: Int? = nil, despill: Bool = true, refineEdges: Bool = true,
                workingPixels: Int = 250_000) {
        self.box = box; self.edgeRadius = edgeRadius; self.despill = despill
        self.refineEdges = refineEdges; self.workingPixels = workingPixels
    }

    /// Checks the box size, edge radius and working size.
    public func validate() throws(MeldError) {
        if let box, box.width <= 0 || box.height <= 0 {
            throw MeldError(.invalidArgument, operation: "cutout", "box: \(box.x),\(box.y),\(box.width),\(box.height) must have a positive width and height")
        }
        if let r = edgeRadius, !(1...64).contains(r) {
            throw MeldError(.invalidArgument, operation: "cutout", "edge radius must be 1–64 pixels (got \(r))")
        }
        if !(10_000...4_000_000).contains(workingPixels) {
            throw MeldError(.invalidArgument, operation: "cutout", "working pixels must be 10000–4000000 (got \(workingPixels))")
        }
    }

    /// The cut-out as an RGBA image.
    ///
    /// - Throws: `.invalidArgument` for a box outside the image or covering all of it,
    ///   `.unsupportedFeature` when no subject stands out from the border.
    public func apply(to image: Image) throws(MeldError) -> Image {
        // Decode into storage with room for the alpha plane, so the cut-out is made in place.
        var raster = Raster(uninitializedWidth: image.width, height: image.height, layout: .rgba)
        try image.read(into: &raster)
        try cutout(inPlace: &raster)
        return try image.replacingPixels(with: raster)
    }

    /// The cut-out of a working-format raster: RGBA, premultiplied linear light.
    public func cutout(_ raster: Raster, schedule: Schedule = .default) throws(MeldError) -> Raster {
        var out = raster
        try cutout(inPlace: &out, schedule: schedule)
        return out
    }

    /// Replaces a working-format raster by its cut-out (RGBA, premultiplied linear light). When
    /// the raster is not shared and its storage has room for an alpha plane (as a raster made
    /// with ``Raster/init(uninitializedWidth:height:layout:)`` for `.rgba` and read into has),
    /// no second full-size buffer is allocated: for a 12 MP photo that is 192 MB not faulted in.
    public func cutout(inPlace raster: inout Raster, schedule: Schedule = .default) throws(MeldError) {
        try validate()
        if raster.layout.colourChannels == 1 { raster = raster.expandedToRGB() }
        if raster.layout.hasAlpha {
            if let alpha = raster.alphaCoverageIfTransparent() {
                raster = Self.keepingCutout(raster, alpha: alpha)
                return
            }
            raster = Self.opaqueRGB(raster)
        }
        let (coarse, cw, ch, small) = try segment(raster, operation: "cutout", schedule: schedule)
        let scale = max(Double(raster.width) / Double(cw), Double(raster.height) / Double(ch))
        let radius = edgeRadius ?? max(2, Int((scale * 0.6).rounded()))
        let parameters = GuidedMatte.Parameters(radius: radius, despill: despill, refine: refineEdges)
        GuidedMatte.cutout(&raster, coarse: coarse, coarseWidth: cw, coarseHeight: ch, working: small, parameters: parameters,
                           schedule: Schedule(tileSize: 64, threads: schedule.threads))
    }

    /// An image that is already a cut-out, as RGBA with its coverage as alpha.
    static func keepingCutout(_ rgb: Raster, alpha: Raster) -> Raster {
        var out = Raster(uninitializedWidth: rgb.width, height: rgb.height, layout: .rgba)
        rgb.withView { s in out.withMutableView { d in
            for c in 0..<3 { d.plane(c).update(from: s.plane(c), count: rgb.planeCount) }
            alpha.withView { a in d.plane(3).update(from: a.plane(0), count: rgb.planeCount) }
        } }
        return out
    }

    /// The colour planes of an RGB(A) raster whose alpha is opaque (the same raster without alpha).
    static func opaqueRGB(_ rgb: Raster) -> Raster {
        guard rgb.layout.hasAlpha else { return rgb }
        var opaque = Raster(uninitializedWidth: rgb.width, height: rgb.height, layout: .rgb)
        rgb.withView { src in opaque.withMutableView { d in for c in 0..<3 { d.plane(c).update(from: src.plane(c), count: rgb.planeCount) } } }
        return opaque
    }

    /// The binary segmentation at working resolution: labels, width, height, and the working image.
    func segment(_ rgb: Raster, operation: String, schedule: Schedule) throws(MeldError) -> ([UInt8], Int, Int, Raster) {
        let w = rgb.width, h = rgb.height
        let s = min(1, (Double(workingPixels) / Double(w * h)).squareRoot())
        let cw = max(1, min(w, Int((Double(w) * s).rounded()))), ch = max(1, min(h, Int((Double(h) * s).rounded())))
        let colour = Self.opaqueRGB(rgb)
        let small = cw == w && ch == h ? colour : AreaDownscale.apply(colour, width: cw, height: ch, schedule: schedule)
        let lab = ColourConversion.convert(small, from: .linearSRGB, to: .lab, schedule: schedule)
        let guide: SubjectSegmenter.Guide
        if let box {
            guard box.intersects(Rect(width: w, height: h)) else {
                throw MeldError(.invalidArgument, operation: operation, "box: \(box.x),\(box.y),\(box.width),\(box.height) lies outside the \(w)x\(h) image")
            }
            guard !box.contains(Rect(width: w, height: h)) else {
                throw MeldError(.invalidArgument, operation: operation, "box: \(box.x),\(box.y),\(box.width),\(box.height) covers the whole \(w)x\(h) image; it must leave some background outside")
            }
            let x0 = max(0, box.x) * cw / w, y0 = max(0, box.y) * ch / h
            let x1 = (min(w, box.maxX) * cw + w - 1) / w, y1 = (min(h, box.maxY) * ch + h - 1) / h
            guide = .box(Rect(x: x0, y: y0, width: max(1, x1 - x0), height: max(1, y1 - y0)))
        } else {
            guide = .border
        }
        guard let result = SubjectSegmenter.segment(lab: lab, guide: guide, schedule: schedule) else {
            if box != nil {
                throw MeldError(.unsupportedFeature, operation: operation, "box: nothing inside the box could be told from what is outside it")
            }
            throw MeldError(.unsupportedFeature, operation: operation,
                            "subject: no subject stands out from the image border's colours (busy backdrops need a box: --box x,y,w,h); select it with mask:, color:, wand: or a shape")
        }
        return (result.mask, cw, ch, small)
    }
}
