#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Harmonizes many layers at once, as libvips' global balance does for mosaics: measure where
/// elements meet, solve one least-squares system for every layer's correction, apply.
///
/// Elements are a fixed background (index 0, the anchor: never corrected) and the layers
/// (indices 1…n, bottom first). Where two elements' *visible* parts meet, a narrow band of
/// `band` pixels on each side of the boundary is measured in a perceptual space — log(L* + 16), a*, b*
/// — and the two sides' means should agree after correction. The model per layer is a gain on
/// L* + 16 (exposure: scaling linear light by g scales L* + 16 by g^⅓ above the toe) and offsets
/// on a* and b* (white balance and tint), so each channel is one linear system
///
///     minimise  Σ_edges w_ab · (x_a + m_ab − x_b − m_ba)²  +  λ · Σ_layers x_i²
///
/// with x_0 = 0, `m_ab` the mean of a's band next to b, `w_ab` the smaller of the two bands'
/// sample counts, and λ a regulariser pulling each correction towards zero, so that a layer
/// that meets little stays put. A layer that only meets other layers is corrected through them:
/// agreement propagates, not only pairwise towards the background.
///
/// Deterministic: bands are folded in row order and the system is solved by Cholesky in a
/// fixed order; any schedule gives the same corrections. Cost: O(grid × elements) for the
/// measurement on a grid sampled every `step` pixels, O(n³) for the solve.
public enum JointHarmonizer {
    /// A layer placed on the measured region: premultiplied linear RGB(A) pixels and the region
    /// coordinates of its top-left corner. Pixels with alpha ≥ ½ are the layer's footprint.
    public struct Element: Sendable {
        /// The layer's pixels.
        public var raster: Raster
        /// Left edge in the region (may be negative).
        public var x: Int
        /// Top edge in the region (may be negative).
        public var y: Int

        /// A placed layer.
        public init(raster: Raster, x: Int, y: Int) { self.raster = raster; self.x = x; self.y = y }
    }

    /// Statistics where two elements meet: the mean of each side's band next to the other.
    public struct Edge: Sendable, Hashable {
        /// The lower element index (0 is the background).
        public var first: Int
        /// The higher element index.
        public var second: Int
        /// Mean of `first`'s band next to `second` in (log(L* + 16), a*, b*).
        public var firstMean: SIMD3<Double>
        /// Mean of `second`'s band next to `first`.
        public var secondMean: SIMD3<Double>
        /// The smaller of the two bands' sample counts.
        public var weight: Double

        /// An edge.
        public init(first: Int, second: Int, firstMean: SIMD3<Double>, secondMean: SIMD3<Double>, weight: Double) {
            self.first = first; self.second = second; self.firstMean = firstMean; self.secondMean = secondMean; self.weight = weight
        }
    }

    /// The perceptual coordinates the model is linear in: (log(L* + 16), a*, b*) of a linear RGB colour.
    @inlinable public static func coordinates(_ c: (Float, Float, Float)) -> SIMD3<Double> {
        let lab = Colour.xyzToLab(Colour.linearToXYZ((max(c.0, 0), max(c.1, 0), max(c.2, 0))))
        return SIMD3(log(Double(lab.0) + 16), Double(lab.1), Double(lab.2))
    }

    /// Which element shows at each grid point (0: the background; else the topmost layer whose
    /// alpha is ≥ ½ there, 1-based), and the colour it shows in ``coordinates(_:)``.
    static func ownership(background: Raster, layers: [Element], step: Int, schedule: Schedule) -> (owner: [Int32], colour: [SIMD3<Float>], width: Int, height: Int) {
        let gw = (background.width + step - 1) / step, gh = (background.height + step - 1) / step
        var owner = [Int32](repeating: 0, count: gw * gh)
        var colour = [SIMD3<Float>](repeating: .zero, count: gw * gh)
        owner.withUnsafeMutableBufferPointer { ownerBuffer in
            colour.withUnsafeMutableBufferPointer { colourBuffer in
                let o = UnsafeSendableBuffer(ownerBuffer), col = UnsafeSendableBuffer(colourBuffer)
                background.withView { bg in
                    TileScheduler.forEachTile(in: Rect(width: gw, height: gh), schedule: Schedule(tileWidth: gw, tileHeight: 16, threads: schedule.threads)) { tile in
                        for gy in tile.y..<tile.maxY {
                            let y = gy * step
                            for gx in 0..<gw {
                                let x = gx * step
                                var shown = 0
                                for index in stride(from: layers.count - 1, through: 0, by: -1) {
                                    let layer = layers[index]
                                    let lx = x - layer.x, ly = y - layer.y
                                    guard lx >= 0, ly >= 0, lx < layer.raster.width, ly < layer.raster.height else { continue }
                                    let alpha = layer.raster.layout.hasAlpha ? layer.raster.withView { $0.row(ly, channel: 3)[lx] } : 1
                                    if alpha >= 0.5 { shown = index + 1; break }
                                }
                                let c: (Float, Float, Float)
                                if shown == 0 {
                                    let a = bg.channels == 4 ? max(bg.row(y, channel: 3)[x], 1e-6) : 1
                                    c = (bg.row(y, channel: 0)[x] / a, bg.row(y, channel: 1)[x] / a, bg.row(y, channel: 2)[x] / a)
                                } else {
                                    let layer = layers[shown - 1]
                                    let lx = x - layer.x, ly = y - layer.y
                                    c = layer.raster.withView { v in
                                        let a = v.channels == 4 ? max(v.row(ly, channel: 3)[lx], 1e-6) : 1
                                        return (v.row(ly, channel: 0)[lx] / a, v.row(ly, channel: 1)[lx] / a, v.row(ly, channel: 2)[lx] / a)
                                    }
                                }
                                o[gy * gw + gx] = Int32(shown)
                                col[gy * gw + gx] = SIMD3<Float>(coordinates(c))
                            }
                        }
                    }
                }
            }
        }
        return (owner, colour, gw, gh)
    }

    /// Measures every pair of elements whose visible parts lie within `band` pixels of each
    /// other, on a grid sampled every `step` pixels of `background` (the region measured, in
    /// premultiplied linear RGB or RGBA). Edges come in a fixed order (by first, then second).
    public static func measure(background: Raster, layers: [Element], band: Int, step: Int = 1,
                               schedule: Schedule = .default) -> [Edge] {
        precondition(background.layout.colourChannels == 3 && layers.allSatisfy { $0.raster.layout.colourChannels == 3 }, "RGB rasters only")
        let step = max(1, step)
        let (owner, colour, gw, gh) = ownership(background: background, layers: layers, step: step, schedule: schedule)
        let count = layers.count + 1
        let radius = max(1, (band + step - 1) / step)
        // near[a][e]: a's visible samples within `radius` grid steps of a visible sample of e.
        var near = [[BandSums]]()
        var table = [Int32](repeating: 0, count: (gw + 1) * (gh + 1))
        for e in 0..<count {
            // Summed-area table of e's visible samples.
            for gy in 0..<gh {
                var run: Int32 = 0
                for gx in 0..<gw {
                    if owner[gy * gw + gx] == Int32(e) { run += 1 }
                    table[(gy + 1) * (gw + 1) + gx + 1] = table[gy * (gw + 1) + gx + 1] + run
                }
            }
            let sums = table.withUnsafeBufferPointer { t in
                owner.withUnsafeBufferPointer { o in
                    colour.withUnsafeBufferPointer { c in
                        let t = UnsafeSendableBuffer(t), o = UnsafeSendableBuffer(o), c = UnsafeSendableBuffer(c)
                        return TileScheduler.reduceRows(Rect(width: gw, height: gh), rowsPerBand: 16, schedule: schedule, initial: BandSums(count), partial: { rows in
                            var acc = BandSums(count)
                            for gy in rows.y..<rows.maxY {
                                let y0 = max(0, gy - radius), y1 = min(gh, gy + radius + 1)
                                for gx in 0..<gw {
                                    let a = Int(o[gy * gw + gx])
                                    guard a != e else { continue }
                                    let x0 = max(0, gx - radius), x1 = min(gw, gx + radius + 1)
                                    let inside = t[y1 * (gw + 1) + x1] - t[y0 * (gw + 1) + x1] - t[y1 * (gw + 1) + x0] + t[y0 * (gw + 1) + x0]
                                    guard inside > 0 else { continue }
                                    acc.weight[a] += 1
                                    acc.sum[a] += SIMD3<Double>(c[gy * gw + gx])
                                }
                            }
                            return acc
                        }, combine: +)
                    }
                }
            }
            near.append((0..<count).map { a in
                var s = BandSums(1); s.weight[0] = sums.weight[a]; s.sum[0] = sums.sum[a]; return s
            })
        }
        var edges: [Edge] = []
        for a in 0..<count {
            for b in (a + 1)..<max(a + 1, count) {
                let ab = near[b][a], ba = near[a][b]   // near[e][a]: a's samples next to e
                let wa = ab.weight[0], wb = ba.weight[0]
                guard wa > 0, wb > 0 else { continue }
                edges.append(Edge(first: a, second: b, firstMean: ab.sum[0] / wa, secondMean: ba.sum[0] / wb, weight: min(wa, wb)))
            }
        }
        return edges
    }

    /// The default band width as a fraction of the canvas's longer side (0.3 %: 2 pixels at
    /// 640, 18 at 6000). Measured on layers cut from three photos, re-lit and composed back
    /// (ComposeJointHarmonizeTests.realPhotos, MSE inside the layers against the photos):
    /// 0.3 % → 20, 1 % → 50, 3 % → 311 (more of each band is different content); each layer alone
    /// with `auto` 90, nothing 118.
    public static let defaultBandFraction = 0.003

    /// The default regulariser: λ = this fraction of the mean total edge weight per layer (at
    /// least 16 samples). A layer whose edges weigh much less than λ keeps most of its colours.
    public static let defaultRegularisation = 0.01

    /// Residual scales of the robust (Cauchy) edge weights, per channel: an edge that still
    /// disagrees by this much after the solve counts half. Lighting differences the model
    /// corrects are within a few of these; content that differs across a boundary (an object's
    /// edge) gives larger residuals and is discounted. Default: 0.05 in log(L* + 16) (about ±0.2 EV), 3 in a*
    /// and b*.
    public static let defaultRobustScale = SIMD3<Double>(0.05, 3, 3)

    /// Per-layer corrections (index 0 is layer 1) in (log-gain of L* + 16, a* offset, b* offset)
    /// minimising the weighted disagreement over `edges` plus λ · |x|² (see the type's
    /// discussion), with λ = `regularisation` × the mean total edge weight of a layer (at least
    /// 16). Edges are reweighted by a Cauchy function of their residual (`robustScale`, 8
    /// iterations of iteratively reweighted least squares; nil: plain least squares), so that a
    /// few boundaries where the content changes do not pull the others.
    public static func solve(edges: [Edge], layerCount n: Int, regularisation: Double = defaultRegularisation,
                             robustScale: SIMD3<Double>? = defaultRobustScale) -> [SIMD3<Double>] {
        guard n > 0 else { return [] }
        var total = 0.0
        for e in edges { total += (e.first > 0 ? e.weight : 0) + (e.second > 0 ? e.weight : 0) }
        let lambda = max(16, regularisation * total / Double(n))
        var x = [SIMD3<Double>](repeating: .zero, count: n)
        for channel in 0..<3 {
            var factors = [Double](repeating: 1, count: edges.count)
            for iteration in 0..<(robustScale == nil ? 1 : 9) {
                if iteration > 0, let scale = robustScale?[channel] {
                    for (k, e) in edges.enumerated() {
                        let xa = e.first > 0 ? x[e.first - 1][channel] : 0, xb = e.second > 0 ? x[e.second - 1][channel] : 0
                        let r = (xa + e.firstMean[channel]) - (xb + e.secondMean[channel])
                        factors[k] = 1 / (1 + (r / scale) * (r / scale))
                    }
                }
                let solution = solveChannel(edges: edges, factors: factors, channel: channel, n: n, lambda: lambda)
                for i in 0..<n { x[i][channel] = solution[i] }
            }
        }
        return x
    }

    /// One channel's regularised weighted least squares, by Cholesky (the matrix is a graph
    /// Laplacian plus λI: symmetric positive definite).
    static func solveChannel(edges: [Edge], factors: [Double], channel: Int, n: Int, lambda: Double) -> [Double] {
        var a = [Double](repeating: 0, count: n * n)
        var rhs = [Double](repeating: 0, count: n)
        for (e, f) in zip(edges, factors) {
            // x_first − x_second = secondMean − firstMean, with x_0 = 0.
            let d = e.secondMean[channel] - e.firstMean[channel], w = e.weight * f
            let i = e.first - 1, j = e.second - 1
            if i >= 0 { a[i * n + i] += w; rhs[i] += w * d }
            if j >= 0 { a[j * n + j] += w; rhs[j] -= w * d }
            if i >= 0 && j >= 0 { a[i * n + j] -= w; a[j * n + i] -= w }
        }
        for i in 0..<n { a[i * n + i] += lambda }
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = i == j ? max(s, 1e-12).squareRoot() : s / l[j * n + j]
            }
        }
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var s = rhs[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * x[k] }
            x[i] = s / l[i * n + i]
        }
        return x
    }

    /// Scales of the plausibility damping, per channel (see ``damped(_:scale:)``): 0.3 in
    /// log(L* + 16) (L* + 16 × 1.35, about ±1.3 EV), 15 in a* and b*.
    public static let defaultPlausibleScale = SIMD3<Double>(0.3, 15, 15)

    /// A correction damped by how plausible it is as a difference of light rather than of
    /// content: each channel `x` becomes `x / (1 + (x / scale)²)` — nearly all of a small
    /// correction, at most half the scale, and less again for corrections so large that the
    /// layers more likely show different things (as ``HarmonizeMethod/auto`` holds back).
    public static func damped(_ x: SIMD3<Double>, scale: SIMD3<Double> = defaultPlausibleScale) -> SIMD3<Double> {
        let r = x / scale
        return x / (1 + r * r)
    }

    /// The colour transform of a correction from ``solve(edges:layerCount:regularisation:)``:
    /// L* + 16 scaled by e^x.x, x.y and x.z added to a* and b*.
    public static func match(_ x: SIMD3<Double>) -> ColourMatch {
        var m = ColourMatch.identity
        m.usesLab = true
        m.labMatrix = [Float(exp(x.x)), 0, 0, 0, 1, 0, 0, 0, 1]
        m.labFrom = SIMD3<Float>(-16, 0, 0)
        m.labTo = SIMD3<Float>(-16, Float(x.y), Float(x.z))
        return m
    }
}

/// Per-element sample counts and coordinate sums of one band of rows.
struct BandSums: Sendable {
    var weight: [Double]
    var sum: [SIMD3<Double>]
    init(_ n: Int) { weight = [Double](repeating: 0, count: n); sum = [SIMD3<Double>](repeating: .zero, count: n) }
    static func + (a: BandSums, b: BandSums) -> BandSums {
        var r = a
        for i in r.weight.indices { r.weight[i] += b.weight[i]; r.sum[i] += b.sum[i] }
        return r
    }
}

/// A buffer pointer that may cross into `@Sendable` closures: each worker writes disjoint
/// elements (or only reads), which the caller guarantees.
struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>?
    init(_ b: UnsafeMutableBufferPointer<Element>) { base = b.baseAddress }
    init(_ b: UnsafeBufferPointer<Element>) { base = UnsafeMutablePointer(mutating: b.baseAddress) }
    subscript(_ i: Int) -> Element {
        get { base![i] }
        nonmutating set { base![i] = newValue }
    }
}
