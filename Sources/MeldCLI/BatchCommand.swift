import ArgumentParser
import Foundation
import Meld
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `meld batch RECIPE --manifest FILE`: a recipe template over a catalogue.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run a recipe template over every row of a catalogue (CSV or JSON lines).",
        discussion: """
        Each manifest row fills in the recipe's ${column} variables. Failures are isolated (the \
        other items go on; exit status 1 says some failed). Every finished item is appended to \
        the report (JSON lines); rerunning with the same report skips items whose outputs are \
        intact and redoes the rest, so a killed batch resumes where it stopped. --shard I/N runs \
        items I, I+N, I+2N, … (I from 0), so N machines split a catalogue:
          meld batch card.yaml --manifest skus.csv --jobs 2
          meld batch card.yaml --manifest skus.csv --shard $JOB_COMPLETION_INDEX/8     # Kubernetes indexed Job
          meld batch card.yaml --manifest skus.csv --shard $SLURM_ARRAY_TASK_ID/16     # Slurm array 0-15
          parallel meld batch card.yaml --manifest skus.csv --shard {}/4 ::: 0 1 2 3   # GNU parallel
        """)

    @Argument(help: ArgumentHelp("Recipe template (.yaml, .yml or .json).", valueName: "recipe"))
    var recipe: String

    @Option(help: ArgumentHelp("The catalogue: .csv with a header row, or .jsonl (one object per line).", valueName: "file"))
    var manifest: String

    @Option(help: ArgumentHelp("Items run at once.", valueName: "n"))
    var jobs: Int = 1

    @Option(help: ArgumentHelp("Run only shard I of N (items whose 0-based row number is I mod N).", valueName: "I/N"))
    var shard: String?

    @Option(help: ArgumentHelp("Report file, JSON lines, one per item (default: MANIFEST.report.jsonl, or MANIFEST.shard-I-of-N.report.jsonl).", valueName: "path"))
    var report: String?

    @OptionGroup var variables: VariableOptions

    @Flag(help: "Replace outputs that exist but that the report does not record.")
    var overwrite = false

    @Flag(help: "Check every row against the recipe (variables, fields, values) without running anything.")
    var check = false

    @Option(help: ArgumentHelp("Progress display: auto (a bar on a terminal, lines otherwise), bar, lines or none.", valueName: "mode"))
    var progress: String = "auto"

    func validate() throws {
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be 1–256 (got \(jobs))") }
        guard ["auto", "bar", "lines", "none"].contains(progress) else { throw ValidationError("--progress must be auto, bar, lines or none") }
        if let shard { do { _ = try Shard(parsing: shard) } catch { throw ValidationError(error.message) } }
    }

    func run() throws {
        var failed = 0
        let fixed = try variables.values()
        try reportingErrors("batch") { () throws(MeldError) in
            let template = try RecipeTemplate(contentsOf: recipe)
            var catalogue = try Manifest(contentsOf: manifest)
            if !fixed.isEmpty {
                catalogue = try Manifest(columns: catalogue.columns + fixed.keys.sorted().filter { !catalogue.columns.contains($0) },
                                         rows: catalogue.rows.map { $0.merging(fixed) { row, _ in row } })
            }
            let slice = try shard.map { s throws(MeldError) in try Shard(parsing: s) } ?? .all
            let stem = manifest.hasSuffix(".csv") || manifest.hasSuffix(".jsonl") ? String(manifest[..<manifest.lastIndex(of: ".")!]) : manifest
            let reportPath = report ?? (slice.count == 1 ? "\(stem).report.jsonl" : "\(stem).shard-\(slice.index)-of-\(slice.count).report.jsonl")
            let batch = Batch(template: template, manifest: catalogue, shard: slice, jobs: jobs, reportPath: reportPath, overwrite: overwrite)
            if check {
                let problems = batch.check()
                for p in problems { printError("row \(p.row + 1) (\(catalogue.id(ofRow: p.row))): \(p.error.message)") }
                print("\(batch.rows.count - problems.count) of \(batch.rows.count) rows are good")
                failed = problems.count
                return
            }
            // Each item is its own job: nothing needs to stay cached between them.
            Meld.setLibvipsOperationCacheLimit(0)
            // …and large buffers go back to the system when freed: memory stays flat.
            Meld.returnLargeAllocationsToTheSystem()
            let mode = progress == "auto" ? (isatty(2) != 0 ? "bar" : "lines") : progress
            let display = ProgressDisplay(mode: mode, shard: slice)
            let reports = try batch.run { display.update($0) }
            display.finish()
            failed = reports.filter { $0.status == .failed }.count
            let ok = reports.filter { $0.status == .ok }.count, skipped = reports.filter { $0.status == .skipped }.count
            let seconds = display.elapsed
            let rate = seconds > 0 ? Double(ok) / seconds : 0
            print("\(ok) done, \(skipped) skipped (already done), \(failed) failed, of \(reports.count) in \(String(format: "%.1f", seconds)) s (\(String(format: "%.2f", rate)) items/s); report: \(reportPath)")
            for r in reports where r.status == .failed {
                printError("failed: \(r.id): \(r.error ?? "")")
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// A progress bar on a terminal (redrawn in place on stderr) or one line per item.
final class ProgressDisplay: @unchecked Sendable {
    let mode: String
    let shard: Shard
    private let started = Date()
    private var lastDraw = Date.distantPast
    private let lock = NSLock()
    private var drewBar = false

    init(mode: String, shard: Shard) {
        self.mode = mode
        self.shard = shard
    }

    var elapsed: Double { Date().timeIntervalSince(started) }

    func update(_ p: BatchProgress) {
        lock.lock(); defer { lock.unlock() }
        switch mode {
        case "lines":
            guard let r = p.last else { return }
            let status = r.status == .ok ? "ok" : (r.status == .skipped ? "skipped" : "FAILED")
            var line = "[\(p.done)/\(p.total)] \(r.id) \(status) \(String(format: "%.2f", r.seconds)) s"
            if let e = r.error { line += ": " + e }
            printError(line)
        case "bar":
            let now = Date()
            guard p.done == p.total || now.timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = now
            let width = 30, filled = p.total == 0 ? width : width * p.done / p.total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let worked = p.done - p.skipped
            let rate = p.elapsed > 0 ? Double(worked) / p.elapsed : 0
            let remaining = rate > 0 ? Double(p.total - p.done) / rate : 0
            let eta = rate > 0 ? String(format: "%d:%02d", Int(remaining) / 60, Int(remaining) % 60) : "--:--"
            var text = "\r\(bar) \(p.done)/\(p.total)  \(String(format: "%.2f", rate)) items/s  ETA \(eta)"
            if p.skipped > 0 { text += "  skipped \(p.skipped)" }
            if p.failed > 0 { text += "  failed \(p.failed)" }
            if shard.count > 1 { text += "  shard \(shard)" }
            let bytes = Array((text + "\u{1B}[K").utf8)
            _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            drewBar = true
        default:
            break
        }
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drewBar { _ = "\n".utf8CString.withUnsafeBytes { write(2, $0.baseAddress, 1) } }
    }
}
