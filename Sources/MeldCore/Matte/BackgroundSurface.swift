/// A smooth background colour field: per colour plane, a quadratic in x and y
/// (1, x, y, x², xy, y² over coordinates normalised to −1…1) fitted by least squares to samples
/// known to be background. It models plain, graded and vignetted backdrops from the image border
/// and predicts the backdrop behind the subject. Fitting is robust: a second fit leaves out
/// samples whose residual exceeds 3 × the first fit's median absolute residual.
public struct BackgroundSurface: Sendable {
    /// Coefficients per plane (6 each).
    public private(set) var coefficients: [[Double]]
    let width: Double, height: Double

    /// A flat surface of value zero (no spatial model).
    public static func zero(width: Int, height: Int) -> BackgroundSurface {
        BackgroundSurface(coefficients: [[Double]](repeating: [0, 0, 0, 0, 0, 0], count: 3), width: Double(width), height: Double(height))
    }

    init(coefficients: [[Double]], width: Double, height: Double) {
        self.coefficients = coefficients; self.width = width; self.height = height
    }

    /// Fits the surface to samples at pixel positions of a `width × height` image.
    public init(samples: [(x: Int, y: Int, colour: SIMD3<Float>)], width: Int, height: Int) {
        self.width = Double(width); self.height = Double(height)
        coefficients = [[Double]](repeating: [0, 0, 0, 0, 0, 0], count: 3)
        guard samples.count >= 12 else {
            var m = SIMD3<Double>(0, 0, 0)
            for s in samples { m += SIMD3(Double(s.colour.x), Double(s.colour.y), Double(s.colour.z)) }
            if !samples.isEmpty { m /= Double(samples.count) }
            for c in 0..<3 { coefficients[c][0] = m[c] }
            return
        }
        var keep = [Bool](repeating: true, count: samples.count)
        for pass in 0..<2 {
            var ata = [Double](repeating: 0, count: 36)
            var atb = [[Double]](repeating: [Double](repeating: 0, count: 6), count: 3)
            for (i, s) in samples.enumerated() where keep[i] {
                let f = features(Double(s.x), Double(s.y))
                for r in 0..<6 { for c in 0..<6 { ata[r * 6 + c] += f[r] * f[c] } }
                for p in 0..<3 {
                    let v = Double(s.colour[p])
                    for r in 0..<6 { atb[p][r] += f[r] * v }
                }
            }
            for d in 0..<6 { ata[d * 7] += 1e-6 * Double(samples.count) }
            for p in 0..<3 { coefficients[p] = BackgroundSurface.solve6(ata, atb[p]) }
            if pass == 0 {
                let residuals = samples.map { s -> Double in
                    let e = predict(s.x, s.y)
                    let d = SIMD3<Double>(Double(s.colour.x) - Double(e.x), Double(s.colour.y) - Double(e.y), Double(s.colour.z) - Double(e.z))
                    return (d * d).sum().squareRoot()
                }
                let median = residuals.sorted()[residuals.count / 2]
                let limit = max(3 * median, 1)
                for i in samples.indices { keep[i] = residuals[i] <= limit }
            }
        }
    }

    func features(_ x: Double, _ y: Double) -> [Double] {
        let u = (x + 0.5) / width * 2 - 1, v = (y + 0.5) / height * 2 - 1
        return [1, u, v, u * u, u * v, v * v]
    }

    /// The predicted background colour at pixel (x, y).
    public func predict(_ x: Int, _ y: Int) -> SIMD3<Float> {
        let u = (Double(x) + 0.5) / width * 2 - 1, v = (Double(y) + 0.5) / height * 2 - 1
        var out = SIMD3<Float>(0, 0, 0)
        for p in 0..<3 {
            let c = coefficients[p]
            out[p] = Float(c[0] + c[1] * u + c[2] * v + c[3] * u * u + c[4] * u * v + c[5] * v * v)
        }
        return out
    }

    /// Gaussian elimination with partial pivoting on a 6 × 6 system.
    static func solve6(_ a: [Double], _ b: [Double]) -> [Double] {
        var m = a, r = b
        for col in 0..<6 {
            var piv = col
            for row in (col + 1)..<6 where abs(m[row * 6 + col]) > abs(m[piv * 6 + col]) { piv = row }
            if piv != col {
                for c in 0..<6 { m.swapAt(col * 6 + c, piv * 6 + c) }
                r.swapAt(col, piv)
            }
            let d = m[col * 6 + col]
            guard abs(d) > 1e-12 else { continue }
            for row in (col + 1)..<6 {
                let f = m[row * 6 + col] / d
                if f == 0 { continue }
                for c in col..<6 { m[row * 6 + c] -= f * m[col * 6 + c] }
                r[row] -= f * r[col]
            }
        }
        var x = [Double](repeating: 0, count: 6)
        for row in stride(from: 5, through: 0, by: -1) {
            var s = r[row]
            for c in (row + 1)..<6 { s -= m[row * 6 + c] * x[c] }
            let d = m[row * 6 + row]
            x[row] = abs(d) > 1e-12 ? s / d : 0
        }
        return x
    }
}
