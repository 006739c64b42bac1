import MeldCore
import MeldTestSupport
import Testing

/// A random coverage: blobs of 1 on 0 with a few soft values.
func randomCoverage(width: Int, height: Int, seed: UInt64) -> Raster {
    var rng = SplitMix64(seed: seed)
    var r = Coverage.empty(width: width, height: height)
    for _ in 0..<4 {
        let cx = rng.nextInt(in: 0...(width - 1)), cy = rng.nextInt(in: 0...(height - 1)), rad = rng.nextInt(in: 2...8)
        for y in 0..<height { for x in 0..<width where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad { r[x, y, 0] = 1 } }
    }
    for _ in 0..<10 { r[rng.nextInt(in: 0...(width - 1)), rng.nextInt(in: 0...(height - 1)), 0] = rng.nextUnitFloat() }
    return r
}

@Suite("Coverage kernels")
struct CoverageTests {
    static let schedules = NamedSchedule.tiles(7, 5) + NamedSchedule.tiles(16, 16) + NamedSchedule.tiles(Schedule.fullWidth, 8)

    @Test("tiled kernels are bit-identical to the serial schedule and the scalar reference", arguments: schedules)
    func tiledMatchesReference(_ named: NamedSchedule) {
        let cov = randomCoverage(width: 45, height: 37, seed: 7)
        let other = randomCoverage(width: 45, height: 37, seed: 8)
        let s = named.schedule(for: cov)
        for radius in [-3, -1, 2, 5, 12, -17, 40] {
            let got = Coverage.morphology(cov, radius: radius, schedule: s)
            #expect(got == CoverageReference.morphology(cov, radius: radius), "morphology \(radius): \(ImageCompare.describe(got, CoverageReference.morphology(cov, radius: radius)))")
        }
        for radius in [1, 4, 9] {
            let got = Coverage.feather(cov, radius: radius, schedule: s)
            #expect(got == CoverageReference.feather(cov, radius: radius), "feather \(radius)")
        }
        let e = Coverage.ellipse(cx: 20.3, cy: 15.5, rx: 12.2, ry: 7.9, width: 45, height: 37, schedule: s)
        #expect(e == CoverageReference.ellipse(cx: 20.3, cy: 15.5, rx: 12.2, ry: 7.9, width: 45, height: 37))
        for how in Coverage.Combination.allCases {
            #expect(Coverage.combine(cov, other, how, schedule: s) == Coverage.combine(cov, other, how, schedule: .serial(covering: cov.bounds)))
        }
        let poly: [(x: Double, y: Double)] = [(3, 2), (40, 8), (22, 35), (10, 20)]
        #expect(Coverage.polygon(poly, width: 45, height: 37, schedule: s) == Coverage.polygon(poly, width: 45, height: 37, schedule: .serial(covering: cov.bounds)))
        let image = SyntheticScene.noise(width: 45, height: 37, layout: .rgb, seed: 3)
        let lab = ColourConversion.convert(image, from: .linearSRGB, to: .lab, schedule: .serial(covering: image.bounds))
        #expect(Coverage.colourRange(lab: lab, target: (50, 10, 10), tolerance: 30, fuzziness: 10, schedule: s)
                == Coverage.colourRange(lab: lab, target: (50, 10, 10), tolerance: 30, fuzziness: 10, schedule: .serial(covering: lab.bounds)))
        let edited = SyntheticScene.noise(width: 45, height: 37, layout: .rgb, seed: 4)
        #expect(Coverage.blend(original: image, edited: edited, coverage: cov, schedule: s)
                == Coverage.blend(original: image, edited: edited, coverage: cov, schedule: .serial(covering: cov.bounds)))
        let f = LocalEdit.adjustFunction(.init(exposure: 0.5, temperature: 20, contrast: 30, saturation: -20))
        #expect(LocalEdit.apply(image, coverage: cov, schedule: s, f) == LocalEdit.apply(image, coverage: cov, schedule: .serial(covering: cov.bounds), f))
        #expect(LocalEdit.statistics(image, coverage: cov, schedule: s) == LocalEdit.statistics(image, coverage: cov, schedule: .serial(covering: cov.bounds)))
    }

    /// The in-place region shrink is the plain erosion thresholded: on random blobs with soft
    /// values, masks touching every edge, a full and an empty mask, several thresholds and radii,
    /// its region is where `CoverageReference.morphology(−radius)` reaches the threshold; pixels
    /// it keeps hold their own values and the ones it drops are 0.
    @Test("shrinkRegion is the thresholded erosion, in place", arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func shrinkRegionMatchesErosion(seed: UInt64) {
        var rng = SplitMix64(seed: seed &* 977)
        var masks = [randomCoverage(width: 45, height: 37, seed: seed), randomCoverage(width: 9, height: 23, seed: seed + 50)]
        // Blobs that touch the edges, and soft values near the threshold.
        var edge = randomCoverage(width: 31, height: 19, seed: seed + 100)
        for y in 0..<19 { for x in 0..<31 where x < 4 || y > 15 || rng.nextInt(in: 0...9) == 0 { edge[x, y, 0] = 0.4 + 0.2 * rng.nextUnitFloat() } }
        masks.append(edge)
        var full = Coverage.empty(width: 12, height: 8)
        for y in 0..<8 { for x in 0..<12 { full[x, y, 0] = 1 } }
        masks += [full, Coverage.empty(width: 6, height: 5)]
        for mask in masks {
            for radius in [0, 1, 2, 3, 5, 9] {
                for threshold: Float in [0.5, 0.25] {
                    var got = mask
                    let left = Coverage.shrinkRegion(&got, radius: radius, threshold: threshold)
                    let reference = CoverageReference.morphology(mask, radius: -radius)
                    var any = false, ok = true
                    for y in 0..<mask.height {
                        for x in 0..<mask.width {
                            let inside = reference[x, y, 0] >= threshold
                            any = any || inside
                            let want: Float = inside ? mask[x, y, 0] : (mask[x, y, 0] >= threshold ? 0 : mask[x, y, 0])
                            if got[x, y, 0].bitPattern != want.bitPattern { ok = false }
                        }
                    }
                    #expect(ok, "seed \(seed), \(mask.width)x\(mask.height), radius \(radius), threshold \(threshold)")
                    #expect(left == any)
                }
            }
        }
    }

    @Test("feathering never reaches further than its radius")
    func featherReach() {
        var cov = Coverage.empty(width: 40, height: 40)
        cov[20, 20, 0] = 1
        let f = Coverage.feather(cov, radius: 6)
        for y in 0..<40 { for x in 0..<40 {
            let inside = (x - 20) * (x - 20) + (y - 20) * (y - 20) <= 42
            if !inside { #expect(f[x, y, 0] == 0, "(\(x), \(y))") }
        } }
        #expect(f[20, 20, 0] > 0 && f[26, 20, 0] > 0)
    }

    @Test("magic wand matches a breadth-first reference and stops at a colour edge")
    func floodFill() {
        let image = SyntheticScene.noise(width: 30, height: 24, layout: .rgb, seed: 11)
        let lab = ColourConversion.convert(image, from: .linearSRGB, to: .lab, schedule: .serial(covering: image.bounds))
        for (x, y, tol) in [(3, 4, Float(40)), (15, 12, 60), (29, 23, 25)] {
            #expect(Coverage.floodFill(lab: lab, x: x, y: y, tolerance: tol) == CoverageReference.floodFill(lab: lab, x: x, y: y, tolerance: tol))
        }
        // Two flat halves: the wand takes exactly the half it starts in.
        var halves = Raster(width: 20, height: 10, layout: .rgb)
        for y in 0..<10 { for x in 0..<20 { for c in 0..<3 { halves[x, y, c] = x < 8 ? 0.2 : (c == 0 ? 0.8 : 0.1) } } }
        let hl = ColourConversion.convert(halves, from: .linearSRGB, to: .lab)
        let w = Coverage.floodFill(lab: hl, x: 2, y: 2, tolerance: 5)
        for y in 0..<10 { for x in 0..<20 { #expect(w[x, y, 0] == (x < 8 ? 1 : 0)) } }
    }

    @Test("tone curve passes through its points and is monotone")
    func toneCurve() {
        let c = ToneCurve(points: [.init(x: 0, y: 0), .init(x: 0.25, y: 0.15), .init(x: 0.75, y: 0.9), .init(x: 1, y: 1)])
        #expect(abs(c(0.25) - 0.15) < 1e-6 && abs(c(0.75) - 0.9) < 1e-6 && c(0) == 0 && c(1) == 1)
        var last: Float = -1
        for i in 0...100 { let v = c(Float(i) / 100); #expect(v >= last - 1e-6); last = v }
    }
}
