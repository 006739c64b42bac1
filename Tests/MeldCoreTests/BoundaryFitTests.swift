@testable import MeldCore
import MeldTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The boundary-pair estimator: recovers a known gain and gamma where the content continues
/// across the region's edge, holds back across an object's edge, and is schedule-invariant.
@Suite("BoundaryFit")
struct BoundaryFitTests {
    static let width = 240, height = 180

    /// A smooth, colourful texture (sums of seeded sinusoids) in linear RGB, 0.03…0.7.
    static func texture(seed: UInt64) -> Raster {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var waves: [(fx: Double, fy: Double, phase: Double, amp: SIMD3<Double>)] = []
        for _ in 0..<6 {
            let angle = uniform() * 2 * .pi, f = 0.02 + 0.1 * uniform()
            waves.append((f * cos(angle), f * sin(angle), uniform() * 2 * .pi, SIMD3(uniform(), uniform(), uniform())))
        }
        var r = Raster(width: width, height: height, layout: .rgb)
        r.withMutableView { v in
            for y in 0..<height {
                for x in 0..<width {
                    var c = SIMD3<Double>(repeating: 0)
                    for w in waves { c += w.amp * sin(w.fx * Double(x) + w.fy * Double(y) + w.phase) }
                    c = 0.03 + 0.67 * (c / 6 * 0.5 + 0.5)  // amplitudes sum to ≤ 6 per channel
                    for ch in 0..<3 { v.row(y, channel: ch)[x] = Float(min(max(c[ch], 0.03), 0.7)) }
                }
            }
        }
        return r
    }

    /// An elliptical region mask.
    static func ellipse() -> Raster {
        var m = Raster(width: width, height: height, layout: .gray)
        m.isPremultiplied = false
        m.withMutableView { v in
            for y in 0..<height { for x in 0..<width {
                let dx = (Double(x) - 120) / 70, dy = (Double(y) - 85) / 50
                v.row(y, channel: 0)[x] = dx * dx + dy * dy <= 1 ? 1 : 0
            } }
        }
        return m
    }

    /// `f` applied to the colours of `r` where `mask` is set (or `replacement`'s colours there).
    static func perturbed(_ r: Raster, mask: Raster, replacement: Raster? = nil, _ f: (SIMD3<Float>) -> SIMD3<Float>) -> Raster {
        var out = r
        out.withMutableView { v in
            for y in 0..<height { for x in 0..<width where mask[x, y, 0] > 0.5 {
                let src = replacement ?? r
                let c = f(SIMD3(src[x, y, 0], src[x, y, 1], src[x, y, 2]))
                v.row(y, channel: 0)[x] = c.x; v.row(y, channel: 1)[x] = c.y; v.row(y, channel: 2)[x] = c.z
            } }
        }
        return out
    }

    static func meanAbsoluteError(_ a: Raster, _ b: Raster, mask: Raster) -> Double {
        var sum = 0.0, n = 0.0
        for y in 0..<height { for x in 0..<width where mask[x, y, 0] > 0.5 {
            for c in 0..<3 { sum += Double(abs(a[x, y, c] - b[x, y, c])); n += 1 }
        } }
        return sum / n
    }

    @Test func recoversAKnownPerChannelGain() throws {
        let original = Self.texture(seed: 11), mask = Self.ellipse()
        let gains = SIMD3<Float>(1.35, 1.0, 0.75)
        var composite = Self.perturbed(original, mask: mask) { $0 * gains }
        let fit = try #require(BoundaryFit.fit(BoundaryPairs.sample(composite, mask: mask)))
        for c in 0..<3 {
            #expect(abs(fit.logGain[c] + log(Double(gains[c]))) < 0.02, "channel \(c): log gain \(fit.logGain[c]), want \(-log(Double(gains[c])))")
            #expect(abs(fit.exponent[c] - 1) < 0.04, "channel \(c): exponent \(fit.exponent[c])")
        }
        #expect(fit.continuity > 0.9 && fit.confidence > 0.8, "continuity \(fit.continuity), confidence \(fit.confidence)")
        let before = Self.meanAbsoluteError(composite, original, mask: mask)
        Harmonizer.apply(fit.match, strength: 1, to: &composite, mask: mask)
        let after = Self.meanAbsoluteError(composite, original, mask: mask)
        #expect(after < 0.1 * before, "error \(after) vs \(before)")
    }

    @Test func recoversAGainAndAGamma() throws {
        let original = Self.texture(seed: 12), mask = Self.ellipse()
        // Inside: 0.8 · c^0.85 per channel, so outside ≈ (inside / 0.8)^(1/0.85).
        let composite = Self.perturbed(original, mask: mask) { c in
            SIMD3(0.8 * powf(c.x, 0.85), 0.8 * powf(c.y, 0.85), 0.8 * powf(c.z, 0.85))
        }
        let fit = try #require(BoundaryFit.fit(BoundaryPairs.sample(composite, mask: mask)))
        for c in 0..<3 { #expect(abs(fit.exponent[c] - 1 / 0.85) < 0.08, "channel \(c): exponent \(fit.exponent[c])") }
        var fixed = composite
        Harmonizer.apply(fit.match, strength: 1, to: &fixed, mask: mask)
        #expect(Self.meanAbsoluteError(fixed, original, mask: mask) < 0.25 * Self.meanAbsoluteError(composite, original, mask: mask))
    }

    /// A different texture inside the region (an object, not a re-lit part of the scene), also
    /// darker: the pairs disagree, so the fit holds back.
    @Test func holdsBackAcrossAnObjectEdge() throws {
        let background = Self.texture(seed: 21), object = Self.texture(seed: 99), mask = Self.ellipse()
        let composite = Self.perturbed(background, mask: mask, replacement: object) { $0 * 0.6 }
        let fit = try #require(BoundaryFit.fit(BoundaryPairs.sample(composite, mask: mask)))
        #expect(fit.continuity < 0.3 && fit.confidence < 0.3, "continuity \(fit.continuity), confidence \(fit.confidence)")
        let g = fit.shrunkLogGain
        for c in 0..<3 { #expect(abs(g[c]) < 0.3 * abs(fit.logGain[c]) + 0.02, "channel \(c): applied \(g[c]) of \(fit.logGain[c])") }
    }

    @Test func noChangeIsLeftAlone() throws {
        let original = Self.texture(seed: 13), mask = Self.ellipse()
        let fit = try #require(BoundaryFit.fit(BoundaryPairs.sample(original, mask: mask)))
        for c in 0..<3 {
            #expect(abs(fit.shrunkLogGain[c]) < 0.02 && abs(fit.shrunkExponent[c] - 1) < 0.04, "channel \(c): \(fit)")
        }
    }

    /// A layer cut from the scene and put back where it was, re-lit (a patch of the same scene)
    /// is pinned down; one from another picture is held back.
    @Test func layerPairs() throws {
        let scene = Self.texture(seed: 31), other = Self.texture(seed: 77)
        func crop(_ r: Raster, gain: SIMD3<Float>) -> Raster {
            var layer = Raster(width: 100, height: 80, layout: .rgba)
            layer.withMutableView { v in
                for y in 0..<80 { for x in 0..<100 {
                    // A disc of opaque pixels; transparent corners.
                    let dx = Double(x) - 49.5, dy = Double(y) - 39.5
                    let a: Float = dx * dx / (48 * 48) + dy * dy / (38 * 38) <= 1 ? 1 : 0
                    for c in 0..<3 { v.row(y, channel: c)[x] = r[x + 60, y + 50, c] * gain[c] * a }
                    v.row(y, channel: 3)[x] = a
                } }
            }
            return layer
        }
        let patch = try #require(BoundaryFit.fit(BoundaryPairs.sample(layer: crop(scene, gain: SIMD3(0.7, 0.8, 1.1)), at: SIMD2(60, 50), on: scene)))
        for c in 0..<3 { #expect(abs(patch.logGain[c] + log(Double([0.7, 0.8, 1.1][c]))) < 0.03, "channel \(c): \(patch.logGain)") }
        #expect(patch.confidence > 0.8)
        let object = try #require(BoundaryFit.fit(BoundaryPairs.sample(layer: crop(other, gain: SIMD3(0.7, 0.8, 1.1)), at: SIMD2(60, 50), on: scene)))
        #expect(object.confidence < 0.3, "\(object)")
    }

    @Test func tooSmallARegionGivesNoFit() {
        var m = Raster(width: Self.width, height: Self.height, layout: .gray)
        m.withMutableView { v in v.row(50, channel: 0)[50] = 1 }
        #expect(BoundaryFit.fit(BoundaryPairs.sample(Self.texture(seed: 1), mask: m)) == nil)
    }

    @Test func pairsAreScheduleInvariant() {
        let r = Self.perturbed(Self.texture(seed: 14), mask: Self.ellipse()) { $0 * 1.2 }
        let a = BoundaryPairs.sample(r, mask: Self.ellipse(), schedule: .serial(covering: r.bounds))
        let b = BoundaryPairs.sample(r, mask: Self.ellipse(), schedule: Schedule(tileSize: 16, threads: 3))
        #expect(a.count > 500)
        #expect(a.inner == b.inner && a.outer == b.outer && a.segment == b.segment)
    }

    /// The curve stage applied by the tiled kernel is bit-identical to a scalar loop over the
    /// pixels (the reference), for any schedule, with a soft mask.
    @Test func curveApplyMatchesTheScalarReference() {
        var original = Self.texture(seed: 15)
        original.withMutableView { v in for i in 0..<(Self.width * Self.height) { v.plane(0)[i] *= 1.4 } }  // reds reach 0.98
        var mask = Self.ellipse()
        mask.withMutableView { v in for i in 0..<(Self.width * Self.height) where i % 7 == 0 { v.plane(0)[i] *= 0.5 } }
        var match = ColourMatch.identity
        match.usesCurve = true
        match.curveGain = SIMD3(1.3, 0.9, 0.7); match.curveExponent = SIMD3(1.1, 0.95, 1.0)
        match.curveHighlightKeep = SIMD3(1, 0, 0.5)
        var reference = original
        reference.withMutableView { v in
            for y in 0..<Self.height { for x in 0..<Self.width {
                let t = 0.8 * mask[x, y, 0]
                guard t > 0 else { continue }
                let c = SIMD3(original[x, y, 0], original[x, y, 1], original[x, y, 2])
                var curved = SIMD3(match.curveGain.x * powf(c.x, match.curveExponent.x),
                                   match.curveGain.y * powf(c.y, match.curveExponent.y),
                                   match.curveGain.z * powf(c.z, match.curveExponent.z))
                for i in 0..<3 where match.curveHighlightKeep[i] > 0 && c[i] > ColourMatch.highlightStart {
                    let u = min(1, (c[i] - ColourMatch.highlightStart) / (ColourMatch.highlightEnd - ColourMatch.highlightStart))
                    curved[i] += (c[i] - curved[i]) * (match.curveHighlightKeep[i] * u * u * (3 - 2 * u))
                }
                let out = c + (curved - c) * t
                v.row(y, channel: 0)[x] = out.x; v.row(y, channel: 1)[x] = out.y; v.row(y, channel: 2)[x] = out.z
            } }
        }
        for schedule in [Schedule.serial(covering: original.bounds), Schedule(tileSize: 13, threads: 4), .default] {
            var tiled = original
            Harmonizer.apply(match, strength: 0.8, to: &tiled, mask: mask, schedule: schedule)
            #expect(tiled == reference, "schedule \(schedule)")
        }
    }
}
