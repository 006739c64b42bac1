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

    @Test("PatchMatch gives the same bits on 1, 2 and 4 threads (k-nearest and classic, with and without the boundary correction)",
          arguments: [(1, true), (1, false), (4, true)])
    func threadInvariance(matches: Int, corrects: Bool) {
        let image = SyntheticScene.noise(width: 90, height: 70, layout: .rgb, seed: 12)
        let mask = Coverage.ellipse(cx: 45, cy: 35, rx: 20, ry: 14, width: 90, height: 70)
        func fill(_ threads: Int) -> Raster {
            PatchMatchFill(seed: 5, threads: threads, matchesPerPatch: matches, correctsBoundary: corrects).fill(image, mask: mask)
        }
        let one = fill(1)
        for t in [2, 4] { #expect(fill(t) == one, "\(t) threads, k = \(matches), correction \(corrects)") }
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
