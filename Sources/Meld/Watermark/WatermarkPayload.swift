/// The data an invisible watermark carries: 1…64 bits, written in hexadecimal.
///
/// The bit count is 4 × the number of hex digits given (`"c0ffee"` is 24 bits), so leading
/// zeros count: `"00ff"` is 16 bits. The count is stored in the mark and read back.
public struct WatermarkPayload: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The bits, in the low ``bitCount`` bits.
    public let value: UInt64
    /// How many bits, 1…64.
    public let bitCount: Int

    /// A payload of the low `bitCount` bits of `value`.
    ///
    /// - Throws: `.invalidArgument` when `bitCount` is not 1…64 or `value` has bits above it.
    public init(value: UInt64, bitCount: Int = 64) throws(MeldError) {
        guard (1...64).contains(bitCount) else {
            throw MeldError(.invalidArgument, operation: "watermark", "payload must have 1…64 bits (got \(bitCount))")
        }
        guard bitCount == 64 || value >> UInt64(bitCount) == 0 else {
            throw MeldError(.invalidArgument, operation: "watermark", "payload value \(value) does not fit in \(bitCount) bits")
        }
        self.value = value
        self.bitCount = bitCount
    }

    /// Parses 1…16 hex digits (an optional `0x` prefix is allowed).
    ///
    /// - Throws: `.invalidArgument` naming what is wrong (empty, not hex, longer than 64 bits).
    public init(hex text: String) throws(MeldError) {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty else {
            throw MeldError(.invalidArgument, operation: "watermark", "payload is empty; give 1–16 hex digits, e.g. c0ffee")
        }
        guard digits.count <= 16 else {
            throw MeldError(.invalidArgument, operation: "watermark", "payload '\(text)' has \(digits.count) hex digits; at most 16 (64 bits) fit")
        }
        guard digits.allSatisfy(\.isHexDigit), let v = UInt64(digits, radix: 16) else {
            throw MeldError(.invalidArgument, operation: "watermark", "payload '\(text)' is not hexadecimal (0-9, a-f)")
        }
        try self.init(value: v, bitCount: 4 * digits.count)
    }

    /// Lower-case hex, zero-padded to ⌈bitCount / 4⌉ digits.
    public var hex: String {
        let s = String(value, radix: 16)
        let width = (bitCount + 3) / 4
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// Same as ``hex``.
    public var description: String { hex }

    /// Decodes a hex string.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        do { try self.init(hex: text) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.message)
        }
    }

    /// Encodes as a hex string.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }
}
