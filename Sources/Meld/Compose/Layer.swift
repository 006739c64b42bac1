import Foundation

/// One layer of a ``Compose``: an image or a text, optionally masked, sized, placed, rotated,
/// flipped, faded, feathered and blended.
///
/// Placement: with ``rect`` the content is fitted into that rectangle of the canvas (``fit``,
/// default ``Fit/fill``); otherwise it is sized into the box ``width`` × ``height`` (``fit``
/// defaults to ``Fit/contain`` with both, ``Fit/width`` or ``Fit/height`` with one, and natural
/// size with neither) and its ``anchor`` point is put on the canvas's anchor point, moved by
/// ``offset`` (positive x right, positive y down). Rotation turns the placed layer about its
/// centre (clockwise degrees); the rotated corners may extend past the box.
public struct Layer: Sendable, Hashable {
    /// What the layer shows.
    public enum Content: Sendable, Hashable {
        /// An image: a path (relative to the recipe) or the name of an input image.
        case image(String)
        /// Rendered text.
        case text(TextStyle)
    }

    /// What the layer shows.
    public var content: Content
    /// A name used in error messages (default: the layer's position).
    public var name: String?
    /// A coverage mask (path or input name) of any size and depth, resampled to the content;
    /// it multiplies the content's alpha. White (or opaque) shows the layer.
    public var mask: String?
    /// The canvas point the layer is pinned to (and the layer's own point pinned there).
    public var anchor: Anchor
    /// Movement from the anchor, x then y.
    public var offset: [Length]
    /// An explicit canvas rectangle `[x, y, width, height]`; overrides anchor, offset and box.
    public var rect: [Length]?
    /// Box width.
    public var width: Length?
    /// Box height.
    public var height: Length?
    /// How the content is sized into the box (see the type's discussion for defaults).
    public var fit: Fit?
    /// Clockwise rotation in degrees, about the layer's centre.
    public var rotate: Double
    /// Mirroring, applied before rotation.
    public var flip: LayerFlip?
    /// 0…1, applied after the blend.
    public var opacity: Double
    /// Softness of the layer's edge in pixels (0: hard). The alpha is blurred with σ = feather / 2.
    public var feather: Double
    /// How the layer combines with what is beneath.
    public var blend: BlendMode
    /// Match the layer's colour and light to what lies around it (the canvas and the layers
    /// beneath) before blending (nil: as ``Compose/harmonize`` says).
    public var harmonize: LayerHarmonize?
    /// Clone the layer into the canvas seamlessly instead of blending it (Poisson normal, mixed
    /// or monochrome gradients, or multi-band). In recipes: `blend: poisson` (`poisson-mixed`,
    /// `poisson-monochrome`, `multiband`). ``blend``, ``opacity`` and ``feather`` do not apply;
    /// the destination is everything beneath the layer (canvas and earlier layers).
    public var seamless: SeamlessClone.Mode?
    /// Cut the subject out of the image before placing it (nil: use the image as it is). In
    /// recipes: `cutout: subject` or `cutout: {box: [x, y, w, h]}`.
    public var cutout: LayerCutout?
    /// Shadows on the ground beneath the layer (contact, cast), drawn under it. In recipes:
    /// `shadow: contact`, `shadow: "cast(135, 0.8)"`, an object or a list.
    public var shadows: [LayerShadow] = []
    /// A reflection on a glossy floor, drawn under it. In recipes: `reflection: true` or an object.
    public var reflection: LayerReflection?
    /// The real-world height or width of the object shown (nil: sized by ``width``/``height``/
    /// ``fit``). The layer is scaled, keeping its aspect ratio, so that its opaque part spans that
    /// many canvas pixels at the scene's scale where it stands (``Compose/scale``, which must give
    /// pixels per centimetre; with perspective when it has a horizon). Excludes ``rect``,
    /// ``width``, ``height``, ``fit`` and ``scaleLike``. The box and the foot (its bottom row) are
    /// taken before ``rotate``; a vertical flip is accounted for. Cost: an image with alpha is
    /// decoded once more to find its opaque box, and the composition loads its inputs for random
    /// access instead of one streaming pass. In recipes: `real-size: 30cm` or
    /// `real-size: {width: 12cm}`.
    public var realSize: RealSize?
    /// Draw the layer at the same scale as another image layer (nil: none): the two images are
    /// taken to be shot at the same resolution (the same source pixels per centimetre), so this
    /// layer gets the other's resampling factor, times (its foot row − horizon) / (the other's
    /// foot row − horizon) when ``Compose/scale`` has a horizon. The other layer may be sized
    /// any way (by fit, real size, or its own scale-like; for a stretched `fill`, its vertical
    /// factor counts). Excludes ``rect``, ``width``, ``height``, ``fit`` and ``realSize``. In
    /// recipes: `scale-like: bottle` (a name) or `scale-like: 2` (a layer number, from 1).
    public var scaleLike: LayerReference?

    /// A layer with the given content and placement; everything else is neutral.
    public init(_ content: Content, name: String? = nil, mask: String? = nil, anchor: Anchor = .centre,
                offset: [Length] = [0, 0], rect: [Length]? = nil, width: Length? = nil, height: Length? = nil,
                fit: Fit? = nil, rotate: Double = 0, flip: LayerFlip? = nil, opacity: Double = 1,
                feather: Double = 0, blend: BlendMode = .normal, harmonize: LayerHarmonize? = nil) {
        self.content = content; self.name = name; self.mask = mask; self.anchor = anchor; self.offset = offset
        self.rect = rect; self.width = width; self.height = height; self.fit = fit; self.rotate = rotate
        self.flip = flip; self.opacity = opacity; self.feather = feather; self.blend = blend
        self.harmonize = harmonize
    }

    /// Recipe names of the seamless strategies in the `blend` field.
    static let seamlessNames: [String: SeamlessClone.Mode] = [
        "poisson": .normal, "poisson-normal": .normal, "poisson-mixed": .mixed,
        "poisson-monochrome": .monochrome, "multiband": .multiband,
    ]

    /// An image layer.
    public static func image(_ source: String, anchor: Anchor = .centre, offset: [Length] = [0, 0],
                             width: Length? = nil, height: Length? = nil, blend: BlendMode = .normal,
                             opacity: Double = 1) -> Layer {
        Layer(.image(source), anchor: anchor, offset: offset, width: width, height: height, opacity: opacity, blend: blend)
    }

    /// A text layer.
    public static func text(_ style: TextStyle, anchor: Anchor = .centre, offset: [Length] = [0, 0]) -> Layer {
        Layer(.text(style), anchor: anchor, offset: offset)
    }

    /// The sizing rule in force.
    var effectiveFit: Fit {
        if let fit { return fit }
        if rect != nil { return .fill }
        switch (width, height) {
        case (.some, .some): return .contain
        case (.some, nil): return .width
        case (nil, .some): return .height
        default: return .none
        }
    }
}

extension Layer: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case image, text, name, mask, anchor, offset, rect, width, height, fit, rotate, flip, opacity, feather, blend, harmonize
        case cutout, shadow, reflection, realSize = "real-size", scaleLike = "scale-like"
        case markup, font, size, color, align, wrap, letterSpacing = "letter-spacing", lineSpacing = "line-spacing", fontFile = "font-file"
    }

    /// Decodes the recipe form: `{"image": "bottle.png", "anchor": "bottom", "width": "30%", ...}`
    /// or `{"text": "新品 New", "font": "Noto Sans CJK SC Bold", "size": 64, "color": "#222", ...}`.
    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let path = try c.decodeIfPresent(String.self, forKey: .image) {
            guard !c.contains(.text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "a layer has an \"image\" or a \"text\", not both"))
            }
            content = .image(path)
        } else if let text = try c.decodeIfPresent(String.self, forKey: .text) {
            var style = TextStyle(text)
            style.markup = try c.decodeIfPresent(Bool.self, forKey: .markup) ?? false
            style.font = try c.decodeIfPresent(String.self, forKey: .font) ?? style.font
            style.size = try c.decodeIfPresent(Length.self, forKey: .size) ?? style.size
            style.color = try c.decodeIfPresent(RGBA.self, forKey: .color) ?? style.color
            style.align = try c.decodeIfPresent(TextStyle.Alignment.self, forKey: .align) ?? style.align
            style.wrapWidth = try c.decodeIfPresent(Length.self, forKey: .wrap)
            style.letterSpacing = try c.decodeIfPresent(Double.self, forKey: .letterSpacing) ?? 0
            style.lineSpacing = try c.decodeIfPresent(Double.self, forKey: .lineSpacing)
            style.fontFile = try c.decodeIfPresent(String.self, forKey: .fontFile)
            content = .text(style)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "a layer needs an \"image\" or a \"text\""))
        }
        name = try c.decodeIfPresent(String.self, forKey: .name)
        mask = try c.decodeIfPresent(String.self, forKey: .mask)
        anchor = try c.decodeIfPresent(Anchor.self, forKey: .anchor) ?? .centre
        offset = try c.decodeIfPresent([Length].self, forKey: .offset) ?? [0, 0]
        rect = try c.decodeIfPresent([Length].self, forKey: .rect)
        width = try c.decodeIfPresent(Length.self, forKey: .width)
        height = try c.decodeIfPresent(Length.self, forKey: .height)
        fit = try c.decodeIfPresent(Fit.self, forKey: .fit)
        rotate = try c.decodeIfPresent(Double.self, forKey: .rotate) ?? 0
        flip = try c.decodeIfPresent(LayerFlip.self, forKey: .flip)
        opacity = try c.decodeIfPresent(Double.self, forKey: .opacity) ?? 1
        feather = try c.decodeIfPresent(Double.self, forKey: .feather) ?? 0
        if let name = try? c.decodeIfPresent(String.self, forKey: .blend), let mode = Self.seamlessNames[name] {
            seamless = mode
            blend = .normal
        } else {
            blend = try c.decodeIfPresent(BlendMode.self, forKey: .blend) ?? .normal
        }
        harmonize = try c.decodeIfPresent(LayerHarmonize.self, forKey: .harmonize)
        cutout = try c.decodeIfPresent(LayerCutout.self, forKey: .cutout)
        if let list = try? c.decodeIfPresent([LayerShadow].self, forKey: .shadow) {
            shadows = list
        } else {
            shadows = try c.decodeIfPresent(LayerShadow.self, forKey: .shadow).map { [$0] } ?? []
        }
        reflection = try c.decodeIfPresent(LayerReflection.self, forKey: .reflection)
        realSize = try c.decodeIfPresent(RealSize.self, forKey: .realSize)
        scaleLike = try c.decodeIfPresent(LayerReference.self, forKey: .scaleLike)
    }

    /// Encodes the recipe form, leaving out defaults.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch content {
        case .image(let p): try c.encode(p, forKey: .image)
        case .text(let s):
            try c.encode(s.text, forKey: .text)
            if s.markup { try c.encode(true, forKey: .markup) }
            try c.encode(s.font, forKey: .font)
            try c.encode(s.size, forKey: .size)
            try c.encode(s.color, forKey: .color)
            try c.encode(s.align, forKey: .align)
            try c.encodeIfPresent(s.wrapWidth, forKey: .wrap)
            if s.letterSpacing != 0 { try c.encode(s.letterSpacing, forKey: .letterSpacing) }
            try c.encodeIfPresent(s.lineSpacing, forKey: .lineSpacing)
            try c.encodeIfPresent(s.fontFile, forKey: .fontFile)
        }
        try c.encodeIfPresent(name, forKey: .name)
        try c.encodeIfPresent(mask, forKey: .mask)
        if anchor != .centre { try c.encode(anchor, forKey: .anchor) }
        if offset != [0, 0] { try c.encode(offset, forKey: .offset) }
        try c.encodeIfPresent(rect, forKey: .rect)
        try c.encodeIfPresent(width, forKey: .width)
        try c.encodeIfPresent(height, forKey: .height)
        try c.encodeIfPresent(fit, forKey: .fit)
        if rotate != 0 { try c.encode(rotate, forKey: .rotate) }
        try c.encodeIfPresent(flip, forKey: .flip)
        if opacity != 1 { try c.encode(opacity, forKey: .opacity) }
        if feather != 0 { try c.encode(feather, forKey: .feather) }
        if let seamless {
            try c.encode(seamless == .multiband ? "multiband" : (seamless == .normal ? "poisson" : "poisson-\(seamless.rawValue)"), forKey: .blend)
        } else if blend != .normal {
            try c.encode(blend, forKey: .blend)
        }
        try c.encodeIfPresent(harmonize, forKey: .harmonize)
        try c.encodeIfPresent(cutout, forKey: .cutout)
        if shadows.count == 1 { try c.encode(shadows[0], forKey: .shadow) } else if !shadows.isEmpty { try c.encode(shadows, forKey: .shadow) }
        try c.encodeIfPresent(reflection, forKey: .reflection)
        try c.encodeIfPresent(realSize, forKey: .realSize)
        try c.encodeIfPresent(scaleLike, forKey: .scaleLike)
    }
}
