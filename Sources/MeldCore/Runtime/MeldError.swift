/// The one error type Meld throws: what kind of failure, in which operation, a message a user
/// can act on, and libvips' own words when libvips reported it.
///
/// `description` is a single line suitable for a command-line tool's stderr, e.g.
/// `load: photo.jpg is truncated or corrupt (libvips: VipsJpeg: Premature end of JPEG file)`.
public struct MeldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Broad classes of failure, stable for callers to switch on.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// An input file or folder does not exist.
        case notFound
        /// An input file has no bytes.
        case emptyFile
        /// The bytes are not an image format Meld reads (or the format is not built in).
        case unsupportedFormat
        /// The file claims a known format but is truncated or damaged.
        case corruptImage
        /// The image is larger than the configured pixel limit.
        case tooLarge
        /// An argument is out of range or inconsistent.
        case invalidArgument
        /// The output file exists and overwriting was not allowed.
        case outputExists
        /// The output path names one of the inputs.
        case outputIsInput
        /// Reading or writing a file failed (permissions, disk full, ...).
        case ioFailure
        /// The requested feature is not available in this libvips build.
        case unsupportedFeature
        /// libvips failed while processing for another reason.
        case processingFailed
    }

    /// The class of failure.
    public var kind: Kind
    /// The operation that failed ("load", "resize", "save", ...).
    public var operation: String
    /// What went wrong, in words a user can act on.
    public var message: String
    /// libvips' error text, when it reported one.
    public var detail: String?

    /// Creates an error.
    public init(_ kind: Kind, operation: String, _ message: String, detail: String? = nil) {
        self.kind = kind
        self.operation = operation
        self.message = message
        let trimmed = detail?.trimmingWhitespace()
        self.detail = (trimmed?.isEmpty ?? true) ? nil : trimmed
    }

    /// One line: `operation: message (libvips: detail)`.
    public var description: String {
        var s = "\(operation): \(message)"
        if let detail { s += " (libvips: \(detail.split(separator: "\n").joined(separator: "; ")))" }
        return s
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
