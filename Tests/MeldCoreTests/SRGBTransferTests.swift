import MeldCore
import MeldTestSupport
import Testing

@Suite("SRGBTransfer")
struct SRGBTransferTests {
    /// The encode8 result for `x` differs from the Double reference: "x: got vs expected".
    func mismatch(_ x: Float) -> String? {
        let got = SRGBTransfer.encode8(x), expected = Reference.srgbEncode8(Double(x))
        return got == expected ? nil : "\(x) (bits \(String(x.bitPattern, radix: 16))): \(got) vs \(expected)"
    }

    @Test func encode8IsExactAroundEveryCodeBoundary() {
        var failures: [String] = []
        var checked = 0
        for c in 1...255 {
            // The exact boundary between codes c-1 and c, in linear light.
            let boundary = Reference.srgbDecode((Double(c) - 0.5) / 255)
            var below = Float(boundary), above = Float(boundary)
            if Double(below) >= boundary { below = below.nextDown }
            if Double(above) < boundary { above = above.nextUp }
            #expect(Reference.srgbEncode8(Double(below)) == UInt8(c - 1) && Reference.srgbEncode8(Double(above)) == UInt8(c),
                    "the reference itself must split code \(c) at its boundary")
            var x = below, y = above
            for _ in 0..<4 {
                for v in [x, y] { checked += 1; if let m = mismatch(v) { failures.append(m) } }
                x = x.nextDown
                y = y.nextUp
            }
        }
        #expect(checked == 255 * 8)
        #expect(failures.isEmpty, "\(failures.count) mismatches, e.g. \(failures.prefix(5))")
    }

    @Test func encode8MatchesReferenceOnRandomValues() {
        var rng = SplitMix64(seed: 0x5_86B)
        var failures: [String] = []
        for i in 0..<100_000 {
            // Half uniform, half log-uniform so the dark end (where codes are densest) is covered.
            let x: Float = i % 2 == 0 ? rng.nextUnitFloat() : Float(Reference.srgbDecode(rng.nextUnitDouble()))
            if let m = mismatch(x) { failures.append(m) }
        }
        #expect(failures.isEmpty, "\(failures.count) mismatches, e.g. \(failures.prefix(5))")
    }

    @Test func encode8ClampsAndHandlesSpecialValues() {
        #expect(SRGBTransfer.encode8(0) == 0)
        #expect(SRGBTransfer.encode8(-0.0) == 0)
        #expect(SRGBTransfer.encode8(1) == 255)
        for x: Float in [-1e-30, -0.5, -1, -.greatestFiniteMagnitude, -.infinity] { #expect(SRGBTransfer.encode8(x) == 0, "\(x)") }
        for x: Float in [Float(1).nextUp, 1.5, 1e9, .greatestFiniteMagnitude, .infinity] { #expect(SRGBTransfer.encode8(x) == 255, "\(x)") }
        #expect(SRGBTransfer.encode8(.nan) == 0)
        #expect(SRGBTransfer.encode8(-.nan) == 0)
        #expect(SRGBTransfer.encode8(.leastNonzeroMagnitude) == 0)
        #expect(SRGBTransfer.encode16(.nan) == 0 && SRGBTransfer.encode16(-3) == 0 && SRGBTransfer.encode16(7) == 65535)
    }

    @Test func decodeTablesMatchReference() {
        #expect(SRGBTransfer.decode8.count == 256 && SRGBTransfer.decode16.count == 65536)
        for c in 0..<256 {
            #expect(abs(Double(SRGBTransfer.decode8[c]) - Reference.srgbDecode(Double(c) / 255)) <= 1e-6, "code \(c)")
        }
        var worst = (error: 0.0, code: 0)
        for c in 0..<65536 {
            let e = abs(Double(SRGBTransfer.decode16[c]) - Reference.srgbDecode(Double(c) / 65535))
            if e > worst.error { worst = (e, c) }
        }
        #expect(worst.error <= 1e-6, "code \(worst.code) off by \(worst.error)")
        #expect(SRGBTransfer.decode8[0] == 0 && SRGBTransfer.decode8[255] == 1)
        #expect(SRGBTransfer.decode16[0] == 0 && SRGBTransfer.decode16[65535] == 1)
    }

    @Test func decode8ThenEncode8IsTheIdentity() {
        for c in 0..<256 {
            #expect(SRGBTransfer.encode8(SRGBTransfer.decode8[c]) == UInt8(c), "code \(c)")
        }
    }

    @Test func decode16ThenEncode16IsTheIdentity() {
        var failures: [Int] = []
        for c in 0..<65536 where SRGBTransfer.encode16(SRGBTransfer.decode16[c]) != UInt16(c) { failures.append(c) }
        #expect(failures.isEmpty, "\(failures.count) codes fail, e.g. \(failures.prefix(5))")
    }

    @Test func scalarTransferMatchesReference() {
        var worst = (decode: 0.0, encode: 0.0)
        for i in 0...4000 {
            let v = Float(i) / 4000
            worst.decode = max(worst.decode, abs(Double(SRGBTransfer.decode(v)) - Reference.srgbDecode(Double(v))))
            worst.encode = max(worst.encode, abs(Double(SRGBTransfer.encode(v)) - Reference.srgbEncode(Double(v))))
            // Extended symmetrically below zero.
            #expect(SRGBTransfer.decode(-v) == -SRGBTransfer.decode(v) && SRGBTransfer.encode(-v) == -SRGBTransfer.encode(v))
        }
        #expect(worst.decode <= 1e-6 && worst.encode <= 1e-6, "\(worst)")
        // Values above 1 follow the power curve (HDR sources keep them until encoding).
        #expect(abs(Double(SRGBTransfer.decode(2)) - Reference.srgbDecode(2)) <= 1e-5)
    }

    @Test func thresholdsAreIncreasing() {
        let t = SRGBTransfer.encode8Thresholds
        #expect(t.count == 257 && t[0] == -.infinity && t[256] == .infinity)
        for c in 1...256 { #expect(t[c] > t[c - 1], "threshold \(c)") }
    }
}
