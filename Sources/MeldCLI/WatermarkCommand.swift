import ArgumentParser
import Dispatch
import Foundation
import Meld

/// `meld watermark …`: invisible keyed marks (embed, detect) and visible marks.
struct WatermarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watermark",
        abstract: "Embed and detect invisible keyed watermarks; draw visible ones.",
        discussion: """
          meld watermark embed photo.jpg --key s3cret --payload c0ffee01 -o marked.jpg [--strength 1]
          meld watermark detect marked.jpg --key s3cret [--bits 32] [--json]   (exit 0: found, 1: not found)
          meld watermark visible photo.jpg --text "© Meld 2026" --placement tiled -o proof.jpg
          meld watermark visible photo.jpg --logo logo.png --placement bottom-right -o out.jpg
        """,
        subcommands: [WatermarkEmbed.self, WatermarkDetect.self, WatermarkVisible.self]
    )
}

struct WatermarkEmbed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Hide a keyed payload of up to 64 bits in an image, invisibly.",
        discussion: """
        The payload is 1–16 hex digits (4 bits each; the length is stored). Default strength 1 \
        keeps PSNR near 43 dB and survives JPEG 50, resizing to half and back, 10 % crops, \
        rotations up to 3°, brightness/contrast, mild blur and noise.
        """
    )

    @Argument(help: ArgumentHelp("The image to mark.", valueName: "input"))
    var input: String

    @Option(help: ArgumentHelp("The secret key (any text).", valueName: "key"))
    var key: String

    @Option(help: ArgumentHelp("1–16 hex digits, e.g. c0ffee01.", valueName: "hex"))
    var payload: String

    @Option(help: ArgumentHelp("0.25 … 4 (1: PSNR ≈ 43 dB; higher is more robust and more visible).", valueName: "s"))
    var strength: Double = 1

    @Flag(help: "Print the time taken to mark (after decoding, before encoding) on standard output.")
    var verbose = false

    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var output: OutputOptions

    func operation() throws -> InvisibleWatermark {
        try asValidation { () throws(MeldError) in
            let op = InvisibleWatermark(key: key, payload: try WatermarkPayload(hex: payload), strength: strength)
            try op.validate()
            return op
        }
    }

    func validate() throws { _ = try operation() }

    func run() throws {
        let op = try operation()
        try reportingErrors("watermark embed") { () throws(MeldError) in
            let image = try Image(contentsOf: input, options: inputOptions.loadOptions(sequential: false))
            if verbose {
                // Time the marking alone: decoded pixels in, an image ready to encode out.
                var raster = try image.raster()
                let t0 = DispatchTime.now().uptimeNanoseconds, c0 = processCPUSeconds()
                op.embed(in: &raster)
                _ = try Image(raster: raster, bitDepth: image.bitDepth > 8 ? 16 : 8)
                let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, cpu = processCPUSeconds() - c0
                print("marked in \(String(format: "%.4f", wall)) s (CPU \(String(format: "%.4f", cpu)) s on all threads)")
            }
            try image.applying(op).write(to: output.output, options: output.saveOptions)
        }
    }
}

struct WatermarkDetect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Look for a keyed invisible watermark; print its payload and confidence.",
        discussion: """
        Exit status 0 when a mark made with KEY is found, 1 when not (or on error). A report of \
        "no mark" comes with the false-positive bound of the search (≤ candidates × 2^-32).
        """
    )

    @Argument(help: ArgumentHelp("The image(s) to examine.", valueName: "input"))
    var inputs: [String]

    @Option(help: ArgumentHelp("The secret key the mark was made with.", valueName: "key"))
    var key: String

    @Option(help: ArgumentHelp("The payload length to expect, 1–64 bits (a mark of another length is not accepted).", valueName: "n"))
    var bits: Int?

    @Flag(help: "Print a JSON object (one line per input) instead of text.")
    var json = false

    @OptionGroup var inputOptions: InputOptions

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give an image to examine") }
        if key.isEmpty { throw ValidationError("--key is empty") }
        if let bits, !(1...64).contains(bits) { throw ValidationError("--bits must be 1–64 (got \(bits))") }
    }

    func run() throws {
        var allFound = true
        for input in inputs {
            var result: WatermarkDetection?
            var decode = 0.0, seconds = 0.0, cpu = 0.0
            try reportingErrors("watermark detect") { () throws(MeldError) in
                let image = try Image(contentsOf: input, options: inputOptions.loadOptions(sequential: false))
                let t0 = DispatchTime.now().uptimeNanoseconds
                let raster = try image.raster()
                let t1 = DispatchTime.now().uptimeNanoseconds, c1 = processCPUSeconds()
                if image.width < 64 || image.height < 64 {
                    throw MeldError(.invalidArgument, operation: "watermark", "image is \(image.width)x\(image.height); invisible marks need at least 64x64 pixels")
                }
                result = InvisibleWatermark.detect(in: raster, key: key, bits: bits)
                decode = Double(t1 - t0) / 1e9
                seconds = Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9
                cpu = processCPUSeconds() - c1
            }
            guard let r = result else { throw ExitCode(1) }
            allFound = allFound && r.found
            let name = inputs.count > 1 ? "\(input): " : ""
            if json {
                func num(_ v: Double) -> String { v.isFinite ? String(format: "%.4g", v) : "0" }
                var fields = ["\"found\": \(r.found)"]
                if inputs.count > 1 { fields.insert("\"input\": \"\(input.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"", at: 0) }
                fields.append("\"payload\": " + (r.payload.map { "\"\($0.hex)\"" } ?? "null"))
                fields.append("\"bits\": " + (r.payload.map { "\($0.bitCount)" } ?? "null"))
                fields.append("\"confidence\": \(num(r.confidence))")
                fields.append("\"sync_score\": \(num(r.syncScore))")
                fields.append("\"rotation\": \(num(r.rotation))")
                fields.append("\"cell_size\": \(r.cellSize)")
                fields.append("\"attempts\": \(r.attempts)")
                fields.append("\"false_positive_bound\": \(String(format: "%.3g", r.falsePositiveBound))")
                fields.append("\"best_guess\": " + (r.bestGuess.map { "\"\($0.hex)\"" } ?? "null"))
                fields.append("\"decode_seconds\": \(String(format: "%.4f", decode))")
                fields.append("\"seconds\": \(String(format: "%.4f", seconds))")
                fields.append("\"cpu_seconds\": \(String(format: "%.4f", cpu))")
                print("{" + fields.joined(separator: ", ") + "}")
            } else if let p = r.payload, r.found {
                print("\(name)payload \(p.hex) (\(p.bitCount) bits), confidence \(String(format: "%.2f", r.confidence)), sync \(String(format: "%.1f", r.syncScore)), rotation \(String(format: "%.2f", r.rotation))°")
            } else {
                print("\(name)no mark (sync \(String(format: "%.1f", r.syncScore)); false-positive bound \(String(format: "%.1e", r.falsePositiveBound)))")
            }
        }
        if !allFound { throw ExitCode(1) }
    }
}

struct WatermarkVisible: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visible",
        abstract: "Draw a visible text or logo watermark, sized relative to the image.",
        discussion: """
        Sizes are fractions of the image's shorter side, so the mark looks the same at every size.
          meld watermark visible photo.jpg --text "© Meld 2026" -o out.jpg
          meld watermark visible photo.jpg --text "样片 Proof" --placement tiled --opacity 0.3 -o proof.jpg
          meld watermark visible photo.jpg --logo logo.png --placement top-left --size 0.15 -o out.png
        """
    )

    @Argument(help: ArgumentHelp("The image to mark.", valueName: "input"))
    var input: String

    @Option(help: ArgumentHelp("The text to draw (any script).", valueName: "text"))
    var text: String?

    @Option(help: ArgumentHelp("An image to draw instead of text (PNG with alpha works best).", valueName: "image"))
    var logo: String?

    @Option(help: ArgumentHelp("top-left, top, top-right, left, centre, right, bottom-left, bottom, bottom-right or tiled.", valueName: "where"))
    var placement: String = "bottom-right"

    @Option(help: ArgumentHelp("Font size (text) or width (logo) as a fraction of the shorter side (default 0.05 text, 0.2 logo).", valueName: "f"))
    var size: Double?

    @Option(help: ArgumentHelp("Gap to the edges as a fraction of the shorter side.", valueName: "f"))
    var margin: Double = 0.03

    @Option(help: ArgumentHelp("Clockwise rotation in degrees (default 0; -30 when tiled).", valueName: "deg"))
    var angle: Double?

    @Option(help: ArgumentHelp("0 … 1.", valueName: "a"))
    var opacity: Double = 0.6

    @Option(help: ArgumentHelp("Blend mode: normal, multiply, screen, overlay, soft-light, ... (CSS names).", valueName: "mode"))
    var blend: String = "normal"

    @Option(help: ArgumentHelp("Text colour: #RRGGBB[AA] or a CSS name.", valueName: "colour"))
    var color: String = "white"

    @Option(help: ArgumentHelp("Pango font description.", valueName: "font"))
    var font: String = "Noto Sans CJK SC Bold"

    @Option(help: ArgumentHelp("Tiled: gap between marks as a fraction of the shorter side.", valueName: "f"))
    var spacing: Double = 0.12

    @Flag(help: "Draw text without its soft shadow.")
    var noShadow = false

    @OptionGroup var inputOptions: InputOptions
    @OptionGroup var output: OutputOptions

    func operation() throws -> Watermark {
        let mark: Watermark.Mark
        switch (text, logo) {
        case (let t?, nil): mark = .text(t)
        case (nil, let l?): mark = .logo(l)
        default: throw ValidationError("give exactly one of --text or --logo")
        }
        guard let p = Watermark.Placement(rawValue: placement == "center" ? "centre" : placement) else {
            throw ValidationError("--placement must be one of \(Watermark.Placement.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(placement)')")
        }
        guard let mode = BlendMode(rawValue: blend) else { throw ValidationError("unknown --blend '\(blend)'") }
        guard let colour = RGBA(color) else { throw ValidationError("--color takes #RRGGBB[AA] or a colour name (got '\(color)')") }
        let op = Watermark(mark, placement: p, size: size, margin: margin, angle: angle, opacity: opacity, blend: mode,
                           color: colour, font: font, spacing: spacing, shadow: !noShadow)
        try asValidation { () throws(MeldError) in try op.validate() }
        return op
    }

    func validate() throws { _ = try operation() }

    func run() throws {
        let op = try operation()
        try reportingErrors("watermark visible") { () throws(MeldError) in
            let image = try Image(contentsOf: input, options: inputOptions.loadOptions(sequential: false))
            try image.applying(op).write(to: output.output, options: output.saveOptions)
        }
    }
}

/// Runs `body`, turning a MeldError into a usage error (exit status 64 with the message).
func asValidation<T>(_ body: () throws(MeldError) -> T) throws -> T {
    do { return try body() } catch { throw ValidationError(error.message) }
}

/// CPU time (user + system) the process has used so far, over all its threads: a cost that,
/// unlike wall time, does not grow when other work shares the machine.
func processCPUSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
