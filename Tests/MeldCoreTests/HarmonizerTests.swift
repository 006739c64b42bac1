@testable import MeldCore
import MeldTestSupport
import Testing

/// The harmonization estimators recover known transforms on synthetic regions.
@Suite("Harmonizer")
struct HarmonizerTests {
    /// A 96×64 noisy image whose left half is the "region" (mask 1) and right half the reference.
    static func scene(seed: UInt64 = 3) -> (raster: Raster, region: Raster, reference: Raster) {
        let r = SyntheticScene.noise(width: 96, height: 64, layout: .rgb, seed: seed)
        var region = Raster(width: 96, height: 64, layout: .gray), reference = region
        region.isPremultiplied = false; reference.isPremultiplied = false
        region.withMutableView { v in for y in 0..<64 { for x in 0..<48 { v.row(y, channel: 0)[x] = 1 } } }
        reference.withMutableView { v in for y in 0..<64 { for x in 48..<96 { v.row(y, channel: 0)[x] = 1 } } }
        return (r, region, reference)
    }

    /// Applies `f` (on unpremultiplied linear RGB) to the region.
    static func perturbRegion(_ r: inout Raster, _ f: (SIMD3<Float>) -> SIMD3<Float>) {
        r.withMutableView { v in
            for y in 0..<64 {
                for x in 0..<48 {
                    let c = f(SIMD3(v.row(y, channel: 0)[x], v.row(y, channel: 1)[x], v.row(y, channel: 2)[x]))
                    v.row(y, channel: 0)[x] = c.x; v.row(y, channel: 1)[x] = c.y; v.row(y, channel: 2)[x] = c.z
                }
            }
        }
    }

    static func stats(_ r: Raster, _ w: Raster) -> RegionStatistics { RegionStatistics.measure(r, weights: w)! }

    @Test func symmetricPowerSquaresBack() {
        let m: [Double] = [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]
        let h = Harmonizer.symmetricPower(m, 0.5)
        let back = Harmonizer.multiply3(h, h)
        for i in 0..<9 { #expect(abs(back[i] - m[i]) < 1e-9, "entry \(i)") }
        let inv = Harmonizer.multiply3(Harmonizer.symmetricPower(m, -1), m)
        for i in 0..<9 { #expect(abs(inv[i] - (i % 4 == 0 ? 1 : 0)) < 1e-9) }
    }

    @Test func reinhardMatchesMeanAndSpread() {
        var (r, region, reference) = Self.scene()
        Self.perturbRegion(&r) { $0 * SIMD3(1.6, 1.1, 0.7) }
        let (match, _) = Harmonizer.estimate(.reinhard, source: Self.stats(r, region), reference: Self.stats(r, reference))
        Harmonizer.apply(match, strength: 1, to: &r, mask: region)
        let after = Self.stats(r, region), want = Self.stats(r, reference)
        #expect(abs(after.mean.x - want.mean.x) < 1.0 && abs(after.mean.y - want.mean.y) < 1.0 && abs(after.mean.z - want.mean.z) < 1.0,
                "\(after.mean) vs \(want.mean)")
        for c in 0..<3 { #expect(abs(after.standardDeviation[c] / want.standardDeviation[c] - 1) < 0.08) }
    }

    @Test func affineRecoversALabTransform() {
        var (r, region, reference) = Self.scene(seed: 9)
        let truth = Self.stats(r, reference)
        // Skew the region's chroma (a symmetric map plus an offset in Lab).
        Self.perturbRegion(&r) { c in
            let lab = Colour.xyzToLab(Colour.linearToXYZ((c.x, c.y, c.z)))
            let a2 = 1.3 * lab.1 + 0.2 * lab.2 + 6, b2 = 0.2 * lab.1 + 0.8 * lab.2 - 4
            let rgb = Colour.xyzToLinear(Colour.labToXYZ((lab.0, a2, b2)))
            return SIMD3(rgb.0, rgb.1, rgb.2)
        }
        let (match, _) = Harmonizer.estimate(.affine, source: Self.stats(r, region), reference: Self.stats(r, reference))
        Harmonizer.apply(match, strength: 1, to: &r, mask: region)
        let after = Self.stats(r, region)
        for c in 0..<3 { #expect(abs(after.mean[c] - truth.mean[c]) < 1.5, "mean \(c): \(after.mean) vs \(truth.mean)") }
        for c in 0..<3 { #expect(abs(after.standardDeviation[c] / truth.standardDeviation[c] - 1) < 0.12, "spread \(c)") }
    }

    @Test func whiteBalanceRecoversAnIlluminantChange() {
        var (r, region, reference) = Self.scene(seed: 5)
        let original = r
        let cast = SIMD3<Float>(1.25, 1.0, 0.78)   // a warm cast, luminance roughly kept
        Self.perturbRegion(&r) { $0 * cast }
        let (match, _) = Harmonizer.estimate(.whiteBalance, source: Self.stats(r, region), reference: Self.stats(r, reference))
        Harmonizer.apply(match, strength: 1, to: &r, mask: region)
        // Same content on both halves (noise of one distribution): the region's colour comes back.
        let fixed = Self.stats(r, region), before = Self.stats(original, region)
        let cf = Harmonizer.chromaticity(fixed.illuminant), cb = Harmonizer.chromaticity(before.illuminant)
        let distance = ((cf - cb) * (cf - cb)).sum().squareRoot()
        let castDistance = { () -> Double in
            let c = Harmonizer.chromaticity(Self.stats(original, region).illuminant * SIMD3<Double>(cast))
            return ((c - cb) * (c - cb)).sum().squareRoot()
        }()
        // The cast is diagonal in RGB while Bradford adapts in its own cone space, so a little of it
        // remains (about a fifth); an uncorrected region would be at castDistance.
        #expect(distance < 0.25 * castDistance, "chromaticity \(cf) vs \(cb): \(distance) left of \(castDistance)")
    }

    @Test func exposureShiftsLightnessOnly() {
        var (r, region, reference) = Self.scene(seed: 4)
        Self.perturbRegion(&r) { $0 * 0.5 }
        let before = Self.stats(r, region)
        let (match, _) = Harmonizer.estimate(.exposure, source: before, reference: Self.stats(r, reference))
        Harmonizer.apply(match, strength: 1, to: &r, mask: region)
        let after = Self.stats(r, region), want = Self.stats(r, reference)
        #expect(abs(after.mean.x - want.mean.x) < 1.0, "L \(after.mean.x) vs \(want.mean.x)")
    }

    @Test func autoLeavesAMatchingRegionAlone() {
        let (r, region, reference) = Self.scene(seed: 6)
        var out = r
        let (match, confidence) = Harmonizer.estimate(.auto, source: Self.stats(r, region), reference: Self.stats(r, reference))
        Harmonizer.apply(match, strength: 1, to: &out, mask: region)
        #expect(confidence > 0.5)
        var worst: Float = 0
        r.withView { a in out.withView { b in
            for c in 0..<3 { for i in 0..<(96 * 64) { worst = max(worst, abs(a.plane(c)[i] - b.plane(c)[i])) } }
        } }
        #expect(worst < 0.01, "largest change \(worst)")
    }

    @Test func statisticsAndApplyAreScheduleInvariant() {
        let (r, region, reference) = Self.scene(seed: 8)
        let a = RegionStatistics.measure(r, weights: reference, schedule: .serial(covering: r.bounds))
        let b = RegionStatistics.measure(r, weights: reference, schedule: Schedule(tileSize: 16, threads: 3))
        #expect(a == b)
        let (match, _) = Harmonizer.estimate(.affine, source: Self.stats(r, region), reference: a!)
        var x = r, y = r
        Harmonizer.apply(match, strength: 0.7, to: &x, mask: region, schedule: .serial(covering: r.bounds))
        Harmonizer.apply(match, strength: 0.7, to: &y, mask: region, schedule: Schedule(tileSize: 7, threads: 4))
        #expect(x == y)
    }

    @Test func ringIsTheBandAroundTheMask() {
        var m = Raster(width: 20, height: 20, layout: .gray)
        m.withMutableView { v in for y in 8..<12 { for x in 8..<12 { v.row(y, channel: 0)[x] = 1 } } }
        let ring = Ring.around(m, radius: 2)
        for y in 0..<20 {
            for x in 0..<20 {
                let inside = (8..<12).contains(x) && (8..<12).contains(y)
                let near = (6..<14).contains(x) && (6..<14).contains(y)
                #expect(ring[x, y, 0] == (near && !inside ? 1 : 0), "pixel \(x),\(y)")
            }
        }
    }
}

/// Grain: the noise estimate finds a known level on a textured image, and added grain is
/// deterministic, schedule-invariant and measures as asked.
@Suite("Grain")
struct GrainTests {
    /// A smooth gradient with texture-free content, 200×150.
    static func smooth() -> Raster { SyntheticScene.gradient(width: 200, height: 150, layout: .rgb) }

    @Test(arguments: [Float(0.01), 0.02, 0.04])
    func addedGrainMeasuresAsAsked(sigma: Float) {
        var r = Self.smooth()
        let clean = Grain.estimateSigma(r) ?? 1
        #expect(clean < 0.002, "a gradient has no noise (got \(clean))")
        Grain.add(sigma: sigma, seed: 42, to: &r)
        let measured = Grain.estimateSigma(r)!
        #expect(abs(measured / sigma - 1) < 0.15, "asked \(sigma), measured \(measured)")
    }

    @Test func grainIsDeterministicAndScheduleInvariant() {
        var a = Self.smooth(), b = Self.smooth(), c = Self.smooth()
        Grain.add(sigma: 0.03, seed: 7, to: &a, schedule: .serial(covering: a.bounds))
        Grain.add(sigma: 0.03, seed: 7, to: &b, schedule: Schedule(tileSize: 13, threads: 4))
        Grain.add(sigma: 0.03, seed: 8, to: &c)
        #expect(a == b)
        #expect(a != c)
    }
}
