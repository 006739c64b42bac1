/// A typed, serialisable step that turns one image into another.
///
/// Every operation validates its arguments at the boundary (``validate()`` throws a
/// ``MeldError`` of kind `.invalidArgument` naming the field) before any pixel work.
public protocol ImageOperation: Sendable, Codable, Hashable {
    /// Checks every argument; throws `.invalidArgument` with a message naming the field.
    func validate() throws(MeldError)
    /// Produces the new image (lazily: pixels are computed when rendered or saved).
    func apply(to image: Image) throws(MeldError) -> Image
}

/// An sRGB colour with alpha, each component 0…1 (gamma-encoded, as in CSS and Photoshop).
public struct RGBA: Sendable, Hashable, CustomStringConvertible {
    /// Red, 0…1.
    public var red: Double
    /// Green, 0…1.
    public var green: Double
    /// Blue, 0…1.
    public var blue: Double
    /// Alpha, 0 (transparent) … 1 (opaque).
    public var alpha: Double

    /// Creates a colour from components in 0…1.
    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// Opaque black.
    public static let black = RGBA(red: 0, green: 0, blue: 0)
    /// Opaque white.
    public static let white = RGBA(red: 1, green: 1, blue: 1)
    /// Fully transparent black.
    public static let clear = RGBA(red: 0, green: 0, blue: 0, alpha: 0)

    /// Parses `#RGB`, `#RRGGBB` or `#RRGGBBAA` (the `#` is optional), or a name:
    /// black, white, transparent/clear, red, green, blue, grey/gray, or any CSS named colour.
    public init?(_ text: String) {
        let named: [String: RGBA] = ["black": .black, "white": .white, "transparent": .clear, "clear": .clear,
                                     "red": RGBA(red: 1, green: 0, blue: 0), "green": RGBA(red: 0, green: 0.5, blue: 0),
                                     "blue": RGBA(red: 0, green: 0, blue: 1), "grey": RGBA(red: 0.5, green: 0.5, blue: 0.5),
                                     "gray": RGBA(red: 0.5, green: 0.5, blue: 0.5)]
        if let c = named[text.lowercased()] { self = c; return }
        if let c = RGBA.cssNamedColours[text.lowercased()] { self = c; return }
        var hex = Substring(text)
        if hex.hasPrefix("#") { hex = hex.dropFirst() }
        guard hex.allSatisfy(\.isHexDigit) else { return nil }
        let digits = hex.map { Int(String($0), radix: 16)! }
        switch digits.count {
        case 3: self.init(red: Double(digits[0] * 17) / 255, green: Double(digits[1] * 17) / 255, blue: Double(digits[2] * 17) / 255)
        case 6, 8:
            let v = stride(from: 0, to: digits.count, by: 2).map { Double(digits[$0] * 16 + digits[$0 + 1]) / 255 }
            self.init(red: v[0], green: v[1], blue: v[2], alpha: v.count == 4 ? v[3] : 1)
        default: return nil
        }
    }

    /// `#RRGGBBAA`.
    public var description: String {
        "#" + [red, green, blue, alpha].map { String(format2: Int(($0 * 255).rounded())) }.joined()
    }

    /// Band values for a libvips image of `bands` bands and `bits` bits per sample.
    func bandValues(bands: Int, bits: Int) -> [Double] {
        let scale = bits > 8 ? 65535.0 : 255.0
        let grey = 0.2126 * red + 0.7152 * green + 0.0722 * blue
        switch bands {
        case 1: return [grey * scale]
        case 2: return [grey * scale, alpha * scale]
        case 3: return [red * scale, green * scale, blue * scale]
        default: return [red * scale, green * scale, blue * scale, alpha * scale] + Array(repeating: 0, count: max(0, bands - 4))
        }
    }
}

extension String {
    init(format2 v: Int) {
        let digits = Swift.String(Swift.min(Swift.max(v, 0), 255), radix: 16, uppercase: true)
        self = digits.count == 1 ? "0" + digits : digits
    }
}
