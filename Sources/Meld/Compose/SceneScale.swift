import Foundation

/// A real-world length: what a ruler would measure on the object shown.
///
/// In recipes a string with a unit: `"30cm"`, `"300mm"`, `"1.7m"`, `"12in"`, `"3ft"`. A bare
/// number is refused (the unit is never guessed). Stored in centimetres.
public struct RealLength: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The length in centimetres.
    public var centimetres: Double

    /// A length of `centimetres` cm.
    public init(centimetres: Double) { self.centimetres = centimetres }

    /// Centimetres.
    public static func cm(_ value: Double) -> RealLength { RealLength(centimetres: value) }
    /// Millimetres.
    public static func mm(_ value: Double) -> RealLength { RealLength(centimetres: value / 10) }
    /// Metres.
    public static func m(_ value: Double) -> RealLength { RealLength(centimetres: value * 100) }
    /// Inches (2.54 cm).
    public static func inches(_ value: Double) -> RealLength { RealLength(centimetres: value * 2.54) }

    /// Units accepted in recipes, with their size in centimetres (longest suffix first).
    static let units: [(String, Double)] = [("mm", 0.1), ("cm", 1), ("in", 2.54), ("ft", 30.48), ("m", 100)]

    /// Parses `30cm`, `300 mm`, `1.7m`, `12in` or `3ft`; nil without a known unit.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        for (suffix, factor) in Self.units where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let v = Double(number), v.isFinite else { return nil }
            self.init(centimetres: v * factor)
            return
        }
        return nil
    }

    /// `30cm`.
    public var description: String {
        let v = centimetres
        return v == v.rounded() && abs(v) < 1e15 ? "\(Int(v))cm" : "\(v)cm"
    }

    /// Decodes a string with a unit; a bare number is an error that says which units exist.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) {
            throw DecodingError.dataCorruptedError(in: c, debugDescription:
                "\(v) has no unit: write a real-world length such as \"\(v)cm\" (units: mm, cm, m, in, ft)")
        }
        let s = try c.decode(String.self)
        guard let l = RealLength(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription:
                "'\(s)' is not a real-world length (write e.g. \"30cm\"; units: mm, cm, m, in, ft)")
        }
        self = l
    }

    /// Encodes as `"30cm"`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// The real-world size of the object a layer shows: its height or its width.
///
/// The object is the layer's opaque part: for a cut-out (or any image with alpha, or a masked
/// layer) the bounding box of the pixels with alpha ≥ ½, not the padded image; for an opaque
/// image the whole image. In recipes: `real-size: 30cm` (a height), `real-size: {height: 30cm}`
/// or `real-size: {width: 12cm}`.
public enum RealSize: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The object's height (the opaque box's rows).
    case height(RealLength)
    /// The object's width (the opaque box's columns).
    case width(RealLength)

    /// The length, whichever dimension it measures.
    public var length: RealLength {
        switch self {
        case .height(let l), .width(let l): l
        }
    }

    /// `height 30cm`.
    public var description: String {
        switch self {
        case .height(let l): "height \(l)"
        case .width(let l): "width \(l)"
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case height, width }

    /// Decodes `"30cm"` (a height), `{"height": "30cm"}` or `{"width": "12cm"}`.
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), (try? c.decode(String.self)) != nil || (try? c.decode(Double.self)) != nil {
            self = .height(try c.decode(RealLength.self))
            return
        }
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch (try c.decodeIfPresent(RealLength.self, forKey: .height), try c.decodeIfPresent(RealLength.self, forKey: .width)) {
        case (let h?, nil): self = .height(h)
        case (nil, let w?): self = .width(w)
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "give the object's height or its width, not both and not neither (e.g. {height: 30cm})"))
        }
    }

    /// Encodes as `{"height": "30cm"}` or `{"width": ...}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .height(let l): try c.encode(l, forKey: .height)
        case .width(let l): try c.encode(l, forKey: .width)
        }
    }
}

/// Another layer of the same composition, by name or by number.
///
/// In recipes: a string is a layer's `name`, a whole number its position counted from 1 (the
/// number error messages use: `layer 3`).
public enum LayerReference: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The layer with this ``Layer/name`` (it must be unique).
    case name(String)
    /// The layer at this position, counted from 1 (bottom first).
    case number(Int)

    /// `"bottle"` or `layer 3`.
    public var description: String {
        switch self {
        case .name(let n): "'\(n)'"
        case .number(let i): "layer \(i)"
        }
    }

    /// Decodes a name or a number.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) { self = .number(i); return }
        if let s = try? c.decode(String.self) { self = .name(s); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a layer's name or its number (from 1)")
    }

    /// Encodes as a string or a number.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .name(let n): try c.encode(n)
        case .number(let i): try c.encode(i)
        }
    }
}

/// The scale of a composition's scene: how many canvas pixels one real-world centimetre spans,
/// and optionally how that changes with depth on a ground plane seen from a level camera.
///
/// Layers that declare a ``Layer/realSize`` are sized by it. Without a ``horizon`` the scale is
/// the same everywhere: a 30 cm object is `30 × pixelsPerCentimetre` pixels tall wherever it
/// stands. With a horizon row `H` and the reference row `R` (default: the canvas's bottom edge)
/// where ``pixelsPerCentimetre`` `k` holds, an object standing on the ground with its foot (the
/// bottom of its opaque box) at row `y` is drawn at `k · (y − H) / (R − H)` pixels per
/// centimetre: twice as far below the horizon, twice as large. Objects must stand below the
/// horizon. Rows are pixels from the top or fractions of the canvas height (`"40%"`).
///
/// In recipes: `scale: {pixels-per-cm: 4.2}` or
/// `scale: {pixels-per-cm: 4.2, row: 1800, horizon: 900}`. A horizon alone
/// (`scale: {horizon: 900}`) gives perspective between layers related by ``Layer/scaleLike``
/// without an absolute scale.
public struct SceneScale: Sendable, Hashable, Codable {
    /// Canvas pixels per real-world centimetre at ``row`` (nil: no absolute scale; layers then
    /// take theirs from a ``Layer/scaleLike`` reference). Must be positive.
    public var pixelsPerCentimetre: Double?
    /// The canvas row where ``pixelsPerCentimetre`` holds (nil: the canvas's bottom edge). Only
    /// matters with a ``horizon``; must lie below it.
    public var row: Length?
    /// The horizon row (nil: no perspective, one scale everywhere).
    public var horizon: Length?

    /// A scene scale; see the type's discussion.
    public init(pixelsPerCentimetre: Double? = nil, row: Length? = nil, horizon: Length? = nil) {
        self.pixelsPerCentimetre = pixelsPerCentimetre; self.row = row; self.horizon = horizon
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case pixelsPerCentimetre = "pixels-per-cm", row, horizon }

    /// Decodes `{"pixels-per-cm": 4.2, "row": 1800, "horizon": 900}` (every field optional).
    public init(from decoder: any Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(pixelsPerCentimetre: try c.decodeIfPresent(Double.self, forKey: .pixelsPerCentimetre),
                  row: try c.decodeIfPresent(Length.self, forKey: .row),
                  horizon: try c.decodeIfPresent(Length.self, forKey: .horizon))
    }

    /// Encodes the fields that are set.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(pixelsPerCentimetre, forKey: .pixelsPerCentimetre)
        try c.encodeIfPresent(row, forKey: .row)
        try c.encodeIfPresent(horizon, forKey: .horizon)
    }
}
