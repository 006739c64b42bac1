import MeldCore
import MeldTestSupport
import Testing

/// The joint harmonizer: the least-squares solve, the band measurement, recovery of known
/// corrections on a synthetic mosaic, and schedule invariance.
@Suite("Joint harmonizer")
struct JointHarmonizerTests {
    /// A smooth linear-light scene (a colour gradient) with mild seeded noise, `w × h` RGB.
    static func scene(_ w: Int, _ h: Int) -> Raster { SyntheticScene.smoothScene(width: w, height: h, seed: 7) }

    /// `rect` of `source` as an opaque RGBA raster, corrected by `x` (a perturbation in the model).
    static func layer(_ source: Raster, _ rect: Rect, perturbed x: SIMD3<Double>) -> JointHarmonizer.Element {
        var out = Raster(width: rect.width, height: rect.height, layout: .rgba)
        source.withView { s in
            out.withMutableView { o in
                for y in 0..<rect.height {
                    for c in 0..<3 { o.row(y, channel: c).update(from: s.row(rect.y + y, channel: c) + rect.x, count: rect.width) }
                    o.row(y, channel: 3).update(repeating: 1, count: rect.width)
                }
            }
        }
        Harmonizer.apply(JointHarmonizer.match(x), strength: 1, to: &out, mask: nil)
        return JointHarmonizer.Element(raster: out, x: rect.x, y: rect.y)
    }

    @Test("solve: a chain through layers that never touch the background is recovered; an isolated layer stays put")
    func solveChain() {
        // background — 1 — 2 — 3, and layer 4 alone. Layer means differ by known offsets.
        let truth: [SIMD3<Double>] = [[0.1, 2, -3], [-0.2, 4, 1], [0.05, -5, 2], [0, 0, 0]]
        func edge(_ a: Int, _ b: Int) -> JointHarmonizer.Edge {
            let xa = a == 0 ? SIMD3<Double>.zero : truth[a - 1], xb = truth[b - 1]
            // Observed means: the true colour (1, 0, 0) shifted by minus each side's correction.
            return JointHarmonizer.Edge(first: a, second: b, firstMean: SIMD3(1, 0, 0) - xa, secondMean: SIMD3(1, 0, 0) - xb, weight: 10_000)
        }
        let x = JointHarmonizer.solve(edges: [edge(0, 1), edge(1, 2), edge(2, 3)], layerCount: 4)
        for i in 0..<3 {
            for c in 0..<3 { #expect(abs(x[i][c] - truth[i][c]) < 0.05 * max(1, abs(truth[i][c])), "layer \(i + 1) channel \(c): \(x[i]) vs \(truth[i])") }
        }
        #expect(x[3] == .zero)
        // A weak edge barely moves its layer (the regulariser holds it).
        let weak = JointHarmonizer.solve(edges: [JointHarmonizer.Edge(first: 0, second: 1, firstMean: .zero, secondMean: SIMD3(0, 10, 0), weight: 1)], layerCount: 1)
        #expect(abs(weak[0].y) < 1)
    }

    static let rects = [Rect(x: 20, y: 30, width: 160, height: 120), Rect(x: 140, y: 60, width: 150, height: 140),
                        Rect(x: 60, y: 120, width: 170, height: 110), Rect(x: 100, y: 80, width: 80, height: 60)]
    static let offsets: [SIMD3<Double>] = [[0.12, 4, -3], [-0.1, -3, 5], [0.08, 2, 4], [-0.15, -5, -2]]

    @Test("measure + solve: overlapping layers cut from one scene, each perturbed, are corrected back; layer 4 meets only other layers")
    func recoversOffsets() {
        let base = Self.scene(320, 260)
        let layers = zip(Self.rects, Self.offsets).map { Self.layer(base, $0, perturbed: $1) }
        let edges = JointHarmonizer.measure(background: base, layers: layers, band: 16, step: 1)
        // Layer 4 sits inside the others: it has no edge with the background.
        #expect(!edges.contains { $0.first == 0 && $0.second == 4 })
        let x = JointHarmonizer.solve(edges: edges, layerCount: layers.count)
        for (i, want) in Self.offsets.enumerated() {
            let got = x[i]
            #expect(abs(got.x + want.x) < 0.015 && abs(got.y + want.y) < 0.6 && abs(got.z + want.z) < 0.6,
                    "layer \(i + 1): correction \(got), perturbation \(want)")
        }
    }

    @Test("measurement is identical for every schedule and sampling is close to the full grid")
    func scheduleInvariance() {
        let base = Self.scene(320, 260)
        let layers = zip(Self.rects, Self.offsets).map { Self.layer(base, $0, perturbed: $1) }
        let reference = JointHarmonizer.measure(background: base, layers: layers, band: 16, step: 2, schedule: .serial(covering: base.bounds))
        for schedule in [Schedule.strips(rows: 7, threads: 3), Schedule(tileSize: 33, threads: 4), .default] {
            #expect(JointHarmonizer.measure(background: base, layers: layers, band: 16, step: 2, schedule: schedule) == reference)
        }
        let x2 = JointHarmonizer.solve(edges: reference, layerCount: 4)
        let x1 = JointHarmonizer.solve(edges: JointHarmonizer.measure(background: base, layers: layers, band: 16, step: 1), layerCount: 4)
        for i in 0..<4 { #expect(abs(x2[i].x - x1[i].x) < 0.01 && abs(x2[i].y - x1[i].y) < 0.3 && abs(x2[i].z - x1[i].z) < 0.3) }
    }

    /// The measurement written plainly: every grid sample's owner by testing the layers top
    /// down, and "next to e" by scanning the whole window around each sample.
    static func referenceEdges(background: Raster, layers: [JointHarmonizer.Element], band: Int, step: Int) -> [JointHarmonizer.Edge] {
        let gw = (background.width + step - 1) / step, gh = (background.height + step - 1) / step
        var owner = [[Int]](repeating: [Int](repeating: 0, count: gw), count: gh)
        var colour = [[SIMD3<Double>]](repeating: [SIMD3<Double>](repeating: .zero, count: gw), count: gh)
        for gy in 0..<gh {
            for gx in 0..<gw {
                let x = gx * step, y = gy * step
                var c = (background[x, y, 0], background[x, y, 1], background[x, y, 2])
                for (i, l) in layers.enumerated() {
                    let lx = x - l.x, ly = y - l.y
                    guard lx >= 0, ly >= 0, lx < l.raster.width, ly < l.raster.height else { continue }
                    let a = l.raster.layout.hasAlpha ? l.raster[lx, ly, 3] : 1
                    if a >= 0.5 {
                        owner[gy][gx] = i + 1
                        c = (l.raster[lx, ly, 0] / a, l.raster[lx, ly, 1] / a, l.raster[lx, ly, 2] / a)
                    }
                }
                colour[gy][gx] = SIMD3<Double>(SIMD3<Float>(JointHarmonizer.coordinates(c)))
            }
        }
        let radius = max(1, (band + step - 1) / step), n = layers.count + 1
        var weight = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)   // [a][e]
        var sum = [[SIMD3<Double>]](repeating: [SIMD3<Double>](repeating: .zero, count: n), count: n)
        for gy in 0..<gh {
            for gx in 0..<gw {
                let a = owner[gy][gx]
                var near = Set<Int>()
                for qy in max(0, gy - radius)...min(gh - 1, gy + radius) {
                    for qx in max(0, gx - radius)...min(gw - 1, gx + radius) where owner[qy][qx] != a { near.insert(owner[qy][qx]) }
                }
                for e in near { weight[a][e] += 1; sum[a][e] += colour[gy][gx] }
            }
        }
        var edges: [JointHarmonizer.Edge] = []
        for a in 0..<n {
            for b in (a + 1)..<max(a + 1, n) where weight[a][b] > 0 && weight[b][a] > 0 {
                edges.append(JointHarmonizer.Edge(first: a, second: b, firstMean: sum[a][b] / weight[a][b],
                                                  secondMean: sum[b][a] / weight[b][a], weight: min(weight[a][b], weight[b][a])))
            }
        }
        return edges
    }

    @Test("the tiled measurement matches the plain reference (owners, bands, means)")
    func matchesReference() {
        let base = Self.scene(200, 150)
        var layers = zip(Self.rects, Self.offsets).map { rect, x in
            Self.layer(base, Rect(x: rect.x / 2, y: rect.y / 2, width: rect.width / 2, height: rect.height / 2), perturbed: x)
        }
        // A hole in layer 2 (alpha 0) and a layer hanging off the region's edge.
        layers[1].raster.withMutableView { v in for y in 10..<30 { for x in 10..<40 { for c in 0..<4 { v.row(y, channel: c)[x] = 0 } } } }
        layers.append(Self.layer(base, Rect(x: 150, y: 100, width: 50, height: 50), perturbed: .zero))
        layers[4].x = 170
        for (band, step) in [(6, 1), (8, 3)] {
            let got = JointHarmonizer.measure(background: base, layers: layers, band: band, step: step, schedule: Schedule(tileSize: 17, threads: 3))
            let want = Self.referenceEdges(background: base, layers: layers, band: band, step: step)
            #expect(got.count == want.count, "band \(band), step \(step)")
            for (g, w) in zip(got, want) {
                #expect(g.first == w.first && g.second == w.second && g.weight == w.weight, "band \(band), step \(step): \(g) vs \(w)")
                let d1 = g.firstMean - w.firstMean, d2 = g.secondMean - w.secondMean
                let d = [d1.x, d1.y, d1.z, d2.x, d2.y, d2.z].map(abs).max() ?? 0
                #expect(d < 1e-9, "band \(band), step \(step), edge \(g.first)-\(g.second): means differ by \(d)")
            }
        }
    }

    @Test("the match is the model: log-gain on L* + 16, offsets on a* and b*, and the zero correction is the identity")
    func matchModel() {
        let c = (Float(0.2), Float(0.3), Float(0.1))
        let x = SIMD3<Double>(0.1, 3, -2)
        let before = JointHarmonizer.coordinates(c)
        let out = JointHarmonizer.match(x).apply(SIMD3(c.0, c.1, c.2))
        let after = JointHarmonizer.coordinates((out.x, out.y, out.z))
        #expect(abs(after.x - before.x - x.x) < 1e-3 && abs(after.y - before.y - x.y) < 0.05 && abs(after.z - before.z - x.z) < 0.05)
        let same = JointHarmonizer.match(.zero).apply(SIMD3(c.0, c.1, c.2))
        #expect(abs(same.x - c.0) < 1e-5 && abs(same.y - c.1) < 1e-5 && abs(same.z - c.2) < 1e-5)
    }
}
