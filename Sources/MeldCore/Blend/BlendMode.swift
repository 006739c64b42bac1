/// How a layer combines with what is beneath it: every mode of the W3C *Compositing and
/// Blending Level 1* specification, separable and non-separable, and the Porter-Duff operators.
///
/// Raw values are the CSS names (`"color-dodge"`, `"destination-in"`, ...), which recipes use.
///
/// Blend modes (``normal`` … ``luminosity``) mix colours with the spec's function B(Cb, Cs) and
/// composite *source-over*: `co = cs·(1−αb) + cb·(1−αs) + αs·αb·B(Cb, Cs)`,
/// `αo = αs + αb·(1−αs)` (premultiplied `c`, unpremultiplied `C`). The Porter-Duff operators
/// (``clear`` … ``plusLighter``) composite `co = cs·Fa + cb·Fb`, `αo = αs·Fa + αb·Fb` with the
/// spec's Fa and Fb. Non-separable modes use the spec's luminosity weights (0.3, 0.59, 0.11) on
/// the colour values of the compositing space (linear light by default).
public enum BlendMode: String, Sendable, Codable, CaseIterable, Hashable {
    // Separable blend modes.
    /// B = Cs: the source covers the backdrop (source-over).
    case normal
    /// B = Cb·Cs: always darker; white is neutral.
    case multiply
    /// B = Cb + Cs − Cb·Cs: always lighter; black is neutral.
    case screen
    /// Hard light with the layers swapped: multiplies or screens by the backdrop.
    case overlay
    /// B = min(Cb, Cs).
    case darken
    /// B = max(Cb, Cs).
    case lighten
    /// Brightens the backdrop to reflect the source.
    case colorDodge = "color-dodge"
    /// Darkens the backdrop to reflect the source.
    case colorBurn = "color-burn"
    /// Multiplies or screens by the source.
    case hardLight = "hard-light"
    /// Darkens or lightens softly by the source.
    case softLight = "soft-light"
    /// B = |Cb − Cs|.
    case difference
    /// B = Cb + Cs − 2·Cb·Cs: difference with lower contrast.
    case exclusion
    // Non-separable blend modes.
    /// The source's hue with the backdrop's saturation and luminosity.
    case hue
    /// The source's saturation with the backdrop's hue and luminosity.
    case saturation
    /// The source's hue and saturation with the backdrop's luminosity.
    case color
    /// The source's luminosity with the backdrop's hue and saturation.
    case luminosity
    // Porter-Duff operators.
    /// Nothing remains (Fa = 0, Fb = 0).
    case clear
    /// Only the source remains (Fa = 1, Fb = 0).
    case copy
    /// Only the backdrop remains (Fa = 0, Fb = 1).
    case destination
    /// The source over the backdrop (Fa = 1, Fb = 1 − αs); the same pixels as ``normal``.
    case sourceOver = "source-over"
    /// The backdrop over the source (Fa = 1 − αb, Fb = 1).
    case destinationOver = "destination-over"
    /// The source where the backdrop is (Fa = αb, Fb = 0).
    case sourceIn = "source-in"
    /// The backdrop where the source is (Fa = 0, Fb = αs).
    case destinationIn = "destination-in"
    /// The source where the backdrop is not (Fa = 1 − αb, Fb = 0).
    case sourceOut = "source-out"
    /// The backdrop where the source is not (Fa = 0, Fb = 1 − αs).
    case destinationOut = "destination-out"
    /// The source over the backdrop, only where the backdrop is (Fa = αb, Fb = 1 − αs).
    case sourceAtop = "source-atop"
    /// The backdrop over the source, only where the source is (Fa = 1 − αb, Fb = αs).
    case destinationAtop = "destination-atop"
    /// Source and backdrop where the other is not (Fa = 1 − αb, Fb = 1 − αs).
    case xor
    /// The sum of source and backdrop, clamped to 1 (Fa = 1, Fb = 1).
    case plusLighter = "plus-lighter"

    /// Whether this is a Porter-Duff operator rather than a blend mode.
    public var isPorterDuff: Bool {
        switch self {
        case .clear, .copy, .destination, .sourceOver, .destinationOver, .sourceIn, .destinationIn, .sourceOut,
             .destinationOut, .sourceAtop, .destinationAtop, .xor, .plusLighter: return true
        default: return false
        }
    }

    /// Whether the mode can make an opaque backdrop transparent (so an opaque canvas needs an alpha channel).
    public var canClearBackdrop: Bool {
        switch self {
        case .clear, .copy, .sourceIn, .destinationIn, .sourceOut, .destinationOut, .destinationAtop, .xor: return true
        default: return false
        }
    }

    /// Whether the mode only changes pixels where the source has coverage (αs > 0).
    ///
    /// Modes that are false here (``clear``, ``copy``, ``sourceIn``, ``destinationIn``,
    /// ``sourceOut``, ``destinationAtop``) also affect the backdrop outside the layer, where the
    /// source is transparent; the compositor applies them over the whole canvas.
    public var isLocal: Bool {
        switch self {
        case .clear, .copy, .sourceIn, .destinationIn, .sourceOut, .destinationAtop: return false
        default: return true
        }
    }
}

extension BlendMode {
    /// Decodes a CSS name; an unknown name is an error that lists the known ones.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let mode = BlendMode(rawValue: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription:
                "unknown blend mode '\(s)' (expected one of \(BlendMode.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self = mode
    }
}

/// The colour encoding layers are blended in.
public enum CompositingSpace: String, Sendable, Codable, CaseIterable {
    /// Linear light (physically correct mixing; the default).
    case linear
    /// Gamma-encoded sRGB values, as Photoshop and browsers blend by default.
    case sRGB = "srgb"
}
