/// A point of a rectangle: a corner, the middle of an edge, or the centre. A layer's anchor
/// point is placed on the canvas's same anchor point, then moved by the layer's offset.
public enum Anchor: String, Sendable, Hashable, Codable, CaseIterable {
    /// Top-left corner.
    case topLeft = "top-left"
    /// Middle of the top edge.
    case top
    /// Top-right corner.
    case topRight = "top-right"
    /// Middle of the left edge.
    case left
    /// Centre.
    case centre
    /// Middle of the right edge.
    case right
    /// Bottom-left corner.
    case bottomLeft = "bottom-left"
    /// Middle of the bottom edge.
    case bottom
    /// Bottom-right corner.
    case bottomRight = "bottom-right"

    /// Accepts the raw names and `center`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        if s == "center" { self = .centre; return }
        guard let a = Anchor(rawValue: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown anchor '\(s)' (expected one of \(Anchor.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self = a
    }

    /// Horizontal position as a fraction of the width (0, ½, 1).
    public var fx: Double {
        switch self {
        case .topLeft, .left, .bottomLeft: 0
        case .top, .centre, .bottom: 0.5
        case .topRight, .right, .bottomRight: 1
        }
    }

    /// Vertical position as a fraction of the height (0, ½, 1).
    public var fy: Double {
        switch self {
        case .topLeft, .top, .topRight: 0
        case .left, .centre, .right: 0.5
        case .bottomLeft, .bottom, .bottomRight: 1
        }
    }
}

/// How a layer's content is sized into its box (the `width` × `height` asked for, or the rectangle).
public enum Fit: String, Sendable, Hashable, Codable, CaseIterable {
    /// Natural size; the box is ignored for sizing.
    case none
    /// As large as fits inside the box, keeping the aspect ratio.
    case contain
    /// Covers the box, keeping the aspect ratio; the overflow is cropped around the centre.
    case cover
    /// The box's width, height following the aspect ratio.
    case width
    /// The box's height, width following the aspect ratio.
    case height
    /// Exactly the box, stretching if the aspect ratios differ.
    case fill
}

/// Mirroring of a layer.
public enum LayerFlip: String, Sendable, Hashable, Codable, CaseIterable {
    /// Left–right.
    case horizontal
    /// Top–bottom.
    case vertical
    /// Both (a half turn).
    case both
}
