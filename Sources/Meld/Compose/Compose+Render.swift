import Foundation
import MeldCore
import MeldVips

extension Compose {
    /// Plans every layer with libvips (load, mask, resize, flip, rotate, feather; all lazy) and
    /// hands them to the strip compositor.
    func render(canvasImage: Image?, inputs: [String: Image], baseDirectory: String?, streaming requested: Bool) throws(MeldError) -> Image {
        // Harmonized and seamless layers look at the composite beneath them while planning, which
        // reads the inputs out of order: such compositions load their files for random access.
        // A look reads every input twice (its statistics, then the restyle).
        // Layers sized by real-world scale are measured (their opaque box) before they are placed.
        let looksBeneath = look != nil
            || layers.contains { setting(for: $0) != nil || $0.seamless != nil || !$0.shadows.isEmpty || $0.reflection != nil
                || $0.realSize != nil || $0.scaleLike != nil }
        let streaming = requested && !looksBeneath
        let options = LoadOptions(sequential: streaming)
        var sources: [String] = []
        func resolve(_ source: String, _ what: String) throws(MeldError) -> Image {
            if let image = inputs[source] {
                sources += image.sourcePaths
                return image
            }
            let path: String
            if source.hasPrefix("/") || baseDirectory == nil {
                path = source
            } else {
                path = URL(fileURLWithPath: baseDirectory!).appendingPathComponent(source).path
            }
            do {
                let image = try Image(contentsOf: path, options: options)
                sources += image.sourcePaths
                return image
            } catch {
                throw MeldError(error.kind, operation: "compose", "\(what): \(error.message)", detail: error.detail)
            }
        }

        // The canvas photo, if the canvas is one.
        var photo: Image? = canvasImage
        if let canvasImage {
            sources += canvasImage.sourcePaths
        } else {
            switch self.canvas {
            case .input:
                guard let image = inputs["input"] else {
                    throw MeldError(.invalidArgument, operation: "compose",
                                    "canvas: \"input\" needs an image: apply the composition to one, or pass an input named \"input\"")
                }
                sources += image.sourcePaths
                photo = image
            case .image(let source):
                photo = try resolve(source, "canvas")
            case .color, .gradient:
                break
            }
        }
        let restyled = try restyledForLook(canvasImage: photo, resolve: resolve)
        photo = restyled.canvas

        let canvas: Compositor.Canvas
        let cw: Int, ch: Int
        if let photo {
            canvas = .image(photo.ref)
            (cw, ch) = (photo.width, photo.height)
        } else {
            switch self.canvas {
            case .input, .image:
                preconditionFailure("an image canvas was resolved above")
            case .color(let w, let h, let c):
                canvas = .fill(width: w, height: h, CanvasFill(solid: c.simd))
                (cw, ch) = (w, h)
            case .gradient(let w, let h, let g):
                canvas = .fill(width: w, height: h, CanvasFill(from: g.from.simd, to: g.to.simd, geometry: g.geometry(width: w, height: h)))
                (cw, ch) = (w, h)
            }
        }

        // Contents loaded once (scale resolution and the joint solve look at them before placing).
        var loaded: [Int: VipsImageRef] = [:]
        func content(_ i: Int) throws(MeldError) -> VipsImageRef {
            if let done = loaded[i] { return done }
            let c = try self.content(of: layers[i], label: Self.label(layers[i], i), canvasWidth: cw, canvasHeight: ch,
                                     restyled: restyled.layers, resolve: resolve)
            loaded[i] = c
            return c
        }
        let factors = try resolveScales(canvasWidth: cw, canvasHeight: ch, content: content)
        let joint = try jointMatches(canvas: canvas, canvasWidth: cw, canvasHeight: ch) { (i: Int) throws(MeldError) -> CompositorLayer in
            let label = Self.label(layers[i], i)
            return try place(layers[i], label: label, canvasWidth: cw, canvasHeight: ch, streaming: streaming, canvasPixels: nil,
                             loaded: content(i), scaleFactor: factors[i], resolve: resolve)
        }

        var placed: [CompositorLayer] = []
        for (i, layer) in layers.enumerated() {
            let label = Self.label(layer, i)
            do {
                // What this layer lands on: the canvas and every layer beneath it, computed lazily
                // (only the pixels a harmonize ring or a seamless region reads).
                let grounded = !layer.shadows.isEmpty || layer.reflection != nil
                let beneath: VipsImageRef? = setting(for: layer) != nil || layer.seamless != nil || grounded
                    ? try Compositor.composite(canvas: canvas, layers: placed, space: space) : nil
                let top = try place(layer, label: label, canvasWidth: cw, canvasHeight: ch, streaming: streaming,
                                    canvasPixels: beneath, restyled: restyled.layers, loaded: loaded[i],
                                    scaleFactor: factors[i],
                                    jointMatch: joint[i] ?? (setting(for: layer)?.joint == true ? .identity : nil), resolve: resolve)
                if grounded { placed += try Self.grounding(for: top, layer: layer, canvas: beneath) }
                placed.append(top)
            } catch where error.message.hasPrefix(label) {
                throw error
            } catch {
                throw MeldError(error.kind, operation: "compose", "\(label): \(error.message)", detail: error.detail)
            }
        }
        let ref = try Compositor.composite(canvas: canvas, layers: placed, space: space)
        return Image(ref: ref, sourcePaths: Array(Set(sources)).sorted(), sourceFormat: nil)
    }

    /// The harmonization in force for a layer: its own, else the composition's for image layers.
    func setting(for layer: Layer) -> LayerHarmonize? {
        if let own = layer.harmonize { return own }
        if case .image = layer.content { return harmonize }
        return nil
    }

    /// One layer brought to its final pixels and canvas position. `loaded`: its content when
    /// already loaded; `scaleFactor`: its resampling factor from the scene scale (replaces the
    /// fit); `jointMatch`: its correction from the joint harmonization (replaces the estimate).
    func place(_ layer: Layer, label: String, canvasWidth cw: Int, canvasHeight ch: Int, streaming: Bool,
               canvasPixels: VipsImageRef?, restyled: [String: Image] = [:], loaded: VipsImageRef? = nil,
               scaleFactor: Double? = nil, jointMatch: ColourMatch? = nil,
               resolve: (String, String) throws(MeldError) -> Image) throws(MeldError) -> CompositorLayer {
        var content: VipsImageRef
        if let loaded {
            content = loaded
        } else {
            content = try self.content(of: layer, label: label, canvasWidth: cw, canvasHeight: ch, restyled: restyled, resolve: resolve)
        }
        let nw = content.width, nh = content.height

        // Box and size.
        let fit = layer.effectiveFit
        let sizing = Self.sizing(layer, naturalWidth: nw, naturalHeight: nh, canvasWidth: cw, canvasHeight: ch)
        let (boxX, boxY, bw, bh) = (sizing.box.x, sizing.box.y, sizing.box.width, sizing.box.height)
        var (sw, sh) = (sizing.size.width, sizing.size.height)
        if let factor = scaleFactor { (sw, sh) = (Double(nw) * factor, Double(nh) * factor) }
        let tw = max(1, Int(sw.rounded())), th = max(1, Int(sh.rounded()))
        guard tw <= Self.maxSide, th <= Self.maxSide else {
            throw MeldError(.invalidArgument, operation: "compose", "\(label): the layer would be \(tw)x\(th) pixels, larger than \(Self.maxSide) a side")
        }
        if tw != nw || th != nh { content = try content.resampled(width: tw, height: th) }
        if fit == .cover && scaleFactor == nil {
            let cwid = max(1, min(tw, Int(bw.rounded()))), chei = max(1, min(th, Int(bh.rounded())))
            content = try content.cropped(to: Rect(x: (tw - cwid) / 2, y: (th - chei) / 2, width: cwid, height: chei))
        }
        // Vertical flips and rotations read rows out of order, which a file loaded for one
        // sequential pass cannot do: when streaming, such a layer is decoded whole first (at its
        // placed size).
        func randomAccess(_ image: VipsImageRef) throws(MeldError) -> VipsImageRef {
            streaming ? try image.materialized() : image
        }
        switch layer.flip {
        case .horizontal: content = try content.flipped(horizontally: true)
        case .vertical: content = try randomAccess(content).flipped(horizontally: false)
        case .both: content = try randomAccess(content).rotated(by: .d180)
        case nil: break
        }

        // Position of the unrotated layer.
        let pw = Double(content.width), ph = Double(content.height)
        var x: Double, y: Double
        if layer.rect != nil {
            x = boxX + (bw - pw) / 2; y = boxY + (bh - ph) / 2
        } else {
            x = layer.anchor.fx * Double(cw) + layer.offset[0].pixels(of: cw) - layer.anchor.fx * pw
            y = layer.anchor.fy * Double(ch) + layer.offset[1].pixels(of: ch) - layer.anchor.fy * ph
        }

        // Rotation about the centre.
        let turn = layer.rotate.truncatingRemainder(dividingBy: 360)
        let quarter = (turn / 90).rounded()
        if turn != 0 {
            if abs(turn - quarter * 90) < 1e-9 {
                if let angle = RightAngle(rawValue: ((Int(quarter) % 4) + 4) % 4 * 90) {
                    content = try randomAccess(content).rotated(by: angle)
                }
            } else {
                content = try randomAccess(content).rgbForCompositing().rotatedWithAlpha(degrees: turn)
            }
            x -= (Double(content.width) - pw) / 2
            y -= (Double(content.height) - ph) / 2
        }

        if let setting = setting(for: layer), let canvasPixels {
            let rect = Rect(x: Int(x.rounded(.down)), y: Int(y.rounded(.down)), width: content.width, height: content.height)
            content = try Self.harmonized(content, at: rect, canvas: canvasPixels, setting: setting, given: jointMatch)
        }

        if let mode = layer.seamless, let canvasPixels {
            guard let (image, sx, sy) = try Self.seamless(content, at: (Int(x.rounded(.down)), Int(y.rounded(.down))),
                                                          canvas: canvasPixels, mode: mode) else {
                // Nothing of the layer lands on the canvas.
                return CompositorLayer(image: content, x: cw + 1, y: ch + 1)
            }
            return CompositorLayer(image: image, x: sx, y: sy)
        }

        if layer.feather > 0 {
            let (soft, pad) = try content.rgbForCompositing().feathered(sigma: layer.feather / 2)
            content = soft
            x -= Double(pad); y -= Double(pad)
        }
        return CompositorLayer(image: content, x: Int(x.rounded(.down)), y: Int(y.rounded(.down)),
                               mode: layer.blend, opacity: Float(layer.opacity))
    }

    /// A layer's content before sizing: the image (restyled, cut out) or the rendered text, with
    /// its mask applied.
    func content(of layer: Layer, label: String, canvasWidth cw: Int, canvasHeight ch: Int, restyled: [String: Image],
                 resolve: (String, String) throws(MeldError) -> Image) throws(MeldError) -> VipsImageRef {
        var content: VipsImageRef
        switch layer.content {
        case .image(let source):
            let image: Image
            if let done = restyled[source] { image = done } else { image = try resolve(source, "\(label): image") }
            switch layer.cutout {
            case nil: content = image.ref
            case .subject?: content = try image.applying(Cutout()).ref
            case .box(let r)?: content = try image.applying(Cutout(box: r)).ref
            }
        case .text(let style):
            content = try Self.renderText(style, canvasWidth: cw, canvasHeight: ch)
        }
        if let maskSource = layer.mask {
            let mask = try resolve(maskSource, "\(label): mask").ref
            let coverage = try mask.coverageBand().resampled(width: content.width, height: content.height)
            content = try content.rgbForCompositing().multiplyingAlpha(by: coverage)
        }
        return content
    }

    /// A layer's box on the canvas and the size its content is scaled to by ``Layer/fit``
    /// (before rounding; ``Layer/realSize`` and ``Layer/scaleLike`` are applied by the caller).
    static func sizing(_ layer: Layer, naturalWidth nw: Int, naturalHeight nh: Int, canvasWidth cw: Int,
                       canvasHeight ch: Int) -> (box: (x: Double, y: Double, width: Double, height: Double), size: (width: Double, height: Double)) {
        var boxX = 0.0, boxY = 0.0
        var bw = Double(nw), bh = Double(nh)
        if let r = layer.rect {
            boxX = r[0].pixels(of: cw); boxY = r[1].pixels(of: ch)
            bw = r[2].pixels(of: cw); bh = r[3].pixels(of: ch)
        } else {
            if let w = layer.width { bw = w.pixels(of: cw) }
            if let h = layer.height { bh = h.pixels(of: ch) }
        }
        let sx = bw / Double(nw), sy = bh / Double(nh)
        let (sw, sh): (Double, Double)
        switch layer.effectiveFit {
        case .none: (sw, sh) = (Double(nw), Double(nh))
        case .width: (sw, sh) = (bw, Double(nh) * sx)
        case .height: (sw, sh) = (Double(nw) * sy, bh)
        case .contain: let s = min(sx, sy); (sw, sh) = (Double(nw) * s, Double(nh) * s)
        case .cover: let s = max(sx, sy); (sw, sh) = (Double(nw) * s, Double(nh) * s)
        case .fill: (sw, sh) = (bw, bh)
        }
        return ((boxX, boxY, bw, bh), (sw, sh))
    }

    /// Text as an 8-bit RGBA image: the colour, with Pango's coverage as alpha.
    static func renderText(_ style: TextStyle, canvasWidth cw: Int, canvasHeight ch: Int) throws(MeldError) -> VipsImageRef {
        let size = style.size.pixels(of: ch)
        let wrap = style.wrapWidth.map { Int($0.pixels(of: cw).rounded()) } ?? 0
        let align: Int
        switch style.align {
        case .left, .justify: align = -1
        case .centre: align = 0
        case .right: align = 1
        }
        let font = "\(style.font) \(String(format: "%.2f", size))"
        let coverage = try VipsImageRef.text(markup: style.pangoMarkup, font: font, wrapWidth: wrap, align: align,
                                             justify: style.align == .justify,
                                             lineSpacing: Int((style.lineSpacing ?? 0).rounded()), fontFile: style.fontFile)
        let c = style.color
        let colour = try VipsImageRef.constant(width: coverage.width, height: coverage.height,
                                               values: [c.red * 255, c.green * 255, c.blue * 255]).cast(to: .uchar)
        let alpha = try coverage.linear(scale: c.alpha, offset: 0).cast(to: .uchar)
        return try colour.joined(with: alpha).taggedSRGB()
    }
}

extension RGBA {
    /// Components as floats (straight, gamma-encoded).
    var simd: SIMD4<Float> { SIMD4(Float(red), Float(green), Float(blue), Float(alpha)) }
}

extension Gradient {
    /// The ramp's geometry on a `width × height` canvas. Linear ramps follow CSS: the line runs
    /// through the centre at `angle` (0 = upwards, 90 = rightwards) and is as long as the canvas
    /// is wide along that direction, so the end colours land on the corners.
    func geometry(width: Int, height: Int) -> CanvasFill.Geometry {
        let w = Double(width), h = Double(height)
        switch kind {
        case .radial:
            return .radial(cx: w / 2, cy: h / 2, radius: (w * w + h * h).squareRoot() / 2)
        case .linear:
            let a = angle * .pi / 180
            let dx = sin(a), dy = -cos(a)
            let half = (abs(w * dx) + abs(h * dy)) / 2
            return .linear(x0: w / 2 - dx * half, y0: h / 2 - dy * half, x1: w / 2 + dx * half, y1: h / 2 + dy * half)
        }
    }
}
