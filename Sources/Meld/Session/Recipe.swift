import Foundation

/// A whole job as data: named inputs, the steps to run on one of them, and the files to write.
///
/// The schema (version 1), in YAML (JSON has the same shape):
///
/// ```yaml
/// version: 1
/// inputs:                      # name: path (relative to the recipe's folder)
///   photo: shoe.jpg
///   logo: logo.png
/// start: photo                 # the image the steps start from (default: the first input)
/// steps:                       # see Step for every step and its fields
///   - recolor: {region: "color:#C0392B~18", to: "#3EB489"}
///   - compose: {canvas: input, layers: [{image: logo, anchor: bottom-right, width: 12%}]}
/// output-steps:                # run on every output after its resize (marks belong here)
///   - invisible-watermark: {key: "${key}", payload: "C0FFEE01"}
/// outputs:                     # one or more files from the final image
///   - {path: out/shoe-2000.jpg, width: 2000, quality: 90, progressive: true}
///   - {path: out/shoe-800.webp, fit: 800x800}
///   - {path: out/shoe-thumb.jpg, fill: 400x400, strip: true}
/// ```
///
/// Strings may use `${name}` variables (set by `meld run --set` or by a batch manifest's
/// columns; `$${` is a literal `${`). Unknown fields, wrong types and bad values are errors
/// naming the line (YAML) and the field path, e.g. `shoe.yaml:7: steps[0].recolor.to: unknown
/// colour 'mintt'`. Running a recipe is deterministic: the same inputs give byte-identical
/// outputs on any machine with the same libvips, on any number of threads.
public struct Recipe: Sendable, Hashable {
    /// The schema version this build reads and writes.
    public static let currentVersion = 1

    /// A named input image.
    public struct Input: Sendable, Hashable {
        /// The name steps use for it.
        public var name: String
        /// Its file (relative to the recipe's folder).
        public var path: String
        /// Creates an input.
        public init(name: String, path: String) { self.name = name; self.path = path }
    }

    /// One file written from the final image.
    public struct Output: Sendable, Hashable {
        /// Where (relative to the recipe's folder; folders are created).
        public var path: String
        /// Resampled first (nil: full size).
        public var resize: Resize?
        /// Format and encoder settings (the format comes from the extension unless set).
        public var options: SaveOptions
        /// Steps for this output only, after its resize and the recipe's ``Recipe/outputSteps``.
        public var steps: [Step]
        /// Creates an output.
        public init(path: String, resize: Resize? = nil, options: SaveOptions = SaveOptions(), steps: [Step] = []) {
            self.path = path; self.resize = resize; self.options = options; self.steps = steps
        }
    }

    /// Schema version (1).
    public var version: Int
    /// Named inputs, in order.
    public var inputs: [Input]
    /// The input the steps start from (nil: the first).
    public var start: String?
    /// The steps, in order.
    public var steps: [Step]
    /// Steps run on every output after its resize: a visible or invisible watermark sized for
    /// each output belongs here (a mark embedded before a resize to a quarter is not read back).
    public var outputSteps: [Step] = []
    /// The files to write.
    public var outputs: [Output]

    /// Creates a recipe.
    public init(inputs: [Input], start: String? = nil, steps: [Step] = [], outputs: [Output] = []) {
        version = Self.currentVersion
        self.inputs = inputs; self.start = start; self.steps = steps; self.outputs = outputs
    }

    /// Checks names, steps and outputs without touching any file.
    public func validate() throws(MeldError) {
        func fail(_ m: String) -> MeldError { MeldError(.invalidArgument, operation: "recipe", m) }
        guard version == Self.currentVersion else {
            throw fail("version \(version) is not supported (this build reads version \(Self.currentVersion))")
        }
        guard !inputs.isEmpty else { throw fail("inputs: at least one input is needed") }
        var seen = Set<String>()
        for input in inputs {
            guard !input.name.isEmpty, input.name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw fail("inputs: '\(input.name)' is not a name (letters, digits, _ and -)")
            }
            guard seen.insert(input.name).inserted else { throw fail("inputs: '\(input.name)' is given twice") }
            if input.path.isEmpty { throw fail("inputs.\(input.name): the path is empty") }
        }
        if let start, !seen.contains(start) { throw fail("start: '\(start)' is not one of the inputs (\(inputs.map(\.name).joined(separator: ", ")))") }
        for (i, step) in steps.enumerated() {
            do { try step.validate() } catch { throw fail("steps[\(i)].\(step.name): \(error.message)") }
        }
        for (i, step) in outputSteps.enumerated() {
            do { try step.validate() } catch { throw fail("output-steps[\(i)].\(step.name): \(error.message)") }
        }
        var paths = Set<String>()
        for (i, output) in outputs.enumerated() {
            if output.path.isEmpty { throw fail("outputs[\(i)].path: empty") }
            guard paths.insert(output.path).inserted else { throw fail("outputs[\(i)].path: \(output.path) is written twice") }
            guard let format = output.options.format ?? ImageFormat(pathExtension: output.path) else {
                throw fail("outputs[\(i)].path: cannot tell the format of \(output.path); name one with format:")
            }
            do { try output.options.validate(for: format) } catch { throw fail("outputs[\(i)]: \(error.message)") }
            do { try output.resize?.validate() } catch { throw fail("outputs[\(i)]: \(error.message)") }
        }
    }
}

// MARK: Reading and writing recipe files

extension Recipe {
    /// Reads a recipe file (JSON, or YAML for `.yaml`/`.yml`), filling in `${variables}`.
    ///
    /// - Throws: `.notFound`/`.ioFailure` for the file; `.invalidArgument` naming the line and
    ///   field for syntax errors, unknown fields, wrong types, unknown variables and bad values.
    public init(contentsOf path: String, variables: [String: String] = [:]) throws(MeldError) {
        try self.init(template: RecipeTemplate(contentsOf: path), variables: variables)
    }

    /// Decodes a recipe from text.
    public init(text: String, yaml: Bool, name: String = "recipe", variables: [String: String] = [:]) throws(MeldError) {
        try self.init(template: RecipeTemplate(text: text, yaml: yaml, name: name), variables: variables)
    }

    /// A recipe from a parsed template and its variables.
    public init(template: RecipeTemplate, variables: [String: String] = [:]) throws(MeldError) {
        var path = RecipePath()
        path.document = template.name
        let tree = try template.tree.substituting(variables, path: path)
        try self.init(tree, path: path)
    }

    init(_ tree: RecipeValue.Located, path: RecipePath) throws(MeldError) {
        var f = try RecipeFields(tree, path: path)
        version = try f.int("version") ?? Self.currentVersion
        guard version == Self.currentVersion else {
            throw path.key("version").error(line: f.line, "version \(version) is not supported (this build reads version \(Self.currentVersion))")
        }
        inputs = []
        if let raw = f.raw("inputs") {
            let inputsPath = path.key("inputs")
            switch raw.value {
            case .object(let pairs):
                for (k, v) in pairs {
                    if case .string(let p) = v.value {
                        inputs.append(Input(name: k, path: p))
                    } else if v.value.isScalar, v.value != .null, let text = v.text {
                        inputs.append(Input(name: k, path: text))       // `a: 0123` is the file 0123
                    } else {
                        throw inputsPath.key(k).error(line: v.line, "expected a path, found \(v.value.kindName)")
                    }
                }
            case .array(let items):
                for (i, item) in items.enumerated() {
                    var g = try RecipeFields(item, path: inputsPath.index(i))
                    inputs.append(Input(name: try g.requiredString("name"), path: try g.requiredString("path")))
                    try g.rejectUnknown()
                }
            default: throw inputsPath.error(line: raw.line, "expected name: path pairs, found \(raw.value.kindName)")
            }
        }
        start = try f.string("start")
        steps = []
        if let raw = f.raw("steps") {
            guard case .array(let items) = raw.value else { throw path.key("steps").error(line: raw.line, "expected a list of steps") }
            for (i, item) in items.enumerated() { steps.append(try Step(item, path: path.key("steps").index(i))) }
        }
        if let raw = f.raw("output-steps") {
            guard case .array(let items) = raw.value else { throw path.key("output-steps").error(line: raw.line, "expected a list of steps") }
            for (i, item) in items.enumerated() { outputSteps.append(try Step(item, path: path.key("output-steps").index(i))) }
        }
        outputs = []
        if let raw = f.raw("outputs") {
            let list: [RecipeValue.Located]
            switch raw.value {
            case .array(let items): list = items
            case .object: list = [raw]
            default: throw path.key("outputs").error(line: raw.line, "expected a list of outputs")
            }
            for (i, item) in list.enumerated() { outputs.append(try Output(item, path: path.key("outputs").index(i))) }
        }
        try f.rejectUnknown()
        do { try validate() } catch {
            throw path.error(line: nil, error.message)
        }
    }

    /// The recipe in its document form.
    /// - Parameter inputsAsList: write inputs as `[{name, path}]` (keeps their order through
    ///   encoders whose objects are unordered) instead of `{name: path}`.
    func recipeValue(inputsAsList: Bool = false) throws(MeldError) -> RecipeValue {
        var pairs: [(key: String, value: RecipeValue.Located)] = [("version", .init(.number(Double(version))))]
        if inputsAsList {
            pairs.append(("inputs", .init(.array(inputs.map { .init(.object([("name", .init(.string($0.name))), ("path", .init(.string($0.path)))])) }))))
        } else {
            pairs.append(("inputs", .init(.object(inputs.map { ($0.name, .init(.string($0.path))) }))))
        }
        if let start { pairs.append(("start", .init(.string(start)))) }
        var steps: [RecipeValue.Located] = []
        for s in self.steps { steps.append(.init(try s.recipeValue())) }
        pairs.append(("steps", .init(.array(steps))))
        if !outputSteps.isEmpty {
            var list: [RecipeValue.Located] = []
            for s in outputSteps { list.append(.init(try s.recipeValue())) }
            pairs.append(("output-steps", .init(.array(list))))
        }
        var outs: [RecipeValue.Located] = []
        for o in outputs { outs.append(.init(try o.recipeValue())) }
        pairs.append(("outputs", .init(.array(outs))))
        return .object(pairs)
    }

    /// The recipe as YAML text.
    public func yaml() throws(MeldError) -> String {
        "# Meld recipe (schema version \(version))\n" + (try recipeValue().yaml())
    }

    /// The recipe as JSON text.
    public func json() throws(MeldError) -> String { try recipeValue().json() + "\n" }

    /// Writes the recipe to `path` (YAML for `.yaml`/`.yml`, JSON otherwise), by way of a
    /// temporary file renamed into place.
    public func write(to path: String, overwrite: Bool = false) throws(MeldError) {
        let ext = (path as NSString).pathExtension.lowercased()
        let text = ext == "yaml" || ext == "yml" ? try yaml() : try json()
        try RestyleFiles.write(Array(text.utf8), to: path, overwrite: overwrite, operation: "recipe")
    }
}

extension Recipe: Codable {
    /// Decodes the document form (see the type's discussion).
    public init(from decoder: any Decoder) throws {
        try self.init(RecipeValue.Located(RecipeValue(from: decoder)), path: RecipePath())
    }

    /// Encodes the document form.
    public func encode(to encoder: any Encoder) throws {
        try recipeValue(inputsAsList: true).encode(to: encoder)
    }
}

extension Recipe.Output {
    static let resizeKeys = ["scale", "width", "height", "fit", "fill", "exact", "kernel"]

    init(_ located: RecipeValue.Located, path: RecipePath) throws(MeldError) {
        var f = try RecipeFields(located, path: path)
        self.path = try f.requiredString("path")
        resize = nil
        if Self.resizeKeys.contains(where: { f.has($0) }) {
            resize = try Step.resize(&f, path: path)
        }
        var o = SaveOptions()
        if let name = try f.string("format") {
            guard let format = ImageFormat(name: name) else { throw path.key("format").error(line: f.line, "unknown format '\(name)'") }
            o.format = format
        }
        o.quality = try f.int("quality") ?? o.quality
        o.progressive = try f.bool("progressive") ?? o.progressive
        if let s = try f.string("subsample") {
            guard let c = ChromaSubsampling(rawValue: s) else { throw path.key("subsample").error(line: f.line, "'\(s)' is not auto, on or off") }
            o.chromaSubsampling = c
        }
        o.stripMetadata = try f.bool("strip") ?? o.stripMetadata
        o.pngCompression = try f.int("compression") ?? o.pngCompression
        o.bitDepth = try f.int("bit-depth")
        o.lossless = try f.bool("lossless") ?? o.lossless
        o.effort = try f.int("effort")
        if let s = try f.string("tiff-compression") {
            guard let c = TIFFCompression(rawValue: s) else { throw path.key("tiff-compression").error(line: f.line, "'\(s)' is not a TIFF compression") }
            o.tiffCompression = c
        }
        o.optimizeCoding = try f.bool("optimize-coding") ?? o.optimizeCoding
        options = o
        steps = []
        if let raw = f.raw("steps") {
            guard case .array(let items) = raw.value else { throw path.key("steps").error(line: raw.line, "expected a list of steps") }
            for (i, item) in items.enumerated() { steps.append(try Step(item, path: path.key("steps").index(i))) }
        }
        try f.rejectUnknown()
    }

    func recipeValue() throws(MeldError) -> RecipeValue {
        var pairs: [(key: String, value: RecipeValue.Located)] = [("path", .init(.string(path)))]
        func put(_ k: String, _ v: RecipeValue) { pairs.append((k, .init(v))) }
        if let resize { pairs += Step.resizeFields(resize) }
        let d = SaveOptions()
        if let f = options.format { put("format", .string(f.rawValue)) }
        if options.quality != d.quality { put("quality", .number(Double(options.quality))) }
        if options.progressive { put("progressive", .bool(true)) }
        if options.chromaSubsampling != d.chromaSubsampling { put("subsample", .string(options.chromaSubsampling.rawValue)) }
        if options.stripMetadata { put("strip", .bool(true)) }
        if options.pngCompression != d.pngCompression { put("compression", .number(Double(options.pngCompression))) }
        if let b = options.bitDepth { put("bit-depth", .number(Double(b))) }
        if options.lossless { put("lossless", .bool(true)) }
        if let e = options.effort { put("effort", .number(Double(e))) }
        if options.tiffCompression != d.tiffCompression { put("tiff-compression", .string(options.tiffCompression.rawValue)) }
        if options.optimizeCoding { put("optimize-coding", .bool(true)) }
        if !steps.isEmpty {
            var list: [RecipeValue.Located] = []
            for s in steps { list.append(.init(try s.recipeValue())) }
            pairs.append(("steps", .init(.array(list))))
        }
        return .object(pairs)
    }
}

/// A recipe file parsed once, to be filled in with different variables (a batch's rows).
public struct RecipeTemplate: Sendable {
    /// The document's name in messages (its file name).
    public let name: String
    /// The folder relative paths in it are resolved against (nil: the working directory).
    public let baseDirectory: String?
    /// The recipe's text, for fingerprints.
    public let text: String
    let tree: RecipeValue.Located

    /// Reads and parses a recipe file.
    public init(contentsOf path: String) throws(MeldError) {
        let bytes = try RestyleFiles.read(path, operation: "recipe", limit: 16 << 20)
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw MeldError(.invalidArgument, operation: "recipe", "\(path) is not UTF-8 text")
        }
        let ext = (path as NSString).pathExtension.lowercased()
        try self.init(text: text, yaml: ext != "json", name: (path as NSString).lastPathComponent,
                      baseDirectory: (URL(fileURLWithPath: path).deletingLastPathComponent().path))
    }

    /// Parses recipe text.
    public init(text: String, yaml: Bool, name: String = "recipe", baseDirectory: String? = nil) throws(MeldError) {
        self.name = name
        self.text = text
        self.baseDirectory = baseDirectory
        tree = try RecipeValue.parse(text, yaml: yaml, name: name)
    }

    /// The `${names}` the template uses, sorted.
    public var variables: [String] {
        var found = Set<String>()
        func walk(_ v: RecipeValue) {
            switch v {
            case .string(let s):
                var rest = Substring(s)
                while let r = rest.range(of: "${") {
                    if r.lowerBound > rest.startIndex, rest[rest.index(before: r.lowerBound)] == "$" { rest = rest[r.upperBound...]; continue }
                    guard let close = rest[r.upperBound...].firstIndex(of: "}") else { break }
                    found.insert(String(rest[r.upperBound..<close]))
                    rest = rest[rest.index(after: close)...]
                }
            case .array(let a): a.forEach { walk($0.value) }
            case .object(let o): o.forEach { walk($0.value.value) }
            default: break
            }
        }
        walk(tree.value)
        return found.sorted()
    }
}
