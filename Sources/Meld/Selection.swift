/// A region of an image for an edit to change: shapes, a mask file, a colour range, a magic
/// wand, the subject, and combinations of them. Typed and `Codable`, so an edit records exactly
/// what it selected.
///
/// A selection renders to a coverage ``Mask`` (0 outside … 1 inside) for a given image with
/// ``mask(for:operation:schedule:)``. Coordinates are in pixels of the upright image, with
/// pixel (x, y) covering x…x+1 × y…y+1. Rendering is deterministic and bit-identical on every
/// schedule. Colour distances are CIE76 ΔE in CIE Lab (D65) with ΔL* counted half (``Coverage/lightnessWeight``), where 1 is about one just
/// noticeable difference and 100 the distance from black to white.
public indirect enum Selection: Sendable, Hashable, Codable {
    /// The pixels inside a rectangle (exact, no anti-aliasing).
    case rectangle(Rect)
    /// An axis-aligned ellipse, anti-aliased (4 × 4 samples per pixel).
    case ellipse(centerX: Double, centerY: Double, radiusX: Double, radiusY: Double)
    /// A polygon (even-odd rule), anti-aliased; at least three vertices.
    case polygon([Point])
    /// Coverage read from an image file (its alpha, grey or luma; see ``Mask``), resampled to the
    /// image's size when it differs.
    case mask(path: String)
    /// Pixels whose colour lies within `tolerance` ΔE of `colour`, fading to none at
    /// `tolerance + fuzziness`. Tolerance 0…200, fuzziness 0…200.
    case colourRange(RGBA, tolerance: Double, fuzziness: Double)
    /// The 4-connected region around (`x`, `y`) whose colours lie within `tolerance` ΔE of
    /// that pixel's colour (magic wand). Tolerance 0…200.
    case magicWand(x: Int, y: Int, tolerance: Double)
    /// The main subject: the image's alpha when it has transparent pixels (a cut-out is its own
    /// subject); otherwise the product-shot segmentation of ``Cutout`` (backdrop modelled from the
    /// border, colour mixtures and a graph cut, holes decided by colour, edge refined by a guided
    /// filter): a soft coverage. Reported as `.unsupportedFeature` when nothing stands out from
    /// the border (busy scenes: use ``object(in:)``).
    case subject
    /// The object inside a rectangle of a general photo (GrabCut: everything outside the
    /// rectangle is background), with a refined soft edge. `.unsupportedFeature` when nothing in
    /// the box can be told from what is outside it.
    case object(in: Rect)
    /// Every pixel.
    case all
    /// Pixels in either selection (maximum of coverages).
    case union(Selection, Selection)
    /// Pixels in both (minimum).
    case intersection(Selection, Selection)
    /// Pixels in the first but not the second: min(a, 1 − b).
    case subtraction(Selection, Selection)
    /// Every pixel not selected: 1 − coverage.
    case inverted(Selection)
    /// Grown (positive) or shrunk (negative) by a disk of this many pixels, −1000…1000.
    case grown(Selection, by: Int)
    /// The edge softened by a truncated Gaussian reaching exactly `radius` pixels (0…1000): no
    /// pixel further than `radius` from the selection becomes selected.
    case feathered(Selection, radius: Int)

    /// A polygon vertex in pixel coordinates.
    public struct Point: Sendable, Hashable, Codable {
        /// Horizontal position in pixels.
        public var x: Double
        /// Vertical position in pixels.
        public var y: Double
        /// Creates a vertex.
        public init(x: Double, y: Double) { self.x = x; self.y = y }
    }

    /// This selection and `other`.
    public func union(_ other: Selection) -> Selection { .union(self, other) }
    /// Where this selection and `other` overlap.
    public func intersection(_ other: Selection) -> Selection { .intersection(self, other) }
    /// This selection without `other`.
    public func subtracting(_ other: Selection) -> Selection { .subtraction(self, other) }
    /// Everything but this selection.
    public var inverse: Selection { .inverted(self) }
    /// Grown by `pixels` (shrunk when negative).
    public func grown(by pixels: Int) -> Selection { .grown(self, by: pixels) }
    /// With its edge feathered over `radius` pixels.
    public func feathered(radius: Int) -> Selection { .feathered(self, radius: radius) }

    /// How far (in pixels) the rendered coverage can reach beyond the shapes it is made of
    /// through growing and feathering: the sum of positive grow and feather radii on the way down.
    public var reach: Int {
        switch self {
        case .rectangle, .ellipse, .polygon, .mask, .colourRange, .magicWand, .subject, .object, .all: 0
        case .union(let a, let b), .intersection(let a, let b): max(a.reach, b.reach)
        case .subtraction(let a, _): a.reach
        case .inverted: 0
        case .grown(let s, let by): s.reach + max(0, by)
        case .feathered(let s, let radius): s.reach + max(0, radius)
        }
    }

    /// Checks the arguments that do not depend on an image; throws `.invalidArgument` naming
    /// the field, e.g. "region: ellipse radii must be positive (got 0, 5)".
    public func validate(operation: String = "select") throws(MeldError) {
        func fail(_ message: String) -> MeldError { MeldError(.invalidArgument, operation: operation, "region: \(message)") }
        switch self {
        case .rectangle(let r):
            if r.width <= 0 || r.height <= 0 { throw fail("rectangle \(r) must have a positive size") }
        case .ellipse(let cx, let cy, let rx, let ry):
            if !(rx > 0 && ry > 0 && rx.isFinite && ry.isFinite) { throw fail("ellipse radii must be positive (got \(rx), \(ry))") }
            if !cx.isFinite || !cy.isFinite { throw fail("ellipse centre must be finite") }
        case .polygon(let points):
            if points.count < 3 { throw fail("a polygon needs at least 3 points (got \(points.count))") }
            if points.contains(where: { !(abs($0.x) < 1e9) || !(abs($0.y) < 1e9) }) {
                throw fail("polygon points must be finite and within ±1e9 pixels")
            }
        case .mask(let path):
            if path.isEmpty { throw fail("mask path is empty") }
        case .colourRange(_, let tolerance, let fuzziness):
            if !(0...200).contains(tolerance) { throw fail("colour tolerance must be 0–200 ΔE (got \(tolerance))") }
            if !(0...200).contains(fuzziness) { throw fail("colour fuzziness must be 0–200 ΔE (got \(fuzziness))") }
        case .magicWand(_, _, let tolerance):
            if !(0...200).contains(tolerance) { throw fail("wand tolerance must be 0–200 ΔE (got \(tolerance))") }
        case .subject, .all: break
        case .object(let r):
            if r.width <= 0 || r.height <= 0 { throw fail("object box \(r.x),\(r.y),\(r.width),\(r.height) must have a positive size") }
        case .union(let a, let b), .intersection(let a, let b), .subtraction(let a, let b):
            try a.validate(operation: operation)
            try b.validate(operation: operation)
        case .inverted(let s): try s.validate(operation: operation)
        case .grown(let s, let by):
            if !(-1000...1000).contains(by) { throw fail("grow must be −1000…1000 pixels (got \(by))") }
            try s.validate(operation: operation)
        case .feathered(let s, let radius):
            if !(0...1000).contains(radius) { throw fail("feather radius must be 0–1000 pixels (got \(radius))") }
            try s.validate(operation: operation)
        }
    }
}
