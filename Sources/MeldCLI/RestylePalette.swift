import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Meld

struct RestylePalette: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "palette",
        abstract: "Print an image's dominant colours with their weights.",
        discussion: """
        k-means in CIE Lab, deterministic (same image, same palette). One line per colour, \
        heaviest first: `#RRGGBB  weight`; --json prints [{"color": "#RRGGBB", "weight": w, "lab": [L, a, b]}].
          meld restyle palette photo.jpg --colors 6
          meld restyle palette photo.jpg --json > palette.json
        """
    )

    @Argument(help: ArgumentHelp("Input image.", valueName: "input"))
    var input: String

    @Option(help: ArgumentHelp("Number of colours, 1–\(Palette.maxCount).", valueName: "K"))
    var colors: Int = 6

    @Option(help: ArgumentHelp("Measure only here: mask:PATH or rect:X,Y,W,H.", valueName: "spec"))
    var region: String?

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var inputOptions: InputOptions

    func validate() throws {
        guard (1...Palette.maxCount).contains(colors) else {
            throw ValidationError("--colors must be 1–\(Palette.maxCount) (got \(colors))")
        }
        if let region { _ = try RegionSpec(region, option: "--region") }
    }

    func run() throws {
        let regionSpec = try region.map { try RegionSpec($0, option: "--region") }
        try reportingErrors("restyle palette") { () throws(MeldError) in
            let image = try Image(contentsOf: input, options: inputOptions.loadOptions(sequential: true))
            let mask = try regionSpec?.mask(width: image.width, height: image.height, option: "--region")
            let palette = try Palette.extract(from: image, count: colors, mask: mask)
            print(json ? PaletteText.json(palette) : PaletteText.lines(palette), terminator: "")
        }
    }
}

/// Palettes as text: lines, JSON, and parsing either (or a colour list) back.
enum PaletteText {
    static func lines(_ p: Palette) -> String {
        p.entries.map { "\($0.hex)  \(fixed($0.weight, 4))\n" }.joined()
    }

    static func json(_ p: Palette) -> String {
        "[\n" + p.entries.map { e in
            "  {\"color\": \"\(e.hex)\", \"weight\": \(fixed(e.weight, 6)), \"lab\": [\(e.lab.map { fixed($0, 3) }.joined(separator: ", "))]}"
        }.joined(separator: ",\n") + "\n]\n"
    }

    static func fixed(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded() / scale
        let s = "\(r)"
        return s
    }

    private struct JSONEntry: Decodable { let color: String; let weight: Double? }

    /// Parses `#RRGGBB,#RRGGBB,…` (names too), or reads a JSON file from `palette --json`.
    static func parse(_ text: String) throws(MeldError) -> Palette {
        if text.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: text) else {
                throw MeldError(.notFound, operation: "remap", "\(text) does not exist or cannot be read")
            }
            let entries: [JSONEntry]
            do { entries = try JSONDecoder().decode([JSONEntry].self, from: data) } catch {
                throw MeldError(.invalidArgument, operation: "remap", "\(text) is not a palette JSON file ([{\"color\": \"#RRGGBB\", \"weight\": w}, …])")
            }
            var out: [Palette.Entry] = []
            for (i, e) in entries.enumerated() {
                guard let c = RGBA(e.color) else { throw MeldError(.invalidArgument, operation: "remap", "\(text) entry \(i + 1): '\(e.color)' is not a colour") }
                out.append(Palette.Entry(colour: c, weight: e.weight ?? 1))
            }
            guard !out.isEmpty else { throw MeldError(.invalidArgument, operation: "remap", "\(text) holds no colours") }
            return Palette(entries: out)
        }
        var colours: [RGBA] = []
        for (i, part) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let t = String(part).filter { !$0.isWhitespace }
            guard let c = RGBA(t) else {
                throw MeldError(.invalidArgument, operation: "remap", "--palette colour \(i + 1) '\(t)' is not a colour (#RGB, #RRGGBB or a name)")
            }
            colours.append(c)
        }
        return Palette(colours: colours)
    }
}
