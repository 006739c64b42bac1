#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Gaussian mixture over three-component colours (full covariances), the colour model of
/// GrabCut-style segmentation.
///
/// Fitting is deterministic: centres are seeded by farthest-point selection from the sample
/// mean, then refined by hard-assignment EM rounds (each sample to its most likely component,
/// then weights, means and covariances re-estimated in sample order, in Double). A small ridge
/// keeps covariances invertible. Cost: O(samples × components × rounds).
public struct ColourGMM: Sendable {
    /// One component: weight, mean, inverse covariance (the symmetric 3 × 3's six entries) and the log of the
    /// normalising constant (log weight − ½ log det Σ − 3/2 log 2π).
    public struct Component: Sendable {
        /// Mixing weight, 0…1.
        public var weight: Double
        /// Mean colour.
        public var mean: SIMD3<Double>
        /// Inverse covariance (symmetric): xx, xy, xz, yy, yz, zz.
        public var inverse: SIMD8<Double>
        /// log(weight) − ½ log det Σ − 3/2 log 2π.
        public var logNorm: Double
    }

    /// The components (at least one).
    public private(set) var components: [Component]

    /// Fits `k` components to `samples` (at least one sample) with `rounds` EM rounds.
    /// `ridge` is added to each covariance diagonal (in squared colour units).
    public init(samples: [SIMD3<Float>], k: Int, rounds: Int = 4, ridge: Double = 1.0) {
        precondition(!samples.isEmpty && k >= 1)
        let pts = samples.map { SIMD3<Double>(Double($0.x), Double($0.y), Double($0.z)) }
        var mean = SIMD3<Double>(0, 0, 0)
        for p in pts { mean += p }
        mean /= Double(pts.count)
        // Farthest-point seeding, starting from the sample farthest from the mean.
        var centres: [SIMD3<Double>] = []
        var nearest = [Double](repeating: .infinity, count: pts.count)
        var pick = 0, far = -1.0
        for (i, p) in pts.enumerated() {
            let d = ((p - mean) * (p - mean)).sum()
            if d > far { far = d; pick = i }
        }
        for _ in 0..<min(k, pts.count) {
            let c = pts[pick]
            centres.append(c)
            var best = -1.0
            for (i, p) in pts.enumerated() {
                let d = ((p - c) * (p - c)).sum()
                if d < nearest[i] { nearest[i] = d }
                if nearest[i] > best { best = nearest[i]; pick = i }
            }
            if best <= 0 { break }
        }
        // One k-means round from the seeds gives the first labels.
        var labels = pts.map { p -> Int in
            var b = 0, bd = Double.infinity
            for (j, c) in centres.enumerated() {
                let d = ((p - c) * (p - c)).sum()
                if d < bd { bd = d; b = j }
            }
            return b
        }
        components = ColourGMM.estimate(pts, labels: labels, count: centres.count, ridge: ridge)
        for _ in 0..<rounds {
            for (i, p) in pts.enumerated() {
                var b = 0, bl = -Double.infinity
                for (j, c) in components.enumerated() {
                    let l = ColourGMM.logDensity(c, p)
                    if l > bl { bl = l; b = j }
                }
                labels[i] = b
            }
            components = ColourGMM.estimate(pts, labels: labels, count: components.count, ridge: ridge)
        }
    }

    static func estimate(_ pts: [SIMD3<Double>], labels: [Int], count: Int, ridge: Double) -> [Component] {
        var n = [Double](repeating: 0, count: count)
        var sum = [SIMD3<Double>](repeating: .zero, count: count)
        var outer = [[Double]](repeating: [Double](repeating: 0, count: 9), count: count)
        for (i, p) in pts.enumerated() {
            let j = labels[i]
            n[j] += 1
            sum[j] += p
            for r in 0..<3 { for c in 0..<3 { outer[j][r * 3 + c] += p[r] * p[c] } }
        }
        var out: [Component] = []
        for j in 0..<count where n[j] > 0 {
            let m = sum[j] / n[j]
            var cov = [Double](repeating: 0, count: 9)
            for r in 0..<3 { for c in 0..<3 { cov[r * 3 + c] = outer[j][r * 3 + c] / n[j] - m[r] * m[c] } }
            for d in 0..<3 { cov[d * 4] += ridge }
            let (inv, det) = invert3(cov)
            let weight = n[j] / Double(pts.count)
            let sym = SIMD8<Double>(inv[0], inv[1], inv[2], inv[4], inv[5], inv[8], 0, 0)
            out.append(Component(weight: weight, mean: m, inverse: sym,
                                 logNorm: log(weight) - 0.5 * log(max(det, 1e-300)) - 1.5 * log(2 * Double.pi)))
        }
        return out
    }

    static func invert3(_ m: [Double]) -> ([Double], Double) {
        let a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5], g = m[6], h = m[7], i = m[8]
        let A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g
        let det = a * A + b * B + c * C
        let s = 1 / det
        let inv = [A * s, -(b * i - c * h) * s, (b * f - c * e) * s,
                   B * s, (a * i - c * g) * s, -(a * f - c * d) * s,
                   C * s, -(a * h - b * g) * s, (a * e - b * d) * s]
        return (inv, det)
    }

    @inline(__always) static func logDensity(_ c: Component, _ p: SIMD3<Double>) -> Double {
        let d = p - c.mean, m = c.inverse
        let q = m[0] * d.x * d.x + m[3] * d.y * d.y + m[5] * d.z * d.z + 2 * (m[1] * d.x * d.y + m[2] * d.x * d.z + m[4] * d.y * d.z)
        return c.logNorm - 0.5 * q
    }

    /// The negative log-likelihood of a colour under the mixture (nats), capped at `cap`.
    public func negativeLogLikelihood(_ p: SIMD3<Float>, cap: Double = 60) -> Double {
        let x = SIMD3<Double>(Double(p.x), Double(p.y), Double(p.z))
        // Online log-sum-exp over components (no allocation).
        var best = -Double.infinity, s = 0.0
        components.withUnsafeBufferPointer { comps in
        for c in comps {
            let l = ColourGMM.logDensity(c, x)
            if l > best {
                s = best == -.infinity ? 1 : s * exp(best - l) + 1
                best = l
            } else {
                s += exp(l - best)
            }
        }
        }
        if best == -.infinity { return cap }
        return min(cap, -(best + log(s)))
    }
}
