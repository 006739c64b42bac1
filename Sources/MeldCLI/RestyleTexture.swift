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

    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try RegionSpec(region, option: "--region")
    }

    func run() throws {
        printError("meld restyle texture: not available yet")
        throw ExitCode(1)
    }
}
