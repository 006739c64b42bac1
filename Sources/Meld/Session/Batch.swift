import Foundation
import Synchronization

/// The rows of a catalogue: one set of recipe variables per item.
///
/// CSV (a header row of column names, then one row per item; RFC 4180 quoting) or JSON lines
/// (`.jsonl`/`.ndjson`: one object per line; values become strings). An item's id is its `id`
/// column, else its `sku` column, else `row-N` (1-based); ids must be unique.
public struct Manifest: Sendable {
    /// Column names, in order.
    public let columns: [String]
    /// One dictionary of variables per item, in file order.
    public let rows: [[String: String]]

    /// Creates a manifest from rows.
    public init(columns: [String], rows: [[String: String]]) throws(MeldError) {
        self.columns = columns
        self.rows = rows
        var seen = Set<String>()
        for i in rows.indices {
            guard seen.insert(id(ofRow: i)).inserted else {
                throw MeldError(.invalidArgument, operation: "batch", "manifest: the id '\(id(ofRow: i))' of row \(i + 1) is used twice")
            }
        }
    }

    /// Reads a `.csv`, `.jsonl` or `.ndjson` file.
    public init(contentsOf path: String) throws(MeldError) {
        let bytes = try RestyleFiles.read(path, operation: "batch", limit: 1 << 30)
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw MeldError(.invalidArgument, operation: "batch", "manifest \(path) is not UTF-8 text")
        }
        let name = (path as NSString).lastPathComponent
        switch (path as NSString).pathExtension.lowercased() {
        case "csv": try self.init(csv: text, name: name)
        case "jsonl", "ndjson": try self.init(jsonLines: text, name: name)
        default: throw MeldError(.unsupportedFormat, operation: "batch", "manifest \(path): use a .csv or .jsonl file")
        }
    }

    /// Parses CSV text with a header row.
    public init(csv text: String, name: String = "manifest") throws(MeldError) {
        var records: [[String]] = [], field = "", record: [String] = [], quoted = false, atStart = true
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        var line = 1
        func endRecord() {
            record.append(field); field = ""
            if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
            record = []; atStart = true
        }
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = iterator.next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where atStart: quoted = true; atStart = false
            case ",": record.append(field); field = ""; atStart = true
            case "\r": break
            case "\n": endRecord(); line += 1
            default: field.unicodeScalars.append(c); atStart = false
            }
        }
        if quoted { throw MeldError(.invalidArgument, operation: "batch", "\(name): a quoted field is not closed (line \(line))") }
        if !field.isEmpty || !record.isEmpty { endRecord() }
        guard let header = records.first else { throw MeldError(.invalidArgument, operation: "batch", "\(name) is empty: it needs a header row") }
        var columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
        if columns[0].hasPrefix("\u{FEFF}") { columns[0].removeFirst() }   // a UTF-8 byte-order mark
        if let empty = columns.firstIndex(where: \.isEmpty) {
            throw MeldError(.invalidArgument, operation: "batch", "\(name): column \(empty + 1) of the header has no name")
        }
        if Set(columns).count != columns.count { throw MeldError(.invalidArgument, operation: "batch", "\(name): a column name is repeated in the header") }
        var rows: [[String: String]] = []
        for (i, r) in records.dropFirst().enumerated() {
            guard r.count == columns.count else {
                throw MeldError(.invalidArgument, operation: "batch", "\(name): row \(i + 1) has \(r.count) fields; the header has \(columns.count)")
            }
            rows.append(Dictionary(uniqueKeysWithValues: zip(columns, r)))
        }
        try self.init(columns: columns, rows: rows)
    }

    /// Parses JSON lines (one object per line; blank lines skipped).
    public init(jsonLines text: String, name: String = "manifest") throws(MeldError) {
        var rows: [[String: String]] = [], columns: [String] = []
        for (i, line) in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let value = try RecipeValue.parse(trimmed, yaml: false, name: "\(name) line \(i + 1)").value
            guard case .object(let pairs) = value else {
                throw MeldError(.invalidArgument, operation: "batch", "\(name) line \(i + 1): expected an object")
            }
            var row: [String: String] = [:]
            for (k, v) in pairs {
                switch v.value {
                case .string(let s): row[k] = s
                case .number(let d): row[k] = v.text ?? RecipeValue.numberText(d)
                case .bool(let b): row[k] = v.text ?? (b ? "true" : "false")
                case .null: row[k] = ""
                default: throw MeldError(.invalidArgument, operation: "batch", "\(name) line \(i + 1): \(k) must be a string, number or boolean")
                }
                if !columns.contains(k) { columns.append(k) }
            }
            rows.append(row)
        }
        try self.init(columns: columns, rows: rows)
    }

    /// The item's id: its `id` or `sku` column, else `row-N`.
    public func id(ofRow i: Int) -> String {
        if let id = rows[i]["id"], !id.isEmpty { return id }
        if let sku = rows[i]["sku"], !sku.isEmpty { return sku }
        return "row-\(i + 1)"
    }
}

/// One slice of a catalogue for one machine: item `i` (0-based, in manifest order) belongs to
/// shard `i mod count`. Every item is in exactly one shard.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// This shard, 0…count−1.
    public let index: Int
    /// How many shards there are.
    public let count: Int

    /// The whole catalogue.
    public static let all = Shard(uncheckedIndex: 0, count: 1)

    private init(uncheckedIndex: Int, count: Int) { index = uncheckedIndex; self.count = count }

    /// Shard `index` of `count`.
    public init(index: Int, count: Int) throws(MeldError) {
        guard count >= 1, (0..<count).contains(index) else {
            throw MeldError(.invalidArgument, operation: "batch", "shard \(index)/\(count): the index must be 0…count−1 and the count at least 1")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`.
    public init(parsing text: String) throws(MeldError) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw MeldError(.invalidArgument, operation: "batch", "shard '\(text)' is not I/N (e.g. 0/4; I counts from 0)")
        }
        try self.init(index: i, count: n)
    }

    /// Whether item `row` (0-based) belongs to this shard.
    public func contains(row: Int) -> Bool { row % count == index }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }
}

/// What happened to one catalogue item: one line of a batch report (JSON lines).
public struct BatchItemReport: Sendable, Hashable, Codable {
    /// The outcome.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Ran and wrote its outputs.
        case ok
        /// Failed; ``error`` says why. Other items went on.
        case failed
        /// Already done by an earlier run (outputs present and intact); not redone.
        case skipped
    }

    /// The item's id.
    public var id: String
    /// Its row in the manifest (0-based).
    public var row: Int
    /// The outcome.
    public var status: Status
    /// The files written (or found intact).
    public var outputs: [WrittenFile]
    /// Why it failed.
    public var error: String?
    /// Seconds spent on the item.
    public var seconds: Double
    /// The process's resident memory after the item, in MiB (Linux; nil elsewhere).
    public var rssMiB: Double?
    /// Hash of the recipe text and the item's variables: an item whose recipe or row changed is
    /// redone on resume.
    public var fingerprint: String
}

/// Counts for a progress display.
public struct BatchProgress: Sendable {
    /// Items in this shard.
    public var total: Int
    /// Items finished (ok, failed or skipped).
    public var done: Int
    /// Items that failed.
    public var failed: Int
    /// Items skipped as already done.
    public var skipped: Int
    /// Seconds since the batch started.
    public var elapsed: Double
    /// The report of the item that just finished.
    public var last: BatchItemReport?
}

/// Runs a recipe template over a catalogue: each manifest row fills in the template's
/// `${variables}`, and the resulting recipe is run (see ``Recipe``).
///
/// - **Isolated failures:** an item that fails is reported and the others go on.
/// - **Resumable:** every finished item is appended to the report (JSON lines, flushed to disk)
///   after its outputs were renamed into place; a rerun with the same report skips items whose
///   outputs are all still there with the recorded size and digest and whose recipe and row are
///   unchanged (``BatchItemReport/fingerprint``), and redoes the rest, removing the temporary
///   files a killed run left behind.
/// - **Sharded:** ``Shard`` picks every N-th item, so N machines split a catalogue with no
///   coordination.
/// - **Deterministic:** every item's outputs are the bytes `meld run` would write for it.
/// - The fingerprint covers the recipe's text and the row's values, not the input files: after
///   changing an input photo in place, rerun with a new report (or delete its outputs).
public struct Batch: Sendable {
    /// The recipe template.
    public var template: RecipeTemplate
    /// The catalogue.
    public var manifest: Manifest
    /// Which items this run does.
    public var shard: Shard
    /// Items run at once (each also uses libvips' threads).
    public var jobs: Int
    /// The report file (JSON lines) that also makes the run resumable.
    public var reportPath: String
    /// Replace outputs that exist but that the report does not record (on a first run they are
    /// otherwise errors; on a resumed run they are taken as left by the killed run and redone).
    public var overwrite: Bool

    /// Creates a batch.
    public init(template: RecipeTemplate, manifest: Manifest, shard: Shard = .all, jobs: Int = 1, reportPath: String, overwrite: Bool = false) {
        self.template = template; self.manifest = manifest; self.shard = shard
        self.jobs = jobs; self.reportPath = reportPath; self.overwrite = overwrite
    }

    /// The rows this shard runs, in order.
    public var rows: [Int] { manifest.rows.indices.filter { shard.contains(row: $0) } }

    /// Checks the template against every row of the shard (variables, fields, values) without
    /// running anything; returns the problems, one per bad row.
    public func check() -> [(row: Int, error: MeldError)] {
        var problems: [(Int, MeldError)] = []
        for row in rows {
            do { _ = try Recipe(template: template, variables: manifest.rows[row]) } catch { problems.append((row, error)) }
        }
        return problems
    }

    /// Runs the shard, calling `progress` after each item (from a worker thread, one call at a
    /// time, in the order items finish; keep it quick). Returns every item's report, in row order.
    ///
    /// - Throws: `.invalidArgument` when two rows would write the same file (nothing runs);
    ///   `.ioFailure` for problems with the report file. Item failures are in the reports.
    public func run(progress: @escaping @Sendable (BatchProgress) -> Void = { _ in }) throws(MeldError) -> [BatchItemReport] {
        guard jobs >= 1 && jobs <= 256 else { throw MeldError(.invalidArgument, operation: "batch", "jobs must be 1…256 (got \(jobs))") }
        try checkDistinctOutputs()
        let resuming = FileManager.default.fileExists(atPath: reportPath)
        let previous = try Self.readReport(reportPath)
        try Recipe.makeFolder(for: reportPath)
        if !resuming, !FileManager.default.createFile(atPath: reportPath, contents: nil) {
            throw MeldError(.ioFailure, operation: "batch", "cannot create the report \(reportPath)")
        }
        guard let handle = FileHandle(forWritingAtPath: reportPath) else {
            throw MeldError(.ioFailure, operation: "batch", "cannot open the report \(reportPath) for writing")
        }
        defer { try? handle.close() }
        let end = (try? handle.seekToEnd()) ?? 0
        if end > 0, let reader = FileHandle(forReadingAtPath: reportPath) {
            // A kill can cut the last line short: start the next record on a line of its own.
            try? reader.seek(toOffset: end - 1)
            if let last = try? reader.read(upToCount: 1), last != Data("\n".utf8) { try? handle.write(contentsOf: Data("\n".utf8)) }
            try? reader.close()
        }

        let rows = self.rows
        let state = Mutex(RunState(progress: BatchProgress(total: rows.count, done: 0, failed: 0, skipped: 0, elapsed: 0, last: nil)))
        let started = Date()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let next = Atomic<Int>(0)
        let replaceUnrecorded = overwrite || resuming
        let workers = min(jobs, max(1, rows.count))
        let batch = self
        let handleBox = HandleBox(handle)

        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let k = next.add(1, ordering: .relaxed).oldValue
                guard k < rows.count else { return }
                let row = rows[k]
                let report = batch.runItem(row: row, previous: previous[batch.manifest.id(ofRow: row)], replaceUnrecorded: replaceUnrecorded)
                let line = (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) + "\n" } ?? ""
                let stop: Bool = state.withLock { s in
                    handleBox.append(line)
                    s.reports[row] = report
                    s.progress.done += 1
                    if report.status == .failed { s.progress.failed += 1 }
                    if report.status == .skipped { s.progress.skipped += 1 }
                    s.progress.elapsed = Date().timeIntervalSince(started)
                    s.progress.last = report
                    progress(s.progress)
                    return handleBox.failure != nil
                }
                if stop { return }
            }
        }
        if let failure = handleBox.failure {
            throw MeldError(.ioFailure, operation: "batch", "cannot write the report \(reportPath): \(failure); the items reported so far are done, rerun to go on")
        }
        return state.withLock { s in rows.compactMap { s.reports[$0] } }
    }

    /// Refuses a catalogue where two rows write the same file (they would overwrite each other
    /// and never both be done). Rows whose recipe does not decode are left to fail on their own.
    func checkDistinctOutputs() throws(MeldError) {
        var owner: [String: Int] = [:]
        let context = Step.Context(baseDirectory: template.baseDirectory)
        for row in rows {
            guard let recipe = try? Recipe(template: template, variables: manifest.rows[row]) else { continue }
            for output in recipe.outputs {
                let target = URL(fileURLWithPath: context.path(output.path)).standardizedFileURL.path
                if let other = owner[target], other != row {
                    throw MeldError(.invalidArgument, operation: "batch",
                                    "rows \(other + 1) (\(manifest.id(ofRow: other))) and \(row + 1) (\(manifest.id(ofRow: row))) both write \(target); make the output paths differ (e.g. with ${sku})")
                }
                owner[target] = row
            }
        }
    }

    private struct RunState {
        var progress: BatchProgress
        var reports: [Int: BatchItemReport] = [:]
    }

    /// Appends report lines and forces them to disk (so a kill loses at most the item in flight).
    private final class HandleBox: @unchecked Sendable {
        let handle: FileHandle
        init(_ handle: FileHandle) { self.handle = handle }
        /// The first write error, if any (the run stops taking new items after it).
        var failure: String?
        /// Called only with the run's lock held.
        func append(_ line: String) {
            do {
                try handle.write(contentsOf: Data(line.utf8))
                try handle.synchronize()
            } catch {
                if failure == nil { failure = "\(error.localizedDescription)" }
            }
        }
    }

    /// The item's fingerprint: the recipe text and its variables.
    func fingerprint(row: Int) -> String {
        let vars = manifest.rows[row].sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1}")
        return WrittenFile.digest(of: Data((template.text + "\u{0}" + vars).utf8))
    }

    func runItem(row: Int, previous: BatchItemReport?, replaceUnrecorded: Bool) -> BatchItemReport {
        let id = manifest.id(ofRow: row), fingerprint = fingerprint(row: row)
        let t0 = Date()
        var report = BatchItemReport(id: id, row: row, status: .ok, outputs: [], error: nil, seconds: 0, rssMiB: nil, fingerprint: fingerprint)
        if let previous, previous.status != .failed, previous.fingerprint == fingerprint, !previous.outputs.isEmpty,
           previous.outputs.allSatisfy(\.isIntact) {
            report.status = .skipped
            report.outputs = previous.outputs
            report.rssMiB = Self.residentMiB()
            return report
        }
        do {
            let recipe = try Recipe(template: template, variables: manifest.rows[row])
            let base = template.baseDirectory
            let context = Step.Context(baseDirectory: base)
            let recorded = Set(previous?.outputs.map(\.path) ?? [])
            var overwrite = replaceUnrecorded
            for output in recipe.outputs {
                let target = context.path(output.path)
                Self.removeLeftoverTemporaries(of: target)
                if recorded.contains(target) { overwrite = true }
            }
            report.outputs = try recipe.run(baseDirectory: base, overwrite: overwrite)
        } catch {
            report.status = .failed
            report.error = error.description
        }
        report.seconds = Date().timeIntervalSince(t0)
        report.rssMiB = Self.residentMiB()
        return report
    }

    /// Removes `.NAME.meld-….tmp` files beside `path` (a killed run's unfinished outputs).
    static func removeLeftoverTemporaries(of path: String) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path, prefix = "." + url.lastPathComponent + ".meld-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }

    /// The last record per item id in an existing report (nil file: empty). Lines that do not
    /// parse (a line cut by a kill) are ignored.
    static func readReport(_ path: String) throws(MeldError) -> [String: BatchItemReport] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MeldError(.ioFailure, operation: "batch", "cannot read the report \(path)")
        }
        var out: [String: BatchItemReport] = [:]
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let r = try? decoder.decode(BatchItemReport.self, from: Data(line)) { out[r.id] = r }
        }
        return out
    }

    /// Resident set size now, from /proc/self/statm.
    static func residentMiB() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let parts = text.split(separator: " ")
        guard parts.count > 1, let pages = Double(parts[1]) else { return nil }
        return (pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576 * 10).rounded() / 10
    }
}
