import Foundation

/// A multi-step edit with memory: named input images, a history of typed ``Step``s with undo,
/// redo and branching from any step, and a cache so that changing or undoing step k
/// recomputes from step k only.
///
/// Every step is kept as data, so a session can be exported as a ``Recipe`` and replayed, and
/// replaying gives byte-identical files. Nothing drifts: a step changes what it says it changes
/// and the steps before it are never recomputed differently.
///
/// ```swift
/// let session = try Session(inputs: [.init(name: "room", path: "room.jpg")])
/// try session.apply(Step(commandLine: "recolor region=wand:420,310~12 to=#3EB489"))
/// try session.apply(Step(commandLine: "remove mask=cup.png"))
/// session.undo()                       // back to the recoloured room (from the cache)
/// try session.apply(Step(commandLine: "adjust exposure=0.3"))   // a new branch
/// try session.image().write(to: "room-mint.jpg")
/// try session.recipe(outputs: [.init(path: "room-mint.jpg")]).write(to: "room.yaml")
/// ```
///
/// History is a tree: each entry has a parent (nil: the start image). ``undo()`` moves to the
/// parent, ``redo()`` back down, ``checkout(_:)`` to any entry; a step applied after an undo
/// or a checkout starts a new branch and the old one stays reachable by its id.
/// The cache holds computed images up to ``cacheLimit`` bytes, least recently used first out.
/// A session is not thread-safe: use it from one thread (or actor) at a time.
public final class Session {
    /// One applied step.
    public struct Entry: Sendable, Hashable {
        /// Its id (0, 1, 2, … in the order steps were applied).
        public let id: Int
        /// The entry it was applied to (nil: the start image).
        public let parent: Int?
        /// The step.
        public let step: Step
    }

    /// The named inputs.
    public let inputs: [Recipe.Input]
    /// The input the history starts from.
    public let start: String
    /// The folder relative paths in steps are resolved against.
    public let baseDirectory: String?
    /// Every entry ever applied, by id (all branches).
    public private(set) var entries: [Entry] = []
    /// The entry whose result is the current image (nil: the start image).
    public private(set) var current: Int?
    /// Bytes of computed images kept for undo and branching (default 1 GiB; the current image
    /// is always kept).
    public var cacheLimit: Int = 1 << 30
    /// How many steps have been computed (not served from the cache) since the session began.
    public private(set) var stepsComputed = 0

    private let context: Step.Context
    private var redoStack: [Int] = []
    private var cache: [Int: Image] = [:]
    private var lastUse: [Int: Int] = [:]
    private var clock = 0

    /// Opens the inputs (`start` defaults to the first).
    public init(inputs: [Recipe.Input], start: String? = nil, baseDirectory: String? = nil) throws(MeldError) {
        let recipe = Recipe(inputs: inputs, start: start)
        try recipe.validate()
        self.inputs = inputs
        self.start = start ?? inputs[0].name
        self.baseDirectory = baseDirectory
        context = try recipe.loadInputs(baseDirectory: baseDirectory)
    }

    /// Opens a recipe's inputs and applies its steps (outputs are not written).
    public convenience init(recipe: Recipe, baseDirectory: String? = nil) throws(MeldError) {
        try self.init(inputs: recipe.inputs, start: recipe.start, baseDirectory: baseDirectory)
        for step in recipe.steps { try apply(step) }
    }

    /// The entries from the start image to the current one, oldest first.
    public var history: [Entry] { path(to: current) }

    /// True when there is a step to undo.
    public var canUndo: Bool { current != nil }
    /// True when an undone step can be redone.
    public var canRedo: Bool { !redoStack.isEmpty }

    /// Applies `step` to the current image. On failure the session is unchanged.
    @discardableResult
    public func apply(_ step: Step) throws(MeldError) -> Image {
        let base = try image()
        let result: Image
        do {
            result = try step.apply(to: base, context: context).materialized()
        } catch {
            throw MeldError(error.kind, operation: step.name, error.message, detail: error.detail)
        }
        stepsComputed += 1
        let entry = Entry(id: entries.count, parent: current, step: step)
        entries.append(entry)
        current = entry.id
        redoStack = []
        store(result, for: entry.id)
        return result
    }

    /// Steps back to the parent of the current entry. Returns false at the start.
    @discardableResult
    public func undo() -> Bool {
        guard let c = current else { return false }
        redoStack.append(c)
        current = entries[c].parent
        return true
    }

    /// Redoes the last undone step. Returns false when there is none.
    @discardableResult
    public func redo() -> Bool {
        guard let next = redoStack.popLast() else { return false }
        current = next
        return true
    }

    /// Makes entry `id` current (nil: the start image); the next step applied branches from it.
    public func checkout(_ id: Int?) throws(MeldError) {
        if let id, !entries.indices.contains(id) {
            throw MeldError(.invalidArgument, operation: "session", "there is no step \(id) (steps are 0…\(entries.count - 1))")
        }
        current = id
        redoStack = []
    }

    /// Replaces step `index` of the current ``history`` with `step` and re-applies the steps
    /// after it: a new branch whose first `index` steps are the same entries, so only steps
    /// `index`… are computed. The old branch stays in ``entries``.
    @discardableResult
    public func replaceStep(at index: Int, with step: Step) throws(MeldError) -> Image {
        let h = history
        guard h.indices.contains(index) else {
            throw MeldError(.invalidArgument, operation: "session", "there is no step \(index) in the history (0…\(h.count - 1))")
        }
        let savedCurrent = current, savedCount = entries.count, savedRedo = redoStack
        current = h[index].parent
        do {
            try apply(step)
            for later in h[(index + 1)...] { try apply(later.step) }
        } catch {
            // Leave the session as it was.
            for id in savedCount..<entries.count { cache[id] = nil; lastUse[id] = nil }
            entries.removeLast(entries.count - savedCount)
            current = savedCurrent
            redoStack = savedRedo
            throw error
        }
        return try image()
    }

    /// The current image (computed from the nearest cached ancestor when not cached).
    public func image() throws(MeldError) -> Image {
        try image(of: current)
    }

    /// The image after entry `id` (nil: the start image).
    public func image(of id: Int?) throws(MeldError) -> Image {
        guard let id else { return context.inputs[start]!.image }
        if let hit = cache[id] {
            clock += 1
            lastUse[id] = clock
            return hit
        }
        let entry = entries[id]
        let base = try image(of: entry.parent)
        let result = try entry.step.apply(to: base, context: context).materialized()
        stepsComputed += 1
        store(result, for: id)
        return result
    }

    /// The current history as a recipe writing `outputs`.
    public func recipe(outputs: [Recipe.Output] = []) -> Recipe {
        Recipe(inputs: inputs, start: start == inputs.first?.name ? nil : start, steps: history.map(\.step), outputs: outputs)
    }

    /// The context steps run in (inputs and folder).
    public var stepContext: Step.Context { context }

    private func path(to id: Int?) -> [Entry] {
        var out: [Entry] = []
        var node = id
        while let n = node {
            out.append(entries[n])
            node = entries[n].parent
        }
        return out.reversed()
    }

    private func store(_ image: Image, for id: Int) {
        clock += 1
        cache[id] = image
        lastUse[id] = clock
        var total = cache.values.reduce(0) { $0 + $1.memoryFootprint }
        while total > cacheLimit, let victim = lastUse.filter({ $0.key != current && $0.key != id }).min(by: { $0.value < $1.value })?.key {
            total -= cache[victim]?.memoryFootprint ?? 0
            cache[victim] = nil
            lastUse[victim] = nil
        }
    }
}

// MARK: The line vocabulary

extension Step {
    /// Reads a step from one line in the command-line vocabulary:
    /// `NAME key=value key=value …`, e.g. `recolor region=wand:420,310~12 to=#3EB489` or
    /// `place image=bottle x=120 y=340 width=25% harmonize=auto`. Values may be quoted
    /// (`"…"` or `'…'`) to hold spaces. The keys are the recipe's (see ``Step``).
    ///
    /// - Throws: `.invalidArgument` naming the step and the field.
    public init(commandLine line: String) throws(MeldError) {
        let words = try Self.words(in: line)
        guard let name = words.first else { throw MeldError(.invalidArgument, operation: "session", "empty command") }
        var fields: [(key: String, value: RecipeValue.Located)] = []
        for word in words.dropFirst() {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
                throw MeldError(.invalidArgument, operation: name, "'\(word)' is not key=value (e.g. region=rect:0,0,100,100)")
            }
            let key = String(word[..<eq]), value = String(word[word.index(after: eq)...])
            if fields.contains(where: { $0.key == key }) { throw MeldError(.invalidArgument, operation: name, "\(key) is given twice") }
            // Numbers and true/false become typed values (keeping their text, so that a field
            // wanting a string still gets exactly what was typed): fields read by Codable types
            // (compose, place, watermark) need them typed.
            let typed: RecipeValue
            let textual: Set<String> = ["text", "logo", "font", "name", "image", "mask", "key", "payload"]
            if textual.contains(key) { typed = .string(value) }
            else if let d = Double(value), d.isFinite, !value.hasPrefix("+"), !value.lowercased().hasPrefix("0x") { typed = .number(d) }
            else if value == "true" || value == "false" { typed = .bool(value == "true") }
            else { typed = .string(value) }
            fields.append((key, .init(typed, text: typed == .string(value) ? nil : value)))
        }
        let tree = RecipeValue.Located(.object([(name, .init(.object(fields)))]))
        var path = RecipePath()
        path.document = "command"
        do {
            self = try Step(tree, path: path)
        } catch {
            // "command: recolor.to: unknown colour" → "recolor: to: unknown colour".
            var message = error.message
            if message.hasPrefix("command: (top level): ") { message.removeFirst("command: (top level): ".count) }
            if message.hasPrefix("command: \(name).") { message.removeFirst("command: \(name).".count) }
            if message.hasPrefix("command: \(name): ") { message.removeFirst("command: \(name): ".count) }
            throw MeldError(error.kind, operation: name, message, detail: error.detail)
        }
    }

    /// The step as one command line (the inverse of ``init(commandLine:)`` for steps whose
    /// fields are all simple values).
    public var commandLine: String {
        guard let value = try? recipeValue(), case .object(let top) = value, let (name, body) = top.first,
              case .object(let fields) = body.value else { return name }
        var out = name
        for (k, v) in fields {
            let text: String
            switch v.value {
            case .string(let s): text = s
            case .number(let d): text = RecipeValue.numberText(d)
            case .bool(let b): text = b ? "true" : "false"
            default: text = v.value.compactJSON()
            }
            let needsQuotes = text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\\" })
            out += " \(k)=" + (needsQuotes ? "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" : text)
        }
        return out
    }

    /// Splits a command line into words: spaces separate, `"…"` and `'…'` group, a backslash
    /// escapes the next character, `#` at the start of a word begins a comment.
    public static func words(in line: String) throws(MeldError) -> [String] {
        var words: [String] = [], word = "", inWord = false
        var quote: Character?
        var escaped = false
        for ch in line {
            if escaped { word.append(ch); escaped = false; continue }
            if ch == "\\" && quote != "'" { escaped = true; inWord = true; continue }
            if let q = quote {
                if ch == q { quote = nil } else { word.append(ch) }
                continue
            }
            if ch == "\"" || ch == "'" { quote = ch; inWord = true; continue }
            if ch == " " || ch == "\t" {
                if inWord { words.append(word); word = ""; inWord = false }
                continue
            }
            if ch == "#" && !inWord { break }   // a comment
            word.append(ch)
            inWord = true
        }
        if quote != nil { throw MeldError(.invalidArgument, operation: "session", "unclosed quote in: \(line)") }
        if escaped { word.append("\\") }
        if inWord { words.append(word) }
        return words
    }
}
