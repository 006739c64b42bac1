import Foundation

/// A file a recipe wrote, with what is needed to check later that it is still the same file.
public struct WrittenFile: Sendable, Hashable, Codable {
    /// The path as written (resolved against the recipe's folder).
    public var path: String
    /// Its size in bytes.
    public var bytes: Int
    /// FNV-1a 64-bit hash of its bytes, as 16 hex digits: detects a truncated, damaged or
    /// replaced file (it is a checksum, not a cryptographic signature).
    public var digest: String

    /// Reads `path` and records its size and digest.
    public init(path: String) throws(MeldError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MeldError(.notFound, operation: "recipe", "\(path) does not exist or cannot be read")
        }
        self.path = path
        bytes = data.count
        digest = Self.digest(of: data)
    }

    /// FNV-1a 64 of `data` as 16 hex digits.
    public static func digest(of data: Data) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        data.withUnsafeBytes { raw in
            for b in raw { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// True when the file at ``path`` still has this size and digest.
    public var isIntact: Bool {
        guard let data = FileManager.default.contents(atPath: path), data.count == bytes else { return false }
        return Self.digest(of: data) == digest
    }
}

extension Recipe {
    /// Loads the inputs and runs the steps; returns the final image (in memory).
    ///
    /// - Parameter baseDirectory: the folder relative paths are resolved against (the recipe's).
    public func render(baseDirectory: String? = nil) throws(MeldError) -> Image {
        try validate()
        return try render(context: loadInputs(baseDirectory: baseDirectory))
    }

    func render(context: Step.Context) throws(MeldError) -> Image {
        var image = context.inputs[start ?? inputs[0].name]!.image
        for (i, step) in steps.enumerated() {
            do {
                image = try step.apply(to: image, context: context).materialized()
            } catch {
                throw MeldError(error.kind, operation: "recipe", "steps[\(i)].\(step.name): \(error.message)", detail: error.detail)
            }
        }
        return image
    }

    /// Runs the recipe and writes every output (creating folders). An existing output is an
    /// error unless `overwrite`; outputs are written to a temporary file and renamed, so a
    /// killed run never leaves a partial file.
    ///
    /// - Returns: the files written, in ``outputs`` order, with sizes and digests.
    @discardableResult
    public func run(baseDirectory: String? = nil, overwrite: Bool = false) throws(MeldError) -> [WrittenFile] {
        let targets = outputs.map { Step.Context(baseDirectory: baseDirectory).path($0.path) }
        if !overwrite {
            for t in targets where FileManager.default.fileExists(atPath: t) {
                throw MeldError(.outputExists, operation: "recipe", "\(t) already exists; allow overwriting to replace it")
            }
        }
        try validate()
        let context = try loadInputs(baseDirectory: baseDirectory)
        let image = try render(context: context)
        var written: [WrittenFile] = []
        for (i, (output, target)) in zip(outputs, targets).enumerated() {
            try Self.makeFolder(for: target)
            var options = output.options
            options.overwrite = overwrite
            var out = image
            if let resize = output.resize { out = try out.applying(resize) }
            for step in outputSteps + output.steps {
                do { out = try step.apply(to: out, context: context) } catch {
                    throw MeldError(error.kind, operation: "recipe", "outputs[\(i)] (\(output.path)): \(step.name): \(error.message)", detail: error.detail)
                }
            }
            try out.write(to: target, options: options)
            written.append(try WrittenFile(path: target))
        }
        return written
    }

    /// The named inputs, loaded (random access: steps may read them in any order).
    func loadInputs(baseDirectory: String?) throws(MeldError) -> Step.Context {
        var context = Step.Context(baseDirectory: baseDirectory)
        for input in inputs {
            let path = context.path(input.path)
            do {
                context.inputs[input.name] = (try Image(contentsOf: path), path)
            } catch {
                throw MeldError(error.kind, operation: "recipe", "inputs.\(input.name): \(error.message)", detail: error.detail)
            }
        }
        return context
    }

    static func makeFolder(for path: String) throws(MeldError) {
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) else { return }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw MeldError(.ioFailure, operation: "recipe", "cannot create the folder \(folder): \(error.localizedDescription)")
        }
    }
}
