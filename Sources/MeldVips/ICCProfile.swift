/// Reads the few facts Meld reports about an ICC profile from its bytes (ICC.1:2010 §7).
public enum ICCProfile {
    /// The profile's description ('desc' tag: v2 `desc` ASCII or v4 `mluc` UTF-16BE), if readable.
    public static func description(_ p: [UInt8]) -> String? {
        guard p.count >= 132 else { return nil }
        let count = Int(be32(p, 128))
        guard count < 1000, 132 + count * 12 <= p.count else { return nil }
        for i in 0..<count {
            let entry = 132 + i * 12
            guard be32(p, entry) == 0x6465_7363 else { continue } // 'desc'
            let offset = Int(be32(p, entry + 4)), size = Int(be32(p, entry + 8))
            guard offset >= 0, size >= 12, offset + size <= p.count else { return nil }
            let type = be32(p, offset)
            if type == 0x6465_7363 { // 'desc': uint32 length, then ASCII
                let n = Int(be32(p, offset + 8))
                guard n > 0, offset + 12 + n <= p.count else { return nil }
                let ascii = p[(offset + 12)..<(offset + 12 + n)].prefix { $0 != 0 }
                return String(decoding: ascii, as: UTF8.self)
            }
            if type == 0x6D6C_7563 { // 'mluc': records of (lang, country, length, offset)
                let records = Int(be32(p, offset + 8))
                guard records > 0, offset + 16 + 12 <= p.count else { return nil }
                let len = Int(be32(p, offset + 16 + 4)), off = Int(be32(p, offset + 16 + 8))
                guard offset + off + len <= p.count, len % 2 == 0 else { return nil }
                var units: [UInt16] = []
                for j in stride(from: offset + off, to: offset + off + len, by: 2) {
                    units.append(UInt16(p[j]) << 8 | UInt16(p[j + 1]))
                }
                return String(decoding: units, as: UTF16.self).trimmingCharacters(in: "\0")
            }
            return nil
        }
        return nil
    }

    /// The colour space signature from the header ("RGB", "CMYK", "GRAY", ...).
    public static func colourSpace(_ p: [UInt8]) -> String? {
        guard p.count >= 20 else { return nil }
        let sig = p[16..<20].map { Character(Unicode.Scalar($0)) }
        return String(sig).trimmingCharacters(in: " ")
    }

    /// Whether the profile is (by its description) an sRGB profile, so no transform is needed.
    public static func isSRGB(_ p: [UInt8]) -> Bool {
        guard colourSpace(p) == "RGB", let d = description(p)?.lowercased() else { return false }
        return d.contains("srgb")
    }

    private static func be32(_ p: [UInt8], _ i: Int) -> UInt32 {
        UInt32(p[i]) << 24 | UInt32(p[i + 1]) << 16 | UInt32(p[i + 2]) << 8 | UInt32(p[i + 3])
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
