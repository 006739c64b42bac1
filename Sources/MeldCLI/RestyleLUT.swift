import ArgumentParser
import Meld

struct RestyleLUT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lut",
        abstract: "Grade an image with a 3D/1D LUT (.cube file) or a Hald CLUT image.",
        discussion: """
        The LUT maps gamma-encoded sRGB values (as grading tools write them); Meld converts \
        from its linear working space and back, with tetrahedral interpolation for 3D tables.
          meld restyle lut photo.jpg --cube film.cube -o graded.png
          meld restyle lut photo.jpg --hald film-hald.png --strength 0.6 -o graded.jpg
          meld restyle lut photo.jpg --cube film.cube --region mask:sky.png -o graded.jpg
          meld restyle lut photo.jpg --cube film.cube -o graded.png --write-hald film-hald.png
        """
    )

    @Argument(help: ArgumentHelp("Input image.", valueName: "input"))
    var input: String

    @Option(help: ArgumentHelp("A .cube LUT file (Adobe/Resolve format).", valueName: "path"))
    var cube: String?

    @Option(help: ArgumentHelp("A Hald CLUT image (square, side L³, e.g. 512x512 for level 8).", valueName: "path"))
    var hald: String?

    @Option(help: ArgumentHelp("0–1: how much of the grade to apply.", valueName: "s"))
    var strength: Double = 1

    @Option(help: ArgumentHelp("Grade only here: mask:PATH or rect:X,Y,W,H.", valueName: "spec"))
    var region: String?

    @Option(help: ArgumentHelp("Also write the LUT as a 16-bit Hald CLUT image (level 8).", valueName: "path"))
    var writeHald: String?

    @Option(help: ArgumentHelp("Also write the LUT as a .cube file.", valueName: "path"))
    var writeCube: String?

    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (cube == nil) != (hald == nil) else { throw ValidationError("give exactly one of --cube or --hald") }
        guard strength.isFinite && (0...1).contains(strength) else { throw ValidationError("--strength must be 0–1 (got \(strength))") }
        if let region { _ = try RegionSpec(region, option: "--region") }
    }

    func run() throws {
        let regionSpec = try region.map { try RegionSpec($0, option: "--region") }
        try reportingErrors("restyle lut") { () throws(MeldError) in
            let lut = if let cube { try ColourLUT(contentsOfCube: cube) } else { try ColourLUT(contentsOfHald: hald!) }
            let sources = [cube, hald, input].compactMap { $0 }
            try refuseOutput(output.output, among: sources, operation: "lut")
            if let writeHald {
                try refuseOutput(writeHald, among: sources, operation: "lut")
                try lut.haldImage(level: 8).write(to: writeHald, options: SaveOptions(overwrite: output.overwrite))
            }
            if let writeCube {
                try refuseOutput(writeCube, among: sources, operation: "lut")
                try lut.writeCube(to: writeCube, overwrite: output.overwrite)
            }
            let image = try Image(contentsOf: input, options: inputOptions.loadOptions(sequential: true))
            let mask = try regionSpec?.mask(width: image.width, height: image.height, option: "--region")
            let out = try ApplyLUT(lut: lut, strength: strength).apply(to: image, within: mask)
            try out.write(to: output.output, options: output.saveOptions)
        }
    }
}
