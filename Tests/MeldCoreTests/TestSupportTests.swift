import MeldCore
import MeldTestSupport
import Testing

/// The helpers the other tests rely on must themselves be right.
@Suite("MeldTestSupport")
struct TestSupportTests {
    @Test func splitMixIsDeterministicAndSpread() {
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 1), c = SplitMix64(seed: 2)
        let sa = (0..<8).map { _ in a.next() }, sb = (0..<8).map { _ in b.next() }, sc = (0..<8).map { _ in c.next() }
        #expect(sa == sb)
        #expect(sa != sc)
        var r = SplitMix64(seed: 99)
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<10_000 {
            let u = r.nextUnitFloat()
            #expect(u >= 0 && u < 1)
            buckets[Int(u * 10)] += 1
        }
        #expect(buckets.allSatisfy { $0 > 850 && $0 < 1150 }, "\(buckets)")
        for _ in 0..<1000 { let i = r.nextInt(in: -3...4); #expect(i >= -3 && i <= 4) }
    }

    @Test func noiseIsPremultipliedAndReproducible() {
        let n = SyntheticScene.noise(width: 13, height: 7, layout: .rgba, seed: 5)
        #expect(n == SyntheticScene.noise(width: 13, height: 7, layout: .rgba, seed: 5))
        #expect(n != SyntheticScene.noise(width: 13, height: 7, layout: .rgba, seed: 6))
        #expect(n.isPremultiplied)
        for y in 0..<7 {
            for x in 0..<13 {
                let a = n[x, y, 3]
                #expect(a >= 0 && a < 1)
                for c in 0..<3 { #expect(n[x, y, c] >= 0 && n[x, y, c] <= a, "(\(x), \(y), \(c))") }
            }
        }
    }

    @Test func scenesHaveTheirShapes() {
        let g = SyntheticScene.gradient(width: 11, height: 5, layout: .rgb)
        #expect(g[0, 0, 0] == 0 && g[10, 0, 0] == 1 && g[0, 4, 1] == 1 && g[10, 4, 2] == 1)
        let c = SyntheticScene.checker(width: 8, height: 8, layout: .gray, cell: 2)
        #expect(c[0, 0, 0] == 1 && c[2, 0, 0] == 0 && c[2, 2, 0] == 1 && c[1, 3, 0] == 0)
        let d = SyntheticScene.disc(width: 9, height: 9, layout: .rgba, centreX: 4.5, centreY: 4.5, radius: 2, colour: [1, 1, 1])
        #expect(d[4, 4, 3] == 1 && d[0, 0, 3] == 0 && d[4, 4, 0] == 1 && d[0, 0, 0] == 0)
    }

    @Test func comparisonsMeasureWhatTheySay() {
        let a = SyntheticScene.gradient(width: 6, height: 4, layout: .gray)
        var b = a
        #expect(ImageCompare.maxAbsDifference(a, b) == 0 && ImageCompare.meanSquaredError(a, b) == 0)
        #expect(ImageCompare.psnr(a, b) == .infinity)
        #expect(ImageCompare.firstDifference(a, b) == nil)
        b[3, 2, 0] += 0.5
        #expect(abs(ImageCompare.maxAbsDifference(a, b) - 0.5) < 1e-7)
        #expect(abs(ImageCompare.meanSquaredError(a, b) - 0.25 / 24) < 1e-9)
        #expect(abs(ImageCompare.psnr(a, b) - 10 * 1.9822712330395684) < 1e-6)  // 10·log10(96)
        let d = ImageCompare.firstDifference(a, b)
        #expect(d?.x == 3 && d?.y == 2 && d?.channel == 0 && d?.a == a[3, 2, 0] && d?.b == b[3, 2, 0])
        #expect(ImageCompare.firstDifference(a, b, tolerance: 0.6) == nil)
        b[3, 2, 0] = .nan
        #expect(ImageCompare.maxAbsDifference(a, b) == .infinity)
        var z = a
        z[0, 0, 0] = -0.0
        #expect(ImageCompare.firstDifference(a, z) != nil, "tolerance 0 compares bits")
        #expect(ImageCompare.firstDifference(a, z, tolerance: 1e-9) == nil)
    }

    @Test func referenceBlurKeepsMassAwayFromEdges() {
        // A single bright pixel far from the edges spreads into exactly the 2-D kernel.
        var r = Raster(width: 41, height: 41, layout: .gray)
        r[20, 20, 0] = 1
        let b = Reference.gaussianBlur(r, sigma: 2)
        let w = Reference.gaussianWeights(sigma: 2)
        var total = 0.0
        for y in 0..<41 { for x in 0..<41 { total += Double(b[x, y, 0]) } }
        #expect(abs(total - 1) < 1e-6)
        #expect(abs(Double(b[20, 20, 0]) - w[6] * w[6]) < 1e-7 && abs(Double(b[23, 18, 0]) - w[9] * w[4]) < 1e-7)
        #expect(b[27, 20, 0] == 0, "nothing beyond the radius")
    }
}
