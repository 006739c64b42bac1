import ArgumentParser
import Meld

struct RestyleRemap: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remap",
        abstract: "Map an image onto a palette (nearest colour in CIE Lab).",
        discussion: """
        --palette takes a comma-separated list of colours, a JSON file from `meld restyle palette \
        --json`, or `image:PATH` to use the --colors dominant colours of another image.
          meld restyle remap photo.jpg --palette '#1B263B,#415A77,#E0E1DD' -o poster.png
          meld restyle remap photo.jpg --palette image:painting.jpg --colors 8 --keep-lightness -o out.jpg
        """
    )

    @Argument(help: ArgumentHelp("Input image.", valueName: "input"))
    var input: String

    @Option(help: ArgumentHelp("Colours (#RRGGBB,…), a palette .json file, or image:PATH.", valueName: "palette"))
    var palette: String

    @Option(help: ArgumentHelp("With --palette image:PATH, how many colours to take (1–\(Palette.maxCount)).", valueName: "K"))
    var colors: Int = 6

    @Flag(help: "Keep each pixel's lightness; take only hue and chroma from the palette.")
    var keepLightness = false

    @Option(help: ArgumentHelp("0–1: how much of the remap to apply.", valueName: "s"))
    var strength: Double = 1

    @Option(help: ArgumentHelp("Remap only here: mask:PATH or rect:X,Y,W,H.", valueName: "spec"))
    var region: String?

    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...Palette.maxCount).contains(colors) else { throw ValidationError("--colors must be 1–\(Palette.maxCount) (got \(colors))") }
        guard strength.isFinite && (0...1).contains(strength) else { throw ValidationError("--strength must be 0–1 (got \(strength))") }
        if let region { _ = try RegionSpec(region, option: "--region") }
    }

    func run() throws {
        let regionSpec = try region.map { try RegionSpec($0, option: "--region") }
        try reportingErrors("restyle remap") { () throws(MeldError) in
            var inputs = [input]
            let target: Palette
            if palette.hasPrefix("image:") {
                let path = String(palette.dropFirst(6))
                inputs.append(path)
                target = try Palette.extract(from: Image(contentsOf: path), count: colors)
            } else {
                target = try PaletteText.parse(palette)
            }
            try refuseOutput(output.output, among: inputs, operation: "remap")
            let image = try Image(contentsOf: input, options: inputOptions.loadOptions(sequential: true))
            let mask = try regionSpec?.mask(width: image.width, height: image.height, option: "--region")
            let out = try PaletteRemap(palette: target, keepLightness: keepLightness, strength: strength).apply(to: image, within: mask)
            try out.write(to: output.output, options: output.saveOptions)
        }
    }
}
