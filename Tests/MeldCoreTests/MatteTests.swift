import MeldCore
import MeldTestSupport
import Testing

@Suite("Matte kernels")
struct MatteTests {
    /// A random grid graph: terminal capacities of both signs, neighbour capacities 0…20.
    static func randomGraph(width: Int, height: Int, seed: UInt64) -> GridGraphCut {
        var rng = SplitMix64(seed: seed)
        var g = GridGraphCut(width: width, height: height)
        for i in 0..<(width * height) { g.terminal[i] = Int32(rng.nextInt(in: -30...30)) }
        for y in 0..<height {
            for x in 0..<width {
                for d in 0..<4 { g.setNeighbour(x: x, y: y, direction: d, capacity: Int32(rng.nextInt(in: 0...20))) }
            }
        }
        return g
    }

    @Test("graph cut: the flow equals Edmonds–Karp's and the returned cut has exactly that capacity",
          arguments: [(5, 4, UInt64(1)), (7, 6, 2), (9, 3, 3), (1, 8, 4), (6, 6, 5), (8, 7, 6)])
    func graphCutMatchesReference(width: Int, height: Int, seed: UInt64) {
        let g = Self.randomGraph(width: width, height: height, seed: seed)
        let (flow, source) = g.solve()
        #expect(flow == Reference.maxFlow(g))
        #expect(Reference.cutCapacity(g, source: source) == flow, "min cut = max flow")
    }

    @Test("graph cut: a strong smoothness fills a weakly-background hole; none leaves it")
    func graphCutSmoothness() {
        // 9x9: the ring prefers source, the centre weakly prefers sink.
        for strength in [Int32(0), 40] {
            var g = GridGraphCut(width: 9, height: 9)
            for y in 0..<9 { for x in 0..<9 {
                let centre = abs(x - 4) <= 1 && abs(y - 4) <= 1
                g.terminal[y * 9 + x] = centre ? -5 : 50
                for d in 0..<4 { g.setNeighbour(x: x, y: y, direction: d, capacity: strength) }
            } }
            let source = g.solve().source
            #expect(source[4 * 9 + 4] == (strength > 0))
            #expect(source[0])
        }
    }

    /// A small scene: a linear RGB image, its working-size copy and a coarse mask.
    static func scene() -> (image: Raster, working: Raster, coarse: [UInt8], cw: Int, ch: Int) {
        let w = 48, h = 40, cw = 24, ch = 20
        var rng = SplitMix64(seed: 9)
        var image = Raster(width: w, height: h, layout: .rgb)
        for y in 0..<h { for x in 0..<w {
            let d = ((Double(x) - 22.3) * (Double(x) - 22.3) + (Double(y) - 19.6) * (Double(y) - 19.6)).squareRoot()
            let a = Float(max(0, min(1, 13.5 - d)))
            let bg: [Float] = [0.6, 0.62, 0.66], fg: [Float] = [0.5, 0.08, 0.05]
            for c in 0..<3 { image[x, y, c] = a * fg[c] + (1 - a) * bg[c] + rng.nextFloat(in: -0.01...0.01) }
        } }
        let working = AreaDownscale.apply(image, width: cw, height: ch, schedule: .serial(covering: image.bounds))
        var coarse = [UInt8](repeating: 0, count: cw * ch)
        for y in 0..<ch { for x in 0..<cw {
            let d = ((Double(x) - 11) * (Double(x) - 11) + (Double(y) - 9.8) * (Double(y) - 9.8)).squareRoot()
            coarse[y * cw + x] = d < 7 ? 1 : 0
        } }
        return (image, working, coarse, cw, ch)
    }

    static let schedules: [Schedule] = [
        Schedule(tileSize: 64, threads: 1), Schedule(tileSize: 7, threads: 2), Schedule(tileWidth: 16, tileHeight: 5, threads: 3),
        .strips(rows: 3, threads: 2), Schedule(tileSize: 1, threads: 2),
    ]

    @Test("guided matte: every schedule matches the scalar reference bit for bit", arguments: [true, false])
    func guidedMatteMatchesReference(despill: Bool) {
        let s = Self.scene()
        for radius in [1, 2] {
            let parameters = GuidedMatte.Parameters(radius: radius, despill: despill)
            let reference = GuidedMatte.reference(image: s.image, coarse: s.coarse, coarseWidth: s.cw, coarseHeight: s.ch,
                                                  working: s.working, parameters: parameters)
            for schedule in Self.schedules {
                let tiled = GuidedMatte.cutout(image: s.image, coarse: s.coarse, coarseWidth: s.cw, coarseHeight: s.ch,
                                               working: s.working, parameters: parameters, schedule: schedule)
                #expect(tiled == reference, "radius \(radius), \(schedule)")
            }
        }
    }

    @Test("guided matte: opaque inside, clear outside, and near the edge close to the disc's true coverage")
    func guidedMatteProperties() {
        let s = Self.scene()
        let out = GuidedMatte.cutout(image: s.image, coarse: s.coarse, coarseWidth: s.cw, coarseHeight: s.ch, working: s.working)
        var error = 0.0, n = 0, wrong = 0
        for y in 0..<40 { for x in 0..<48 {
            let d = ((Double(x) + 0.5 - 22.3) * (Double(x) + 0.5 - 22.3) + (Double(y) + 0.5 - 19.6) * (Double(y) + 0.5 - 19.6)).squareRoot()
            let a = Double(out[x, y, 3]), truth = max(0, min(1, 13.5 - d + 0.5))
            if abs(d - 13.5) < 6 { error += abs(a - truth); n += 1 }
            if (d < 9 && a < 1) || (d > 22 && a > 0) { wrong += 1 }
            #expect(out[x, y, 0] <= out[x, y, 3] + 1e-6, "premultiplied")
        } }
        #expect(wrong == 0)
        #expect(error / Double(n) < 0.12, "mean alpha error near the edge \(error / Double(n))")
    }

    @Test("despill: edge colours lose the backdrop's cast")
    func despill() {
        let s = Self.scene()
        let plain = GuidedMatte.cutout(image: s.image, coarse: s.coarse, coarseWidth: s.cw, coarseHeight: s.ch, working: s.working,
                                       parameters: GuidedMatte.Parameters(despill: false))
        let clean = GuidedMatte.cutout(image: s.image, coarse: s.coarse, coarseWidth: s.cw, coarseHeight: s.ch, working: s.working)
        // Edge pixels: straight blue (the backdrop's strongest channel, the subject's weakest) drops.
        var before = 0.0, after = 0.0, n = 0
        for y in 0..<40 { for x in 0..<48 where clean[x, y, 3] > 0.2 && clean[x, y, 3] < 0.8 {
            before += Double(plain[x, y, 2] / plain[x, y, 3]); after += Double(clean[x, y, 2] / clean[x, y, 3]); n += 1
        } }
        #expect(n > 5)
        #expect(after < before * 0.7, "blue \(before / Double(max(n, 1))) → \(after / Double(max(n, 1)))")
    }

    @Test("data costs and area downscale: every schedule matches the plain loop")
    func costsAndDownscale() {
        let s = Self.scene()
        let lab = ColourConversion.convert(s.image, from: .linearSRGB, to: .lab, schedule: .serial(covering: s.image.bounds))
        var fgSamples: [SIMD3<Float>] = [], bgSamples: [SIMD3<Float>] = []
        for y in 0..<40 { for x in 0..<48 { (x > 16 && x < 28 && y > 14 && y < 24 ? { fgSamples.append($0) } : { bgSamples.append($0) })(SIMD3(lab[x, y, 0], lab[x, y, 1], lab[x, y, 2])) } }
        let fg = ColourGMM(samples: fgSamples, k: 3), bg = ColourGMM(samples: bgSamples, k: 3)
        let surface = BackgroundSurface.zero(width: 48, height: 40)
        let reference = SubjectSegmenter.dataCostsReference(lab: lab, foreground: fg, background: bg, surface: surface)
        #expect(reference.foreground[20 * 48 + 22] < reference.background[20 * 48 + 22], "the disc's centre is foreground")
        #expect(reference.foreground[2 * 48 + 2] > reference.background[2 * 48 + 2], "the corner is background")
        let downscaled = AreaDownscale.apply(s.image, width: 17, height: 13, schedule: .serial(covering: s.image.bounds))
        for schedule in Self.schedules {
            let tiled = SubjectSegmenter.dataCosts(lab: lab, foreground: fg, background: bg, surface: surface, schedule: schedule)
            #expect(tiled.foreground == reference.foreground && tiled.background == reference.background, "\(schedule)")
            #expect(AreaDownscale.apply(s.image, width: 17, height: 13, schedule: schedule) == downscaled, "\(schedule)")
        }
    }

    @Test("area downscale matches the plain Double mean for whole and fractional ratios, on every schedule",
          arguments: [(97, 61, 17, 13), (64, 48, 32, 24), (50, 50, 49, 7), (33, 20, 1, 1), (40, 30, 40, 30)])
    func areaDownscaleAgainstReference(_ size: (Int, Int, Int, Int)) {
        let (sw, sh, w, h) = size
        let image = SyntheticScene.noise(width: sw, height: sh, layout: .rgba, seed: UInt64(sw * 31 + w))
        let want = Reference.areaDownscale(image, width: w, height: h)
        let serial = AreaDownscale.apply(image, width: w, height: h, schedule: .serial(covering: image.bounds))
        #expect(ImageCompare.maxAbsDifference(serial, want) < 1e-5, "\(sw)x\(sh) -> \(w)x\(h): \(ImageCompare.describe(serial, want, tolerance: 1e-5))")
        for schedule in Self.schedules {
            #expect(AreaDownscale.apply(image, width: w, height: h, schedule: schedule) == serial, "\(schedule)")
        }
    }

    @Test("background surface: a quadratic backdrop is recovered from its border")
    func surface() {
        var samples: [(x: Int, y: Int, colour: SIMD3<Float>)] = []
        func truth(_ x: Int, _ y: Int) -> SIMD3<Float> {
            let u = (Float(x) + 0.5) / 60 * 2 - 1, v = (Float(y) + 0.5) / 40 * 2 - 1
            return SIMD3(80 - 20 * (u * u + v * v), 2 + 3 * u, -4 * v)
        }
        for y in 0..<40 { for x in 0..<60 where x < 3 || y < 3 || x >= 57 || y >= 37 { samples.append((x, y, truth(x, y))) } }
        let s = BackgroundSurface(samples: samples, width: 60, height: 40)
        let centre = s.predict(30, 20), expected = truth(30, 20)
        #expect(abs(centre.x - expected.x) < 0.05 && abs(centre.y - expected.y) < 0.05 && abs(centre.z - expected.z) < 0.05)
    }

    @Test("ground shadows: contact under the footprint, cast along the light, reflection fades")
    func groundShadows() {
        // A 20x30 opaque block in a 40x40 RGBA layer, standing on row 35.
        var layer = Raster(width: 40, height: 40, layout: .rgba)
        for y in 5..<35 { for x in 10..<30 { for c in 0..<4 { layer[x, y, c] = c == 3 ? 1 : 0.5 } } }
        let f = GroundShadow.footing(of: layer, channel: 3)!
        #expect(f == GroundShadow.Footing(top: 5, ground: 35, left: 10, right: 30))
        let contact = GroundShadow.contact(f)
        func density(_ r: (density: Raster, x: Int, y: Int), _ x: Int, _ y: Int) -> Float {
            let lx = x - r.x, ly = y - r.y
            return lx >= 0 && ly >= 0 && lx < r.density.width && ly < r.density.height ? r.density[lx, ly, 0] : 0
        }
        #expect(density(contact, 20, 35) > 0.5)
        #expect(density(contact, 20, 35) > density(contact, 20, 38))
        #expect(density(contact, 20, 35) > density(contact, 33, 35))
        let right = GroundShadow.cast(alpha: layer, channel: 3, footing: f, angle: 60, length: 1, schedule: .serial(covering: layer.bounds))
        // Light from the lower left: a block point (x, y) at height H = 35 − y lands at
        // (x + H sin 60°, 35 − H cos 60°), to the right of and behind the block.
        func landing(_ x: Double, _ y: Double) -> (Int, Int) {
            let h = 35 - y
            return (Int(x + h * 0.866), Int(35 - h * 0.5))
        }
        let mid = landing(20, 20)
        #expect(density(right, mid.0, mid.1) > 0.2)
        #expect(density(right, 5, 30) < 0.01, "nothing on the lit side")
        let near = landing(25, 30), far = landing(25, 8)
        #expect(density(right, near.0, near.1) > density(right, far.0, far.1), "fainter with distance")
        let tiled = GroundShadow.cast(alpha: layer, channel: 3, footing: f, angle: 60, length: 1, schedule: Schedule(tileSize: 5, threads: 2))
        #expect(tiled.density == right.density)
        let mirror = GroundShadow.reflection(layer, footing: f, opacity: 0.5, fade: 0.5)
        #expect(mirror.y == 35 && mirror.image.height == 15)
        #expect(abs(mirror.image[20, 0, 3] - 0.5) < 1e-6)
        #expect(mirror.image[20, 10, 3] < mirror.image[20, 2, 3])
    }
}
