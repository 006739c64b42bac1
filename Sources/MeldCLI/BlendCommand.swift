import ArgumentParser
import Meld
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct BlendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blend",
        abstract: "Paste the masked part of one photo seamlessly into another (Poisson cloning or multi-band blending).",
        discussion: """
        The mask has SOURCE's size; the centre of its bounding box lands at --center in DEST \
        (the convention of OpenCV's seamlessClone, so scripts port directly).
          meld blend face.jpg --into portrait.jpg --mask face-mask.png --center 640,410 -o out.jpg
          meld blend label.png --into wall.jpg --mask label-mask.png --center 900,300 --mode mixed -o out.jpg
        Modes: normal (source detail, destination colour at the seam), mixed (stronger of source and \
        destination gradients), monochrome (source texture, destination colour), multiband (Laplacian \
        pyramid blend that keeps the source's colours). As in OpenCV, the Poisson modes' seam lies \
        3 px inside the mask, where DEST's own detail guides the blend, unless SOURCE has an alpha \
        channel (a cut-out keeps its edge); --erode sets it. The output has DEST's size; pixels outside the \
        blended rectangle are copied unchanged. Only the region around the mask is decoded to float and \
        solved, so large photos cost little more than decoding and encoding them.
        """
    )

    @Argument(help: ArgumentHelp("Image to take the region from.", valueName: "source"))
    var source: String

    @Option(help: ArgumentHelp("Image to paste into; the output has its size.", valueName: "dest"))
    var into: String

    @Option(help: ArgumentHelp("Mask the size of SOURCE (alpha, grey or luma; Poisson modes use coverage ≥ 50 %).", valueName: "mask"))
    var mask: String

    @Option(help: ArgumentHelp("Where the centre of the mask's bounding box lands in DEST (default: same position as in SOURCE).", valueName: "X,Y"))
    var center: String?

    @Option(help: ArgumentHelp("normal, mixed, monochrome or multiband.", valueName: "mode"))
    var mode: String = "normal"

    @Option(help: ArgumentHelp("Multiband: number of bands 1–12 (default: from the mask's size).", valueName: "n"))
    var bands: Int?

    @Option(help: ArgumentHelp("Poisson modes: stop when a solver cycle changes no value by more than this fraction of full scale.", valueName: "t"))
    var tolerance: Double = 1.0 / 1024

    @Option(help: ArgumentHelp("Shrink the blended region by this many pixels (0–64). Default: 3 for the Poisson modes, as OpenCV's seamlessClone does (its seam lies 3 px inside the mask, so masks drawn for it port unchanged); 0 when SOURCE has an alpha channel (a cut-out: its edge is the object's) and for multiband. --erode 0 blends the mask exactly as given.", valueName: "px"))
    var erode: Int?

    /// `--erode` when given; else OpenCV's 3 px for the Poisson modes, except for a source with
    /// alpha (a cut-out, whose alpha multiplies the mask and bounds the object tightly: eroding
    /// would trim it), and 0 for multiband (a soft blend OpenCV does not have).
    func erosion(sourceHasAlpha: Bool) -> Int {
        erode ?? (mode == SeamlessClone.Mode.multiband.rawValue || sourceHasAlpha ? 0 : Self.openCVErosion)
    }

    /// The pixels by which `cv2.seamlessClone` shrinks every mask (three 3 × 3 erosions).
    static let openCVErosion = 3

    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard SeamlessClone.Mode(rawValue: mode) != nil else {
            throw ValidationError("--mode must be normal, mixed, monochrome or multiband (got '\(mode)')")
        }
        if let center, Self.point(center) == nil {
            throw ValidationError("--center takes X,Y in pixels, e.g. 640,410 (got '\(center)')")
        }
        do { try clone().validate() } catch { throw ValidationError(error.message) }
    }

    static func point(_ text: String) -> SeamlessClone.Point? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let x = Int(parts[0].trimmingPrefixSpaces), let y = Int(parts[1].trimmingPrefixSpaces) else { return nil }
        return SeamlessClone.Point(x: x, y: y)
    }

    /// The clone the options describe; `sourceHasAlpha` chooses the default erosion.
    func clone(sourceHasAlpha: Bool = false) -> SeamlessClone {
        SeamlessClone(mode: SeamlessClone.Mode(rawValue: mode) ?? .normal, center: center.flatMap(Self.point),
                      tolerance: tolerance, bands: bands, erode: erosion(sourceHasAlpha: sourceHasAlpha))
    }

    func run() throws {
        try reportingErrors("blend") { () throws(MeldError) in
            // One job: nothing is worth caching. (Freed buffers are not handed back to the system
            // early: that made every large allocation fault in fresh pages, 0.3 s more system
            // time on a 4 MP region.)
            Meld.setLibvipsOperationCacheLimit(0)
            // Every input is read once, top to bottom, so all are streamed rather than decoded
            // whole into memory first (the destination into the buffer the output is made of).
            let once = inputOptions.loadOptions(sequential: true)
            let sourceImage = try Image(contentsOf: source, options: once)
            let clone = clone(sourceHasAlpha: sourceImage.hasAlpha)
            let destination = try Image(contentsOf: into, options: once)
            let maskImage = try Image(contentsOf: mask, options: once)
            // The mask is read while the destination decodes.
            let result: Image
            do throws(MeldError) {
                result = try clone.apply(source: sourceImage, maskImage: maskImage, into: destination)
            } catch where erode == nil && clone.erode > 0 && error.message.hasPrefix("erode:") {
                // The shrink was not asked for: say which default did it and how to turn it off.
                throw MeldError(error.kind, operation: error.operation,
                                "the mask is too thin for the default \(clone.erode) px shrink (OpenCV's seam); pass --erode 0 to blend it as given")
            }
            if Self.samePath(output.output, mask) {
                throw MeldError(.outputIsInput, operation: "save", "\(output.output) is the mask; write to another path")
            }
            try result.write(to: output.output, options: output.saveOptions)
        }
    }
}

extension BlendCommand {
    /// Whether two paths name the same existing file (symlinks and relative paths resolved).
    static func samePath(_ a: String, _ b: String) -> Bool {
        guard let ra = realpath(a, nil) else { return false }
        defer { free(ra) }
        guard let rb = realpath(b, nil) else { return false }
        defer { free(rb) }
        return strcmp(ra, rb) == 0
    }
}

extension Substring {
    var trimmingPrefixSpaces: Substring { drop(while: { $0 == " " }) }
}
