import Foundation
import Yams

extension Compose {
    /// Reads a composition recipe (JSON, or YAML for `.yaml`/`.yml` files). Relative paths in it
    /// are relative to the recipe's folder: render it with
    /// `render(baseDirectory: (path as NSString).deletingLastPathComponent)`.
    ///
    /// - Throws: `.notFound` / `.ioFailure` for the file, `.invalidArgument` for syntax errors
    ///   (with the line) and for wrong or missing fields (with their path, e.g. `layers[3].blend`),
    ///   and everything ``validate()`` checks.
    public init(recipeAt path: String) throws(MeldError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MeldError(.notFound, operation: "compose", "recipe \(path) does not exist")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw MeldError(.ioFailure, operation: "compose", "recipe \(path) could not be read: \(error.localizedDescription)")
        }
        let ext = (path as NSString).pathExtension.lowercased()
        try self.init(recipe: data, yaml: ext == "yaml" || ext == "yml", name: (path as NSString).lastPathComponent)
    }

    /// Decodes a recipe from bytes (JSON, or YAML when `yaml` is true) and validates it.
    public init(recipe data: Data, yaml: Bool, name: String = "recipe") throws(MeldError) {
        do {
            if yaml {
                guard let text = String(data: data, encoding: .utf8) else {
                    throw MeldError(.invalidArgument, operation: "compose", "\(name) is not UTF-8 text")
                }
                self = try YAMLDecoder().decode(Compose.self, from: text)
            } else {
                self = try JSONDecoder().decode(Compose.self, from: data)
            }
        } catch let error as MeldError {
            throw error
        } catch let error as DecodingError {
            throw MeldError(.invalidArgument, operation: "compose", "\(name): \(Self.describe(error))")
        } catch let error as YamlError {
            throw MeldError(.invalidArgument, operation: "compose", "\(name): YAML syntax error: \(error)")
        } catch {
            let ns = error as NSError
            let detail = (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? error.localizedDescription
            throw MeldError(.invalidArgument, operation: "compose", "\(name): not valid JSON: \(detail)")
        }
        try validate()
    }

    /// The recipe as JSON (pretty-printed, keys sorted).
    public func recipeJSON() throws(MeldError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(self) } catch {
            throw MeldError(.processingFailed, operation: "compose", "could not encode the recipe: \(error)")
        }
    }

    /// `layers[3].blend: unknown blend mode 'foo' (...)`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var out = ""
            for k in keys {
                if let i = k.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + k.stringValue }
            }
            return out.isEmpty ? "(top level)" : out
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            return "\(path(ctx.codingPath + [key])): missing"
        case .typeMismatch(let type, let ctx):
            return "\(path(ctx.codingPath)): expected \(Self.typeName(type))"
        case .valueNotFound(let type, let ctx):
            return "\(path(ctx.codingPath)): expected \(Self.typeName(type)), found null"
        case .dataCorrupted(let ctx):
            if let underlying = ctx.underlyingError as NSError?, let d = underlying.userInfo[NSDebugDescriptionErrorKey] as? String {
                return "\(path(ctx.codingPath)): \(d)"
            }
            return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type: "a whole number"
        case is Bool.Type: "true or false"
        default: "\(type)".contains("Array") ? "a list" : (("\(type)".contains("Dictionary")) ? "an object" : "a \(type)")
        }
    }
}

/// Throws `DecodingError.dataCorrupted` naming the first field (alphabetically) of the object
/// being decoded that `Keys` does not list, so that a misspelt recipe field is an error instead
/// of being ignored. Does nothing when the value is not an object.
func rejectUnknownKeys<Keys: CodingKey & CaseIterable & RawRepresentable>(_ decoder: any Decoder, _ keys: Keys.Type) throws
where Keys.RawValue == String {
    guard let c = try? decoder.container(keyedBy: AnyKey.self) else { return }
    let known = Keys.allCases.map(\.rawValue)
    for k in c.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !known.contains(k.stringValue) {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [k],
                                                debugDescription: "unknown field (known here: \(known.joined(separator: ", ")))"))
    }
}
