import ArgumentParser
import Meld

struct HarmonizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "harmonize",
        abstract: "Match the colour and light of a masked region to its surroundings.",
        discussion: """
        The region is where MASK is white (or opaque); the reference is a ring around it (default \
        10 % of the longer side) or, with --reference whole, everything outside it. Pixels outside \
        the mask are not changed.
          meld harmonize composite.jpg --mask object.png -o fixed.jpg
          meld harmonize composite.png --mask object.png -o fixed.png --method white-balance --strength 0.7
        Methods: auto (the boundary fit where the content continues across the mask's edge, \
        ring white balance and exposure for the rest, damped by confidence; the default), boundary \
        (per-channel gain, gamma and saturation from colour pairs across the edge), reinhard \
        (Lab mean/std), affine (Lab mean and covariance), white-balance (Bradford adaptation), \
        exposure (lightness mean and contrast).
        """
    )

    @Argument(help: ArgumentHelp("The composited image.", valueName: "composite"))
    var input: String

    @Option(help: ArgumentHelp("The region to harmonize (any size; alpha, grey or luma).", valueName: "mask"))
    var mask: String

    @Option(help: ArgumentHelp("auto, boundary, reinhard, affine, white-balance or exposure.", valueName: "method"))
    var method: String = "auto"

    @Option(help: ArgumentHelp("0 … 1, how much of the correction to apply.", valueName: "s"))
    var strength: Double = 1

    @Option(help: ArgumentHelp("ring (around the mask) or whole (all of the rest).", valueName: "region"))
    var reference: String = "ring"

    @Option(help: ArgumentHelp("Ring width: pixels (80) or a fraction of the longer side (10%).", valueName: "width"))
    var ring: String = "10%"

    @Flag(help: "Also match focus: blur the region when it is sharper than its surroundings.")
    var focus = false

    @Flag(help: "Print what was estimated (method, confidence, Lab statistics) on standard output.")
    var verbose = false

    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var output: OutputOptions

    func operation() throws -> Harmonize {
        guard let m = HarmonizeMethod(rawValue: method) else {
            throw ValidationError("--method must be one of \(HarmonizeMethod.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(method)')")
        }
        let ref: Harmonize.Reference
        switch reference {
        case "whole": ref = .whole
        case "ring":
            guard let width = Length(ring) else { throw ValidationError("--ring takes pixels (80) or a percentage (10%), got '\(ring)'") }
            ref = .ring(width)
        default: throw ValidationError("--reference must be ring or whole (got '\(reference)')")
        }
        return Harmonize(mask: mask, method: m, strength: strength, reference: ref, focus: focus)
    }

    func validate() throws {
        do { try operation().validate() } catch let error as MeldError { throw ValidationError(error.message) }
    }

    func run() throws {
        let op = try operation()
        try reportingErrors("harmonize") { () throws(MeldError) in
            let image = try Image(contentsOf: input, options: inputOptions.loadOptions(sequential: false))
            let region = try Mask(contentsOf: op.mask, width: image.width, height: image.height)
            let (result, report) = try op.harmonized(image, mask: region)
            try result.write(to: output.output, options: output.saveOptions)
            if verbose {
                func f(_ v: SIMD3<Double>) -> String { "L \(Int(v.x.rounded())) a \(Int(v.y.rounded())) b \(Int(v.z.rounded()))" }
                print("method \(op.method.rawValue), confidence \(Int((report.confidence * 100).rounded()))%")
                print("region:    mean \(f(report.region.mean)), spread \(f(report.region.standardDeviation))")
                print("reference: mean \(f(report.reference.mean)), spread \(f(report.reference.standardDeviation))")
                if let f = report.focus {
                    print("focus:     blur σ \((f.sigma * 100).rounded() / 100) px (detail energy region \(f.regionEnergy), reference \(f.referenceEnergy), \(f.patches) patches)")
                }
                if let b = report.boundary {
                    func g(_ v: SIMD3<Double>) -> String { "\((v.x * 1000).rounded() / 1000) \((v.y * 1000).rounded() / 1000) \((v.z * 1000).rounded() / 1000)" }
                    print("boundary:  \(b.pairs) pairs in \(b.segments) stretches, continuity \(Int((b.continuity * 100).rounded()))%, confidence \(Int((b.confidence * 100).rounded()))%")
                    print("           log gain \(g(b.logGain)) ± \(g(b.logGainVariance.squareRoot())), exponent \(g(b.exponent)) ± \(g(b.exponentVariance.squareRoot()))")
                    print("           log saturation \((b.logSaturation * 1000).rounded() / 1000) ± \((b.logSaturationVariance.squareRoot() * 1000).rounded() / 1000), highlights kept \(g(b.highlightKeep))")
                }
            }
        }
    }
}
