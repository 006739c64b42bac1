import ArgumentParser
import Meld

// The library's operations, named apart from the subcommands of the same names.
typealias RecolorOperation = Recolor
typealias AdjustOperation = Adjust
typealias RemoveOperation = Remove

/// `meld edit`: change one region of a picture and leave every other pixel alone.
struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit one region of an image; every pixel outside it keeps its exact value.",
        discussion: """
        Region specs (--region): rect:x,y,w,h  ellipse:cx,cy,rx,ry  polygon:x1,y1,x2,y2,x3,y3,…  \
        mask:path.png  color:#RRGGBB~tolerance[~fuzziness]  wand:x,y~tolerance  box:x,y,w,h  subject  all. \
        Colour tolerances are CIE Lab ΔE (about 2 is just noticeable). Colours are hex or CSS names.
          meld edit recolor shirt.jpg --region wand:420,380~12 --to navy -o navy.jpg
          meld edit adjust room.jpg --region ellipse:800,600,300,200 --exposure 0.5 --feather 20 -o out.jpg
          meld edit remove street.jpg --mask sign.png -o clean.jpg
          meld edit background product.png --with white -o product-white.jpg
        """,
        subcommands: [Recolor.self, Adjust.self, Remove.self, Background.self]
    )
}

/// How the region is chosen and refined, shared by the edit subcommands.
struct RegionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The region: rect:x,y,w,h, ellipse:cx,cy,rx,ry, polygon:x,y,…, mask:path, color:#RRGGBB~tol, wand:x,y~tol, box:x,y,w,h, subject or all.", valueName: "spec"))
    var region: String?

    @Option(help: ArgumentHelp("A mask image for the region (its alpha, grey or luma); same as --region mask:PATH.", valueName: "path"))
    var mask: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Grow (positive) or shrink (negative) the region by this many pixels.", valueName: "pixels"))
    var grow: Int = 0

    @Option(help: ArgumentHelp("Soften the region's edge over this many pixels; nothing beyond it changes.", valueName: "pixels"))
    var feather: Int = 0

    @Flag(help: "Edit everything except the region.")
    var invert = false

    /// The selection, or `fallback` when neither --region nor --mask is given (nil: required).
    func selection(_ command: String, fallback: Selection? = nil) throws(MeldError) -> Selection {
        var s: Selection
        switch (region, mask) {
        case (let r?, nil): s = try Selection(spec: r, operation: command)
        case (nil, let m?): s = .mask(path: m)
        case (nil, nil):
            guard let fallback else { throw MeldError(.invalidArgument, operation: command, "region: give --region SPEC or --mask PATH") }
            s = fallback
        case (.some, .some): throw MeldError(.invalidArgument, operation: command, "region: give --region or --mask, not both")
        }
        if grow != 0 { s = s.grown(by: grow) }
        if invert { s = s.inverse }
        if feather != 0 { s = s.feathered(radius: feather) }
        try s.validate(operation: command)
        return s
    }
}

extension EditCommand {
    struct Recolor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recolour a region to a colour, keeping its texture and shading.",
            discussion: "Hue and chroma move to the target in CIE LCh; the lightness structure is kept.")

        @Argument(help: ArgumentHelp("Input image.", valueName: "input")) var input: String
        @Option(help: ArgumentHelp("Target colour: #RRGGBB or a CSS name.", valueName: "color")) var to: String?
        @Option(help: ArgumentHelp("Take the target colour from this swatch image's mean colour instead.", valueName: "path")) var swatch: String?
        @OptionGroup var regionOptions: RegionOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if (to == nil) == (swatch == nil) { throw ValidationError("give exactly one of --to COLOR or --swatch IMAGE") }
        }

        func run() throws {
            try reportingErrors("edit recolor") { () throws(MeldError) in
                let target: RecolorOperation.Target
                if let to {
                    guard let colour = RGBA(to) else {
                        throw MeldError(.invalidArgument, operation: "recolor", "to: unknown colour '\(to)'; use #RRGGBB or a CSS colour name")
                    }
                    target = .colour(colour)
                } else {
                    target = .swatch(path: swatch ?? "")
                }
                let op = RecolorOperation(region: try regionOptions.selection("recolor"), to: target)
                try Image(contentsOf: input).applying(op).write(to: output.output, options: output.saveOptions)
            }
        }
    }

    struct Adjust: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Adjust exposure, white balance, contrast, saturation or a curve inside a region.")

        @Argument(help: ArgumentHelp("Input image.", valueName: "input")) var input: String
        @Option(parsing: .unconditional, help: ArgumentHelp("Exposure in stops, −10…10.", valueName: "EV")) var exposure: Double = 0
        @Option(parsing: .unconditional, help: ArgumentHelp("Temperature −100 (cooler) … 100 (warmer).", valueName: "n")) var temperature: Double = 0
        @Option(parsing: .unconditional, help: ArgumentHelp("Tint −100 (green) … 100 (magenta).", valueName: "n")) var tint: Double = 0
        @Option(parsing: .unconditional, help: ArgumentHelp("Contrast −100…100.", valueName: "n")) var contrast: Double = 0
        @Option(parsing: .unconditional, help: ArgumentHelp("Saturation −100 (grey) … 100.", valueName: "n")) var saturation: Double = 0
        @Option(help: ArgumentHelp("Tone curve on sRGB values, points x:y in 0…1, e.g. 0:0,0.25:0.2,0.75:0.85,1:1.", valueName: "points")) var curve: String?
        @OptionGroup var regionOptions: RegionOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingErrors("edit adjust") { () throws(MeldError) in
                var points: [ToneCurve.Point]?
                if let curve {
                    points = []
                    for pair in curve.split(separator: ",") {
                        let xy = pair.split(separator: ":")
                        guard xy.count == 2, let x = Float(xy[0]), let y = Float(xy[1]) else {
                            throw MeldError(.invalidArgument, operation: "adjust", "curve: '\(pair)' is not x:y (e.g. 0.5:0.6)")
                        }
                        points?.append(ToneCurve.Point(x: x, y: y))
                    }
                }
                let op = AdjustOperation(region: try regionOptions.selection("adjust"), exposure: exposure, temperature: temperature,
                                     tint: tint, contrast: contrast, saturation: saturation, curve: points)
                try Image(contentsOf: input).applying(op).write(to: output.output, options: output.saveOptions)
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a region and fill it from its surroundings.",
            discussion: "auto uses diffusion for thin regions (scratches, wires) and PatchMatch otherwise.")

        @Argument(help: ArgumentHelp("Input image.", valueName: "input")) var input: String
        @Option(help: ArgumentHelp("Fill method: auto, patchmatch or diffusion.", valueName: "method")) var method: String = "auto"
        @Option(help: ArgumentHelp("Seed of the random search (the same seed gives the same bytes).", valueName: "n")) var seed: UInt64 = 0
        @Option(help: ArgumentHelp("Patch size for PatchMatch: 5, 7, 9 or 11.", valueName: "pixels")) var patchSize: Int = 7
        @OptionGroup var regionOptions: RegionOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard ["auto", "patchmatch", "diffusion"].contains(method.lowercased()) else {
                throw ValidationError("--method must be auto, patchmatch or diffusion (got '\(method)')")
            }
        }

        func run() throws {
            try reportingErrors("edit remove") { () throws(MeldError) in
                let m: RemoveOperation.Method = switch method.lowercased() {
                case "patchmatch": .patchMatch
                case "diffusion": .diffusion
                default: .automatic
                }
                let op = RemoveOperation(region: try regionOptions.selection("remove"), method: m, seed: seed, patchSize: patchSize)
                try Image(contentsOf: input).applying(op).write(to: output.output, options: output.saveOptions)
            }
        }
    }

    struct Background: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep the subject and put a new background behind it.",
            discussion: """
            --with takes an image path, a colour (#RRGGBB or a CSS name) or a gradient \
            COLOR..COLOR[@angle] (angle in degrees, 90 = top to bottom). The subject is --region/--mask, \
            or, for a cut-out with transparency, its alpha.
            """)

        @Argument(help: ArgumentHelp("Input image.", valueName: "input")) var input: String
        @Option(name: .customLong("with"), help: ArgumentHelp("New background: image path, colour, or gradient A..B[@angle].", valueName: "image|color")) var with: String
        @Option(help: ArgumentHelp("Pull the subject's colour toward the new background, 0 (none) … 1.", valueName: "amount")) var harmonize: Double = 0
        @OptionGroup var regionOptions: RegionOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingErrors("edit background") { () throws(MeldError) in
                let background: ReplaceBackground.Background
                if let colour = RGBA(with) {
                    background = .colour(colour)
                } else if with.contains("..") {
                    var text = Substring(with), angle = 90.0
                    if let at = text.lastIndex(of: "@") {
                        guard let a = Double(text[text.index(after: at)...]) else {
                            throw MeldError(.invalidArgument, operation: "background", "with: bad gradient angle in '\(with)'")
                        }
                        angle = a
                        text = text[..<at]
                    }
                    let parts = text.components(separatedBy: "..")
                    guard parts.count == 2, let a = RGBA(parts[0]), let b = RGBA(parts[1]) else {
                        throw MeldError(.invalidArgument, operation: "background", "with: '\(with)' is not a gradient COLOR..COLOR[@angle] of known colours")
                    }
                    background = .linearGradient(from: a, to: b, angle: angle)
                } else if with.contains("/") || with.contains(".") {
                    background = .image(path: with)
                } else {
                    throw MeldError(.invalidArgument, operation: "background", "with: unknown colour '\(with)'; use #RRGGBB, a CSS colour name, A..B for a gradient or an image path")
                }
                let op = ReplaceBackground(subject: try regionOptions.selection("background", fallback: .subject), background: background,
                                           harmonization: harmonize)
                try Image(contentsOf: input).applying(op).write(to: output.output, options: output.saveOptions)
            }
        }
    }
}
