import Foundation

extension RGBA: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable { case red, green, blue, alpha }

    /// Decodes a colour string (`"#3EB489"`, `"#3EB48980"`, a name) or `{"red": 0.2, ...}`.
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let s = try? c.decode(String.self) {
            guard let colour = RGBA(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(s)' is not a colour (use #RRGGBB, #RRGGBBAA or a colour name)")
            }
            self = colour
            return
        }
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(red: try c.decode(Double.self, forKey: .red), green: try c.decode(Double.self, forKey: .green),
                  blue: try c.decode(Double.self, forKey: .blue), alpha: try c.decodeIfPresent(Double.self, forKey: .alpha) ?? 1)
    }

    /// Encodes as `#RRGGBBAA` (8-bit precision).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
