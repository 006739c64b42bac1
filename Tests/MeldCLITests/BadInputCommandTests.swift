import Foundation
import Testing

/// A bad input for the command line and the words its one error line must hold.
struct BadInput: Sendable, CustomTestStringConvertible {
    let name: String
    /// Path relative to Tests/Fixtures, or nil for the per-test missing path / folder.
    let fixture: String?
    let words: String
    /// Whether the header alone shows the problem (so `meld info` reports it too).
    let header: Bool
    var testDescription: String { name }
}

let badInputs: [BadInput] = [
    BadInput(name: "empty file", fixture: "corrupt/empty.jpg", words: "is empty (0 bytes)", header: true),
    BadInput(name: "text named .jpg", fixture: "corrupt/text.jpg", words: "is not an image format Meld reads", header: true),
    BadInput(name: "PNG declaring 0x0", fixture: "corrupt/zero-size.png", words: "could not be read", header: true),
    BadInput(name: "PNG bomb", fixture: "corrupt/huge.png", words: "100000x100000", header: true),
    BadInput(name: "GIF bomb", fixture: "corrupt/huge.gif", words: "over the limit", header: true),
    BadInput(name: "truncated GIF", fixture: "corrupt/truncated.gif", words: "could not be read", header: true),
    BadInput(name: "truncated JPEG", fixture: "corrupt/truncated.jpg", words: "truncated or damaged", header: false),
    BadInput(name: "PNG with bad CRC", fixture: "corrupt/bad-crc.png", words: "truncated or damaged", header: false),
    BadInput(name: "PNG with truncated IDAT", fixture: "corrupt/truncated-idat.png", words: "truncated or damaged", header: false),
    BadInput(name: "missing file", fixture: nil, words: "does not exist", header: true),
    BadInput(name: "a folder", fixture: nil, words: "is a folder", header: true),
]

@Suite("Bad input on the command line")
struct BadInputCommandTests {
    func path(_ bad: BadInput, in folder: String) throws -> String {
        if let fixture = bad.fixture { return CLI.fixture(fixture) }
        if bad.name == "a folder" {
            try FileManager.default.createDirectory(atPath: folder + "/images.jpg", withIntermediateDirectories: true)
            return folder + "/images.jpg"
        }
        return folder + "/no-such-photo.jpg"
    }

    /// convert and resize (both kernels: shrink-on-load and plain) fail with one line, exit 1,
    /// and leave no output and no temporary file.
    @Test(arguments: badInputs)
    func convertAndResizeRefuse(_ bad: BadInput) throws {
        try CLI.withTemporaryFolder { folder in
            let input = try path(bad, in: folder)
            let before = CLI.contents(of: folder)
            var runs: [(String, [String])] = [
                ("convert", ["convert", input, "-o", "out.png"]),
                ("resize", ["resize", input, "-o", "out.jpg", "--width", "50"]),
            ]
            if !bad.header {
                // Damage met while decoding: also another encoder and the non-shrinking resize path.
                runs += [("convert", ["convert", input, "-o", "out.webp", "--effort", "0"]),
                         ("resize", ["resize", input, "-o", "out.jpg", "--width", "50", "--kernel", "linear"])]
            }
            for (command, arguments) in runs {
                let r = try CLI.run(arguments, in: folder)
                expectOneErrorLine(r, startingWith: "meld \(command): ", containing: bad.words)
                #expect(r.status == 1)
                #expect(r.stdout.isEmpty)
                #expect(CLI.contents(of: folder) == before, "\(arguments.joined(separator: " ")) left files")
            }
        }
    }

    @Test(arguments: badInputs.filter(\.header))
    func infoRefuses(_ bad: BadInput) throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["info", try path(bad, in: folder)], in: folder)
            expectOneErrorLine(r, startingWith: "meld info: ", containing: bad.words)
            #expect(r.stdout.isEmpty)
        }
    }

    /// The bomb is refused at the default limit and the message says how to proceed.
    @Test func bombMessageSaysWhatToDo() throws {
        let r = try CLI.run(["info", CLI.fixture("corrupt/huge.png")])
        expectOneErrorLine(r, startingWith: "meld info: load: ", containing: "raise the pixel limit")
        let allowed = try CLI.run(["info", "--pixel-limit", "10000000000", CLI.fixture("corrupt/huge.png")])
        #expect(allowed.status == 0 && allowed.stdout.contains("100000x100000"), "\(allowed)")
    }

    /// Garbage inside a JPEG's entropy-coded data is only a libjpeg warning, so the file
    /// converts (damaged pixels and all) at its declared size; see MeldTests' CorruptFileTests.
    @Test func garbageInJPEGDataIsOnlyAWarning() throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["convert", CLI.fixture("corrupt/garbage-entropy.jpg"), "-o", "out.png"], in: folder)
            #expect(r.status == 0 && r.stderr.isEmpty, "\(r)")
            let info = try CLI.info(folder + "/out.png")
            #expect(info.width == 137 && info.height == 160)
        }
    }

    /// A JPEG named .png is read by content and converts fine.
    @Test func jpegNamedPNGConverts() throws {
        try CLI.withTemporaryFolder { folder in
            let input = CLI.fixture("corrupt/jpeg-named.png")
            let r = try CLI.run(["convert", input, "-o", "out.png"], in: folder)
            #expect(r.status == 0, "\(r)")
            let info = try CLI.info(folder + "/out.png")
            #expect(info.format == .png && info.width == 137 && info.height == 160)
            #expect(try CLI.info(input).format == .jpeg)
        }
    }
}
