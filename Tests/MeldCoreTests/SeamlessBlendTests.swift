@testable import MeldCore
import MeldTestSupport
import Testing

/// Small scenes for seamless blending: a smooth destination with noise, a differently coloured
/// source, and masks with holes, several regions and border contact.
enum BlendScene {
    /// A textured raster: smooth ramps plus low-amplitude noise, values in 0…1.
    static func textured(width: Int, height: Int, seed: UInt64, tint: (Float, Float, Float)) -> Raster {
        var r = SyntheticScene.noise(width: width, height: height, layout: .rgb, seed: seed)
        r.withMutableView { v in
            for y in 0..<height {
                for x in 0..<width {
                    let base = 0.2 + 0.5 * Float(x + y) / Float(width + height)
                    for c in 0..<3 {
                        let t = [tint.0, tint.1, tint.2][c]
                        v.row(y, channel: c)[x] = min(1, max(0, base * t + 0.15 * v.row(y, channel: c)[x]))
                    }
                }
            }
        }
        return r
    }

    /// A one-plane mask from a predicate.
    static func mask(width: Int, height: Int, _ inside: (Int, Int) -> Bool) -> Raster {
        var m = Raster(width: width, height: height, layout: .gray)
        m.isPremultiplied = false
        m.withMutableView { v in
            for y in 0..<height { for x in 0..<width where inside(x, y) { v.row(y, channel: 0)[x] = 1 } }
        }
        return m
    }

    /// A ring (disc with a hole) plus a separate square: holes and two regions.
    static func ringAndSquare(width: Int, height: Int) -> Raster {
        mask(width: width, height: height) { x, y in
            let dx = Float(x) - Float(width) * 0.35, dy = Float(y) - Float(height) * 0.5
            let r2 = dx * dx + dy * dy, outer = Float(min(width, height)) * 0.3
            let ring = r2 <= outer * outer && r2 >= (outer * 0.4) * (outer * 0.4)
            let square = x >= width * 3 / 4 && x < width - 2 && y >= 2 && y < height / 3
            return ring || square
        }
    }
}

struct BlendCase: Sendable, CustomTestStringConvertible {
    let name: String
    let guidance: PoissonBlend.Guidance
    let offset: (x: Int, y: Int)
    let borderMask: Bool
    var testDescription: String { "\(name), \(guidance)" }

    static let all: [BlendCase] = PoissonBlend.Guidance.allCases.flatMap { g in
        [BlendCase(name: "ring with hole + square, inside", guidance: g, offset: (5, 4), borderMask: false),
         BlendCase(name: "mask touching the source and destination border", guidance: g, offset: (-3, 0), borderMask: true),
         BlendCase(name: "region partly outside the destination", guidance: g, offset: (14, -6), borderMask: false)]
    }
}

@Suite("Poisson cloning")
struct PoissonBlendTests {
    static let dest = BlendScene.textured(width: 30, height: 26, seed: 1, tint: (1, 0.9, 0.8))
    static let source = BlendScene.textured(width: 22, height: 18, seed: 2, tint: (0.5, 0.8, 1.2))

    static func mask(_ c: BlendCase) -> Raster {
        c.borderMask ? BlendScene.mask(width: 22, height: 18) { x, y in x < 12 || y < 3 }
                     : BlendScene.ringAndSquare(width: 22, height: 18)
    }

    @Test("multigrid matches a direct solve", arguments: BlendCase.all)
    func matchesReference(_ c: BlendCase) {
        let mask = Self.mask(c)
        var out = Self.dest
        let report = PoissonBlend.apply(source: Self.source, mask: mask, into: &out, offset: c.offset, guidance: c.guidance,
                                        solver: PoissonSolver(tolerance: 1e-6, maxCycles: 200), schedule: .serial(covering: Self.dest.bounds))
        #expect(report.converged, "\(report)")
        let expected = BlendReference.poissonClone(source: Self.source, mask: mask, destination: Self.dest, offset: c.offset, guidance: c.guidance)
        #expect(ImageCompare.maxAbsDifference(out, expected) < 2e-5, "\(ImageCompare.describe(out, expected, tolerance: 2e-5))")
        #expect(out != Self.dest)
    }

    @Test("default tolerance is within a quarter 8-bit level of the direct solve", arguments: [PoissonBlend.Guidance.normal, .mixed])
    func defaultTolerance(_ g: PoissonBlend.Guidance) {
        let dest = BlendScene.textured(width: 90, height: 70, seed: 3, tint: (1, 1, 1))
        let source = BlendScene.textured(width: 60, height: 50, seed: 4, tint: (0.6, 0.9, 1.3))
        let mask = BlendScene.ringAndSquare(width: 60, height: 50)
        var out = dest
        let report = PoissonBlend.apply(source: source, mask: mask, into: &out, offset: (10, 12), guidance: g)
        #expect(report.converged && report.cycles <= 15, "\(report)")
        let expected = BlendReference.poissonClone(source: source, mask: mask, destination: dest, offset: (10, 12), guidance: g)
        var worst = 0.0
        for y in 0..<dest.height { for x in 0..<dest.width { for c in 0..<3 {
            worst = max(worst, abs(Double(SRGBTransfer.encode(out[x, y, c]) - SRGBTransfer.encode(expected[x, y, c]))))
        } } }
        #expect(worst * 255 < 0.25, "worst \(worst * 255) 8-bit levels after \(report.cycles) cycles")
    }

    @Test("bit-identical on every schedule", arguments: NamedSchedule.all + NamedSchedule.single)
    func scheduleInvariance(_ s: NamedSchedule) {
        for g in PoissonBlend.Guidance.allCases {
            let mask = BlendScene.ringAndSquare(width: 22, height: 18)
            var reference = Self.dest, out = Self.dest
            PoissonBlend.apply(source: Self.source, mask: mask, into: &reference, offset: (5, 4), guidance: g,
                               schedule: .serial(covering: Self.dest.bounds))
            PoissonBlend.apply(source: Self.source, mask: mask, into: &out, offset: (5, 4), guidance: g,
                               schedule: s.schedule(for: Self.dest))
            #expect(out == reference, "\(g): \(ImageCompare.describe(out, reference))")
        }
    }

    /// A plan depends on the mask and placement only: made before the destination's pixels are
    /// known (and on another schedule), it gives the one-call clone's bits, banded solve included.
    @Test(arguments: PoissonBlend.Guidance.allCases)
    func planMadeBeforeTheDestinationGivesTheSameBits(_ g: PoissonBlend.Guidance) {
        let dest = BlendScene.textured(width: 260, height: 200, seed: 7, tint: (1, 0.9, 0.8))
        let source = BlendScene.textured(width: 220, height: 170, seed: 8, tint: (0.5, 0.8, 1.2))
        let mask = BlendScene.mask(width: 220, height: 170) { x, y in
            let dx = Float(x - 110) / 100, dy = Float(y - 85) / 78
            return dx * dx + dy * dy <= 1
        }
        let plan = PoissonBlend.plan(mask: mask, offset: (20, 15), destinationSize: (260, 200), channels: 3, guidance: g,
                                     schedule: .serial(covering: dest.bounds))
        #expect(plan.roi == PoissonBlend.regionOfInterest(mask: mask, offset: (20, 15), destinationSize: (260, 200)))
        if g != .mixed { #expect(plan.preparation?.band != nil) }
        var planned = dest, direct = dest
        PoissonBlend.apply(plan, source: source, into: &planned)
        PoissonBlend.apply(source: source, mask: mask, into: &direct, offset: (20, 15), guidance: g)
        #expect(planned == direct, "\(g): \(ImageCompare.describe(planned, direct))")
        #expect(planned != dest)
    }

    @Test func pixelsOutsideTheRegionAreUntouched() {
        let mask = BlendScene.ringAndSquare(width: 22, height: 18)
        var out = Self.dest
        PoissonBlend.apply(source: Self.source, mask: mask, into: &out, offset: (5, 4))
        for y in 0..<out.height { for x in 0..<out.width {
            let sx = x - 5, sy = y - 4
            let inside = sx >= 0 && sy >= 0 && sx < 22 && sy < 18 && mask[sx, sy, 0] >= 0.5
            if !inside { for c in 0..<3 { #expect(out[x, y, c].bitPattern == Self.dest[x, y, c].bitPattern) } }
        } }
    }

    /// Normal cloning of a source that differs from the destination by a constant (in encoded
    /// values) gives back the destination: the correction is exactly that constant.
    @Test func constantOffsetIsRemoved() {
        let dest = BlendScene.textured(width: 40, height: 30, seed: 5, tint: (0.8, 0.8, 0.8))
        var source = Raster(width: 40, height: 30, layout: .rgb)
        for y in 0..<30 { for x in 0..<40 { for c in 0..<3 {
            source[x, y, c] = SRGBTransfer.decode(SRGBTransfer.encode(dest[x, y, c]) + 0.1)
        } } }
        let mask = BlendScene.mask(width: 40, height: 30) { x, y in (x - 20) * (x - 20) + (y - 15) * (y - 15) < 120 }
        var out = dest
        PoissonBlend.apply(source: source, mask: mask, into: &out, offset: (0, 0), solver: PoissonSolver(tolerance: 1e-6))
        #expect(ImageCompare.maxAbsDifference(out, dest) < 1e-4)
    }

    @Test func emptyMaskChangesNothing() {
        var out = Self.dest
        let report = PoissonBlend.apply(source: Self.source, mask: Raster(width: 22, height: 18, layout: .gray), into: &out, offset: (0, 0))
        #expect(out == Self.dest && report.cycles == 0)
    }
}

@Suite("Multi-band blending")
struct MultibandBlendTests {
    static let dest = BlendScene.textured(width: 64, height: 48, seed: 11, tint: (1, 0.9, 0.8))
    static let source = BlendScene.textured(width: 40, height: 36, seed: 12, tint: (0.5, 0.8, 1.2))
    static let mask = BlendScene.ringAndSquare(width: 40, height: 36)

    @Test("matches two explicit Laplacian pyramids", arguments: [1, 2, 3, 5])
    func matchesReference(bands: Int) {
        for offset in [(10, 6), (-5, 20)] {
            var out = Self.dest
            let used = MultibandBlend.apply(source: Self.source, mask: Self.mask, into: &out, offset: offset, bands: bands,
                                            schedule: .serial(covering: Self.dest.bounds))
            #expect(used == bands)
            let (roi, _) = MultibandBlend.regionOfInterest(mask: Self.mask, offset: offset, destinationSize: (64, 48), bands: bands)
            let expected = BlendReference.multiband(source: Self.source, mask: Self.mask, destination: Self.dest, offset: offset, roi: roi, bands: bands)
            #expect(ImageCompare.maxAbsDifference(out, expected) < 1e-5, "\(ImageCompare.describe(out, expected, tolerance: 1e-5))")
        }
    }

    @Test("bit-identical on every schedule", arguments: NamedSchedule.all)
    func scheduleInvariance(_ s: NamedSchedule) {
        var reference = Self.dest, out = Self.dest
        MultibandBlend.apply(source: Self.source, mask: Self.mask, into: &reference, offset: (10, 6), schedule: .serial(covering: Self.dest.bounds))
        MultibandBlend.apply(source: Self.source, mask: Self.mask, into: &out, offset: (10, 6), schedule: s.schedule(for: Self.dest))
        #expect(out == reference)
    }

    @Test func automaticBands() {
        #expect(MultibandBlend.automaticBands(width: 10, height: 10) == 1)
        #expect(MultibandBlend.automaticBands(width: 1000, height: 2000) == 6)
        #expect(MultibandBlend.automaticBands(width: 100_000, height: 100_000) == 8)
    }

    @Test func fullCoverageCopiesTheSource() {
        var out = Self.dest
        let full = BlendScene.mask(width: 40, height: 36) { _, _ in true }
        MultibandBlend.apply(source: Self.source, mask: full, into: &out, offset: (0, 0), bands: 1)
        #expect(abs(out[5, 5, 1] - Self.source[5, 5, 1]) < 1e-5)
        #expect(out[50, 40, 0].bitPattern == Self.dest[50, 40, 0].bitPattern)
    }
}
