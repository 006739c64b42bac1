/// Palette kernels: deterministic k-means in CIE Lab and nearest-colour remapping.
public enum PaletteKernels {
    /// One cluster: its Lab centre and the fraction of samples nearest to it.
    public struct Cluster: Sendable, Hashable {
        /// L, a, b of the centre.
        public var lab: (Double, Double, Double)
        /// Fraction of the samples assigned to it (weights sum to 1).
        public var weight: Double

        public static func == (l: Cluster, r: Cluster) -> Bool {
            l.lab.0 == r.lab.0 && l.lab.1 == r.lab.1 && l.lab.2 == r.lab.2 && l.weight == r.weight
        }
        public func hash(into h: inout Hasher) { h.combine(lab.0); h.combine(lab.1); h.combine(lab.2); h.combine(weight) }
    }

    /// k-means (Lloyd) over `samples` in Lab with k-means++ seeding from `seed`, at most
    /// `iterations` rounds (stops early when no assignment changes). An empty cluster is
    /// re-seeded at the sample farthest from its centre. Sums run in sample order in Double,
    /// so the result depends only on the samples and the seed. Returns at most `k` clusters
    /// (fewer when there are fewer distinct colours), heaviest first (ties: lighter first).
    ///
    /// Cost: O(iterations · samples · k).
    public static func kMeans(_ samples: LabSamples, k: Int, seed: UInt64 = 0x7061_6C65, iterations: Int = 40) -> [Cluster] {
        let n = samples.count
        guard n > 0 && k > 0 else { return [] }
        let v = samples.values.map(Double.init)
        func dist(_ i: Int, _ c: [Double]) -> Double {
            let dl = v[3 * i] - c[0], da = v[3 * i + 1] - c[1], db = v[3 * i + 2] - c[2]
            return dl * dl + da * da + db * db
        }
        var rng = RestyleRandom(seed: seed)
        // k-means++ seeding.
        var centres: [[Double]] = []
        let first = rng.below(n)
        centres.append([v[3 * first], v[3 * first + 1], v[3 * first + 2]])
        var nearest = (0..<n).map { dist($0, centres[0]) }
        while centres.count < k {
            let total = nearest.reduce(0, +)
            if total <= 0 { break } // fewer distinct colours than k
            var target = rng.unit() * total
            var pick = n - 1
            for i in 0..<n {
                target -= nearest[i]
                if target < 0 { pick = i; break }
            }
            let c = [v[3 * pick], v[3 * pick + 1], v[3 * pick + 2]]
            centres.append(c)
            for i in 0..<n { nearest[i] = min(nearest[i], dist(i, c)) }
        }
        let kk = centres.count
        var flat = centres.flatMap { $0 }
        var assignment = [Int](repeating: -1, count: n)
        /// Index of the nearest centre to sample i (first of equals).
        func nearestCentre(_ i: Int, _ c: UnsafeBufferPointer<Double>) -> Int {
            var best = 0, bestD = Double.infinity
            let l = v[3 * i], a = v[3 * i + 1], b = v[3 * i + 2]
            for j in 0..<kk {
                let dl = l - c[3 * j], da = a - c[3 * j + 1], db = b - c[3 * j + 2]
                let d = dl * dl + da * da + db * db
                if d < bestD { bestD = d; best = j }
            }
            return best
        }
        for _ in 0..<max(1, iterations) {
            var changed = false
            flat.withUnsafeBufferPointer { c in
                for i in 0..<n {
                    let best = nearestCentre(i, c)
                    if assignment[i] != best { assignment[i] = best; changed = true }
                }
            }
            if !changed { break }
            var sums = [Double](repeating: 0, count: 3 * kk), counts = [Int](repeating: 0, count: kk)
            for i in 0..<n {
                let j = assignment[i]
                sums[3 * j] += v[3 * i]; sums[3 * j + 1] += v[3 * i + 1]; sums[3 * j + 2] += v[3 * i + 2]
                counts[j] += 1
            }
            for j in 0..<kk {
                if counts[j] > 0 {
                    for c in 0..<3 { flat[3 * j + c] = sums[3 * j + c] / Double(counts[j]) }
                } else {
                    // Re-seed an empty cluster at the sample farthest from its centre.
                    var far = 0, farD = -1.0
                    for i in 0..<n {
                        let o = 3 * assignment[i]
                        let d = dist(i, [flat[o], flat[o + 1], flat[o + 2]])
                        if d > farD { farD = d; far = i }
                    }
                    for c in 0..<3 { flat[3 * j + c] = v[3 * far + c] }
                }
            }
        }
        var counts = [Int](repeating: 0, count: kk)
        flat.withUnsafeBufferPointer { c in
            for i in 0..<n { counts[nearestCentre(i, c)] += 1 }
        }
        var clusters: [Cluster] = []
        for j in 0..<kk where counts[j] > 0 {
            let lab: (Double, Double, Double) = (flat[3 * j], flat[3 * j + 1], flat[3 * j + 2])
            clusters.append(Cluster(lab: lab, weight: Double(counts[j]) / Double(n)))
        }
        clusters.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.lab.0 > $1.lab.0 }
        return clusters
    }

    /// Replaces each pixel's colour by the nearest palette colour in Lab (ΔE*ab 1976). With
    /// `keepLightness`, only a* and b* are taken from the palette and the pixel keeps its own
    /// L* (shading survives). Blended with the original by `strength × mask` in linear light;
    /// alpha is copied; grey becomes RGB. Bit-identical on any schedule.
    ///
    /// Cost: one fused pass, O(k) distance tests per pixel.
    public static func remap(_ source: Raster, palette: [(Float, Float, Float)], keepLightness: Bool = false,
                             mask: Raster? = nil, strength: Float = 1, schedule: Schedule = .default) -> Raster {
        precondition(!palette.isEmpty, "empty palette")
        let pl = palette.map(\.0), pa = palette.map(\.1), pb = palette.map(\.2)
        let k = palette.count
        return LabRowMap.map(source, mask: mask, strength: strength, schedule: schedule) { p0, p1, p2, n in
            for i in 0..<n {
                var best = 0, bestD = Float.infinity
                for j in 0..<k {
                    let dl = p0[i] - pl[j], da = p1[i] - pa[j], db = p2[i] - pb[j]
                    let d = dl * dl + da * da + db * db
                    if d < bestD { bestD = d; best = j }
                }
                if !keepLightness { p0[i] = pl[best] }
                p1[i] = pa[best]
                p2[i] = pb[best]
            }
        }
    }
}
