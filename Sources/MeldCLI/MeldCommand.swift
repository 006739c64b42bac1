import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Meld
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct MeldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meld",
        abstract: "Deterministic multi-image compositing, editing and restyling at full resolution.",
        discussion: """
        Images are read and written through libvips (JPEG, PNG, WebP, TIFF, GIF, HEIF/AVIF, JPEG XL \
        where this build has them: see `meld formats`). Outputs are written to a temporary file and \
        renamed; an existing output is only replaced with --overwrite, and an output that is one of \
        the inputs is refused.
        """,
        version: "0.1.0",
        subcommands: [Info.self, Convert.self, ResizeCommand.self, ComposeCommand.self, HarmonizeCommand.self, BlendCommand.self,
                      EditCommand.self, Restyle.self, CutoutCommand.self, RunCommand.self, BatchCommand.self, SessionCommand.self,
                      WatermarkCommand.self, Formats.self]
    )

    /// One process, one job: skip the libvips modules Meld never reads (faster start-up).
    static func main() {
        Meld.loadsOnlyNeededLibvipsModules = true
        main(nil)
    }
}

/// Runs `body`, turning a MeldError into one line on stderr and exit status 1.
func reportingErrors(_ command: String, _ body: () throws(MeldError) -> Void) throws(ExitCode) {
    do {
        try body()
    } catch {
        // "meld compose: compose: …" says the command twice; drop the operation when it repeats it.
        let line = error.operation == command ? String(error.description.dropFirst(command.count + 2)) : error.description
        printError("meld \(command): \(line)")
        throw ExitCode(1)
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
