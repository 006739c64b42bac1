import Foundation
import Yams

/// A recipe document as a tree, before it becomes typed values: JSON or YAML, with the line
/// each value came from (YAML only) so that errors can name both the line and the field path.
///
/// Recipes are read in two steps — text to this tree, then the tree to typed ``Step``s and
/// ``Recipe/Output``s — so that `${variables}` can be filled in on the tree (never by pasting
/// text into YAML) and so that every unknown field can be reported.
indirect enum RecipeValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([Located])
    /// Keys in document order.
    case object([(key: String, value: Located)])

    /// A value and the line it starts on (1-based; nil for JSON and built values).
    struct Located: Sendable, Hashable {
        var value: RecipeValue
        var line: Int?
        /// The scalar as written, when YAML read it as a number or boolean (so that a field
        /// wanting a string gets `0123` or `yes`, not `123` or `true`).
        var text: String?
        init(_ value: RecipeValue, line: Int? = nil, text: String? = nil) { self.value = value; self.line = line; self.text = text }
    }

    static func == (a: RecipeValue, b: RecipeValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x.map(\.value) == y.map(\.value)
        case (.object(let x), .object(let y)): x.map(\.key) == y.map(\.key) && x.map(\.value.value) == y.map(\.value.value)
        default: false
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .number(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a): for v in a { v.value.hash(into: &hasher) }
        case .object(let o): for (k, v) in o { hasher.combine(k); v.value.hash(into: &hasher) }
        }
    }

    /// What a user calls this kind of value in an error message.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "true/false"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    /// The value of `key` when this is an object.
    subscript(key: String) -> Located? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }
}

// MARK: Parsing

extension RecipeValue {
    /// Parses JSON or YAML text (`yaml` only changes the wording of syntax errors).
    static func parse(_ text: String, yaml: Bool, name: String) throws(MeldError) -> Located {
        // JSON is parsed by the YAML parser too (JSON's syntax is YAML's flow style): it keeps
        // the order of keys and knows the line of every value.
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw MeldError(.invalidArgument, operation: "recipe", "\(name) is empty")
            }
            return try located(node, name: name)
        } catch let error as MeldError {
            throw error
        } catch {
            // One line: libyaml's messages span several, with a context snippet.
            let oneLine = "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && $0 != "Context:" && $0 != "^" }.joined(separator: " ")
            throw MeldError(.invalidArgument, operation: "recipe", "\(name): \(yaml ? "YAML syntax error" : "not valid JSON"): \(oneLine)")
        }
    }

    private static func located(_ node: Node, name: String) throws(MeldError) -> Located {
        let line = node.mark?.line
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                switch Tag.Name(rawValue: node.tag.rawValue) {
                case .null: return Located(.null, line: line, text: scalar.string)
                case .bool: if let b = node.bool { return Located(.bool(b), line: line, text: scalar.string) }
                case .int, .float: if let d = node.float { return Located(.number(d), line: line, text: scalar.string) }
                default: break
                }
            }
            return Located(.string(scalar.string), line: line)
        case .sequence(let seq):
            var items: [Located] = []
            for n in seq { items.append(try located(n, name: name)) }
            return Located(.array(items), line: line)
        case .mapping(let map):
            var pairs: [(key: String, value: Located)] = []
            for (k, v) in map {
                guard let key = k.string else {
                    throw MeldError(.invalidArgument, operation: "recipe", "\(name):\(k.mark?.line ?? 0): keys must be plain strings")
                }
                if pairs.contains(where: { $0.key == key }) {
                    throw MeldError(.invalidArgument, operation: "recipe", "\(name):\(k.mark?.line ?? 0): '\(key)' is given twice")
                }
                pairs.append((key, try located(v, name: name)))
            }
            return Located(.object(pairs), line: line)
        case .alias:
            throw MeldError(.invalidArgument, operation: "recipe", "\(name):\(line ?? 0): YAML aliases are not supported in recipes")
        }
    }

}

// MARK: Variables

extension RecipeValue.Located {
    /// Replaces `${name}` in every string (keys excluded) with `variables[name]`; `$${` writes a
    /// literal `${`. A string that is exactly one `${name}` whose value looks like a number stays
    /// a string: typed readers accept numbers written as strings.
    ///
    /// - Throws: `.invalidArgument` naming the path and the unknown variable.
    func substituting(_ variables: [String: String], path: RecipePath = RecipePath()) throws(MeldError) -> Self {
        switch value {
        case .string(let s):
            guard s.contains("${") else { return self }
            let value = try Self.substitute(s, variables, path: path, line: line)
            // `opacity: ${o}` with o = 0.4: a number (keeping its text), so that fields read by
            // Codable types get a number; readers wanting a string still get the text.
            if s.hasPrefix("${"), s.hasSuffix("}"), s.dropFirst(2).dropLast().allSatisfy({ $0 != "$" && $0 != "{" && $0 != "}" }) {
                if let d = Double(value), d.isFinite, !value.hasPrefix("+") { return Self(.number(d), line: line, text: value) }
                if value == "true" || value == "false" { return Self(.bool(value == "true"), line: line, text: value) }
            }
            return Self(.string(value), line: line)
        case .array(let items):
            var out: [Self] = []
            for (i, v) in items.enumerated() { out.append(try v.substituting(variables, path: path.index(i))) }
            return Self(.array(out), line: line)
        case .object(let pairs):
            var out: [(key: String, value: Self)] = []
            for (k, v) in pairs { out.append((k, try v.substituting(variables, path: path.key(k)))) }
            return Self(.object(out), line: line)
        default:
            return self
        }
    }

    static func substitute(_ s: String, _ variables: [String: String], path: RecipePath, line: Int?) throws(MeldError) -> String {
        var out = ""
        var rest = Substring(s)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("${") {          // $${ → literal ${
                out += "${"
                rest = after.dropFirst(2)
            } else if after.hasPrefix("{") {
                guard let close = after.firstIndex(of: "}") else {
                    throw path.error(line: line, "unclosed ${ in '\(s)'")
                }
                let name = String(after[after.index(after: after.startIndex)..<close])
                guard let value = variables[name] else {
                    let known = variables.keys.sorted().joined(separator: ", ")
                    throw path.error(line: line, "unknown variable ${\(name)}" + (known.isEmpty ? " (no variables are set)" : " (set: \(known))"))
                }
                out += value
                rest = after[after.index(after: close)...]
            } else {
                out += "$"
                rest = after
            }
        }
        out += rest
        return out
    }
}

// MARK: Field paths and typed reading

/// The path of a field in a recipe, as errors print it: `steps[3].recolor.to`.
struct RecipePath: Sendable, CustomStringConvertible {
    var parts: [String] = []
    /// The document's name for messages (`catalogue.yaml`).
    var document: String = "recipe"

    func key(_ k: String) -> RecipePath { var p = self; p.parts.append((p.parts.isEmpty ? "" : ".") + k); return p }
    func index(_ i: Int) -> RecipePath { var p = self; p.parts.append("[\(i)]"); return p }

    var description: String { parts.isEmpty ? "(top level)" : parts.joined() }

    /// `catalogue.yaml:12: steps[3].recolor.to: unknown colour 'mintt'`.
    func error(line: Int?, _ message: String, kind: MeldError.Kind = .invalidArgument) -> MeldError {
        let place = line.map { "\(document):\($0)" } ?? document
        return MeldError(kind, operation: "recipe", "\(place): \(self): \(message)")
    }
}

/// Reads the fields of one recipe object, remembering which were read so that the rest can be
/// reported as unknown.
struct RecipeFields {
    let object: [(key: String, value: RecipeValue.Located)]
    let path: RecipePath
    let line: Int?
    private(set) var used: Set<String> = []

    init(_ located: RecipeValue.Located, path: RecipePath) throws(MeldError) {
        guard case .object(let pairs) = located.value else {
            throw path.error(line: located.line, "expected an object, found \(located.value.kindName)")
        }
        object = pairs
        self.path = path
        line = located.line
    }

    /// The raw value of `key`, marking it used.
    mutating func raw(_ key: String) -> RecipeValue.Located? {
        used.insert(key)
        guard let v = object.first(where: { $0.key == key })?.value, v.value != .null else { return nil }
        return v
    }

    mutating func has(_ key: String) -> Bool { object.contains { $0.key == key } }

    mutating func string(_ key: String) throws(MeldError) -> String? {
        guard let v = raw(key) else { return nil }
        switch v.value {
        case .string(let s): return s
        case .number(let d): return v.text ?? (d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d))
        case .bool(let b): return v.text ?? String(b)
        default: throw path.key(key).error(line: v.line, "expected a string, found \(v.value.kindName)")
        }
    }

    mutating func requiredString(_ key: String) throws(MeldError) -> String {
        guard let s = try string(key) else { throw path.key(key).error(line: line, "missing") }
        return s
    }

    mutating func double(_ key: String) throws(MeldError) -> Double? {
        guard let v = raw(key) else { return nil }
        switch v.value {
        case .number(let d):
            guard d.isFinite else { throw path.key(key).error(line: v.line, "must be a finite number") }
            return d
        case .string(let s):
            if let d = Double(s.trimmingCharacters(in: .whitespaces)), d.isFinite { return d }
            throw path.key(key).error(line: v.line, "'\(s)' is not a number")
        default: throw path.key(key).error(line: v.line, "expected a number, found \(v.value.kindName)")
        }
    }

    mutating func int(_ key: String) throws(MeldError) -> Int? {
        guard let d = try double(key) else { return nil }
        guard d == d.rounded(), abs(d) < 1e15 else { throw path.key(key).error(line: line, "expected a whole number, found \(d)") }
        return Int(d)
    }

    mutating func uint64(_ key: String) throws(MeldError) -> UInt64? {
        guard let v = raw(key) else { return nil }
        if case .string(let s) = v.value, let u = UInt64(s) { return u }
        if let text = v.text, let u = UInt64(text) { return u }
        if case .number(let d) = v.value, d >= 0, d == d.rounded(), d < 9e15 { return UInt64(d) }
        throw path.key(key).error(line: v.line, "expected a whole number ≥ 0")
    }

    mutating func bool(_ key: String) throws(MeldError) -> Bool? {
        guard let v = raw(key) else { return nil }
        switch v.value {
        case .bool(let b): return b
        case .string(let s):
            switch s.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw path.key(key).error(line: v.line, "'\(s)' is not true or false")
            }
        default: throw path.key(key).error(line: v.line, "expected true or false, found \(v.value.kindName)")
        }
    }

    /// Throws for the first field that was never read (and is not in `extra`).
    func rejectUnknown(known extra: [String] = []) throws(MeldError) {
        for (k, v) in object where !used.contains(k) && !extra.contains(k) {
            let choices = (extra.isEmpty ? used.sorted() : extra).joined(separator: ", ")
            throw path.key(k).error(line: v.line, "unknown field" + (choices.isEmpty ? "" : " (known here: \(choices))"))
        }
    }
}

// MARK: Writing

extension RecipeValue {
    /// JSON text: keys in the tree's order, two-space indents, numbers without needless decimals.
    ///
    /// - Parameter escaping: write `${` as `$${` (for recipe files, which are read with
    ///   variables filled in; not for decoding a tree in place).
    func json(indent: Int = 0, escaping: Bool = true) -> String {
        let pad = String(repeating: "  ", count: indent + 1), end = String(repeating: "  ", count: indent)
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return Self.numberText(d)
        case .string(let s): return Self.quoted(escaping ? Self.escapingVariables(s) : s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ $0.value.isScalar }) { return "[" + items.map { $0.value.json(escaping: escaping) }.joined(separator: ", ") + "]" }
            return "[\n" + items.map { pad + $0.value.json(indent: indent + 1, escaping: escaping) }.joined(separator: ",\n") + "\n" + end + "]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            return "{\n" + pairs.map { pad + Self.quoted($0.key) + ": " + $0.value.value.json(indent: indent + 1, escaping: escaping) }.joined(separator: ",\n") + "\n" + end + "}"
        }
    }

    /// JSON on one line (for the session's command form).
    func compactJSON() -> String {
        switch self {
        case .array(let items): return "[" + items.map { $0.value.compactJSON() }.joined(separator: ",") + "]"
        case .object(let pairs): return "{" + pairs.map { Self.quoted($0.key) + ":" + $0.value.value.compactJSON() }.joined(separator: ",") + "}"
        default: return json(escaping: false)
        }
    }

    /// YAML text in block style (strings quoted when YAML would read them as something else).
    func yaml(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        switch self {
        case .array(let items):
            if items.isEmpty { return pad + "[]\n" }
            var out = ""
            for item in items {
                switch item.value {
                case .object(let pairs) where !pairs.isEmpty:
                    let body = item.value.yaml(indent: indent + 1)
                    out += pad + "- " + body.dropFirst(pad.count + 2)
                case .array(let inner) where !inner.isEmpty:
                    out += pad + "-\n" + item.value.yaml(indent: indent + 1)
                default:
                    out += pad + "- " + item.value.yamlScalar + "\n"
                }
            }
            return out
        case .object(let pairs):
            if pairs.isEmpty { return pad + "{}\n" }
            var out = ""
            for (k, v) in pairs {
                let key = Self.yamlKey(k)
                switch v.value {
                case .object(let inner) where !inner.isEmpty: out += pad + key + ":\n" + v.value.yaml(indent: indent + 1)
                case .array(let inner) where !inner.isEmpty:
                    if inner.allSatisfy({ $0.value.isScalar }) {
                        out += pad + key + ": [" + inner.map { $0.value.yamlScalar }.joined(separator: ", ") + "]\n"
                    } else {
                        out += pad + key + ":\n" + v.value.yaml(indent: indent + 1)
                    }
                default: out += pad + key + ": " + v.value.yamlScalar + "\n"
                }
            }
            return out
        default:
            return pad + yamlScalar + "\n"
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    private var yamlScalar: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let d): Self.numberText(d)
        case .string(let s): Self.yamlString(Self.escapingVariables(s))
        case .array(let a) where a.isEmpty: "[]"
        case .object(let o) where o.isEmpty: "{}"
        default: json()
        }
    }

    /// Control characters, DEL, C1 controls, line/paragraph separators and the BOM: written as
    /// `\uXXXX` (YAML refuses some raw and folds others).
    static func needsEscape(_ c: Unicode.Scalar) -> Bool {
        c.value < 0x20 || (0x7F...0x9F).contains(c.value) || c.value == 0x2028 || c.value == 0x2029 || c.value == 0xFEFF
    }

    /// `${` written as `$${`, so that a literal `${` reads back as itself.
    static func escapingVariables(_ s: String) -> String {
        s.contains("${") ? s.replacingOccurrences(of: "${", with: "$${") : s
    }

    static func numberText(_ d: Double) -> String {
        if d == d.rounded() && abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if needsEscape(ch) { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }

    /// Plain when YAML reads it back as the same string, else double-quoted (JSON escapes are YAML's too).
    static func yamlString(_ s: String) -> String {
        let special: Set<Character> = [":", "#", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "~", "?", "-"]
        let reserved = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
        if s.isEmpty || s.first == " " || s.last == " " || s.contains(where: { special.contains($0) || $0.isNewline || $0 == "\t" })
            || reserved.contains(s.lowercased()) || Double(s) != nil || s.hasPrefix("0x") || s.hasPrefix("0o")
            || s.contains("_") || s.first == "." || s.first == "+" || s.first?.isNumber == true
            || s.unicodeScalars.contains(where: { needsEscape($0) }) {
            return quoted(s)
        }
        return s
    }

    static func yamlKey(_ k: String) -> String { yamlString(k) }
}

// MARK: Codable bridge

extension RecipeValue: Codable {
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let d = try? c.decode(Double.self) { self = .number(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([RecipeValue].self) { self = .array(a.map { Located($0) }); return }
        if let o = try? c.decode([String: RecipeValue].self) {
            self = .object(o.keys.sorted().map { ($0, Located(o[$0]!)) })
            return
        }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a recipe value")
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        case .bool(let b): var c = encoder.singleValueContainer(); try c.encode(b)
        case .number(let d): var c = encoder.singleValueContainer(); try c.encode(d)
        case .string(let s): var c = encoder.singleValueContainer(); try c.encode(s)
        case .array(let a): var c = encoder.unkeyedContainer(); for v in a { try c.encode(v.value) }
        case .object(let o):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (k, v) in o { try c.encode(v.value, forKey: AnyKey(k)) }
        }
    }

    /// The tree from any `Encodable` (through JSON).
    static func from<T: Encodable>(_ value: T) throws(MeldError) -> RecipeValue {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]   // the same text every run
            let data = try encoder.encode(value)
            // Through JSONDecoder, not the YAML parser: JSONEncoder writes some control
            // characters raw, which YAML refuses. Keys come back sorted, as they were written.
            return try JSONDecoder().decode(RecipeValue.self, from: data)
        } catch let e as MeldError {
            throw e
        } catch {
            throw MeldError(.processingFailed, operation: "recipe", "could not encode \(T.self): \(error)")
        }
    }

    /// Decodes a `Decodable` from this tree (through JSON), with errors naming `path`.
    func decode<T: Decodable>(_ type: T.Type, path: RecipePath, line: Int?) throws(MeldError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(json(escaping: false).utf8))
        } catch let error as DecodingError {
            throw path.error(line: line, Compose.describe(error))
        } catch {
            throw path.error(line: line, "\(error)")
        }
    }
}

/// A coding key made from any string.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
