/// The error-correcting code of the invisible watermark: a payload of 1…64 bits, its length and
/// a keyed CRC-32, scrambled by the key and protected by a rate-½ convolutional code
/// (constraint length 7, generators 171/133 octal — the NASA/CCSDS code) decoded with a
/// soft-decision Viterbi decoder.
///
/// Message layout (102 bits): 6 bits of `bitCount − 1`, 64 payload bits (unused high bits are
/// zero), 32 bits of CRC-32 (IEEE polynomial) over the first 70 bits XOR the key's mask; then
/// 6 zero tail bits return the encoder to state 0. Coded length: 2 × 108 = 216 bits.
///
/// A random codeword (an unmarked image, or another key) passes the CRC with probability
/// 2⁻³², which is what bounds the detector's false-positive rate.
public enum WatermarkCode {
    /// Bits before coding: length, payload and CRC.
    public static let messageBitCount = 102
    /// Bits after coding (rate ½, with the tail).
    public static let codedBitCount = 216
    /// The largest payload in bits.
    public static let maxPayloadBits = 64
    static let tailBits = 6
    static let g0: UInt32 = 0o171
    static let g1: UInt32 = 0o133

    /// The coded bits (0 or 1) of `payload`'s low `bitCount` bits under `key`.
    public static func encode(payload: UInt64, bitCount: Int, key: WatermarkKey) -> [UInt8] {
        precondition((1...maxPayloadBits).contains(bitCount), "payload bit count out of range")
        let masked = bitCount == 64 ? payload : payload & ((1 << UInt64(bitCount)) - 1)
        var bits = header(payload: masked, bitCount: bitCount)
        let crc = crc32(bits) ^ key.crcMask
        for i in 0..<32 { bits.append(UInt8((crc >> UInt32(31 - i)) & 1)) }
        for i in 0..<messageBitCount { bits[i] ^= key.scrambling[i] }
        return convolve(bits + [UInt8](repeating: 0, count: tailBits))
    }

    /// Decodes soft values (positive means coded bit 0, magnitude is confidence).
    ///
    /// - Returns: the payload and its bit count when the CRC checks, else nil; and the most
    ///   likely payload bits whether or not it checks (for measuring bit accuracy).
    public static func decode(soft: [Float], key: WatermarkKey) -> (verified: (payload: UInt64, bitCount: Int)?, bestGuess: UInt64, bestBitCount: Int) {
        precondition(soft.count == codedBitCount)
        var bits = viterbi(soft)
        for i in 0..<messageBitCount { bits[i] ^= key.scrambling[i] }
        var length = 0
        for i in 0..<6 { length = length << 1 | Int(bits[i]) }
        var payload: UInt64 = 0
        for i in 6..<70 { payload = payload << 1 | UInt64(bits[i]) }
        var crc: UInt32 = 0
        for i in 70..<102 { crc = crc << 1 | UInt32(bits[i]) }
        let ok = crc32(Array(bits[0..<70])) ^ key.crcMask == crc
        let count = length + 1
        let fits = count == 64 || payload >> UInt64(count) == 0
        return (ok && fits ? (payload, count) : nil, payload, count)
    }

    static func header(payload: UInt64, bitCount: Int) -> [UInt8] {
        var bits: [UInt8] = []
        bits.reserveCapacity(messageBitCount)
        for i in 0..<6 { bits.append(UInt8((bitCount - 1) >> (5 - i) & 1)) }
        for i in 0..<64 { bits.append(UInt8((payload >> UInt64(63 - i)) & 1)) }
        return bits
    }

    /// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) over a bit string, one bit at a time.
    static func crc32(_ bits: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bits {
            let mix = (crc ^ UInt32(b)) & 1
            crc >>= 1
            if mix != 0 { crc ^= 0xEDB8_8320 }
        }
        return ~crc
    }

    static func parity(_ v: UInt32) -> UInt8 { UInt8(v.nonzeroBitCount & 1) }

    /// Rate-½ convolutional encoding; the register holds the current bit in its top position.
    static func convolve(_ bits: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bits.count * 2)
        var reg: UInt32 = 0
        for b in bits {
            reg = ((reg << 1) | UInt32(b)) & 0x7F
            out.append(parity(reg & g0))
            out.append(parity(reg & g1))
        }
        return out
    }

    /// Soft-decision Viterbi over the 64-state trellis, ending in state 0.
    static func viterbi(_ soft: [Float]) -> [UInt8] {
        let steps = soft.count / 2
        let states = 64
        var metric = [Float](repeating: -.infinity, count: states)
        metric[0] = 0
        var decisions = [UInt8](repeating: 0, count: steps * states)
        var next = [Float](repeating: 0, count: states)
        // Expected outputs for each (state, input): the register is state << 1 | input.
        var out0 = [Float](repeating: 0, count: 128), out1 = [Float](repeating: 0, count: 128)
        for reg in 0..<128 {
            out0[reg] = parity(UInt32(reg) & g0) == 0 ? 1 : -1
            out1[reg] = parity(UInt32(reg) & g1) == 0 ? 1 : -1
        }
        for t in 0..<steps {
            let s0 = soft[2 * t], s1 = soft[2 * t + 1]
            for ns in 0..<states {
                // ns = ((ps << 1) | b) & 63, so b = ns & 1 and ps is ns >> 1 or (ns >> 1) | 32.
                let b = ns & 1
                let pa = ns >> 1, pb = (ns >> 1) | 32
                let ra = (pa << 1) | b, rb = (pb << 1) | b
                let ma = metric[pa] + s0 * out0[ra] + s1 * out1[ra]
                let mb = metric[pb] + s0 * out0[rb] + s1 * out1[rb]
                if mb > ma {
                    next[ns] = mb; decisions[t * states + ns] = 1
                } else {
                    next[ns] = ma; decisions[t * states + ns] = 0
                }
            }
            swap(&metric, &next)
        }
        var bits = [UInt8](repeating: 0, count: steps)
        var state = 0
        for t in stride(from: steps - 1, through: 0, by: -1) {
            bits[t] = UInt8(state & 1)
            state = decisions[t * states + state] == 1 ? (state >> 1) | 32 : state >> 1
        }
        return bits
    }
}
