import ArgumentParser
import Meld

struct RestyleTransfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Give an image the colour look of a reference image.",
        discussion: """
        reinhard (default) matches the mean and spread of L, a and b (CIE Lab); ot matches the \
        whole colour distribution by sliced optimal transport, then regrains so that no banding \
        or noise appears. --region restricts the change to a selection; --reference-region \
        measures only part of the reference.
          meld restyle transfer photo.jpg --reference sunset.jpg -o warm.jpg
          meld restyle transfer photo.jpg --reference sunset.jpg --method ot --strength 0.7 -o warm.jpg
        """
    )

    @Argument(help: ArgumentHelp("Input image.", valueName: "input"))
    var input: String

    @Option(help: ArgumentHelp("The image whose look to take.", valueName: "path"))
    var reference: String

    @Option(help: ArgumentHelp("reinhard (mean and deviation in Lab) or ot (sliced optimal transport + regrain).", valueName: "name"))
    var method: String = "reinhard"

    @Option(help: ArgumentHelp("0–1: how much of the transfer to apply.", valueName: "s"))
    var strength: Double = 1

    @Option(help: ArgumentHelp("ot: rounds of random slices (1–100).", valueName: "n"))
    var iterations: Int = 12

    @Flag(help: "ot: skip the regrain step.")
    var noRegrain = false

    @Option(help: ArgumentHelp("Restyle only here: mask:PATH or rect:X,Y,W,H.", valueName: "spec"))
    var region: String?

    @Option(help: ArgumentHelp("Measure only this part of the reference: mask:PATH or rect:X,Y,W,H.", valueName: "spec"))
    var referenceRegion: String?

    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var output: OutputOptions

    func transfer() throws -> ColourTransfer {
        guard let m = ColourTransfer.Method(rawValue: method) else {
            throw ValidationError("--method must be reinhard or ot (got '\(method)')")
        }
        return ColourTransfer(method: m, strength: strength, regrain: !noRegrain, iterations: iterations)
    }

    func validate() throws {
        do { try transfer().validate() } catch let error as MeldError { throw ValidationError(error.message) }
        if let region { _ = try RegionSpec(region, option: "--region") }
        if let referenceRegion { _ = try RegionSpec(referenceRegion, option: "--reference-region") }
    }

    func run() throws {
        let operation = try transfer()
        let regionSpec = try region.map { try RegionSpec($0, option: "--region") }
        let referenceSpec = try referenceRegion.map { try RegionSpec($0, option: "--reference-region") }
        try reportingErrors("restyle transfer") { () throws(MeldError) in
            try refuseOutput(output.output, among: [input, reference], operation: "transfer")
            let image = try Image(contentsOf: input, options: inputOptions.loadOptions(sequential: true))
            // Only the reference's colour statistics matter: decode it shrunk.
            let ref = try Image(contentsOf: reference, resizedWith: Resize(.fit(width: 1024, height: 1024)),
                                options: inputOptions.loadOptions(sequential: false))
            let mask = try regionSpec?.mask(width: image.width, height: image.height, option: "--region")
            let referenceMask = try referenceSpec?.mask(width: ref.width, height: ref.height, option: "--reference-region")
            let out = try operation.apply(to: image, reference: ref, mask: mask, referenceMask: referenceMask)
            try out.write(to: output.output, options: output.saveOptions)
        }
    }
}
