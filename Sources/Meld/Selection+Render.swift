import MeldCore

extension Selection {
    /// Renders the selection's coverage for an image.
    ///
    /// - Throws: `.invalidArgument` for arguments out of range or that do not fit the image
    ///   ("region: wand point 5000,20 is outside the 4000x3000 image"), the load errors of a mask
    ///   file, `.unsupportedFeature` for ``subject`` when nothing stands out from the border (and
    ///   for ``object(in:)`` when nothing in the box does).
    public func mask(for image: Image, operation: String = "select", schedule: Schedule = .default) throws(MeldError) -> Mask {
        try mask(for: image.raster(schedule: schedule), operation: operation, schedule: schedule)
    }

    /// Renders the selection's coverage for a working-format raster (the pixels colour ranges,
    /// magic wands and the subject look at).
    public func mask(for raster: Raster, operation: String = "select", schedule: Schedule = .default) throws(MeldError) -> Mask {
        try validate(operation: operation)
        let context = RenderContext(raster: raster, schedule: schedule, operation: operation)
        return Mask(raster: try render(context))
    }

    /// What rendering needs, with the Lab conversion made once when a colour selection asks.
    final class RenderContext {
        let raster: Raster
        let schedule: Schedule
        let operation: String
        private var labCache: Raster?

        init(raster: Raster, schedule: Schedule, operation: String) {
            self.raster = raster
            self.schedule = schedule
            self.operation = operation
        }

        var width: Int { raster.width }
        var height: Int { raster.height }

        /// Straight Lab of the raster (grey rasters as neutral colours).
        var lab: Raster {
            if let labCache { return labCache }
            let rgb = raster.layout.colourChannels == 3 ? raster : raster.expandedToRGB()
            let lab = ColourConversion.convert(rgb, from: .linearSRGB, to: .lab, schedule: schedule)
            labCache = lab
            return lab
        }

        func fail(_ message: String) -> MeldError { fail(.invalidArgument, message) }

        func fail(_ kind: MeldError.Kind, _ message: String) -> MeldError {
            MeldError(kind, operation: operation, "region: \(message)")
        }
    }

    func render(_ context: RenderContext) throws(MeldError) -> Raster {
        let w = context.width, h = context.height, schedule = context.schedule
        switch self {
        case .rectangle(let r):
            guard r.intersects(Rect(width: w, height: h)) else {
                throw context.fail("rectangle \(r.x),\(r.y),\(r.width),\(r.height) lies outside the \(w)x\(h) image")
            }
            return Coverage.rectangle(r, width: w, height: h, schedule: schedule)
        case .ellipse(let cx, let cy, let rx, let ry):
            guard cx + rx > 0, cy + ry > 0, cx - rx < Double(w), cy - ry < Double(h) else {
                throw context.fail("ellipse at \(cx),\(cy) with radii \(rx),\(ry) lies outside the \(w)x\(h) image")
            }
            return Coverage.ellipse(cx: cx, cy: cy, rx: rx, ry: ry, width: w, height: h, schedule: schedule)
        case .polygon(let points):
            return Coverage.polygon(points.map { (x: $0.x, y: $0.y) }, width: w, height: h, schedule: schedule)
        case .mask(let path):
            let mask = try Mask(contentsOf: path).resampled(width: w, height: h)
            return mask.raster
        case .colourRange(let colour, let tolerance, let fuzziness):
            let lab = Colour.convert((Float(colour.red), Float(colour.green), Float(colour.blue)), from: .sRGB, to: .lab)
            return Coverage.colourRange(lab: context.lab, target: lab, tolerance: Float(tolerance), fuzziness: Float(fuzziness), schedule: schedule)
        case .magicWand(let x, let y, let tolerance):
            guard x >= 0, y >= 0, x < w, y < h else {
                throw context.fail("wand point \(x),\(y) is outside the \(w)x\(h) image")
            }
            return Coverage.floodFill(lab: context.lab, x: x, y: y, tolerance: Float(tolerance))
        case .subject:
            if context.raster.layout.hasAlpha, let alpha = context.raster.alphaCoverageIfTransparent() { return alpha }
            return try Self.cutoutCoverage(context, box: nil)
        case .object(let box):
            return try Self.cutoutCoverage(context, box: box)
        case .all:
            return Mask(width: w, height: h, value: 1).raster
        case .union(let a, let b):
            return Coverage.combine(try a.render(context), try b.render(context), .union, schedule: schedule)
        case .intersection(let a, let b):
            return Coverage.combine(try a.render(context), try b.render(context), .intersection, schedule: schedule)
        case .subtraction(let a, let b):
            return Coverage.combine(try a.render(context), try b.render(context), .subtraction, schedule: schedule)
        case .inverted(let s):
            return Coverage.inverted(try s.render(context), schedule: schedule)
        case .grown(let s, let by):
            return Coverage.morphology(try s.render(context), radius: by, schedule: schedule)
        case .feathered(let s, let radius):
            return Coverage.feather(try s.render(context), radius: radius, schedule: schedule)
        }
    }
}

extension Selection {
    /// The alpha of ``Cutout`` (refined edge, no despill) as a coverage raster.
    static func cutoutCoverage(_ context: RenderContext, box: Rect?) throws(MeldError) -> Raster {
        let rgb = context.raster.expandedToRGB()
        let op = Cutout(box: box, despill: false)
        let (coarse, cw, ch, small) = try op.segment(rgb, operation: context.operation, schedule: context.schedule)
        let scale = max(Double(rgb.width) / Double(cw), Double(rgb.height) / Double(ch))
        let cut = GuidedMatte.cutout(image: rgb, coarse: coarse, coarseWidth: cw, coarseHeight: ch, working: small,
                                     parameters: GuidedMatte.Parameters(radius: max(2, Int((scale * 0.6).rounded())), despill: false),
                                     schedule: Schedule(tileSize: 64, threads: context.schedule.threads))
        var out = Coverage.empty(width: rgb.width, height: rgb.height)
        cut.withView { c in out.withMutableView { d in d.plane(0).update(from: c.plane(3), count: rgb.planeCount) } }
        return out
    }
}

extension Raster {
    /// An RGB(A) copy of a grey(+alpha) raster (each grey value in all three colour planes).
    func expandedToRGB() -> Raster {
        if layout.colourChannels == 3 { return self }
        var out = Raster(uninitializedWidth: width, height: height, layout: layout.hasAlpha ? .rgba : .rgb)
        out.isPremultiplied = isPremultiplied
        let n = planeCount
        withView { src in
            out.withMutableView { dst in
                for c in 0..<3 { dst.plane(c).update(from: src.plane(0), count: n) }
                if layout.hasAlpha { dst.plane(3).update(from: src.plane(1), count: n) }
            }
        }
        return out
    }

    /// The alpha plane as a coverage raster, or nil when every pixel is opaque.
    func alphaCoverageIfTransparent() -> Raster? {
        guard layout.hasAlpha else { return nil }
        var out = Coverage.empty(width: width, height: height)
        var transparent = false
        let n = planeCount
        withView { src in
            out.withMutableView { dst in
                let a = src.plane(channels - 1), d = dst.plane(0)
                for i in 0..<n {
                    let v = Swift.min(Swift.max(a[i], 0), 1)
                    if v < 1 { transparent = true }
                    d[i] = v
                }
            }
        }
        return transparent ? out : nil
    }
}
