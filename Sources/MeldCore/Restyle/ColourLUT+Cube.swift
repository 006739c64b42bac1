extension ColourLUT {
    /// Parses the text of a `.cube` file (the Adobe Cube LUT 1.0 format, as written by
    /// DaVinci Resolve, Adobe and most grading tools).
    ///
    /// Accepted: `#` comments and blank lines anywhere; before the table, `TITLE "…"`,
    /// `LUT_3D_SIZE N` (2…256) or `LUT_1D_SIZE N` (2…65536), `DOMAIN_MIN r g b`,
    /// `DOMAIN_MAX r g b`, Resolve's `LUT_3D_INPUT_RANGE lo hi` / `LUT_1D_INPUT_RANGE lo hi`,
    /// and other upper-case keywords (ignored); then exactly N³ (3D) or N (1D) lines of three
    /// numbers, red changing fastest. CR-LF line ends are fine.
    ///
    /// - Parameter name: how errors name the file (its path, say).
    /// - Throws: `.corruptImage` naming the line for a malformed file — a bad or non-finite
    ///   number, a line without exactly three numbers, a keyword after the table, a missing or
    ///   repeated size, a wrong number of table lines, an empty domain; `.tooLarge` for a size
    ///   over the limits; `.unsupportedFeature` for a file holding both a 1D and a 3D table.
    ///   Never traps, whatever the bytes.
    public init(cubeText text: String, name: String = "cube") throws(MeldError) {
        var parser = CubeParser(name: name)
        self = try parser.parse(Array(text.utf8))
    }

    /// Parses `.cube` bytes (see ``init(cubeText:name:)``); invalid UTF-8 is reported.
    public init(cubeData bytes: [UInt8], name: String = "cube") throws(MeldError) {
        var parser = CubeParser(name: name)
        self = try parser.parse(bytes)
    }

    /// The table as `.cube` text: TITLE (when set), the size line, DOMAIN_MIN/MAX, then one
    /// line per entry with each value in the shortest form that reads back to the same Float
    /// (so writing then reading is lossless).
    public func cubeText() -> String {
        var s = "# Written by Meld\n"
        if let title { s += "TITLE \"\(title.filter { $0 != "\"" && !$0.isNewline })\"\n" }
        s += dimension == .threeD ? "LUT_3D_SIZE \(size)\n" : "LUT_1D_SIZE \(size)\n"
        s += "DOMAIN_MIN \(domainMin[0]) \(domainMin[1]) \(domainMin[2])\n"
        s += "DOMAIN_MAX \(domainMax[0]) \(domainMax[1]) \(domainMax[2])\n"
        s.reserveCapacity(s.utf8.count + table.count * 10)
        var i = 0
        while i < table.count {
            s += "\(table[i]) \(table[i + 1]) \(table[i + 2])\n"
            i += 3
        }
        return s
    }
}

/// A line-by-line `.cube` reader over bytes; every failure names the line.
struct CubeParser {
    let name: String
    var line = 0

    init(name: String) { self.name = name }

    func fail(_ message: String, kind: MeldError.Kind = .corruptImage) -> MeldError {
        MeldError(kind, operation: "cube", "\(name) line \(line): \(message)")
    }

    mutating func parse(_ bytes: [UInt8]) throws(MeldError) -> ColourLUT {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw MeldError(.corruptImage, operation: "cube", "\(name) is not UTF-8 text, so not a .cube file")
        }
        var title: String?
        var size3: Int?, size1: Int?
        var size3Line = 0, size1Line = 0
        var domainMin: [Float] = [0, 0, 0], domainMax: [Float] = [1, 1, 1]
        var table: [Float] = []
        var expected = -1
        var start = 0
        var lastDataLine = 0
        let count = bytes.count
        while start < count || (start == count && line == 0) {
            line += 1
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let lineStart = start
            start = end + 1
            // Strip comments.
            var stop = lineStart
            while stop < lineEnd && bytes[stop] != 0x23 { stop += 1 }
            let tokens = CubeParser.tokens(bytes, lineStart, stop)
            if tokens.isEmpty { if end >= count { break } else { continue } }
            let first = tokens[0]
            let head = bytes[first.lowerBound]
            let isKeyword = (head >= 0x41 && head <= 0x5A) || (head >= 0x61 && head <= 0x7A && !CubeParser.looksNumeric(bytes, first))
            if isKeyword {
                if !table.isEmpty {
                    throw fail("keyword \(CubeParser.text(bytes, first)) after the table started; keywords must come before the data")
                }
                let keyword = CubeParser.text(bytes, first)
                switch keyword {
                case "TITLE":
                    // Everything after the keyword, without the quotes.
                    var t = CubeParser.text(bytes, first.upperBound..<stop).trimmingWhitespace()
                    if t.hasPrefix("\"") { t.removeFirst() }
                    if t.hasSuffix("\"") { t.removeLast() }
                    title = t
                case "LUT_3D_SIZE", "LUT_1D_SIZE":
                    guard tokens.count == 2 else { throw fail("\(keyword) takes one whole number (found \(tokens.count - 1) values)") }
                    let v = CubeParser.text(bytes, tokens[1])
                    guard let n = Int(v) else { throw fail("\(keyword) '\(CubeParser.clip(v))' is not a whole number") }
                    let limit = keyword == "LUT_3D_SIZE" ? ColourLUT.maxSize3D : ColourLUT.maxSize1D
                    guard n >= 2 else { throw fail("\(keyword) \(n) is too small (at least 2)") }
                    guard n <= limit else { throw fail("\(keyword) \(n) is too large (at most \(limit))", kind: .tooLarge) }
                    if keyword == "LUT_3D_SIZE" {
                        if size3 != nil { throw fail("LUT_3D_SIZE given twice (first on line \(size3Line))") }
                        size3 = n; size3Line = line
                    } else {
                        if size1 != nil { throw fail("LUT_1D_SIZE given twice (first on line \(size1Line))") }
                        size1 = n; size1Line = line
                    }
                case "DOMAIN_MIN", "DOMAIN_MAX":
                    guard tokens.count == 4 else { throw fail("\(keyword) takes three numbers (found \(tokens.count - 1))") }
                    var v = [Float]()
                    for t in tokens.dropFirst() { v.append(try number(bytes, t)) }
                    if keyword == "DOMAIN_MIN" { domainMin = v } else { domainMax = v }
                case "LUT_3D_INPUT_RANGE", "LUT_1D_INPUT_RANGE":
                    guard tokens.count == 3 else { throw fail("\(keyword) takes two numbers (found \(tokens.count - 1))") }
                    let lo = try number(bytes, tokens[1]), hi = try number(bytes, tokens[2])
                    domainMin = [lo, lo, lo]; domainMax = [hi, hi, hi]
                default:
                    // Other keywords (LUT_IN_VIDEO_RANGE, vendor extensions) do not change the table.
                    guard keyword.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) }) else {
                        throw fail("'\(CubeParser.clip(keyword))' is neither a keyword nor a number")
                    }
                }
                if end >= count { break } else { continue }
            }
            // A data line.
            if expected < 0 {
                if size3 != nil && size1 != nil {
                    throw fail("this file holds both a 1D and a 3D table (lines \(size1Line) and \(size3Line)); Meld reads one table per file", kind: .unsupportedFeature)
                }
                if let n = size3 { expected = n * n * n } else if let n = size1 { expected = n } else {
                    throw fail("table data before LUT_3D_SIZE or LUT_1D_SIZE")
                }
                for c in 0..<3 where !(domainMin[c] < domainMax[c]) {
                    throw fail("DOMAIN_MIN \(domainMin[c]) is not below DOMAIN_MAX \(domainMax[c]) for channel \(c)")
                }
                table.reserveCapacity(expected * 3)
            }
            guard tokens.count == 3 else { throw fail("expected 3 numbers, found \(tokens.count)") }
            if table.count == expected * 3 {
                throw fail("more table lines than the \(expected) that \(size3 != nil ? "LUT_3D_SIZE \(size3!)" : "LUT_1D_SIZE \(size1!)") needs")
            }
            for t in tokens { table.append(try number(bytes, t)) }
            lastDataLine = line
            if end >= count { break }
        }
        if expected < 0 {
            if size3 == nil && size1 == nil {
                throw MeldError(.corruptImage, operation: "cube", "\(name): no LUT_3D_SIZE or LUT_1D_SIZE line, so not a .cube file")
            }
            throw MeldError(.corruptImage, operation: "cube", "\(name): the table is missing (no data lines after line \(max(size3Line, size1Line)))")
        }
        if table.count != expected * 3 {
            throw MeldError(.corruptImage, operation: "cube",
                            "\(name) line \(lastDataLine): the table ends after \(table.count / 3) of the \(expected) lines that \(size3 != nil ? "LUT_3D_SIZE \(size3!)" : "LUT_1D_SIZE \(size1!)") needs")
        }
        return try ColourLUT(dimension: size3 != nil ? .threeD : .oneD, size: size3 ?? size1!, table: table,
                             domainMin: domainMin, domainMax: domainMax, title: title)
    }

    func number(_ bytes: [UInt8], _ r: Range<Int>) throws(MeldError) -> Float {
        let s = CubeParser.text(bytes, r)
        guard CubeParser.looksNumeric(bytes, r), let v = Float(s) else { throw fail("'\(CubeParser.clip(s))' is not a number") }
        guard v.isFinite else { throw fail("'\(CubeParser.clip(s))' is not a finite number") }
        return v
    }

    /// Whether the token is made of decimal-number characters only (no hex, nan or inf spellings).
    static func looksNumeric(_ bytes: [UInt8], _ r: Range<Int>) -> Bool {
        var digit = false
        for i in r {
            let c = bytes[i]
            if c >= 0x30 && c <= 0x39 { digit = true; continue }
            if c == 0x2B || c == 0x2D || c == 0x2E || c == 0x65 || c == 0x45 { continue }
            return false
        }
        return digit
    }

    static func tokens(_ bytes: [UInt8], _ from: Int, _ to: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = from
        while i < to {
            while i < to && (bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0B || bytes[i] == 0x0C) { i += 1 }
            if i >= to { break }
            let s = i
            while i < to && !(bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0B || bytes[i] == 0x0C) { i += 1 }
            out.append(s..<i)
        }
        return out
    }

    static func text(_ bytes: [UInt8], _ r: Range<Int>) -> String {
        String(decoding: bytes[r], as: UTF8.self)
    }

    /// At most 40 characters of a token, for messages.
    static func clip(_ s: String) -> String { s.count > 40 ? String(s.prefix(40)) + "…" : s }
}
