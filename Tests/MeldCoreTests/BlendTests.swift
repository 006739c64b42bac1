import MeldCore
import MeldTestSupport
import Testing

/// Every blend mode and Porter-Duff operator against the spec's formulas in double precision.
@Suite("Blend modes")
struct BlendTests {
    /// Premultiplied pixels covering the corners: α 0, 1 and between; colours 0, 1, ½, ¼ and random.
    static func pixels(_ count: Int, seed: UInt64) -> [Reference.Pixel] {
        var rng = SplitMix64(seed: seed)
        let special: [Double] = [0, 1, 0.5, 0.25]
        var out: [Reference.Pixel] = []
        for i in 0..<count {
            let a = i % 5 == 0 ? 0 : (i % 5 == 1 ? 1 : rng.nextUnitDouble())
            func c() -> Double { i % 3 == 0 ? special[Int(rng.next() % 4)] : rng.nextUnitDouble() }
            out.append((c() * a, c() * a, c() * a, a))
        }
        return out
    }

    static func run(_ mode: BlendMode, opacity: Float, sources: [Reference.Pixel], backdrops: [Reference.Pixel]) -> [Reference.Pixel] {
        let n = sources.count
        // One buffer: source r, g, b, a planes then backdrop r, g, b, a planes.
        var planes = [Float](repeating: 0, count: 8 * n)
        for i in 0..<n {
            let p = [sources[i].r, sources[i].g, sources[i].b, sources[i].a, backdrops[i].r, backdrops[i].g, backdrops[i].b, backdrops[i].a]
            for k in 0..<8 { planes[k * n + i] = Float(p[k]) }
        }
        planes.withUnsafeMutableBufferPointer { buf in
            let b = buf.baseAddress!
            Blend.compositeRow(mode, opacity: opacity, source: .init(r: b, g: b + n, b: b + 2 * n, a: b + 3 * n),
                               backdrop: .init(r: b + 4 * n, g: b + 5 * n, b: b + 6 * n, a: b + 7 * n), count: n)
        }
        let d = (0..<4).map { k in Array(planes[(4 + k) * n..<(5 + k) * n]) }
        return (0..<n).map { (Double(d[0][$0]), Double(d[1][$0]), Double(d[2][$0]), Double(d[3][$0])) }
    }

    @Test(arguments: BlendMode.allCases, [Float(1), 0.6, 0])
    func matchesSpecFormulas(mode: BlendMode, opacity: Float) {
        let sources = Self.pixels(2000, seed: 7), backdrops = Self.pixels(2000, seed: 11)
        let got = Self.run(mode, opacity: opacity, sources: sources, backdrops: backdrops)
        var worst = 0.0, worstIndex = 0
        for i in 0..<sources.count {
            // The reference sees the same float-rounded inputs as the kernel.
            func f(_ p: Reference.Pixel) -> Reference.Pixel {
                (Double(Float(p.r)), Double(Float(p.g)), Double(Float(p.b)), Double(Float(p.a)))
            }
            let want = Reference.blend(mode, source: f(sources[i]), backdrop: f(backdrops[i]), opacity: Double(opacity))
            let e = max(abs(got[i].r - want.r), abs(got[i].g - want.g), abs(got[i].b - want.b), abs(got[i].a - want.a))
            if e > worst { worst = e; worstIndex = i }
        }
        // Float32 arithmetic on values in 0…1; divisions by small alphas amplify rounding a little.
        #expect(worst < 2e-5, "\(mode) opacity \(opacity): error \(worst) at pixel \(worstIndex): source \(sources[worstIndex]) backdrop \(backdrops[worstIndex])")
    }

    @Test func normalIsSourceOverAndOpacityAfterBlend() {
        let s: [Reference.Pixel] = [(0.2, 0.1, 0.05, 0.5)], d: [Reference.Pixel] = [(0.6, 0.6, 0.6, 1)]
        // Opacity after blend: the backdrop keeps (1 − o) of itself where the source is opaque.
        let multiply = Self.run(.multiply, opacity: 0.5, sources: [(0.5, 0.5, 0.5, 1)], backdrops: d)[0]
        #expect(abs(multiply.r - (0.6 + 0.5 * (0.3 - 0.6))) < 1e-6)
        // destination-in with opacity ½ keeps half of the backdrop where the source is transparent
        // (scaling αs instead would clear it).
        let dstIn = Self.run(.destinationIn, opacity: 0.5, sources: [(0, 0, 0, 0)], backdrops: d)[0]
        #expect(abs(dstIn.a - 0.5) < 1e-6 && abs(dstIn.r - 0.3) < 1e-6)
        #expect(Self.run(.normal, opacity: 0.8, sources: s, backdrops: d)[0] == Self.run(.sourceOver, opacity: 0.8, sources: s, backdrops: d)[0])
    }

    @Test func nonSeparableModesKeepTheirComponent() {
        // Luminosity: the result has the source's luminosity; colour: the backdrop's.
        let cs: Reference.Pixel = (0.8, 0.2, 0.1, 1), cb: Reference.Pixel = (0.1, 0.4, 0.7, 1)
        func lum(_ p: Reference.Pixel) -> Double { 0.3 * p.r + 0.59 * p.g + 0.11 * p.b }
        let l = Self.run(.luminosity, opacity: 1, sources: [cs], backdrops: [cb])[0]
        #expect(abs(lum(l) - lum(cs)) < 1e-5)
        let c = Self.run(.color, opacity: 1, sources: [cs], backdrops: [cb])[0]
        #expect(abs(lum(c) - lum(cb)) < 1e-5)
    }
}
