import Foundation
import MeldCore
import MeldVips

/// Draws a visible watermark — a text (Pango, any script including CJK) or a logo image — in a
/// corner, at an edge, in the centre, or tiled over the whole picture.
///
/// Every length is relative to the image's shorter side, so the mark looks the same at every
/// size: ``size`` is the font size (text) or the logo's width, ``margin`` the gap to the edges,
/// ``spacing`` the gap between tiles. The mark is composited with ``Compose`` (linear light,
/// premultiplied alpha) with a ``BlendMode`` and an opacity, turned by ``angle`` degrees
/// clockwise; text gets a soft dark shadow (``shadow``) so it reads on light and dark
/// backgrounds alike. The image keeps its size, bit depth and alpha.
/// Cost: one text rendering (or logo decode) plus one composite pass over the image.
public struct Watermark: ImageOperation {
    /// What is drawn.
    public enum Mark: Sendable, Hashable {
        /// A text, rendered with Pango (plain text, not markup).
        case text(String)
        /// An image file (PNG with alpha works best).
        case logo(String)
    }

    /// Where the mark goes.
    public enum Placement: String, Sendable, Hashable, Codable, CaseIterable {
        /// Top-left corner.
        case topLeft = "top-left"
        /// Middle of the top edge.
        case top
        /// Top-right corner.
        case topRight = "top-right"
        /// Middle of the left edge.
        case left
        /// Centre.
        case centre
        /// Middle of the right edge.
        case right
        /// Bottom-left corner.
        case bottomLeft = "bottom-left"
        /// Middle of the bottom edge.
        case bottom
        /// Bottom-right corner.
        case bottomRight = "bottom-right"
        /// Repeated in staggered rows over the whole image.
        case tiled
    }

    /// The text or logo.
    public var mark: Mark
    /// Where it goes (default bottom-right).
    public var placement: Placement
    /// Font size (text) or logo width, as a fraction of the shorter side, 0.005…1 (nil: 0.05 for
    /// text, 0.2 for a logo).
    public var size: Double?
    /// Gap to the image edges, fraction of the shorter side, 0…0.5 (default 0.03).
    public var margin: Double
    /// Clockwise rotation in degrees, −360…360 (nil: 0, or −30 when tiled).
    public var angle: Double?
    /// 0…1 (default 0.6).
    public var opacity: Double
    /// How the mark combines with the picture (default normal).
    public var blend: BlendMode
    /// Text colour (default white).
    public var color: RGBA
    /// Pango font description for text (default "Noto Sans CJK SC Bold", with fallbacks).
    public var font: String
    /// Tiled: the gap between marks as a fraction of the shorter side, 0…2 (default 0.12).
    public var spacing: Double
    /// Whether text gets a soft dark shadow (default true).
    public var shadow: Bool

    /// A visible watermark.
    public init(_ mark: Mark, placement: Placement = .bottomRight, size: Double? = nil, margin: Double = 0.03,
                angle: Double? = nil, opacity: Double = 0.6, blend: BlendMode = .normal, color: RGBA = .white,
                font: String = "Noto Sans CJK SC Bold", spacing: Double = 0.12, shadow: Bool = true) {
        self.mark = mark; self.placement = placement; self.size = size; self.margin = margin; self.angle = angle
        self.opacity = opacity; self.blend = blend; self.color = color; self.font = font; self.spacing = spacing
        self.shadow = shadow
    }

    /// The size in force.
    public var effectiveSize: Double {
        if let size { return size }
        if case .logo = mark { return 0.2 }
        return 0.05
    }

    /// The angle in force.
    public var effectiveAngle: Double { angle ?? (placement == .tiled ? -30 : 0) }

    /// Checks every field; messages name it.
    public func validate() throws(MeldError) {
        func fail(_ m: String) -> MeldError { MeldError(.invalidArgument, operation: "watermark", m) }
        switch mark {
        case .text(let t): if t.isEmpty { throw fail("text is empty") }
        case .logo(let p): if p.isEmpty { throw fail("logo: the path is empty") }
        }
        if let size, !(0.005...1).contains(size) { throw fail("size must be 0.005…1 of the shorter side (got \(size))") }
        if !(0...0.5).contains(margin) { throw fail("margin must be 0…0.5 of the shorter side (got \(margin))") }
        if let angle, !(-360...360).contains(angle) { throw fail("angle must be −360…360 degrees (got \(angle))") }
        if !(0...1).contains(opacity) { throw fail("opacity must be between 0 and 1 (got \(opacity))") }
        if !(0...2).contains(spacing) { throw fail("spacing must be 0…2 of the shorter side (got \(spacing))") }
        for v in [color.red, color.green, color.blue, color.alpha] where !(0...1).contains(v) {
            throw fail("color components must be between 0 and 1 (got \(color))")
        }
        if font.isEmpty { throw fail("font is empty") }
    }

    /// Draws the mark on `image`.
    ///
    /// - Throws: `.invalidArgument` for bad fields; load errors of the logo file.
    public func apply(to image: Image) throws(MeldError) -> Image {
        try validate()
        let w = image.width, h = image.height
        let short = Double(min(w, h))
        let px = max(4, effectiveSize * short)
        var inputs: [String: Image] = [:]
        var markWidth: Double, markHeight: Double
        var layerWidth: Length?
        var content: Layer.Content = .image("mark")
        var shadowContent: Layer.Content?
        switch mark {
        case .text(let text):
            let style = TextStyle(text, font: font, size: .pixels(px), color: color)
            // Rendered once here only to measure it (for tiling); each layer renders its own.
            let ref = try Compose.renderText(style, canvasWidth: w, canvasHeight: h)
            markWidth = Double(ref.width); markHeight = Double(ref.height)
            content = .text(style)
            if shadow {
                var dark = style
                dark.color = RGBA(red: 0, green: 0, blue: 0, alpha: 1)
                shadowContent = .text(dark)
            }
        case .logo(let path):
            let logo = try Image(contentsOf: path)
            inputs["mark"] = logo
            markWidth = px; markHeight = px * Double(logo.height) / Double(max(1, logo.width))
            layerWidth = .pixels(px)
        }
        let theta = effectiveAngle
        var centres: [(Double, Double)] = []
        var anchored: (Anchor, [Length])?
        if placement == .tiled {
            let gap = spacing * short
            let pitchX = markWidth + gap, pitchY = markHeight + gap
            // Cover the canvas and a border, so rotated rows still reach the corners.
            let reach = (Double(w * w + h * h)).squareRoot()
            let cx = Double(w) / 2, cy = Double(h) / 2
            let rows = Int((reach / pitchY).rounded(.up)) / 2 + 1, cols = Int((reach / pitchX).rounded(.up)) / 2 + 1
            let t = theta * .pi / 180
            for r in -rows...rows {
                for c in -cols...cols {
                    // A staggered grid in the mark's own (rotated) frame.
                    let u = (Double(c) + (r & 1 == 0 ? 0 : 0.5)) * pitchX, v = Double(r) * pitchY
                    let x = cx + u * cos(t) - v * sin(t), y = cy + u * sin(t) + v * cos(t)
                    let hx = markWidth / 2 + markHeight / 2, hy = hx
                    if x + hx < 0 || y + hy < 0 || x - hx > Double(w) || y - hy > Double(h) { continue }
                    centres.append((x, y))
                }
            }
        } else {
            let anchor = Anchor(rawValue: placement.rawValue) ?? .centre
            let m = margin * short
            let ox = anchor.fx == 0 ? m : (anchor.fx == 1 ? -m : 0)
            let oy = anchor.fy == 0 ? m : (anchor.fy == 1 ? -m : 0)
            anchored = (anchor, [.pixels(ox), .pixels(oy)])
        }
        var layers: [Layer] = []
        func add(_ source: Layer.Content, dx: Double, opacity: Double, feather: Double) {
            if let (anchor, offset) = anchored {
                let o: [Length] = [.pixels(offset[0].pixels(of: w) + dx), .pixels(offset[1].pixels(of: h) + dx)]
                layers.append(Layer(source, anchor: anchor, offset: o, width: layerWidth, rotate: theta,
                                    opacity: opacity, feather: feather, blend: blend))
            } else {
                for (x, y) in centres {
                    layers.append(Layer(source, anchor: .centre,
                                        offset: [.pixels(x - Double(w) / 2 + dx), .pixels(y - Double(h) / 2 + dx)],
                                        width: layerWidth, rotate: theta, opacity: opacity, feather: feather, blend: blend))
                }
            }
        }
        if let shadowContent { add(shadowContent, dx: max(1, px * 0.03), opacity: opacity * 0.55, feather: max(1, px * 0.08)) }
        add(content, dx: 0, opacity: opacity, feather: 0)
        let compose = Compose(canvas: .input, layers: layers)
        return try compose.render(canvasImage: image, inputs: inputs, baseDirectory: nil, streaming: false)
    }
}

extension Watermark: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case text, logo, placement, size, margin, angle, opacity, blend, color, font, spacing, shadow }

    /// Decodes `{"text": "© Meld", "placement": "tiled", "opacity": 0.4, ...}` or `{"logo": "logo.png", ...}`.
    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let t = try c.decodeIfPresent(String.self, forKey: .text) {
            mark = .text(t)
        } else if let l = try c.decodeIfPresent(String.self, forKey: .logo) {
            mark = .logo(l)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "a watermark needs \"text\" or \"logo\""))
        }
        placement = try c.decodeIfPresent(Placement.self, forKey: .placement) ?? .bottomRight
        size = try c.decodeIfPresent(Double.self, forKey: .size)
        margin = try c.decodeIfPresent(Double.self, forKey: .margin) ?? 0.03
        angle = try c.decodeIfPresent(Double.self, forKey: .angle)
        opacity = try c.decodeIfPresent(Double.self, forKey: .opacity) ?? 0.6
        blend = try c.decodeIfPresent(BlendMode.self, forKey: .blend) ?? .normal
        color = try c.decodeIfPresent(RGBA.self, forKey: .color) ?? .white
        font = try c.decodeIfPresent(String.self, forKey: .font) ?? "Noto Sans CJK SC Bold"
        spacing = try c.decodeIfPresent(Double.self, forKey: .spacing) ?? 0.12
        shadow = try c.decodeIfPresent(Bool.self, forKey: .shadow) ?? true
    }

    /// Encodes in the same form.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch mark {
        case .text(let t): try c.encode(t, forKey: .text)
        case .logo(let l): try c.encode(l, forKey: .logo)
        }
        try c.encode(placement, forKey: .placement)
        try c.encodeIfPresent(size, forKey: .size)
        try c.encode(margin, forKey: .margin)
        try c.encodeIfPresent(angle, forKey: .angle)
        try c.encode(opacity, forKey: .opacity)
        try c.encode(blend, forKey: .blend)
        try c.encode(color, forKey: .color)
        try c.encode(font, forKey: .font)
        try c.encode(spacing, forKey: .spacing)
        try c.encode(shadow, forKey: .shadow)
    }
}
