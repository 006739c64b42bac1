import Foundation
import Meld
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `meld` process on a pseudo-terminal, driven line by line like a person at a keyboard.
final class TerminalSession {
    let process = Process()
    let master: Int32
    private var transcript = ""

    init(_ arguments: [String], in folder: String) throws {
        let meld = try #require(CLI.binary)
        // Glibc's headers hide the pty functions from Swift (they need _XOPEN_SOURCE); look them up.
        typealias OpenPT = @convention(c) (Int32) -> Int32
        typealias PTName = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        func symbol<T>(_ name: String, as: T.Type) throws -> T {
            unsafeBitCast(try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), name), "no \(name)"), to: T.self)
        }
        let openpt = try symbol("posix_openpt", as: OpenPT.self), grant = try symbol("grantpt", as: OpenPT.self)
        let unlock = try symbol("unlockpt", as: OpenPT.self), name = try symbol("ptsname", as: PTName.self)
        master = openpt(O_RDWR | O_NOCTTY)
        try #require(master >= 0 && grant(master) == 0 && unlock(master) == 0)
        let slavePath = String(cString: try #require(name(master)))
        let slave = try #require(FileHandle(forUpdatingAtPath: slavePath))
        process.executableURL = URL(fileURLWithPath: meld)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardInput = slave
        process.standardOutput = slave
        process.standardError = slave
        try process.run()
        try slave.close()
    }

    deinit {
        if process.isRunning { process.terminate() }
        close(master)
    }

    /// Reads until `marker` appears after what was read before (or `seconds` pass); returns the new text.
    func read(until marker: String, seconds: Double = 60) -> String {
        let start = transcript.endIndex
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            if transcript[start...].contains(marker) { break }
            var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&fds, 1, 100) > 0 else { continue }
            let n = Glibc.read(master, &buffer, buffer.count)
            if n <= 0 { break }
            transcript += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        return String(transcript[start...]).replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// Types a line and returns what the session printed before its next prompt.
    func type(_ line: String) -> String {
        _ = Array((line + "\n").utf8).withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
        let out = read(until: "meld> ")
        // Drop the terminal's echo of the typed line and the prompt.
        return out.replacingOccurrences(of: line + "\n", with: "").replacingOccurrences(of: "meld> ", with: "")
    }
}

@Suite("meld session, run and batch")
struct SessionCommandTests {
    static func fixtures(in folder: String) throws {
        let fig = CLI.sample("fig_in_red_bowl.jpg"), bulb = CLI.sample("lightbulb_cutout.png")
        var r = try CLI.run(["resize", fig, "-o", folder + "/fig.png", "--width", "120"])
        try #require(r.status == 0, "\(r)")
        r = try CLI.run(["resize", bulb, "-o", folder + "/bulb.png", "--width", "40"])
        try #require(r.status == 0, "\(r)")
    }

    /// Driven through a pseudo-terminal: steps, undo/redo, a branch, a bad command that
    /// changes nothing, show, save and export; the exported recipe replays to the same bytes.
    @Test func interactiveSessionOnATerminal() throws {
        try CLI.withTemporaryFolder { folder in
            try Self.fixtures(in: folder)
            let t = try TerminalSession(["session", "fig.png", "bulb.png", "--preview-folder", "previews"], in: folder)
            let banner = t.read(until: "meld> ")
            #expect(banner.contains("fig (fig.png), bulb (bulb.png)"), "\(banner)")
            #expect(t.type("help").contains("export-recipe PATH"))
            #expect(t.type("recolor region=color:#B22222~25 to=#3EB489").contains("step 0: recolor"))
            #expect(t.type("adjust exposure=0.4").contains("step 1: adjust exposure=0.4"))
            #expect(t.type("undo").contains("at #0 (step 0): recolor"))
            #expect(t.type("redo").contains("at #1"))
            #expect(t.type("place image=bulb x=4 y=4 width=30").contains("step 2: compose"))
            let bad = t.type("recolor region=wand:9999,0~5 to=red")
            #expect(bad.contains("error: recolor: region: wand point 9999,0 is outside"), "\(bad)")
            #expect(t.type("frobnicate").contains("unknown command 'frobnicate'"))
            let history = t.type("history")
            #expect(history.contains("   2  compose") && history.contains("*"), "\(history)")
            #expect(t.type("goto 0").contains("at #0"))
            #expect(t.type("flip axis=vertical").contains("step 1: flip"))
            let tree = t.type("tree")
            #expect(tree.contains("#3 ← #0  flip axis=vertical  *") && tree.contains("#2 ← #1"), "\(tree)")
            let shown = t.type("show").trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(shown.hasSuffix("previews/preview-1.png") && FileManager.default.fileExists(atPath: folder + "/" + shown), "\(shown)")
            #expect(t.type("save edited.png").contains("saved edited.png"))
            #expect(t.type("export-recipe edit.yaml").contains("wrote edit.yaml (2 steps, 1 output(s))"))
            _ = Array("quit\n".utf8).withUnsafeBytes { Glibc.write(t.master, $0.baseAddress, $0.count) }
            t.process.waitUntilExit()
            #expect(t.process.terminationStatus == 0)

            // Replay the exported recipe elsewhere: the same bytes.
            try FileManager.default.moveItem(atPath: folder + "/edited.png", toPath: folder + "/session.png")
            let r = try CLI.run(["run", "edit.yaml"], in: folder)
            #expect(r.status == 0, "\(r)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/edited.png")) == Data(contentsOf: URL(fileURLWithPath: folder + "/session.png")))
        }
    }

    /// Commands from a file: errors go on, and the exit status reports them.
    @Test func scriptedSession() throws {
        try CLI.withTemporaryFolder { folder in
            try Self.fixtures(in: folder)
            try "adjust exposure=0.2\nblur sigma=2\nsave out.jpg\n".write(toFile: folder + "/edits.txt", atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(CLI.binary))
            process.arguments = ["session", "fig.png"]
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: folder + "/edits.txt"))
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 1)
            #expect(FileManager.default.fileExists(atPath: folder + "/out.jpg"))
        }
    }

    static let card = """
    version: 1
    inputs: {photo: fig.png, bulb: bulb.png}
    steps:
      - recolor: {region: "color:#B22222~25", to: "${colour}"}
      - remove: {region: "rect:10,10,12,12", seed: 1}
      - place: {image: bulb, anchor: bottom-right, width: 30}
    outputs:
      - {path: "out/${sku}.png"}
      - {path: "out/${sku}.jpg", width: 60, quality: 90}
    """

    /// `meld run` writes every output, names bad fields with their line, and gives the same
    /// bytes on one thread and on four.
    @Test func runIsDeterministicAcrossThreadCounts() throws {
        try CLI.withTemporaryFolder { folder in
            try Self.fixtures(in: folder)
            try Self.card.write(toFile: folder + "/card.yaml", atomically: true, encoding: .utf8)
            var r = try CLI.run(["run", "card.yaml", "--set", "sku=one", "--set", "colour=teal"], in: folder,
                                environment: ["MELD_THREADS": "1", "VIPS_CONCURRENCY": "1"])
            let r4 = try CLI.run(["run", "card.yaml", "--set", "sku=four", "--set", "colour=teal"], in: folder,
                                 environment: ["MELD_THREADS": "4", "VIPS_CONCURRENCY": "4"])
            #expect(r.status == 0 && r4.status == 0, "\(r)\n\(r4)")
            for ext in ["png", "jpg"] {
                #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/out/one.\(ext)")) == Data(contentsOf: URL(fileURLWithPath: folder + "/out/four.\(ext)")))
            }
            r = try CLI.run(["run", "card.yaml", "--set", "sku=one", "--set", "colour=teal"], in: folder)
            expectOneErrorLine(r, startingWith: "meld run: ", containing: "already exists")
            r = try CLI.run(["run", "card.yaml", "--set", "sku=x"], in: folder)
            expectOneErrorLine(r, startingWith: "meld run: ", containing: "card.yaml:4: steps[0].recolor.to: unknown variable ${colour}")
        }
    }

    /// A batch killed with SIGKILL midway, then rerun: nothing lost, nothing redone, and every
    /// output identical to an uninterrupted run's; a bad row fails alone with exit status 1.
    @Test func batchResumesAfterKill() throws {
        try CLI.withTemporaryFolder { folder in
            try Self.fixtures(in: folder)
            try Self.card.write(toFile: folder + "/card.yaml", atomically: true, encoding: .utf8)
            let colours = ["teal", "navy", "gold", "plum", "coral", "olive", "tomato", "orchid", "sienna", "indigo", "salmon", "khaki"]
            let csv = "sku,colour\n" + colours.enumerated().map { "P\($0.offset),\($0.element)" }.joined(separator: "\n") + "\n"
            try csv.write(toFile: folder + "/skus.csv", atomically: true, encoding: .utf8)

            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(CLI.binary))
            process.arguments = ["batch", "card.yaml", "--manifest", "skus.csv", "--progress", "none"]
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let report = folder + "/skus.report.jsonl"
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let lines = (try? String(contentsOfFile: report, encoding: .utf8))?.split(separator: "\n").count ?? 0
                if lines >= 3 { break }
                usleep(2000)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let doneBeforeKill = (try String(contentsOfFile: report, encoding: .utf8)).split(separator: "\n").count
            #expect(doneBeforeKill >= 3 && doneBeforeKill < colours.count, "killed after \(doneBeforeKill) items")

            let r = try CLI.run(["batch", "card.yaml", "--manifest", "skus.csv", "--jobs", "2"], in: folder)
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.contains("\(colours.count - doneBeforeKill) done, \(doneBeforeKill) skipped (already done), 0 failed"), "\(r)")
            #expect(CLI.contents(of: folder + "/out").count == 2 * colours.count)
            #expect(!CLI.contents(of: folder + "/out").contains { $0.hasSuffix(".tmp") })

            // An uninterrupted run elsewhere writes the same bytes.
            try FileManager.default.createDirectory(atPath: folder + "/again", withIntermediateDirectories: true)
            for f in ["card.yaml", "skus.csv", "fig.png", "bulb.png"] { try FileManager.default.copyItem(atPath: folder + "/" + f, toPath: folder + "/again/" + f) }
            let clean = try CLI.run(["batch", "card.yaml", "--manifest", "skus.csv", "--jobs", "2", "--shard", "0/1"], in: folder + "/again")
            #expect(clean.status == 0, "\(clean)")
            for name in CLI.contents(of: folder + "/out") {
                #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/out/" + name)) == Data(contentsOf: URL(fileURLWithPath: folder + "/again/out/" + name)), "\(name)")
            }

            // A bad row fails alone; the exit status says so.
            try (csv + "BAD,notacolour\n").write(toFile: folder + "/skus.csv", atomically: true, encoding: .utf8)
            let bad = try CLI.run(["batch", "card.yaml", "--manifest", "skus.csv", "--progress", "lines"], in: folder)
            #expect(bad.status == 1)
            #expect(bad.stdout.contains("0 done, \(colours.count) skipped (already done), 1 failed"), "\(bad)")
            #expect(bad.stderr.contains("failed: BAD: recipe: card.yaml:4: steps[0].recolor.to: unknown colour 'notacolour'"), "\(bad)")
            #expect(bad.stderr.contains("[13/13] BAD FAILED"), "\(bad)")
        }
    }
}
