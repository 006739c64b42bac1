import Foundation

/// What a composition is drawn on: an image (whose size is the canvas size), or a size filled
/// with a colour or a gradient.
public enum Canvas: Sendable, Hashable {
    /// The image the composition is applied to (``Compose/apply(to:)``, or the input named
    /// `"input"` of ``Compose/render(inputs:baseDirectory:streaming:)``). In recipes: `"input"`.
    case input
    /// A background image: a path (relative to the recipe) or the name of an input image.
    case image(String)
    /// A solid colour.
    case color(width: Int, height: Int, RGBA)
    /// A gradient.
    case gradient(width: Int, height: Int, Gradient)
}

/// A colour ramp, interpolated in gamma-encoded sRGB as CSS gradients are.
public struct Gradient: Sendable, Hashable, Codable {
    /// The ramp's shape.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Straight, across the canvas at ``Gradient/angle``.
        case linear
        /// Circular, from the centre to the farthest corner.
        case radial
    }
    /// Start colour (at the start edge, or the centre).
    public var from: RGBA
    /// End colour.
    public var to: RGBA
    /// Shape.
    public var kind: Kind
    /// Direction of a linear ramp in degrees, CSS style: 180 runs top to bottom, 90 left to right.
    public var angle: Double

    /// A gradient (default: linear, top to bottom).
    public init(from: RGBA, to: RGBA, kind: Kind = .linear, angle: Double = 180) {
        self.from = from; self.to = to; self.kind = kind; self.angle = angle
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case from, to, kind = "type", angle }

    /// Decodes `{"from": "#fff", "to": "#ccc", "type": "linear", "angle": 180}`.
    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        from = try c.decode(RGBA.self, forKey: .from)
        to = try c.decode(RGBA.self, forKey: .to)
        kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .linear
        angle = try c.decodeIfPresent(Double.self, forKey: .angle) ?? 180
    }
}

extension Canvas: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case image, width, height, color, gradient }

    /// Decodes `{"image": "bg.jpg"}`, `{"width": 2000, "height": 1500, "color": "#f4efe6"}` or
    /// `{"width": ..., "height": ..., "gradient": {...}}`.
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let word = try? single.decode(String.self) {
            guard word == "input" else {
                throw DecodingError.dataCorruptedError(in: single, debugDescription: "a canvas is \"input\" or an object (got '\(word)')")
            }
            self = .input
            return
        }
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let path = try c.decodeIfPresent(String.self, forKey: .image) {
            self = .image(path)
            return
        }
        guard c.contains(.width), c.contains(.height) else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath,
                debugDescription: "a canvas needs an \"image\", or a \"width\" and \"height\" with a \"color\" or \"gradient\""))
        }
        let w = try c.decode(Int.self, forKey: .width), h = try c.decode(Int.self, forKey: .height)
        if let g = try c.decodeIfPresent(Gradient.self, forKey: .gradient) {
            self = .gradient(width: w, height: h, g)
        } else {
            self = .color(width: w, height: h, try c.decodeIfPresent(RGBA.self, forKey: .color) ?? .white)
        }
    }

    /// Encodes in the same form.
    public func encode(to encoder: any Encoder) throws {
        if case .input = self {
            var single = encoder.singleValueContainer()
            try single.encode("input")
            return
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .input: break
        case .image(let p): try c.encode(p, forKey: .image)
        case .color(let w, let h, let colour):
            try c.encode(w, forKey: .width); try c.encode(h, forKey: .height); try c.encode(colour, forKey: .color)
        case .gradient(let w, let h, let g):
            try c.encode(w, forKey: .width); try c.encode(h, forKey: .height); try c.encode(g, forKey: .gradient)
        }
    }
}
