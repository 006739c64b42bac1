import Foundation
import Meld
import MeldTestSupport
import Testing

/// Runs the built `meld` executable and reads what it prints.
enum CLI {
    /// The package root (Tests/MeldCLITests/CLITestSupport.swift is three levels down).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func sample(_ name: String) -> String { root.appendingPathComponent("Samples/\(name)").path }
    static func fixture(_ name: String) -> String { root.appendingPathComponent("Tests/Fixtures/\(name)").path }

    /// The `meld` binary: `MELD_BINARY` if set, otherwise the one SwiftPM built next to this
    /// test bundle (the products folder of whatever build or scratch path is in use: on Linux
    /// the test runner is an executable in that folder, on macOS an .xctest bundle in it).
    static let binary: String? = {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["MELD_BINARY"] { candidates.append(URL(fileURLWithPath: path)) }
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            candidates.append(bundle.bundleURL.deletingLastPathComponent())
        }
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for c in candidates {
            let file = c.lastPathComponent == "meld" ? c : c.appendingPathComponent("meld")
            if FileManager.default.isExecutableFile(atPath: file.path) { return file.path }
        }
        return nil
    }()

    struct Result: CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String
        /// Non-empty lines of standard error.
        var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
        var outputLines: [String] { stdout.split(separator: "\n").map(String.init) }
        var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    /// Runs `meld arguments…` in `folder` (a fresh temporary folder when nil), with `extra`
    /// environment variables, and waits for it.
    static func run(_ arguments: [String], in folder: String? = nil, environment extra: [String: String] = [:]) throws -> Result {
        let meld = try #require(binary, "the meld executable was not found next to the test bundle; build with --build-tests or set MELD_BINARY")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("meld-cli-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("stdout"), err = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: meld)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder ?? scratch.path)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "MELD_VIPS_WARNINGS")
        environment["COLUMNS"] = "100"
        environment.merge(extra) { $1 }
        process.environment = environment
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("meld \(arguments.joined(separator: " ")) did not finish within 60 s")
        }
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// `meld info --json` of one file, as the library's own type. (The CLI reads it, not this
    /// process, so these tests use no libvips of their own.)
    static func info(_ path: String) throws -> ImageInfo {
        try #require(try infos([path]).first)
    }

    /// `meld info --json` of several files in one run.
    static func infos(_ paths: [String]) throws -> [ImageInfo] {
        let result = try run(["info", "--json"] + paths)
        try #require(result.status == 0, "\(result)")
        let infos = try JSONDecoder().decode([ImageInfo].self, from: Data(result.stdout.utf8))
        try #require(infos.count == paths.count)
        return infos
    }

    /// A fresh, empty folder for one test; removed when `body` returns or throws.
    static func withTemporaryFolder<T>(_ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("meld-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.resolvingSymlinksInPath().path)
    }

    static func contents(of folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    static func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
    }
}

/// Checks that a failed run printed exactly one line on stderr, starting with `prefix`.
func expectOneErrorLine(_ r: CLI.Result, startingWith prefix: String, containing words: String? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status != 0, "\(r)", sourceLocation: sourceLocation)
    #expect(r.errorLines.count == 1, "\(r)", sourceLocation: sourceLocation)
    #expect(r.stderr.hasPrefix(prefix), "\(r)", sourceLocation: sourceLocation)
    if let words { #expect(r.stderr.contains(words), "\(r)", sourceLocation: sourceLocation) }
}

/// Checks an argument error: exit 64 (usage), nothing on stdout, and one "Error: …" line that
/// names the problem (swift-argument-parser then prints the usage lines).
func expectUsageError(_ r: CLI.Result, containing words: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status == 64, "\(r)", sourceLocation: sourceLocation)
    #expect(r.stdout.isEmpty, "\(r)", sourceLocation: sourceLocation)
    #expect(r.errorLines.first?.hasPrefix("Error: ") == true, "\(r)", sourceLocation: sourceLocation)
    #expect(r.errorLines.first?.contains(words) == true, "\(r)", sourceLocation: sourceLocation)
    #expect(r.errorLines.filter { $0.hasPrefix("Error:") }.count == 1, "\(r)", sourceLocation: sourceLocation)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

