import Foundation
import MeldCore
import MeldVips

extension Compose {
    /// The layer a reference names: its index, or an error naming the referring layer.
    func index(of reference: LayerReference, from label: String) throws(MeldError) -> Int {
        func fail(_ message: String) -> MeldError { MeldError(.invalidArgument, operation: "compose", "\(label): \(message)") }
        switch reference {
        case .number(let n):
            guard (1...max(1, layers.count)).contains(n), n <= layers.count else {
                throw fail("scale-like \(n): there is no layer \(n) (layers are numbered 1 to \(layers.count))")
            }
            return n - 1
        case .name(let name):
            let matches = layers.indices.filter { layers[$0].name == name }
            guard let first = matches.first else {
                let names = layers.compactMap(\.name)
                throw fail("scale-like '\(name)': no layer has that name" + (names.isEmpty ? " (no layer is named)" : " (names: \(names.joined(separator: ", ")))"))
            }
            guard matches.count == 1 else {
                throw fail("scale-like '\(name)': \(matches.count) layers have that name (layers \(matches.map { String($0 + 1) }.joined(separator: ", "))); name them apart or use a number")
            }
            return first
        }
    }

    /// Checks ``scale`` and every layer's ``Layer/realSize`` and ``Layer/scaleLike``: ranges,
    /// units, conflicts with the other sizing fields, unknown and cyclic references.
    func validateScale() throws(MeldError) {
        func fail(_ message: String) -> MeldError { MeldError(.invalidArgument, operation: "compose", message) }
        if let s = scale {
            if s.pixelsPerCentimetre == nil && s.horizon == nil {
                throw fail("scale: give pixels-per-cm, a horizon, or both")
            }
            if let k = s.pixelsPerCentimetre, !(k > 0 && k <= 1e6) {
                throw fail("scale: pixels-per-cm must be positive and at most 1000000 (got \(k))")
            }
            for (name, l) in [("row", s.row), ("horizon", s.horizon)] {
                if let l, !(abs(l.pixels(of: Self.maxSide)) <= Double(Self.maxSide) * 16) {
                    throw fail("scale: \(name) \(l) is out of range (rows must be within ±\(Self.maxSide * 16) pixels)")
                }
            }
            if s.row != nil && (s.horizon == nil || s.pixelsPerCentimetre == nil) {
                throw fail("scale: row is where pixels-per-cm holds under a horizon; it needs both pixels-per-cm and horizon")
            }
        }
        for (i, layer) in layers.enumerated() where layer.realSize != nil || layer.scaleLike != nil {
            let label = Self.label(layer, i)
            let field = layer.realSize != nil ? "real-size" : "scale-like"
            if case .text = layer.content { throw fail("\(label): \(field) applies to image layers, not text") }
            for (name, set) in [("rect", layer.rect != nil), ("width", layer.width != nil), ("height", layer.height != nil), ("fit", layer.fit != nil)] where set {
                throw fail("\(label): \(field) sets the layer's size, so it cannot also have \(name) (remove \(name), or \(field))")
            }
            if let size = layer.realSize, !(size.length.centimetres > 0 && size.length.centimetres <= 1e9) {
                throw fail("\(label): real-size must be a positive length of at most 10000km (got \(size.length))")
            }
            if layer.realSize != nil && layer.scaleLike != nil {
                throw fail("\(label): real-size and scale-like both set the layer's scale; keep one (real-size uses the composition's scale)")
            }
            if let reference = layer.scaleLike {
                let j = try index(of: reference, from: label)
                if j == i { throw fail("\(label): scale-like names the layer itself") }
                if case .text = layers[j].content { throw fail("\(label): scale-like \(reference) is a text layer; it must name an image layer") }
                // Follow the chain: a cycle never reaches a layer without scale-like.
                var seen = [i], k = j
                while let next = layers[k].scaleLike {
                    seen.append(k)
                    k = try index(of: next, from: Self.label(layers[k], k))
                    if let start = seen.firstIndex(of: k) {
                        let cycle = (seen[start...] + [k]).map { Self.label(layers[$0], $0) }.joined(separator: " → ")
                        throw fail("\(label): scale-like references form a cycle (\(cycle)); one of them needs real-size or an explicit size")
                    }
                }
            } else if scale?.pixelsPerCentimetre == nil {
                throw fail("\(label): real-size \(layer.realSize!.length) needs the scene's scale: give the composition scale: {pixels-per-cm: …} (canvas pixels per centimetre)")
            }
        }
    }

    /// Where a layer's object is, in the rows of its unscaled content.
    struct ScaleGeometry {
        /// Content size before resampling.
        var width: Int, height: Int
        /// The opaque box (alpha ≥ ½) in content pixels, after a vertical flip; the whole
        /// content when it is opaque.
        var box: Rect
    }

    /// A layer's resolved scale: its resampling factor, where its foot lands, and its source
    /// pixels per real-world centimetre when known.
    struct ResolvedScale {
        var factor: Double
        var foot: Double
        var sourcePerCentimetre: Double?
    }

    /// The opaque box of `content` (alpha ≥ ½; the whole image without alpha). Decodes the
    /// content once (cost: one pass, 16 bytes per pixel transiently).
    static func geometry(of content: VipsImageRef, flip: LayerFlip?) throws(MeldError) -> ScaleGeometry {
        let w = content.width, h = content.height
        guard content.hasAlpha else { return ScaleGeometry(width: w, height: h, box: Rect(width: w, height: h)) }
        let raster = try PixelBridge.raster(from: content.rgbForCompositing())
        var minX = w, maxX = -1, minY = h, maxY = -1
        raster.withView { v in
            let a = v.channels - 1
            for y in 0..<h {
                let row = v.row(y, channel: a)
                for x in 0..<w where row[x] >= 0.5 {
                    minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                }
            }
        }
        guard maxX >= 0 else {
            throw MeldError(.invalidArgument, operation: "compose", "the image is transparent everywhere (no pixel with alpha ≥ ½), so its object has no size")
        }
        var box = Rect(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1)
        if flip == .vertical || flip == .both { box.y = h - box.maxY }
        if flip == .horizontal || flip == .both { box.x = w - box.maxX }
        return ScaleGeometry(width: w, height: h, box: box)
    }

    /// Resampling factors for every layer with ``Layer/realSize`` or ``Layer/scaleLike``, by
    /// index, solving references in dependency order. `content(i)` gives layer `i`'s content
    /// (loaded, cut out and masked).
    func resolveScales(canvasWidth cw: Int, canvasHeight ch: Int,
                       content: (Int) throws(MeldError) -> VipsImageRef) throws(MeldError) -> [Int: Double] {
        guard layers.contains(where: { $0.realSize != nil || $0.scaleLike != nil }) else { return [:] }
        var resolved: [Int: ResolvedScale] = [:]
        let horizon = scale?.horizon.map { $0.pixels(of: ch) }
        let k = scale?.pixelsPerCentimetre
        let referenceRow = scale?.row.map { $0.pixels(of: ch) } ?? Double(ch)
        if let horizon, k != nil, !(referenceRow > horizon) {
            throw MeldError(.invalidArgument, operation: "compose",
                            "scale: the reference row (\(Self.rowText(referenceRow))) must lie below the horizon (\(Self.rowText(horizon)))")
        }

        func resolve(_ i: Int) throws(MeldError) -> ResolvedScale {
            if let done = resolved[i] { return done }
            let layer = layers[i]
            let label = Self.label(layer, i)
            let g: ScaleGeometry
            do { g = try Self.geometry(of: content(i), flip: layer.flip) } catch {
                throw MeldError(error.kind, operation: "compose", error.message.hasPrefix(label) ? error.message : "\(label): \(error.message)", detail: error.detail)
            }
            let result: ResolvedScale
            if layer.realSize == nil && layer.scaleLike == nil {
                result = plainScale(layer, g, canvasWidth: cw, canvasHeight: ch)
            } else {
                // The foot row as a function of the factor s: anchorRow + s · lever.
                let anchorRow = layer.anchor.fy * Double(ch) + layer.offset[1].pixels(of: ch)
                let lever = Double(g.box.maxY) - layer.anchor.fy * Double(g.height)
                let own: Double? = layer.realSize.map { size in
                    let extent: Int
                    switch size { case .height: extent = g.box.height; case .width: extent = g.box.width }
                    return Double(extent) / size.length.centimetres
                }
                // s = c · (foot − H) / (atRow − H) with perspective, s = c without: from the
                // scene's scale at its reference row, or from the referenced layer at its foot.
                let c: Double, atRow: Double, source: Double?
                if let reference = layer.scaleLike {
                    let other = try resolve(try index(of: reference, from: label))
                    (c, atRow, source) = (other.factor, other.foot, other.sourcePerCentimetre)
                } else {
                    // validate() guarantees the scene's scale for real-size layers.
                    (c, atRow, source) = ((k ?? 1) / (own ?? 1), referenceRow, own)
                }
                let factor: Double
                if let horizon {
                    guard atRow > horizon else {
                        throw MeldError(.invalidArgument, operation: "compose",
                                        "\(label): its scale-like layer stands with its foot at row \(Self.rowText(atRow)), not below the horizon (\(Self.rowText(horizon)))")
                    }
                    let slope = c / (atRow - horizon)   // factor per row below the horizon
                    let denominator = 1 - slope * lever
                    factor = denominator > 0 ? slope * (anchorRow - horizon) / denominator : -1
                    guard factor > 0 else {
                        throw MeldError(.invalidArgument, operation: "compose",
                                        "\(label): its foot would be at or above the horizon (row \(Self.rowText(horizon))); objects on the ground stand below it: move the layer down (anchor, offset) or the horizon up")
                    }
                } else {
                    factor = c
                }
                result = ResolvedScale(factor: factor, foot: anchorRow + factor * lever, sourcePerCentimetre: source)
                let size = (Double(g.width) * factor, Double(g.height) * factor)
                guard size.0 <= Double(Self.maxSide), size.1 <= Double(Self.maxSide) else {
                    throw MeldError(.invalidArgument, operation: "compose",
                                    "\(label): at this scale the layer would be \(Int(size.0.rounded()))x\(Int(size.1.rounded())) pixels, larger than \(Self.maxSide) a side")
                }
            }
            resolved[i] = result
            return result
        }

        var factors: [Int: Double] = [:]
        for (i, layer) in layers.enumerated() where layer.realSize != nil || layer.scaleLike != nil {
            factors[i] = try resolve(i).factor
        }
        return factors
    }

    /// The vertical resampling factor and foot row of a layer sized by width, height, fit or rect.
    func plainScale(_ layer: Layer, _ g: ScaleGeometry, canvasWidth cw: Int, canvasHeight ch: Int) -> ResolvedScale {
        let box = Self.sizing(layer, naturalWidth: g.width, naturalHeight: g.height, canvasWidth: cw, canvasHeight: ch)
        let th = max(1, Int(box.size.height.rounded()))
        let factor = Double(th) / Double(g.height)
        var shown = Double(th), cropTop = 0.0
        if layer.effectiveFit == .cover {
            let visible = max(1, min(th, Int(box.box.height.rounded())))
            cropTop = Double((th - visible) / 2); shown = Double(visible)
        }
        let top = layer.rect != nil
            ? box.box.y + (box.box.height - shown) / 2
            : layer.anchor.fy * Double(ch) + layer.offset[1].pixels(of: ch) - layer.anchor.fy * shown
        return ResolvedScale(factor: factor, foot: top - cropTop + Double(g.box.maxY) * factor, sourcePerCentimetre: nil)
    }

    /// A row for messages: `900` or `900.5`.
    static func rowText(_ row: Double) -> String {
        row == row.rounded() ? String(Int(row)) : String(format: "%.1f", row)
    }
}
