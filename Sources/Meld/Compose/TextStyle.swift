import Foundation

/// A text layer's words and look, rendered by Pango through libvips (complex scripts, CJK,
/// right-to-left, font fallback; install a CJK font such as Debian's fonts-noto-cjk for
/// Chinese, Japanese and Korean).
public struct TextStyle: Sendable, Hashable, Codable {
    /// Horizontal alignment of the lines.
    public enum Alignment: String, Sendable, Hashable, Codable, CaseIterable {
        /// Ragged right.
        case left
        /// Centred lines.
        case centre
        /// Ragged left.
        case right
        /// Both edges straight (the last line ragged right).
        case justify
    }

    /// The text: plain (escaped for Pango) unless ``markup`` is true.
    public var text: String
    /// Whether ``text`` is Pango markup (`<b>`, `<span foreground="#c00">`, ...).
    public var markup: Bool
    /// A Pango font description without the size: family and style, e.g. `"Noto Sans CJK SC Bold"`.
    public var font: String
    /// Font size: pixels (the em size), or relative to the canvas height.
    public var size: Length
    /// Text colour (with alpha).
    public var color: RGBA
    /// Line alignment.
    public var align: Alignment
    /// Width at which lines wrap (nil: no wrapping).
    public var wrapWidth: Length?
    /// Extra space between letters, in pixels (may be negative).
    public var letterSpacing: Double
    /// Distance between baselines in pixels (nil: the font's).
    public var lineSpacing: Double?
    /// A font file to use instead of the installed fonts (TTF/OTF).
    public var fontFile: String?

    /// A text style. Defaults: Noto Sans CJK SC (falls back to any installed font), 48 px, black, left.
    public init(_ text: String, markup: Bool = false, font: String = "Noto Sans CJK SC", size: Length = 48,
                color: RGBA = .black, align: Alignment = .left, wrapWidth: Length? = nil,
                letterSpacing: Double = 0, lineSpacing: Double? = nil, fontFile: String? = nil) {
        self.text = text; self.markup = markup; self.font = font; self.size = size; self.color = color
        self.align = align; self.wrapWidth = wrapWidth; self.letterSpacing = letterSpacing
        self.lineSpacing = lineSpacing; self.fontFile = fontFile
    }

    /// The Pango markup that is rendered: escaped text, letter spacing as a span.
    var pangoMarkup: String {
        var body = markup ? text : Self.escape(text)
        if letterSpacing != 0 {
            // Pango's letter_spacing is in 1/1024 points; at 72 dpi a point is a pixel.
            body = "<span letter_spacing=\"\(Int((letterSpacing * 1024).rounded()))\">\(body)</span>"
        }
        return body
    }

    /// Escapes &, <, > and quotes for Pango markup.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }
}
