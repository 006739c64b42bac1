import ArgumentParser
import Meld

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-encode an image in another format or quality, keeping its ICC profile and bit depth where the format allows.",
        discussion: """
        Examples:
          meld convert photo.png -o photo.jpg --quality 90
          meld convert scan.tif -o scan.avif --quality 60
          meld convert photo.jpg -o photo.webp --lossless --strip
        """
    )

    @Argument(help: ArgumentHelp("Input image.", valueName: "input"))
    var input: String

    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingErrors("convert") { () throws(MeldError) in
            let image = try Image(contentsOf: input, options: inputOptions.loadOptions(sequential: true))
            try image.write(to: output.output, options: output.saveOptions)
        }
    }
}
