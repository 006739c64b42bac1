import Foundation
import Meld
import Testing

@Suite("meld watermark")
struct WatermarkCommandTests {
    /// An 800 px rendition of a sample, written into `folder`.
    static func photo(in folder: String) throws -> String {
        let path = folder + "/photo.png"
        try Image(contentsOf: CLI.sample("fig_in_red_bowl.jpg"), resizedWith: Resize(.width(800))).write(to: path)
        return path
    }

    @Test func embedThenDetect() throws {
        try CLI.withTemporaryFolder { folder in
            let photo = try Self.photo(in: folder)
            let e = try CLI.run(["watermark", "embed", photo, "--key", "s3cret", "--payload", "c0ffee01", "-o", "marked.jpg", "--quality", "75"], in: folder)
            #expect(e.status == 0 && e.stderr.isEmpty, "\(e)")
            let d = try CLI.run(["watermark", "detect", "marked.jpg", "--key", "s3cret"], in: folder)
            #expect(d.status == 0 && d.stdout.contains("payload c0ffee01 (32 bits)"), "\(d)")
            let j = try CLI.run(["watermark", "detect", "marked.jpg", "--key", "s3cret", "--bits", "32", "--json"], in: folder)
            let object = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any]
            #expect(j.status == 0 && object?["found"] as? Bool == true && object?["payload"] as? String == "c0ffee01", "\(j)")
            #expect((object?["confidence"] as? Double ?? 0) > 0.8)
        }
    }

    @Test func noMarkExitsOne() throws {
        try CLI.withTemporaryFolder { folder in
            let photo = try Self.photo(in: folder)
            let d = try CLI.run(["watermark", "detect", photo, "--key", "s3cret"], in: folder)
            #expect(d.status == 1 && d.stdout.contains("no mark") && d.stdout.contains("false-positive bound"), "\(d)")
            let j = try CLI.run(["watermark", "detect", photo, "--key", "s3cret", "--json"], in: folder)
            #expect(j.status == 1 && j.stdout.contains("\"found\": false"), "\(j)")
        }
    }

    @Test(arguments: [
        (["--payload", "xyz"], "is not hexadecimal"),
        (["--payload", ""], "payload is empty"),
        (["--payload", "1234567890abcdef01"], "at most 16 (64 bits)"),
        (["--payload", "ff", "--strength", "9"], "strength must be between 0.25 and 4"),
        (["--payload", "ff", "--key", ""], "key is empty"),
    ])
    func badEmbedOptions(extra: [String], message: String) throws {
        try CLI.withTemporaryFolder { folder in
            var args = ["watermark", "embed", CLI.sample("citrus_fruits.jpg"), "-o", "out.png"]
            if !extra.contains("--key") { args += ["--key", "k"] }
            let r = try CLI.run(args + extra, in: folder)
            #expect(r.status != 0 && r.stderr.contains(message), "\(r)")
            #expect(CLI.contents(of: folder).isEmpty)
        }
    }

    @Test func visibleTextAndLogo() throws {
        try CLI.withTemporaryFolder { folder in
            let t = try CLI.run(["watermark", "visible", CLI.sample("citrus_fruits.jpg"), "--text", "© Meld 样片", "--placement", "tiled",
                                 "--opacity", "0.3", "-o", "tiled.jpg"], in: folder)
            #expect(t.status == 0 && t.stderr.isEmpty, "\(t)")
            #expect(try CLI.info(folder + "/tiled.jpg").width == 1350)
            let l = try CLI.run(["watermark", "visible", CLI.sample("citrus_fruits.jpg"), "--logo", CLI.sample("lightbulb_cutout.png"),
                                 "--placement", "top-left", "--blend", "multiply", "-o", "logo.png"], in: folder)
            #expect(l.status == 0, "\(l)")
            let both = try CLI.run(["watermark", "visible", CLI.sample("citrus_fruits.jpg"), "--text", "a", "--logo", "b.png", "-o", "x.png"], in: folder)
            #expect(both.status != 0 && both.stderr.contains("exactly one of --text or --logo"), "\(both)")
            let bad = try CLI.run(["watermark", "visible", CLI.sample("citrus_fruits.jpg"), "--text", "a", "--placement", "middle", "-o", "x.png"], in: folder)
            #expect(bad.status != 0 && bad.stderr.contains("--placement must be one of"), "\(bad)")
        }
    }
}
