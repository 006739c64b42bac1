import Foundation
import MeldCore
import MeldVips

/// Fuses any number of layers — images, cut-outs and text — into one canvas.
///
/// A canvas (an image, or a size with a colour or gradient) and layers drawn in order, each
/// sized, placed, masked, rotated, flipped, feathered, blended with a ``BlendMode`` and faded by
/// its opacity (applied after the blend). Compositing happens in linear light by default
/// (``CompositingSpace/linear``), with premultiplied alpha throughout, so there are no dark
/// fringes at soft edges; ``CompositingSpace/sRGB`` blends gamma-encoded values as Photoshop does.
///
/// Rendering is lazy and streams: the result is computed in strips as it is written, and each
/// strip reads only the layers that intersect it, so memory stays near a few strips per thread
/// plus each input's decoder — it does not grow with layers × canvas size. Cost: roughly one
/// decode per covered pixel per layer, one blend and one encode per canvas pixel.
///
/// The output has the canvas's size; it is 16-bit when the canvas image is, and has an alpha
/// channel when the canvas is transparent or a layer's mode can clear it.
public struct Compose: ImageOperation {
    /// What the layers are drawn on. ``apply(to:)`` draws on its image whatever this says.
    public var canvas: Canvas
    /// Layers, bottom first.
    public var layers: [Layer]
    /// Where colours are mixed.
    public var space: CompositingSpace
    /// Harmonization for every image layer that does not set its own (nil: none). Text layers
    /// are never harmonized unless they ask.
    public var harmonize: LayerHarmonize?
    /// One look for the whole set: every image layer (and optionally the canvas photo) restyled
    /// to a common reference before harmonizing (nil: none). See ``ComposeLook``.
    public var look: ComposeLook?
    /// The scene's real-world scale, used by layers that declare a ``Layer/realSize`` (nil:
    /// none). See ``SceneScale``.
    public var scale: SceneScale?

    /// The largest canvas side accepted.
    public static let maxSide = 1 << 17

    /// A composition.
    public init(canvas: Canvas, layers: [Layer], space: CompositingSpace = .linear, harmonize: LayerHarmonize? = nil,
                look: ComposeLook? = nil, scale: SceneScale? = nil) {
        self.canvas = canvas; self.layers = layers; self.space = space; self.harmonize = harmonize; self.look = look
        self.scale = scale
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case canvas, layers, space, harmonize, look, scale }

    /// Decodes `{"canvas": {...}, "layers": [...], "space": "linear", "harmonize": ..., "look": ..., "scale": ...}`.
    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        canvas = try c.decode(Canvas.self, forKey: .canvas)
        layers = try c.decodeIfPresent([Layer].self, forKey: .layers) ?? []
        space = try c.decodeIfPresent(CompositingSpace.self, forKey: .space) ?? .linear
        harmonize = try c.decodeIfPresent(LayerHarmonize.self, forKey: .harmonize)
        look = try c.decodeIfPresent(ComposeLook.self, forKey: .look)
        scale = try c.decodeIfPresent(SceneScale.self, forKey: .scale)
    }

    /// Checks every field; messages name the layer and the field.
    public func validate() throws(MeldError) {
        func fail(_ message: String) -> MeldError { MeldError(.invalidArgument, operation: "compose", message) }
        if let h = harmonize, !(0...1).contains(h.strength) { throw fail("harmonize strength must be between 0 and 1 (got \(h.strength))") }
        if let h = harmonize, h.joint, h.method != .auto {
            throw fail("harmonize: joint solves a lightness gain and a*, b* offsets for all layers together; method must be auto (got \(h.method.rawValue))")
        }
        try look?.validate()
        switch canvas {
        case .input: break
        case .image(let p):
            if p.isEmpty { throw fail("canvas: the image path is empty") }
        case .color(let w, let h, let colour):
            try Self.checkSize(w, h, "canvas")
            try Self.check(colour, "canvas: color")
        case .gradient(let w, let h, let g):
            try Self.checkSize(w, h, "canvas")
            try Self.check(g.from, "canvas: gradient from"); try Self.check(g.to, "canvas: gradient to")
            if !g.angle.isFinite { throw fail("canvas: gradient angle must be a finite number of degrees") }
        }
        for (i, layer) in layers.enumerated() {
            let label = Self.label(layer, i)
            switch layer.content {
            case .image(let p): if p.isEmpty { throw fail("\(label): image path is empty") }
            case .text(let s):
                if s.text.isEmpty { throw fail("\(label): text is empty") }
                if case .pixels(let v) = s.size, !(v > 0) { throw fail("\(label): size must be positive (got \(v))") }
                if case .relative(let v) = s.size, !(v > 0) { throw fail("\(label): size must be positive (got \(v * 100)%)") }
                if let w = s.wrapWidth, w.pixels(of: 1) < 0 { throw fail("\(label): wrap width must not be negative") }
                if !s.letterSpacing.isFinite { throw fail("\(label): letter-spacing must be finite") }
                if let l = s.lineSpacing, !(l >= 0) { throw fail("\(label): line-spacing must not be negative") }
                try Self.check(s.color, "\(label): color")
            }
            if layer.offset.count != 2 { throw fail("\(label): offset needs 2 values (x, y), got \(layer.offset.count)") }
            // Every length must stay within reach of a canvas (huge values would overflow pixel arithmetic).
            let lengths = layer.offset + (layer.rect ?? []) + [layer.width, layer.height].compactMap { $0 }
            for l in lengths where !(abs(l.pixels(of: Self.maxSide)) <= Double(Self.maxSide) * 16) {
                throw fail("\(label): \(l) is out of range (lengths must be within ±\(Self.maxSide * 16) pixels)")
            }
            if case .text(let style) = layer.content {
                for l in [style.size] + (style.wrapWidth.map { [$0] } ?? []) where !(abs(l.pixels(of: Self.maxSide)) <= Double(Self.maxSide)) {
                    throw fail("\(label): \(l) is out of range for text (at most \(Self.maxSide) pixels)")
                }
                if !(abs(style.letterSpacing) <= 10_000) || !((style.lineSpacing ?? 0) <= 10_000) {
                    throw fail("\(label): letter and line spacing must be within ±10000 pixels")
                }
            }
            if !(abs(layer.rotate) <= 1e6) { throw fail("\(label): rotate must be within ±1000000 degrees") }
            if let r = layer.rect {
                guard r.count == 4 else { throw fail("\(label): rect needs 4 values (x, y, width, height), got \(r.count)") }
                if r[2].pixels(of: 1) <= 0 || r[3].pixels(of: 1) <= 0 { throw fail("\(label): rect width and height must be positive (got \(r[2]), \(r[3]))") }
            }
            if let w = layer.width, !(w.pixels(of: 1) > 0) { throw fail("\(label): width must be positive (got \(w))") }
            if let h = layer.height, !(h.pixels(of: 1) > 0) { throw fail("\(label): height must be positive (got \(h))") }
            let fit = layer.effectiveFit
            if layer.rect == nil {
                if (fit == .contain || fit == .cover || fit == .fill) && (layer.width == nil || layer.height == nil) {
                    throw fail("\(label): fit \(fit.rawValue) needs both width and height")
                }
                if fit == .width && layer.width == nil { throw fail("\(label): fit width needs a width") }
                if fit == .height && layer.height == nil { throw fail("\(label): fit height needs a height") }
            }
            if !layer.rotate.isFinite { throw fail("\(label): rotate must be a finite number of degrees") }
            if !(0...1).contains(layer.opacity) { throw fail("\(label): opacity must be between 0 and 1 (got \(layer.opacity))") }
            if !(layer.feather >= 0 && layer.feather <= 1000) { throw fail("\(label): feather must be between 0 and 1000 pixels (got \(layer.feather))") }
            if let m = layer.mask, m.isEmpty { throw fail("\(label): mask path is empty") }
            if let h = layer.harmonize, !(0...1).contains(h.strength) { throw fail("\(label): harmonize strength must be between 0 and 1 (got \(h.strength))") }
            if let h = layer.harmonize, h.joint, h.method != .auto {
                throw fail("\(label): harmonize: joint solves a lightness gain and a*, b* offsets for all layers together; method must be auto (got \(h.method.rawValue))")
            }
            try validateGrounding(layer, label: label)
        }
        try validateScale()
    }

    /// Checks a layer's cutout, shadows and reflection.
    func validateGrounding(_ layer: Layer, label: String) throws(MeldError) {
        if let cut = layer.cutout {
            if case .text = layer.content { throw MeldError(.invalidArgument, operation: "compose", "\(label): cutout applies to image layers, not text") }
            if case .box(let r) = cut, r.width <= 0 || r.height <= 0 {
                throw MeldError(.invalidArgument, operation: "compose", "\(label): cutout box must have a positive width and height (got \(r.width)x\(r.height))")
            }
        }
        for s in layer.shadows { try s.validate(label) }
        try layer.reflection?.validate(label)
    }

    static func label(_ layer: Layer, _ i: Int) -> String {
        layer.name.map { "layer \(i + 1) (\($0))" } ?? "layer \(i + 1)"
    }

    static func checkSize(_ w: Int, _ h: Int, _ what: String) throws(MeldError) {
        guard w > 0, h > 0, w <= maxSide, h <= maxSide else {
            throw MeldError(.invalidArgument, operation: "compose", "\(what): size must be between 1 and \(maxSide) pixels a side (got \(w)x\(h))")
        }
        guard w * h <= Meld.pixelLimit else {
            throw MeldError(.tooLarge, operation: "compose",
                            "\(what): \(w)x\(h) is \(w * h) pixels, over the limit of \(Meld.pixelLimit) (Meld.pixelLimit, --pixel-limit)")
        }
    }

    static func check(_ c: RGBA, _ what: String) throws(MeldError) {
        for v in [c.red, c.green, c.blue, c.alpha] where !(0...1).contains(v) {
            throw MeldError(.invalidArgument, operation: "compose", "\(what): components must be between 0 and 1 (got \(c))")
        }
    }

    /// Draws the layers over `image` (which replaces ``canvas``).
    public func apply(to image: Image) throws(MeldError) -> Image {
        try render(canvasImage: image, inputs: [:], baseDirectory: nil, streaming: false)
    }

    /// Renders the composition.
    ///
    /// - Parameters:
    ///   - inputs: images by name; a canvas, layer or mask source that names one uses it, any
    ///     other source is a file path.
    ///   - baseDirectory: the folder relative paths are resolved against (a recipe's folder).
    ///   - streaming: load files for one top-to-bottom pass (least memory; the result must then
    ///     be rendered or written exactly once). Rotated layers are still decoded whole.
    /// - Throws: `.invalidArgument` naming the layer and field; load errors of the files, with
    ///   the layer named.
    public func render(inputs: [String: Image] = [:], baseDirectory: String? = nil, streaming: Bool = false) throws(MeldError) -> Image {
        try validate()
        return try render(canvasImage: nil, inputs: inputs, baseDirectory: baseDirectory, streaming: streaming)
    }
}
