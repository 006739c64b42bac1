import Foundation
import MeldCore
import MeldVips

/// Cut the subject out of a layer's image before it is placed (``Cutout``). In recipes:
/// `cutout: subject` (product shot on a plain backdrop) or `cutout: {box: [x, y, w, h]}` (the
/// object inside a rectangle of the source image, in its pixels).
public enum LayerCutout: Sendable, Hashable, Codable {
    /// The subject of a product shot (backdrop modelled from the border).
    case subject
    /// The object inside a rectangle of the source image.
    case box(Rect)

    enum CodingKeys: String, CodingKey, CaseIterable { case box }

    /// Decodes `subject` or `{box: [x, y, w, h]}`.
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let name = try? c.decode(String.self) {
            guard name == "subject" else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown cutout '\(name)' (expected subject or {box: [x, y, w, h]})")
            }
            self = .subject
            return
        }
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let v = try c.decode([Int].self, forKey: .box)
        guard v.count == 4 else {
            throw DecodingError.dataCorruptedError(forKey: .box, in: c, debugDescription: "box needs 4 whole numbers (x, y, width, height), got \(v.count)")
        }
        self = .box(Rect(x: v[0], y: v[1], width: v[2], height: v[3]))
    }

    /// Encodes `subject` or `{box: [...]}`.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .subject:
            var c = encoder.singleValueContainer()
            try c.encode("subject")
        case .box(let r):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode([r.x, r.y, r.width, r.height], forKey: .box)
        }
    }
}

/// A shadow a layer casts on the ground it stands on, drawn beneath it. Derived from the
/// layer's alpha (see ``GroundShadow``): the ground line is the bottom of the opaque part.
///
/// Colour and strength follow the scene by default: the colour is the mean colour of the
/// canvas around the layer's base (what lies beneath, in linear light) darkened to 20 %, so the
/// shadow keeps the floor's hue; the opacity rises as that floor darkens (contact 0.9 − 0.35 ×
/// √luminance, cast 0.75 − 0.35 × √luminance). Both can be set. In recipes: `shadow: contact`,
/// `shadow: "cast(135, 0.8)"` (angle in degrees clockwise from straight up the picture, length
/// as a fraction of the object's height), `shadow: {type: cast, angle: 135, length: 0.8,
/// opacity: 0.5, color: "#202830", softness: 1.5}`, or a list of them.
public struct LayerShadow: Sendable, Hashable {
    /// What kind of shadow.
    public enum Kind: Sendable, Hashable {
        /// A soft dark blob where the object meets the ground.
        case contact
        /// The silhouette projected on the ground by a light: `angle` degrees clockwise from
        /// straight up the picture (0 falls behind, 90 right, 180 toward the viewer), `length`
        /// as a fraction of the object's height (0.05…5).
        case cast(angle: Double, length: Double)
    }
    /// What kind of shadow.
    public var kind: Kind
    /// 0…1 (nil: from the scene's luminance).
    public var opacity: Double?
    /// The shadow's colour (nil: the floor's colour darkened).
    public var colour: RGBA?
    /// Blur scale, 0.1…10 (1: the defaults of ``GroundShadow``).
    public var softness: Double

    /// Creates a shadow.
    public init(_ kind: Kind, opacity: Double? = nil, colour: RGBA? = nil, softness: Double = 1) {
        self.kind = kind; self.opacity = opacity; self.colour = colour; self.softness = softness
    }

    /// Parses `contact` or `cast(angle, length)` (length may be a percentage).
    public init?(spec: String) {
        let text = spec.filter { $0 != " " }.lowercased()
        if text == "contact" { self.init(.contact); return }
        guard text.hasPrefix("cast("), text.hasSuffix(")") else { return nil }
        let parts = text.dropFirst(5).dropLast().split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let angle = Double(parts[0]) else { return nil }
        let lengthText = parts[1]
        guard let length = lengthText.hasSuffix("%") ? Double(lengthText.dropLast()).map({ $0 / 100 }) : Double(lengthText) else { return nil }
        self.init(.cast(angle: angle, length: length))
    }

    /// Checks ranges; the message names the field.
    func validate(_ label: String) throws(MeldError) {
        func fail(_ m: String) -> MeldError { MeldError(.invalidArgument, operation: "compose", "\(label): shadow \(m)") }
        if let o = opacity, !(0...1).contains(o) { throw fail("opacity must be between 0 and 1 (got \(o))") }
        if !(0.1...10).contains(softness) { throw fail("softness must be between 0.1 and 10 (got \(softness))") }
        if let c = colour { try Compose.check(c, "\(label): shadow color") }
        if case .cast(let angle, let length) = kind {
            if !(abs(angle) <= 3600) { throw fail("angle must be within ±3600 degrees (got \(angle))") }
            if !(0.05...5).contains(length) { throw fail("length must be between 0.05 and 5 object heights (got \(length))") }
        }
    }
}

extension LayerShadow: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case type, angle, length, opacity, color, softness }

    /// Decodes a spec string or an object.
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let text = try? c.decode(String.self) {
            guard let s = LayerShadow(spec: text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown shadow '\(text)' (expected contact or cast(angle, length))")
            }
            self = s
            return
        }
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "contact": kind = .contact
        case "cast":
            kind = .cast(angle: try c.decodeIfPresent(Double.self, forKey: .angle) ?? 135,
                         length: try c.decodeIfPresent(Double.self, forKey: .length) ?? 0.6)
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown shadow type '\(type)' (expected contact or cast)")
        }
        opacity = try c.decodeIfPresent(Double.self, forKey: .opacity)
        colour = try c.decodeIfPresent(RGBA.self, forKey: .color)
        softness = try c.decodeIfPresent(Double.self, forKey: .softness) ?? 1
    }

    /// Encodes as an object.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch kind {
        case .contact: try c.encode("contact", forKey: .type)
        case .cast(let angle, let length):
            try c.encode("cast", forKey: .type)
            try c.encode(angle, forKey: .angle)
            try c.encode(length, forKey: .length)
        }
        try c.encodeIfPresent(opacity, forKey: .opacity)
        try c.encodeIfPresent(colour, forKey: .color)
        if softness != 1 { try c.encode(softness, forKey: .softness) }
    }
}

/// A reflection of a layer on a glossy floor: the layer mirrored about its ground line, fading
/// out below it, drawn beneath the layer. In recipes: `reflection: true` or
/// `reflection: {opacity: 0.3, fade: 0.5}`.
public struct LayerReflection: Sendable, Hashable, Codable {
    /// Opacity at the ground line, 0…1 (default 0.3).
    public var opacity: Double
    /// Fraction of the object's height over which it fades to nothing, 0.05…1 (default 0.4).
    public var fade: Double

    /// Creates a reflection.
    public init(opacity: Double = 0.3, fade: Double = 0.4) { self.opacity = opacity; self.fade = fade }

    enum CodingKeys: String, CodingKey, CaseIterable { case opacity, fade }

    /// Decodes `true` or an object.
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let on = try? c.decode(Bool.self) {
            guard on else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "reflection: leave it out for none, or say true or {opacity, fade}") }
            self.init()
            return
        }
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(opacity: try c.decodeIfPresent(Double.self, forKey: .opacity) ?? 0.3, fade: try c.decodeIfPresent(Double.self, forKey: .fade) ?? 0.4)
    }

    func validate(_ label: String) throws(MeldError) {
        if !(0...1).contains(opacity) { throw MeldError(.invalidArgument, operation: "compose", "\(label): reflection opacity must be between 0 and 1 (got \(opacity))") }
        if !(0.05...1).contains(fade) { throw MeldError(.invalidArgument, operation: "compose", "\(label): reflection fade must be between 0.05 and 1 (got \(fade))") }
    }
}

extension Compose {
    /// The layers that ground a placed layer (reflection, then shadows; drawn beneath it), from
    /// its alpha and the scene beneath.
    static func grounding(for placed: CompositorLayer, layer: Layer, canvas: VipsImageRef?) throws(MeldError) -> [CompositorLayer] {
        guard !layer.shadows.isEmpty || layer.reflection != nil else { return [] }
        let pixels = try PixelBridge.raster(from: placed.image.rgbForCompositing())
        guard pixels.layout == .rgba, let footing = GroundShadow.footing(of: pixels, channel: 3) else { return [] }
        // The floor around the base: a band below and beside the footprint, on what lies beneath.
        var floor = SIMD3<Double>(0.5, 0.5, 0.5)
        if let canvas {
            let span = footing.right - footing.left
            let area = Rect(x: placed.x + footing.left - span / 2, y: placed.y + footing.ground - max(2, footing.height / 20),
                            width: max(1, span * 2), height: max(2, footing.height / 8))
                .intersection(Rect(width: canvas.width, height: canvas.height))
            if !area.isEmpty {
                let around = try PixelBridge.raster(from: canvas.cropped(to: area).rgbForCompositing().colourBands())
                var sum = SIMD3<Double>(0, 0, 0)
                around.withView { v in
                    let grey = around.layout.colourChannels == 1
                    for i in 0..<around.planeCount {
                        let r = Double(v.plane(0)[i])
                        sum += grey ? SIMD3(r, r, r) : SIMD3(r, Double(v.plane(1)[i]), Double(v.plane(2)[i]))
                    }
                }
                floor = sum / Double(max(1, around.planeCount))
            }
        }
        let luminance = max(0, min(1, 0.2126 * floor.x + 0.7152 * floor.y + 0.0722 * floor.z))
        var out: [CompositorLayer] = []
        if let reflection = layer.reflection {
            let (image, dx, dy) = GroundShadow.reflection(pixels, footing: footing, opacity: reflection.opacity, fade: reflection.fade)
            out.append(CompositorLayer(image: try PixelBridge.image(from: image), x: placed.x + dx, y: placed.y + dy))
        }
        // Cast shadows first, contact shadows over them (both beneath the layer).
        let ordered = layer.shadows.filter { $0.kind != .contact } + layer.shadows.filter { $0.kind == .contact }
        for shadow in ordered {
            let density: Raster, dx: Int, dy: Int
            let base: Double
            switch shadow.kind {
            case .contact:
                (density, dx, dy) = GroundShadow.contact(footing, softness: shadow.softness)
                base = 0.9 - 0.35 * luminance.squareRoot()
            case .cast(let angle, let length):
                (density, dx, dy) = GroundShadow.cast(alpha: pixels, channel: 3, footing: footing, angle: angle, length: length,
                                                      softness: shadow.softness)
                base = 0.75 - 0.35 * luminance.squareRoot()
            }
            let opacity = Float(shadow.opacity ?? base)
            let colour: SIMD3<Float>
            if let c = shadow.colour {
                colour = SIMD3(SRGBTransfer.decode(Float(c.red)), SRGBTransfer.decode(Float(c.green)), SRGBTransfer.decode(Float(c.blue)))
            } else {
                colour = SIMD3(Float(floor.x), Float(floor.y), Float(floor.z)) * 0.2
            }
            var rgba = Raster(uninitializedWidth: density.width, height: density.height, layout: .rgba)
            density.withView { d in
                rgba.withMutableView { o in
                    for i in 0..<density.planeCount {
                        let a = d.plane(0)[i] * opacity
                        for c in 0..<3 { o.plane(c)[i] = colour[c] * a }
                        o.plane(3)[i] = a
                    }
                }
            }
            out.append(CompositorLayer(image: try PixelBridge.image(from: rgba), x: placed.x + dx, y: placed.y + dy))
        }
        return out
    }
}

extension Layer {
    /// This layer with shadows (and optionally a reflection) drawn beneath it.
    public func grounded(shadows: [LayerShadow], reflection: LayerReflection? = nil) -> Layer {
        var layer = self
        layer.shadows = shadows
        layer.reflection = reflection
        return layer
    }

    /// This layer with its image cut out first (default: the subject of a product shot).
    public func cutOut(_ cutout: LayerCutout = .subject) -> Layer {
        var layer = self
        layer.cutout = cutout
        return layer
    }
}
