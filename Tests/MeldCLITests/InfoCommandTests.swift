import Foundation
import Meld
import Testing

struct SampleRow: Sendable, CustomTestStringConvertible {
    let file: String
    let width: Int, height: Int, channels: Int
    let format: String, colourSpace: String
    let icc: String?
    var testDescription: String { file }
}

let sampleRows: [SampleRow] = [
    SampleRow(file: "bridge_at_night.jpg", width: 1302, height: 953, channels: 3, format: "jpeg", colourSpace: "srgb", icc: "sRGB built-in"),
    SampleRow(file: "citrus_fruits.jpg", width: 1350, height: 890, channels: 3, format: "jpeg", colourSpace: "srgb", icc: "sRGB built-in"),
    SampleRow(file: "dandelion_meadow_16mp.jpg", width: 5312, height: 2988, channels: 3, format: "jpeg", colourSpace: "srgb", icc: nil),
    SampleRow(file: "fig_in_red_bowl.jpg", width: 2572, height: 1740, channels: 3, format: "jpeg", colourSpace: "srgb", icc: nil),
    SampleRow(file: "grace_hopper.jpg", width: 512, height: 600, channels: 3, format: "jpeg", colourSpace: "srgb", icc: nil),
    SampleRow(file: "toy_bird_lamp.jpg", width: 2880, height: 2160, channels: 3, format: "jpeg", colourSpace: "srgb", icc: nil),
    SampleRow(file: "cameraman_gray.png", width: 512, height: 512, channels: 1, format: "png", colourSpace: "b-w", icc: nil),
    SampleRow(file: "lightbulb_cutout.png", width: 301, height: 500, channels: 4, format: "png", colourSpace: "srgb", icc: nil),
]

@Suite("meld info")
struct InfoCommandTests {
    @Test func textOneLinePerSample() throws {
        let r = try CLI.run(["info"] + sampleRows.map { CLI.sample($0.file) })
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r)")
        let lines = r.outputLines
        try #require(lines.count == sampleRows.count, "\(r)")
        for (line, s) in zip(lines, sampleRows) {
            #expect(line.hasPrefix(CLI.sample(s.file) + ": \(s.width)x\(s.height), \(s.channels) band"), "\(line)")
            #expect(line.contains(", \(s.format), 8-bit uchar, \(s.colourSpace)"), "\(line)")
            #expect(line.contains(s.icc.map { "ICC \"\($0)\"" } ?? "no ICC profile"), "\(line)")
            #expect(line.contains("alpha") == (s.channels == 4), "\(line)")
            #expect(line.contains("orientation 1"))
            #expect(line.hasSuffix("\(CLI.size(CLI.sample(s.file))) bytes"), "\(line)")
        }
    }

    @Test func jsonHasEveryField() throws {
        let r = try CLI.run(["info", "--json"] + sampleRows.map { CLI.sample($0.file) })
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r)")
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        try #require(objects.count == sampleRows.count)
        for (o, s) in zip(objects, sampleRows) {
            for key in ["path", "format", "width", "height", "channels", "hasAlpha", "bitDepth", "sampleFormat",
                        "colourSpace", "iccProfileBytes", "orientation", "pages", "fileBytes"] {
                #expect(o[key] != nil, "\(s.file): \(key)")
            }
            #expect(o["path"] as? String == CLI.sample(s.file))
            #expect(o["format"] as? String == s.format)
            #expect(o["width"] as? Int == s.width && o["height"] as? Int == s.height)
            #expect(o["channels"] as? Int == s.channels && o["bitDepth"] as? Int == 8)
            #expect(o["colourSpace"] as? String == s.colourSpace)
            #expect(o["iccProfile"] as? String == s.icc)
            #expect(o["fileBytes"] as? Int == CLI.size(CLI.sample(s.file)))
        }
        // The same JSON decodes as the library's ImageInfo.
        let infos = try JSONDecoder().decode([ImageInfo].self, from: Data(r.stdout.utf8))
        #expect(infos.map(\.width) == sampleRows.map(\.width))
    }

    @Test(arguments: [
        ("colour/citrus-p3.jpg", "ICC \"sP3C\"", "8-bit uchar, srgb"),
        ("colour/citrus-cmyk.jpg", "ICC \"Meld naive CMYK\"", "4 bands, jpeg, 8-bit uchar, cmyk"),
        ("colour/hopper-rgb16.png", "no ICC profile", "3 bands, png, 16-bit ushort, rgb16"),
    ])
    func colourAndDepthFixtures(file: String, icc: String, facts: String) throws {
        let r = try CLI.run(["info", CLI.fixture(file)])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains(icc), "\(r)")
        #expect(r.stdout.contains(facts), "\(r)")
    }

    /// One bad file among good ones: the good ones are reported, the bad one gets one stderr
    /// line, and the exit status says something failed.
    @Test(arguments: [false, true])
    func badFileAmongGoodOnes(json: Bool) throws {
        let files = [CLI.sample("grace_hopper.jpg"), CLI.fixture("corrupt/text.jpg"), CLI.sample("cameraman_gray.png")]
        let r = try CLI.run(["info"] + (json ? ["--json"] : []) + files)
        expectOneErrorLine(r, startingWith: "meld info: ", containing: "text.jpg")
        #expect(r.status == 1)
        if json {
            let infos = try JSONDecoder().decode([ImageInfo].self, from: Data(r.stdout.utf8))
            #expect(infos.map(\.width) == [512, 512])
        } else {
            #expect(r.outputLines.count == 2)
        }
    }

    @Test func pixelLimitOption() throws {
        let r = try CLI.run(["info", "--pixel-limit", "1000", CLI.sample("grace_hopper.jpg")])
        expectOneErrorLine(r, startingWith: "meld info: ", containing: "over the limit of 1000 pixels")
        #expect(try CLI.run(["info", "--pixel-limit", "307200", CLI.sample("grace_hopper.jpg")]).status == 0)
    }

    @Test func noFilesIsAUsageError() throws {
        expectUsageError(try CLI.run(["info"]), containing: "file")
    }
}
