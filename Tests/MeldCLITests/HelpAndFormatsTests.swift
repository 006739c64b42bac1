import Foundation
import Meld
import Testing

@Suite("meld help and formats")
struct HelpAndFormatsTests {
    @Test func topLevelHelpListsEverySubcommand() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0, "\(r)")
        for word in ["info", "convert", "resize", "formats", "USAGE: meld <subcommand>"] {
            #expect(r.stdout.contains(word), "\(word)")
        }
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    static let output = ["-o", "--output", "--format", "-q", "--quality", "--progressive", "--subsample", "--strip",
                         "--compression", "--bit-depth", "--lossless", "--effort", "--tiff-compression", "--overwrite"]
    static let input = ["--pixel-limit", "--no-autorotate"]

    @Test(arguments: [
        ("info", ["--json", "--pixel-limit"]),
        ("convert", output + input),
        ("resize", output + input + ["--scale", "--width", "--height", "--fit", "--fill", "--kernel"]),
        ("formats", ["--json"]),
    ])
    func subcommandHelpMentionsEveryOption(command: String, options: [String]) throws {
        for invocation in [[command, "--help"], ["help", command]] {
            let r = try CLI.run(invocation)
            #expect(r.status == 0, "\(r)")
            for option in options {
                // As a whole word: "--format" must not be satisfied by "--formats".
                let found = r.stdout.split(whereSeparator: { " ,<>[]\n".contains($0) }).contains { $0 == option }
                #expect(found, "\(invocation.joined(separator: " ")) does not mention \(option)")
            }
        }
    }

    @Test func formatsListsTheCommonFormats() throws {
        let r = try CLI.run(["formats"])
        #expect(r.status == 0, "\(r)")
        #expect(r.outputLines.first?.hasPrefix("libvips 8.") == true)
        for name in ["jpeg", "png", "webp", "tiff", "gif"] {
            let line = try #require(r.outputLines.first { $0.hasPrefix(name + " ") })
            #expect(line.contains("read: yes") && line.contains("write: yes"), "\(line)")
        }
    }

    /// The JSON agrees with the library's own answer, format by format.
    @Test(.libvipsExclusive) func formatsJSONMatchesTheLibrary() throws {
        let r = try CLI.run(["formats", "--json"])
        #expect(r.status == 0, "\(r)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["libvips"] as? String == Meld.libvipsVersion)
        let rows = try #require(object["formats"] as? [[String: Any]])
        #expect(rows.compactMap { $0["format"] as? String } == ImageFormat.allCases.map(\.rawValue))
        for row in rows {
            let format = try #require(ImageFormat(rawValue: row["format"] as? String ?? ""))
            #expect(row["read"] as? Bool == format.canRead, "\(format)")
            #expect(row["write"] as? Bool == format.canWrite, "\(format)")
        }
    }
}
