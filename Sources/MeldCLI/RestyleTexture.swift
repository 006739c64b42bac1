import ArgumentParser
import Meld

struct RestyleTexture: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "texture",
        abstract: "Fill a region with a pattern from another image, keeping the object's shading.",
        discussion: """
          meld restyle texture shoe.jpg --pattern petals.jpg --region mask:shoe-mask.png -o out.jpg
          meld restyle texture shirt.jpg --pattern fabric.jpg --region rect:120,80,400,500 -o out.jpg
        """
    )

    @Argument(help: ArgumentHelp("Input image (the object).", valueName: "input"))
    var input: String

    @Option(help: ArgumentHelp("The image to take the pattern from.", valueName: "path"))
    var pattern: String

    @Option(help: ArgumentHelp("Where to lay the pattern: mask:PATH or rect:X,Y,W,H.", valueName: "spec"))
    var region: String

    @Option(help: ArgumentHelp("Scale the pattern before use (0.05–8; below 1 makes the motif smaller).", valueName: "factor"))
    var patternScale: Double = 1

    @Option(help: ArgumentHelp("Patch side in pattern pixels (8–256; default: a quarter of the pattern's shorter side, 16–96).", valueName: "pixels"))
    var patch: Int?

    @Option(help: ArgumentHelp("How much of the object's shading to keep, 0–2.", valueName: "s"))
    var shading: Double = 1

    @Option(help: ArgumentHelp("Seed of the patch choices.", valueName: "n"))
    var seed: UInt64 = 0x7465_7874

    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try RegionSpec(region, option: "--region")
        do { try transfer.validate() } catch { throw ValidationError(error.message) }
    }

    var transfer: TextureTransfer { TextureTransfer(patchSize: patch, patternScale: patternScale, shading: shading, seed: seed) }

    func run() throws {
        let spec = try RegionSpec(region, option: "--region")
        try reportingErrors("restyle texture") { () throws(MeldError) in
            var inputs = [input, pattern]
            if case .mask(let path) = spec { inputs.append(path) }
            try refuseOutput(output.output, among: inputs, operation: "texture")
            let image = try Image(contentsOf: input, options: inputOptions.loadOptions(sequential: true))
            let mask = try spec.mask(width: image.width, height: image.height, option: "--region")
            let out = try transfer.apply(to: image, pattern: Image(contentsOf: pattern), region: mask)
            try out.write(to: output.output, options: output.saveOptions)
        }
    }
}
