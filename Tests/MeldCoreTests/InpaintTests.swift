import MeldCore
import MeldTestSupport
import Testing

@Suite("Inpainting kernels")
struct InpaintTests {
    /// Vertical stripes 4 px wide with a little noise: texture a smooth fill cannot continue.
    static func stripes(width: Int = 96, height: Int = 80) -> Raster {
        var rng = SplitMix64(seed: 5)
        var r = Raster(width: width, height: height, layout: .rgb)
        for y in 0..<height { for x in 0..<width {
            let on: Float = (x / 4) % 2 == 0 ? 0.7 : 0.1
            for c in 0..<3 { r[x, y, c] = on * (c == 2 ? 0.5 : 1) + rng.nextFloat(in: -0.01...0.01) }
        } }
        return r
    }

    static func hole(width: Int = 96, height: Int = 80) -> Raster {
        Coverage.rectangle(Rect(x: 38, y: 30, width: 18, height: 16), width: width, height: height)
    }

    /// Mean squared error inside the hole.
    static func holeError(_ a: Raster, _ b: Raster, _ mask: Raster) -> Double {
        var sum = 0.0, n = 0
        for y in 0..<a.height { for x in 0..<a.width where mask[x, y, 0] > 0 {
            for c in 0..<3 { let d = Double(SRGBTransfer.encode(a[x, y, c]) - SRGBTransfer.encode(b[x, y, c])); sum += d * d }
            n += 3
        } }
        return sum / Double(max(n, 1))
    }

    @Test("PatchMatch continues stripes into the hole; diffusion smears them")
    func patchMatchContinuesTexture() {
        let image = Self.stripes(), mask = Self.hole()
        let pm = PatchMatchFill(seed: 1).fill(image, mask: mask)
        let diffusion = DiffusionFill().fill(image, mask: mask)
        let pmError = Self.holeError(pm, image, mask), diffusionError = Self.holeError(diffusion, image, mask)
        #expect(pmError < 0.01, "PatchMatch MSE \(pmError)")
        #expect(pmError * 4 < diffusionError, "PatchMatch \(pmError) vs diffusion \(diffusionError)")
    }

    @Test("fills write only hole pixels and are deterministic for a seed")
    func onlyHoleAndDeterministic() {
        let image = SyntheticScene.noise(width: 64, height: 48, layout: .rgba, seed: 9)
        let mask = Coverage.ellipse(cx: 30, cy: 20, rx: 9, ry: 6, width: 64, height: 48)
        for fill in [PatchMatchFill(seed: 3).fill(image, mask: mask), DiffusionFill().fill(image, mask: mask)] {
            for y in 0..<48 { for x in 0..<64 where mask[x, y, 0] == 0 {
                for c in 0..<4 { #expect(fill[x, y, c].bitPattern == image[x, y, c].bitPattern) }
            } }
        }
        #expect(PatchMatchFill(seed: 3).fill(image, mask: mask) == PatchMatchFill(seed: 3).fill(image, mask: mask))
        #expect(PatchMatchFill(seed: 3).fill(image, mask: mask) != PatchMatchFill(seed: 4).fill(image, mask: mask))
    }

    @Test("PatchMatch gives the same bits on 1, 2 and 4 threads (k-nearest and classic at coarse and fine levels, with and without the boundary correction, faded or not)",
          arguments: [(1, 8, true, Float(16)), (1, 1, false, Float(16)), (4, 4, true, Float.infinity), (1, 8, true, Float(3))])
    func threadInvariance(matches: Int, coarseMatches: Int, corrects: Bool, reach: Float) {
        let image = SyntheticScene.noise(width: 150, height: 120, layout: .rgb, seed: 12)
        let mask = Coverage.ellipse(cx: 75, cy: 60, rx: 34, ry: 26, width: 150, height: 120)
        func fill(_ threads: Int) -> Raster {
            // Coarse size 24: three pyramid levels, the coarsest with the coarse matches.
            PatchMatchFill(seed: 5, coarseSize: 24, threads: threads, matchesPerPatch: matches, coarseMatchesPerPatch: coarseMatches,
                           correctsBoundary: corrects, correctionReach: reach).fill(image, mask: mask)
        }
        let one = fill(1)
        for t in [2, 4] {
            #expect(fill(t) == one, "\(t) threads, k = \(matches), coarse k = \(coarseMatches), correction \(corrects), reach \(reach)")
        }
    }

    /// Mean squared horizontal and vertical neighbour difference over the hole pixels whose
    /// neighbours are holes too (colour as stored): the fill's high-frequency energy.
    static func holeDetail(_ a: Raster, _ mask: Raster) -> Double {
        var sum = 0.0, n = 0
        for y in 0..<(a.height - 1) { for x in 0..<(a.width - 1) where mask[x, y, 0] > 0 && mask[x + 1, y, 0] > 0 && mask[x, y + 1, 0] > 0 {
            for c in 0..<3 {
                let dx = Double(a[x + 1, y, c] - a[x, y, c]), dy = Double(a[x, y + 1, c] - a[x, y, c])
                sum += dx * dx + dy * dy
            }
            n += 3
        } }
        return sum / Double(max(n, 1))
    }

    @Test("k-nearest voting at the coarse levels only keeps the texture's detail; at every level it smears it")
    func coarseVotingKeepsDetail() {
        // A hole ~70 px across and coarse size 24: three pyramid levels, the coarsest with k = 8.
        let image = SyntheticScene.noise(width: 200, height: 160, layout: .rgb, seed: 21)
        let mask = Coverage.ellipse(cx: 100, cy: 80, rx: 36, ry: 30, width: 200, height: 160)
        let known = Self.holeDetail(image, Coverage.rectangle(Rect(x: 0, y: 0, width: 200, height: 160), width: 200, height: 160))
        let coarseOnly = Self.holeDetail(PatchMatchFill(seed: 2, coarseSize: 24).fill(image, mask: mask), mask)
        let everywhere = Self.holeDetail(PatchMatchFill(seed: 2, coarseSize: 24, matchesPerPatch: 8).fill(image, mask: mask), mask)
        #expect(coarseOnly > 0.6 * known, "coarse-only k = 8: detail \(coarseOnly) vs \(known) outside")
        #expect(everywhere < 0.6 * coarseOnly, "k = 8 everywhere: detail \(everywhere) vs coarse-only \(coarseOnly)")
    }

    @Test("the boundary correction fades into the hole with its reach")
    func correctionReach() {
        var image = Self.stripes()
        for y in 0..<image.height { for x in 0..<image.width { for c in 0..<3 { image[x, y, c] *= 0.4 + 0.6 * Float(x) / Float(image.width) } } }
        let mask = Self.hole()  // x 38..<56, y 30..<46
        let plain = PatchMatchFill(seed: 1, correctsBoundary: false).fill(image, mask: mask)
        let unfaded = PatchMatchFill(seed: 1, correctionReach: .infinity).fill(image, mask: mask)
        let faded = PatchMatchFill(seed: 1, correctionReach: 1.5).fill(image, mask: mask)
        // Mean |change| made by the correction at the hole pixels `d` (1 = next to a known pixel)
        // or more from the hole's edge, or at exactly `d` with `only`.
        func change(_ r: Raster, from d: Int, only: Bool = false) -> Double {
            var sum = 0.0, n = 0
            for y in 30..<46 { for x in 38..<56 {
                let e = min(x - 37, 56 - x, y - 29, 46 - y)
                guard e >= d && (!only || e == d) else { continue }
                for c in 0..<3 { sum += Double(abs(r[x, y, c] - plain[x, y, c])) }
                n += 3
            } }
            return sum / Double(n)
        }
        #expect(change(unfaded, from: 5) > 1e-3, "the unfaded correction changes the interior (\(change(unfaded, from: 5)))")
        #expect(change(faded, from: 5) < 0.1 * change(unfaded, from: 5), "interior: faded \(change(faded, from: 5)) vs \(change(unfaded, from: 5))")
        let edgeFaded = change(faded, from: 1, only: true), edgeUnfaded = change(unfaded, from: 1, only: true)
        #expect(edgeFaded > 0.35 * edgeUnfaded, "edge: faded \(edgeFaded) vs \(edgeUnfaded) (exp(−1/1.5) ≈ 0.51)")
        #expect(Self.holeError(faded, image, mask) < Self.holeError(plain, image, mask))
    }

    @Test("the boundary correction removes the offset a brightness ramp leaves in the fill")
    func boundaryCorrection() {
        var image = Self.stripes()
        for y in 0..<image.height { for x in 0..<image.width { for c in 0..<3 { image[x, y, c] *= 0.4 + 0.6 * Float(x) / Float(image.width) } } }
        let mask = Self.hole()
        let plain = PatchMatchFill(seed: 1, correctsBoundary: false).fill(image, mask: mask)
        let corrected = PatchMatchFill(seed: 1).fill(image, mask: mask)
        let plainError = Self.holeError(plain, image, mask), correctedError = Self.holeError(corrected, image, mask)
        #expect(correctedError < plainError, "corrected \(correctedError) vs plain \(plainError)")
    }

    @Test("diffusion fills a flat hole with the surrounding colour")
    func diffusionFlat() {
        var flat = Raster(width: 20, height: 20, layout: .rgb)
        for y in 0..<20 { for x in 0..<20 { for c in 0..<3 { flat[x, y, c] = 0.25 } } }
        let mask = Coverage.rectangle(Rect(x: 5, y: 5, width: 6, height: 6), width: 20, height: 20)
        var holed = flat
        for y in 5..<11 { for x in 5..<11 { for c in 0..<3 { holed[x, y, c] = 1 } } }
        let filled = DiffusionFill().fill(holed, mask: mask)
        #expect(ImageCompare.maxAbsDifference(filled, flat) < 1e-4)
    }
}
