import MeldCore
import MeldVips
import Testing

@Suite("ICCProfile", .libvipsShared)
struct ICCProfileTests {
    static func profile(_ path: String) throws -> [UInt8] {
        try #require(try load(path).iccProfile, "\(path) has no ICC profile")
    }

    @Test(arguments: [
        ("Samples/citrus_fruits.jpg", "sRGB built-in", "RGB", true),
        ("Samples/bridge_at_night.jpg", "sRGB built-in", "RGB", true),
        ("Tests/Fixtures/colour/citrus-p3.jpg", "sP3C", "RGB", false),
        ("Tests/Fixtures/colour/citrus-cmyk.jpg", "Meld naive CMYK", "CMYK", false),
    ])
    func embeddedProfiles(file: String, description: String, space: String, isSRGB: Bool) throws {
        let p = try Self.profile(Files.root.appendingPathComponent(file).path)
        #expect(ICCProfile.description(p) == description)
        #expect(ICCProfile.colourSpace(p) == space)
        #expect(ICCProfile.isSRGB(p) == isSRGB)
    }

    @Test func imagesWithoutAProfileReportNone() throws {
        #expect(try load(Files.sample("grace_hopper.jpg")).iccProfile == nil)
        #expect(try load(Files.sample("cameraman_gray.png")).iccProfile == nil)
    }

    /// Every prefix of a real profile: the description is either absent or right, never wrong,
    /// never a crash; once the 'desc' tag is complete it is found.
    @Test func truncatedProfilesNeverCrashOrLie() throws {
        let p = try Self.profile(Files.sample("citrus_fruits.jpg"))
        var firstFound: Int?
        for length in 0...p.count {
            let d = ICCProfile.description(Array(p.prefix(length)))
            if let d {
                #expect(d == "sRGB built-in", "prefix \(length)")
                if firstFound == nil { firstFound = length }
            } else if let firstFound {
                Issue.record("prefix \(length) lost a description found at \(firstFound)")
            }
            _ = ICCProfile.colourSpace(Array(p.prefix(length)))
        }
        let found = try #require(firstFound)
        #expect(found > 132 && found <= p.count)
        #expect(ICCProfile.description([]) == nil && ICCProfile.colourSpace([]) == nil)
    }

    /// Damaged tag tables (every byte of the header and tag table overwritten in turn) give an
    /// answer or nil, never a crash or an out-of-bounds read.
    @Test func damagedTagTablesNeverCrash() throws {
        let p = try Self.profile(Files.sample("citrus_fruits.jpg"))
        var nils = 0
        for i in 128..<min(p.count, 132 + 12 * 20) {
            for value: UInt8 in [0x00, 0x7F, 0xFF] {
                var q = p
                q[i] = value
                if ICCProfile.description(q) == nil { nils += 1 }
            }
        }
        #expect(nils > 0, "some damage (e.g. a huge tag count) must make the description unreadable")
    }

    /// A v4 profile's 'desc' is a multi-localised (UTF-16BE) record.
    @Test func v4MultiLocalisedDescription() {
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func profile(_ text: String, space: String = "RGB ") -> [UInt8] {
            let utf16 = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
            let mluc = Array("mluc".utf8) + [0, 0, 0, 0] + be32(1) + be32(12) + Array("enUS".utf8) + be32(utf16.count) + be32(28) + utf16
            var header = [UInt8](repeating: 0, count: 128)
            header.replaceSubrange(16..<20, with: Array(space.utf8))
            let tags = be32(1) + Array("desc".utf8) + be32(144) + be32(mluc.count)
            return header + tags + mluc
        }
        #expect(ICCProfile.description(profile("Display P3 – Meld")) == "Display P3 – Meld")
        #expect(ICCProfile.isSRGB(profile("Display P3 – Meld")) == false)
        #expect(ICCProfile.isSRGB(profile("sRGB IEC61966-2.1")) == true)
        #expect(ICCProfile.isSRGB(profile("sRGB IEC61966-2.1", space: "GRAY")) == false)
        #expect(ICCProfile.colourSpace(profile("x", space: "CMYK")) == "CMYK")
        // A record pointing past the end is refused.
        var broken = profile("Display P3")
        broken[144 + 16 + 8 + 3] = 0xF0
        #expect(ICCProfile.description(broken) == nil)
    }
}
