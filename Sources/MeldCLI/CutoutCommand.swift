import ArgumentParser
import Meld

/// `meld cutout`: cut the subject out of a photo into a transparent PNG.
struct CutoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cutout",
        abstract: "Cut the subject out of a photo: RGBA with a soft, despilled edge.",
        discussion: """
        Without --box the photo is a product shot: the backdrop (plain, graded or lightly \
        textured) is modelled from the image border. With --box x,y,w,h everything outside the \
        rectangle is background (GrabCut), for busy photos. Write PNG, WebP, TIFF or another format \
        with alpha; JPEG has none.
          meld cutout mug.jpg -o mug.png
          meld cutout street.jpg --box 420,180,600,900 -o bike.png
        """)

    @Argument(help: ArgumentHelp("Input image.", valueName: "input")) var input: String
    @Option(help: ArgumentHelp("A rectangle around the object: x,y,w,h in pixels.", valueName: "x,y,w,h")) var box: String?
    @Option(help: ArgumentHelp("Edge refinement radius in pixels, 1–64 (default: from the image size).", valueName: "pixels")) var edgeRadius: Int?
    @Flag(help: "Keep edge colours as they are (no despill).") var noDespill = false
    @Flag(help: "Hard edge: the upsampled binary mask, no soft alpha.") var hardEdge = false
    @Option(help: ArgumentHelp("Pixels of the working image the segmentation runs on, 10000–4000000.", valueName: "n")) var workingPixels: Int = 250_000
    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let box, CutoutCommand.parseBox(box) == nil {
            throw ValidationError("--box takes x,y,w,h in whole pixels with a positive width and height (got '\(box)')")
        }
        if let f = output.format.flatMap(ImageFormat.init(name:)) ?? ImageFormat(pathExtension: output.output), f == .jpeg {
            throw ValidationError("JPEG has no alpha channel; write the cut-out as PNG, WebP or TIFF")
        }
    }

    static func parseBox(_ text: String) -> Rect? {
        let v = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.filter { $0 != " " }) }
        guard v.count == 4, let x = v[0], let y = v[1], let w = v[2], let h = v[3], w > 0, h > 0 else { return nil }
        return Rect(x: x, y: y, width: w, height: h)
    }

    func run() throws {
        try reportingErrors("cutout") { () throws(MeldError) in
            let op = Cutout(box: box.flatMap(CutoutCommand.parseBox), edgeRadius: edgeRadius, despill: !noDespill,
                            refineEdges: !hardEdge, workingPixels: workingPixels)
            let image = try Image(contentsOf: input, options: inputOptions.loadOptions(sequential: false))
            try image.applying(op).write(to: output.output, options: output.saveOptions)
        }
    }
}
