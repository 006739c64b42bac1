import Foundation

/// A distance in pixels, or a fraction of the canvas's width or height.
///
/// In recipes: a number (`120`), `"120px"`, or a percentage (`"25%"`).
public enum Length: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    /// Pixels.
    case pixels(Double)
    /// A fraction (0.25 = 25 %) of the canvas dimension it is measured along.
    case relative(Double)

    /// Pixels.
    public init(integerLiteral value: Int) { self = .pixels(Double(value)) }
    /// Pixels.
    public init(floatLiteral value: Double) { self = .pixels(value) }

    /// Parses `120`, `120px` or `25%`.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("%"), let v = Double(t.dropLast()), v.isFinite { self = .relative(v / 100); return }
        let digits = t.hasSuffix("px") ? String(t.dropLast(2)) : t
        guard let v = Double(digits), v.isFinite else { return nil }
        self = .pixels(v)
    }

    /// The length in pixels against a canvas dimension of `reference` pixels.
    public func pixels(of reference: Int) -> Double {
        switch self {
        case .pixels(let v): v
        case .relative(let f): f * Double(reference)
        }
    }

    /// `120px` or `25%`.
    public var description: String {
        switch self {
        case .pixels(let v): v == v.rounded() && abs(v) < 1e15 ? "\(Int(v))px" : "\(v)px"
        case .relative(let f): "\(f * 100)%"
        }
    }

    /// Decodes a number or a string.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) {
            guard v.isFinite else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "a length must be finite") }
            self = .pixels(v)
            return
        }
        let s = try c.decode(String.self)
        guard let l = Length(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(s)' is not a length (use 120, \"120px\" or \"25%\")")
        }
        self = l
    }

    /// Encodes pixels as a number and fractions as a percentage string.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .pixels(let v): try c.encode(v)
        case .relative: try c.encode(description)
        }
    }
}
