import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Meld

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show size, channels, format, bit depth, colour space, ICC profile and orientation of images.",
        discussion: "Reads headers only, so it is fast on large files. Exit status 1 if any file could not be read."
    )

    @Argument(help: ArgumentHelp("Image files.", valueName: "file"))
    var files: [String]

    @Flag(help: "Print JSON: one object per file in an array.")
    var json = false

    @Option(help: ArgumentHelp("Refuse images with more pixels than this.", valueName: "pixels"))
    var pixelLimit: Int = Meld.defaultPixelLimit

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one image file") }
    }

    func run() throws {
        var infos: [ImageInfo] = []
        var failed = false
        for file in files {
            do {
                let info = try ImageInfo(contentsOf: file, pixelLimit: pixelLimit)
                infos.append(info)
                if !json { print(Info.describe(info)) }
            } catch {
                printError("meld info: \(error)")
                failed = true
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(infos)
            print(String(decoding: data, as: UTF8.self))
        }
        if failed { throw ExitCode(1) }
    }

    static func describe(_ i: ImageInfo) -> String {
        var parts = ["\(i.width)x\(i.height)", "\(i.channels) band\(i.channels == 1 ? "" : "s")",
                     i.format?.rawValue ?? "unknown format", "\(i.bitDepth)-bit \(i.sampleFormat)", i.colourSpace]
        if i.hasAlpha { parts.append("alpha") }
        parts.append(i.iccProfile.map { "ICC \"\($0)\"" } ?? "no ICC profile")
        parts.append("orientation \(i.orientation)")
        if i.pages > 1 { parts.append("\(i.pages) pages") }
        if let bytes = i.fileBytes { parts.append("\(bytes) bytes") }
        return "\(i.path ?? "-"): " + parts.joined(separator: ", ")
    }
}
