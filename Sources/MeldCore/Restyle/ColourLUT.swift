/// A colour look-up table: a 3D table sampled on a regular lattice (interpolated
/// tetrahedrally) or three 1D curves (interpolated linearly), as stored in `.cube` files and
/// Hald CLUT images.
///
/// **Values are gamma-encoded sRGB.** A `.cube` LUT or a Hald image maps *encoded* sRGB
/// values (what an 8-bit file stores, 0…1) to encoded values, because that is what every
/// grading tool that writes them samples. ``LUTApplication`` therefore converts Meld's
/// linear-light working values to encoded sRGB, looks them up, and converts back.
///
/// Table layout (as in `.cube` files): for a 3D table of size N, entry `(r, g, b)` is at
/// `3 · (r + N·g + N²·b)` — red changes fastest — and holds the output red, green, blue.
/// For a 1D table of size N, entry `i` is at `3 · i` and holds the three curves' values at
/// input `i / (N − 1)` of the domain.
///
/// Inputs are mapped from `domainMin…domainMax` onto the lattice and clamped to it.
public struct ColourLUT: Sendable, Hashable, Codable {
    /// Whether the table is a 3D lattice or three 1D curves.
    public enum Dimension: String, Sendable, Hashable, Codable {
        /// Three independent curves, one per channel.
        case oneD
        /// A lattice over the RGB cube.
        case threeD
    }

    /// Largest 3D lattice accepted (the Adobe Cube specification's limit).
    public static let maxSize3D = 256
    /// Largest 1D table accepted (the Adobe Cube specification's limit).
    public static let maxSize1D = 65536

    /// 1D curves or 3D lattice.
    public let dimension: Dimension
    /// Entries per axis (2…256 for 3D, 2…65536 for 1D).
    public let size: Int
    /// The output values, three per entry (see the type's documentation for the order).
    public let table: [Float]
    /// The input value mapped to the first lattice entry, per channel.
    public let domainMin: [Float]
    /// The input value mapped to the last lattice entry, per channel.
    public let domainMax: [Float]
    /// An optional title (the `.cube` TITLE line).
    public let title: String?

    /// Creates a table, checking its shape.
    ///
    /// - Throws: `.invalidArgument` when `size` is out of range, `table` has not
    ///   `3 · size³` (3D) or `3 · size` (1D) values, a value is not finite, or a domain is
    ///   empty or not three finite values with min < max.
    public init(dimension: Dimension, size: Int, table: [Float], domainMin: [Float] = [0, 0, 0],
                domainMax: [Float] = [1, 1, 1], title: String? = nil) throws(MeldError) {
        let limit = dimension == .threeD ? ColourLUT.maxSize3D : ColourLUT.maxSize1D
        guard size >= 2 && size <= limit else {
            throw MeldError(.invalidArgument, operation: "lut", "size must be 2…\(limit) for a \(dimension == .threeD ? "3D" : "1D") LUT (got \(size))")
        }
        let expected = dimension == .threeD ? 3 * size * size * size : 3 * size
        guard table.count == expected else {
            throw MeldError(.invalidArgument, operation: "lut", "table has \(table.count) values; a \(dimension == .threeD ? "3D" : "1D") LUT of size \(size) needs \(expected)")
        }
        if let bad = table.firstIndex(where: { !$0.isFinite }) {
            throw MeldError(.invalidArgument, operation: "lut", "table value \(bad) is not a finite number")
        }
        guard domainMin.count == 3, domainMax.count == 3,
              (0..<3).allSatisfy({ domainMin[$0].isFinite && domainMax[$0].isFinite && domainMin[$0] < domainMax[$0] }) else {
            throw MeldError(.invalidArgument, operation: "lut", "domain must be three finite values per end with min < max (got \(domainMin) … \(domainMax))")
        }
        self.dimension = dimension
        self.size = size
        self.table = table
        self.domainMin = domainMin
        self.domainMax = domainMax
        self.title = title
    }

    /// A 3D table of `size` entries per axis sampling `grade` (encoded sRGB in, encoded out)
    /// at the lattice points `(r, g, b) / (size − 1)`.
    public init(size: Int, title: String? = nil, sampling grade: (Float, Float, Float) -> (Float, Float, Float)) throws(MeldError) {
        guard size >= 2 && size <= ColourLUT.maxSize3D else {
            throw MeldError(.invalidArgument, operation: "lut", "size must be 2…\(ColourLUT.maxSize3D) for a 3D LUT (got \(size))")
        }
        var t = [Float](repeating: 0, count: 3 * size * size * size)
        let s = Float(size - 1)
        var i = 0
        for b in 0..<size {
            for g in 0..<size {
                for r in 0..<size {
                    let v = grade(Float(r) / s, Float(g) / s, Float(b) / s)
                    t[i] = v.0; t[i + 1] = v.1; t[i + 2] = v.2
                    i += 3
                }
            }
        }
        try self.init(dimension: .threeD, size: size, table: t, title: title)
    }

    /// The identity 3D table of `size` entries per axis.
    public static func identity(size: Int) throws(MeldError) -> ColourLUT {
        try ColourLUT(size: size, title: "identity") { ($0, $1, $2) }
    }

    /// Looks one encoded colour up: tetrahedral interpolation for 3D tables, linear for 1D.
    /// This is the definition the tiled kernel in ``LUTApplication`` runs per pixel.
    ///
    /// Tetrahedral: the lattice cell around the point is split into six tetrahedra along
    /// its main diagonal; the one holding the point is chosen by the order of the fractional
    /// coordinates, and its four corners are blended with barycentric weights. It reproduces
    /// the table exactly at lattice points and any affine function everywhere.
    @inlinable
    public func evaluate(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        table.withUnsafeBufferPointer { t in
            ColourLUT.lookup(t.baseAddress!, dimension: dimension, size: size,
                             scale: (Float(size - 1) / (domainMax[0] - domainMin[0]),
                                     Float(size - 1) / (domainMax[1] - domainMin[1]),
                                     Float(size - 1) / (domainMax[2] - domainMin[2])),
                             offset: (domainMin[0], domainMin[1], domainMin[2]), r, g, b)
        }
    }

    /// The lookup kernel shared by ``evaluate(_:_:_:)`` and the tiled application.
    @inlinable @inline(__always)
    static func lookup(_ t: UnsafePointer<Float>, dimension: Dimension, size n: Int,
                       scale: (Float, Float, Float), offset: (Float, Float, Float),
                       _ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        let last = Float(n - 1)
        // Lattice coordinates, clamped (NaN becomes 0).
        var x = (r - offset.0) * scale.0, y = (g - offset.1) * scale.1, z = (b - offset.2) * scale.2
        x = x > 0 ? min(x, last) : 0
        y = y > 0 ? min(y, last) : 0
        z = z > 0 ? min(z, last) : 0
        // Base cell: the last cell for points on the top face, so the fraction is 1 there.
        let xi = min(Int(x), n - 2), yi = min(Int(y), n - 2), zi = min(Int(z), n - 2)
        let fx = x - Float(xi), fy = y - Float(yi), fz = z - Float(zi)
        if dimension == .oneD {
            let r0 = t + 3 &* xi, g0 = t + 3 &* yi, b0 = t + 3 &* zi
            return (r0[0] + fx * (r0[3] - r0[0]),
                    g0[1] + fy * (g0[4] - g0[1]),
                    b0[2] + fz * (b0[5] - b0[2]))
        }
        let sx = 3, sy = 3 &* n, sz = 3 &* n &* n
        let c000 = t + (xi &* sx &+ yi &* sy &+ zi &* sz)
        let c111 = c000 + (sx &+ sy &+ sz)
        // The two intermediate corners and the four weights of the tetrahedron holding the point.
        let o1: Int, o2: Int, w0: Float, w1: Float, w2: Float, w3: Float
        if fx > fy {
            if fy > fz {        // x > y > z
                o1 = sx; o2 = sx &+ sy; w0 = 1 - fx; w1 = fx - fy; w2 = fy - fz; w3 = fz
            } else if fx > fz { // x > z ≥ y
                o1 = sx; o2 = sx &+ sz; w0 = 1 - fx; w1 = fx - fz; w2 = fz - fy; w3 = fy
            } else {            // z ≥ x > y
                o1 = sz; o2 = sx &+ sz; w0 = 1 - fz; w1 = fz - fx; w2 = fx - fy; w3 = fy
            }
        } else {
            if fz > fy {        // z > y ≥ x
                o1 = sz; o2 = sy &+ sz; w0 = 1 - fz; w1 = fz - fy; w2 = fy - fx; w3 = fx
            } else if fz > fx { // y ≥ z > x
                o1 = sy; o2 = sy &+ sz; w0 = 1 - fy; w1 = fy - fz; w2 = fz - fx; w3 = fx
            } else {            // y ≥ x ≥ z
                o1 = sy; o2 = sx &+ sy; w0 = 1 - fy; w1 = fy - fx; w2 = fx - fz; w3 = fz
            }
        }
        let c1 = c000 + o1, c2 = c000 + o2
        return (w0 * c000[0] + w1 * c1[0] + w2 * c2[0] + w3 * c111[0],
                w0 * c000[1] + w1 * c1[1] + w2 * c2[1] + w3 * c111[1],
                w0 * c000[2] + w1 * c1[2] + w2 * c2[2] + w3 * c111[2])
    }
}
