import MeldCore

extension Reference {
    /// Tetrahedral interpolation of a 3D LUT (or linear of a 1D one) in Double, written the
    /// long way: find the cell, sort the fractions, walk the cell's main diagonal.
    public static func lookup(_ lut: ColourLUT, _ r: Double, _ g: Double, _ b: Double) -> (Double, Double, Double) {
        let n = lut.size
        func coord(_ v: Double, _ c: Int) -> Double {
            let t = (v - Double(lut.domainMin[c])) / (Double(lut.domainMax[c]) - Double(lut.domainMin[c])) * Double(n - 1)
            return t.isNaN ? 0 : Swift.min(Swift.max(t, 0), Double(n - 1))
        }
        let p = [coord(r, 0), coord(g, 1), coord(b, 2)]
        let base = p.map { Swift.min(Int($0), n - 2) }
        let f = (0..<3).map { p[$0] - Double(base[$0]) }
        if lut.dimension == .oneD {
            let v = (0..<3).map { c -> Double in
                let lo = Double(lut.table[3 * base[c] + c]), hi = Double(lut.table[3 * (base[c] + 1) + c])
                return lo + f[c] * (hi - lo)
            }
            return (v[0], v[1], v[2])
        }
        func node(_ i: [Int]) -> [Double] {
            let k = 3 * (i[0] + n * i[1] + n * n * i[2])
            return [Double(lut.table[k]), Double(lut.table[k + 1]), Double(lut.table[k + 2])]
        }
        // Axes by decreasing fraction (ties: x before y before z, as any tie gives the same value).
        let order = [0, 1, 2].sorted { f[$0] > f[$1] || (f[$0] == f[$1] && $0 < $1) }
        var corner = base
        var weights = [1 - f[order[0]]]
        var corners = [node(corner)]
        for k in 0..<3 {
            corner[order[k]] += 1
            corners.append(node(corner))
            weights.append(k < 2 ? f[order[k]] - f[order[k + 1]] : f[order[2]])
        }
        var out = [0.0, 0.0, 0.0]
        for (w, c) in zip(weights, corners) { for j in 0..<3 { out[j] += w * c[j] } }
        return (out[0], out[1], out[2])
    }

    /// A LUT applied to a working-format RGB(A) raster, per pixel in Double with the exact sRGB
    /// transfer function, blended by `strength × mask`.
    public static func applyLUT(_ lut: ColourLUT, to source: Raster, mask: Raster? = nil, strength: Double = 1) -> Raster {
        var out = source
        let hasAlpha = source.layout.hasAlpha
        for y in 0..<source.height {
            for x in 0..<source.width {
                let a = hasAlpha ? Double(source[x, y, 3]) : 1
                var k = strength
                if let mask { k *= Double(mask[x, y, 0]) }
                if k <= 0 || a <= 0 { continue }
                let enc = (0..<3).map { srgbEncode(Double(source[x, y, $0]) / a) }
                let v = lookup(lut, enc[0], enc[1], enc[2])
                let lin = [srgbDecode(v.0) * a, srgbDecode(v.1) * a, srgbDecode(v.2) * a]
                for c in 0..<3 {
                    let s = Double(source[x, y, c])
                    out[x, y, c] = Float(s + Swift.min(k, 1) * (lin[c] - s))
                }
            }
        }
        return out
    }
}

extension Reference {
    /// A smooth grading function on encoded sRGB (0…1 in, 0…1 out): an S-curve, a warm shift
    /// and a little channel mixing — the "exact grade" LUT accuracy is measured against.
    @Sendable public static func grade(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        func s(_ v: Float) -> Float { v * v * (3 - 2 * v) * 0.6 + v * 0.4 }
        let rr = s(Swift.min(Swift.max(0.9 * r + 0.1 * g, 0), 1)), gg = s(g), bb = s(Swift.min(Swift.max(0.85 * b + 0.1 * r, 0), 1))
        return (Swift.min(rr * 1.04 + 0.01, 1), gg, bb * 0.92 + 0.02)
    }
}
