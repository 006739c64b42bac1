import MeldCore
import MeldTestSupport
import Testing

/// In-gamut RGBA noise with a colour cast (linear 0.05…0.6 scaled per channel).
func castNoise(width: Int, height: Int, seed: UInt64, scale: (Float, Float, Float), layout: PixelLayout = .rgba) -> Raster {
    var r = SyntheticScene.noise(width: width, height: height, layout: layout, seed: seed)
    for y in 0..<height {
        for x in 0..<width {
            r[x, y, 0] = (0.05 + 0.5 * r[x, y, 0]) * scale.0
            r[x, y, 1] = (0.05 + 0.5 * r[x, y, 1]) * scale.1
            r[x, y, 2] = (0.05 + 0.5 * r[x, y, 2]) * scale.2
            if layout.hasAlpha { r[x, y, 3] = 1 }
        }
    }
    return r
}

@Suite("Colour transfer kernels")
struct ColourTransferTests {
    static let source = castNoise(width: 64, height: 48, seed: 1, scale: (1, 0.8, 0.5))
    static let reference = castNoise(width: 50, height: 40, seed: 2, scale: (0.6, 0.8, 1))

    @Test("Reinhard output has the reference's Lab mean and deviation")
    func reinhardMatchesStatistics() {
        let target = LabStatistics(LabSamples(of: Self.reference, maxCount: 1 << 20))
        let before = LabStatistics(LabSamples(of: Self.source, maxCount: 1 << 20))
        let out = ColourTransferKernels.reinhard(Self.source, from: before, to: target)
        let after = LabStatistics(LabSamples(of: out, maxCount: 1 << 20))
        for c in 0..<3 {
            #expect(abs(after.mean[c] - target.mean[c]) < 0.05, "mean \(c): \(after.mean[c]) vs \(target.mean[c])")
            #expect(abs(after.deviation[c] - target.deviation[c]) < 0.01 * target.deviation[c] + 0.02, "deviation \(c)")
        }
        #expect(abs(before.mean[2] - target.mean[2]) > 5, "the test images must differ to begin with")
    }

    @Test("Reinhard matches a per-pixel Double reference, with mask and strength")
    func reinhardAgainstReference() {
        let from = LabStatistics(LabSamples(of: Self.source)), to = LabStatistics(LabSamples(of: Self.reference))
        let mask = SyntheticScene.noise(width: 64, height: 48, layout: .gray, seed: 5)
        let out = ColourTransferKernels.reinhard(Self.source, from: from, to: to, mask: mask, strength: 0.7)
        let k = ColourTransferKernels.reinhardCoefficients(from: from, to: to)
        var worst = 0.0
        for y in 0..<48 {
            for x in 0..<64 {
                let lab = Reference.convert((Double(Self.source[x, y, 0]), Double(Self.source[x, y, 1]), Double(Self.source[x, y, 2])), from: .linearSRGB, to: .lab)
                let t = (lab.0 * Double(k[0].0) + Double(k[0].1), lab.1 * Double(k[1].0) + Double(k[1].1), lab.2 * Double(k[2].0) + Double(k[2].1))
                let lin = Reference.convert(t, from: .lab, to: .linearSRGB)
                let m = 0.7 * Double(mask[x, y, 0])
                for (c, v) in [lin.0, lin.1, lin.2].enumerated() {
                    let s = Double(Self.source[x, y, c])
                    worst = max(worst, abs(Double(out[x, y, c]) - (s + m * (v - s))))
                }
            }
        }
        #expect(worst < 2e-4, "largest difference \(worst)")
    }

    @Test("Reinhard, blend and regrain are bit-identical on every schedule", arguments: NamedSchedule.all)
    func tileInvariance(_ named: NamedSchedule) {
        let image = castNoise(width: 97, height: 61, seed: 42, scale: (1, 0.9, 0.7))
        let mask = SyntheticScene.noise(width: 97, height: 61, layout: .gray, seed: 43)
        let from = LabStatistics(LabSamples(of: image)), to = LabStatistics(LabSamples(of: Self.reference))
        let serialSchedule = Schedule.serial(covering: image.bounds), schedule = named.schedule(for: image)
        let a = ColourTransferKernels.reinhard(image, from: from, to: to, mask: mask, schedule: serialSchedule)
        let b = ColourTransferKernels.reinhard(image, from: from, to: to, mask: mask, schedule: schedule)
        #expect(a == b, "reinhard: \(ImageCompare.describe(a, b))")
        // The regrain is 14 blurs: sweep it over every third schedule to keep the test fast.
        guard NamedSchedule.all.firstIndex(where: { $0.testDescription == named.testDescription }).map({ $0 % 3 == 0 }) ?? true else { return }
        let g1 = ColourTransferKernels.regrain(original: image, transferred: a, sigma: 2, schedule: serialSchedule)
        let g2 = ColourTransferKernels.regrain(original: image, transferred: a, sigma: 2, schedule: schedule)
        #expect(g1 == g2, "regrain: \(ImageCompare.describe(g1, g2))")
        let p1 = ColourTransferKernels.blend(image, g1, mask: mask, strength: 0.5, schedule: serialSchedule)
        let p2 = ColourTransferKernels.blend(image, g1, mask: mask, strength: 0.5, schedule: schedule)
        #expect(p1 == p2, "blend: \(ImageCompare.describe(p1, p2))")
    }

    @Test("sliced transport moves the source distribution onto the reference's; deterministic per seed")
    func slicedTransport() {
        let s = LabSamples(of: Self.source, maxCount: 800), r = LabSamples(of: Self.reference, maxCount: 800)
        let t = SlicedTransport(from: s, to: r, iterations: 12, seed: 9)
        #expect(t == SlicedTransport(from: s, to: r, iterations: 12, seed: 9))
        #expect(t != SlicedTransport(from: s, to: r, iterations: 12, seed: 10))
        var moved: [Float] = []
        for i in 0..<s.count {
            let v = t.map((Double(s.values[3 * i]), Double(s.values[3 * i + 1]), Double(s.values[3 * i + 2])))
            moved += [Float(v.0), Float(v.1), Float(v.2)]
        }
        let got = LabStatistics(LabSamples(values: moved)), want = LabStatistics(r)
        for c in 0..<3 {
            #expect(abs(got.mean[c] - want.mean[c]) < 0.5, "mean \(c): \(got.mean[c]) vs \(want.mean[c])")
            #expect(abs(got.deviation[c] - want.deviation[c]) < 0.1 * want.deviation[c] + 0.3, "deviation \(c)")
        }
        // Beyond two moments: the sorted L values (the 1D distribution) match closely.
        let gl = stride(from: 0, to: moved.count, by: 3).map { moved[$0] }.sorted()
        let rl = stride(from: 0, to: r.values.count, by: 3).map { r.values[$0] }.sorted()
        let q = [0.05, 0.25, 0.5, 0.75, 0.95].map { p in abs(gl[Int(p * Double(gl.count - 1))] - rl[Int(p * Double(rl.count - 1))]) }
        #expect(q.max()! < 2.5, "quantile gaps \(q)")
    }

    @Test("regrain leaves an unchanged image exactly alone and removes noise a transfer added")
    func regrain() {
        let image = castNoise(width: 60, height: 40, seed: 3, scale: (1, 1, 1), layout: .rgb)
        #expect(ColourTransferKernels.regrain(original: image, transferred: image) == image)
        // A flat image, "transferred" to a brighter flat colour plus noise: the regrain keeps the shift, drops the noise.
        let flat = SyntheticScene.uniform(width: 60, height: 40, layout: .rgb, ranges: [0.2...0.2, 0.2...0.2, 0.2...0.2], seed: 1)
        var noisy = flat
        var rng = SplitMix64(seed: 4)
        for y in 0..<40 { for x in 0..<60 { for c in 0..<3 { noisy[x, y, c] = 0.3 + rng.nextFloat(in: -0.05...0.05) } } }
        let out = ColourTransferKernels.regrain(original: flat, transferred: noisy, sigma: 4)
        var mean = 0.0, spread = 0.0
        for y in 0..<40 { for x in 0..<60 { mean += Double(out[x, y, 0]) } }
        mean /= 2400
        for y in 0..<40 { for x in 0..<60 { spread = max(spread, abs(Double(out[x, y, 0]) - mean)) } }
        #expect(abs(mean - 0.3) < 0.005 && spread < 0.02, "mean \(mean), spread \(spread)")
    }
}

@Suite("Palette kernels")
struct PaletteTests {
    /// Four flat colour blocks of different sizes.
    static func blocks() -> Raster {
        var r = Raster(width: 40, height: 40, layout: .rgb)
        for y in 0..<40 {
            for x in 0..<40 {
                let c: (Float, Float, Float) = y < 20 ? (x < 30 ? (0.8, 0.1, 0.1) : (0.1, 0.1, 0.8)) : (x < 10 ? (0.1, 0.6, 0.1) : (0.9, 0.9, 0.9))
                r[x, y, 0] = c.0; r[x, y, 1] = c.1; r[x, y, 2] = c.2
            }
        }
        return r
    }

    @Test("k-means finds the blocks' colours with their areas as weights, heaviest first")
    func blocksPalette() {
        let samples = LabSamples(of: Self.blocks(), maxCount: 1 << 20)
        let clusters = PaletteKernels.kMeans(samples, k: 4)
        #expect(clusters.count == 4)
        #expect(clusters.map(\.weight) == [0.375, 0.375, 0.125, 0.125])
        let red = Colour.convert((0.8, 0.1, 0.1), from: .linearSRGB, to: .lab)
        #expect(clusters.contains { abs($0.lab.0 - Double(red.0)) < 0.01 && abs($0.lab.1 - Double(red.1)) < 0.01 })
        // Asking for more colours than there are gives only the distinct ones.
        #expect(PaletteKernels.kMeans(samples, k: 9).count == 4)
    }

    @Test("the palette is deterministic: same samples and seed, same bits")
    func determinism() {
        let samples = LabSamples(of: castNoise(width: 40, height: 30, seed: 8, scale: (1, 0.7, 0.4)))
        let a = PaletteKernels.kMeans(samples, k: 6), b = PaletteKernels.kMeans(samples, k: 6)
        #expect(a == b)
        #expect(abs(a.map(\.weight).reduce(0, +) - 1) < 1e-12)
    }

    @Test("remap takes each pixel to its nearest palette colour; keepLightness keeps L*; any schedule", arguments: [NamedSchedule.all[1], NamedSchedule.all[16]])
    func remap(_ named: NamedSchedule) {
        let image = Self.blocks()
        let labs = [Colour.convert((0.7, 0.2, 0.1), from: .linearSRGB, to: .lab), Colour.convert((0.5, 0.5, 0.5), from: .linearSRGB, to: .lab)]
        let out = PaletteKernels.remap(image, palette: labs, schedule: named.schedule(for: image))
        #expect(out == PaletteKernels.remap(image, palette: labs, schedule: .serial(covering: image.bounds)))
        #expect(abs(out[0, 0, 0] - 0.7) < 1e-3 && abs(out[0, 0, 1] - 0.2) < 1e-3)   // red block → orange-red
        #expect(abs(out[39, 39, 0] - 0.5) < 1e-3)                                     // white block → grey
        let kept = PaletteKernels.remap(image, palette: labs, keepLightness: true)
        let l0 = Colour.convert((image[39, 39, 0], image[39, 39, 1], image[39, 39, 2]), from: .linearSRGB, to: .lab).0
        let l1 = Colour.convert((kept[39, 39, 0], kept[39, 39, 1], kept[39, 39, 2]), from: .linearSRGB, to: .lab).0
        #expect(abs(l0 - l1) < 0.01)
    }
}
