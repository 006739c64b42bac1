import MeldCore
import MeldTestSupport
import Testing

let testGrade = Reference.grade

/// A random table (values 0…1) for interpolation tests.
func randomLUT(size: Int, dimension: ColourLUT.Dimension = .threeD, seed: UInt64) throws -> ColourLUT {
    var rng = SplitMix64(seed: seed)
    let count = dimension == .threeD ? 3 * size * size * size : 3 * size
    return try ColourLUT(dimension: dimension, size: size, table: (0..<count).map { _ in rng.nextUnitFloat() })
}

@Suite("Colour LUT interpolation")
struct ColourLUTTests {
    @Test("tetrahedral interpolation hits lattice nodes exactly and reproduces affine maps")
    func nodesAndAffine() throws {
        let lut = try randomLUT(size: 5, seed: 7)
        for (r, g, b) in [(0, 0, 0), (4, 4, 4), (1, 2, 3), (4, 0, 2), (3, 3, 0)] {
            let v = lut.evaluate(Float(r) / 4, Float(g) / 4, Float(b) / 4)
            let k = 3 * (r + 5 * g + 25 * b)
            #expect(abs(v.0 - lut.table[k]) < 1e-6 && abs(v.1 - lut.table[k + 1]) < 1e-6 && abs(v.2 - lut.table[k + 2]) < 1e-6, "node \(r),\(g),\(b)")
        }
        let affine = try ColourLUT(size: 3) { r, g, b in (0.2 + 0.5 * r - 0.1 * g, 0.3 * b + 0.6 * g, 0.1 + 0.8 * r) }
        var rng = SplitMix64(seed: 3)
        for _ in 0..<500 {
            let r = rng.nextUnitFloat(), g = rng.nextUnitFloat(), b = rng.nextUnitFloat()
            let v = affine.evaluate(r, g, b)
            #expect(abs(v.0 - (0.2 + 0.5 * r - 0.1 * g)) < 2e-6)
            #expect(abs(v.1 - (0.3 * b + 0.6 * g)) < 2e-6)
            #expect(abs(v.2 - (0.1 + 0.8 * r)) < 2e-6)
        }
    }

    @Test("evaluate agrees with the Double reference for every tetrahedron, 1D tables and clamping",
          arguments: [ColourLUT.Dimension.threeD, .oneD])
    func againstReference(dimension: ColourLUT.Dimension) throws {
        let lut = try randomLUT(size: dimension == .threeD ? 6 : 17, dimension: dimension, seed: 11)
        var rng = SplitMix64(seed: 5)
        var worst = 0.0
        for i in 0..<4000 {
            // Mostly inside, some outside the domain, some exactly on cell faces.
            var p = (0..<3).map { _ in rng.nextFloat(in: -0.1...1.1) }
            if i % 7 == 0 { p[1] = p[0] }
            if i % 11 == 0 { p = p.map { ($0 * 5).rounded() / 5 } }
            let v = lut.evaluate(p[0], p[1], p[2])
            let w = Reference.lookup(lut, Double(p[0]), Double(p[1]), Double(p[2]))
            worst = max(worst, abs(Double(v.0) - w.0), abs(Double(v.1) - w.1), abs(Double(v.2) - w.2))
        }
        #expect(worst < 2e-6, "largest difference \(worst)")
    }

    @Test("the encode/decode tables stay within their documented error")
    func encodedSRGBTables() {
        var worstEncode = 0.0, worstDecode = 0.0
        EncodedSRGB.withTables { e, d in
            for i in 0...100_000 {
                let v = Float(i) / 100_000
                worstEncode = max(worstEncode, abs(Double(EncodedSRGB.encode(v, e)) - Reference.srgbEncode(Double(v))))
                worstDecode = max(worstDecode, abs(Double(EncodedSRGB.decode(v, d)) - Reference.srgbDecode(Double(v))))
            }
        }
        #expect(worstEncode <= 2e-5, "encode \(worstEncode)")
        #expect(worstDecode <= 1e-6, "decode \(worstDecode)")
    }

    @Test("a domain other than 0…1 maps onto the lattice")
    func domain() throws {
        let lut = try ColourLUT(dimension: .threeD, size: 2, table: [0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1],
                                domainMin: [0, 0, 0], domainMax: [2, 2, 2])
        let v = lut.evaluate(1, 0.5, 2)
        #expect(abs(v.0 - 0.5) < 1e-6 && abs(v.1 - 0.25) < 1e-6 && abs(v.2 - 1) < 1e-6)
    }

    @Test("the tiled application matches the Double reference (with mask and strength)")
    func applicationAgainstReference() throws {
        let lut = try ColourLUT(size: 17, sampling: testGrade)
        let image = SyntheticScene.noise(width: 37, height: 23, layout: .rgba, seed: 9)
        let mask = SyntheticScene.noise(width: 37, height: 23, layout: .gray, seed: 10)
        let fast = LUTApplication.apply(lut, to: image, mask: mask, strength: 0.8)
        let slow = Reference.applyLUT(lut, to: image, mask: mask, strength: 0.8)
        #expect(ImageCompare.maxAbsDifference(fast, slow) < 1e-4, "\(ImageCompare.describe(fast, slow, tolerance: 1e-4))")
    }

    @Test("the application is bit-identical on every schedule", arguments: NamedSchedule.all)
    func tileInvariance(_ named: NamedSchedule) throws {
        let lut = try ColourLUT(size: 9, sampling: testGrade)
        let image = SyntheticScene.noise(width: 97, height: 61, layout: .rgba, seed: 42)
        let mask = SyntheticScene.noise(width: 97, height: 61, layout: .gray, seed: 43)
        let serial = LUTApplication.apply(lut, to: image, mask: mask, schedule: .serial(covering: image.bounds))
        let tiled = LUTApplication.apply(lut, to: image, mask: mask, schedule: named.schedule(for: image))
        #expect(tiled == serial, "\(ImageCompare.describe(tiled, serial))")
    }

    /// Interleaved 8-bit codes from a seeded generator (alpha: some 0, some 255, the rest).
    static func codes(width: Int, height: Int, channels: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return (0..<(width * height * channels)).map { i in
            if channels == 4 && i % 4 == 3 {
                let pick = rng.next() % 4
                return pick == 0 ? 0 : (pick == 1 ? 255 : UInt8(truncatingIfNeeded: rng.next()))
            }
            return UInt8(truncatingIfNeeded: rng.next())
        }
    }

    @Test("grading 8-bit codes rounds the Double reference at exactly code/255; alpha and transparent pixels are kept",
          arguments: [3, 4])
    func codesAgainstReference(_ channels: Int) throws {
        for lut in [try ColourLUT(size: 17, sampling: testGrade), try ColourLUT(size: 9) { r, g, b in (1 - r, g * g, b) }] {
            let (w, h) = (41, 19)
            let input = Self.codes(width: w, height: h, channels: channels, seed: 77)
            var graded = input
            graded.withUnsafeMutableBufferPointer { LUTApplication.apply(lut, toCodes: $0.baseAddress!, width: w, height: h, channels: channels) }
            var offByOne = 0
            for i in 0..<(w * h) {
                let p = i * channels
                if channels == 4 {
                    #expect(graded[p + 3] == input[p + 3], "alpha of pixel \(i)")
                    if input[p + 3] == 0 {
                        #expect(Array(graded[p..<(p + 3)]) == Array(input[p..<(p + 3)]), "transparent pixel \(i) untouched")
                        continue
                    }
                }
                let want = Reference.lookup(lut, Double(input[p]) / 255, Double(input[p + 1]) / 255, Double(input[p + 2]) / 255)
                for (c, v) in [want.0, want.1, want.2].enumerated() {
                    let exact = min(1, max(0, v)) * 255
                    let got = Double(graded[p + c])
                    // The nearest code, except where the exact value sits within float noise of a half.
                    if got != exact.rounded() {
                        #expect(abs(got - exact) <= 0.5 + 1e-4, "pixel \(i) channel \(c): \(got) for \(exact)")
                        offByOne += 1
                    }
                }
            }
            #expect(Double(offByOne) < 0.01 * Double(3 * w * h), "\(offByOne) codes off the nearest")
        }
    }

    @Test("grading 8-bit codes is bit-identical on every schedule", arguments: NamedSchedule.all)
    func codesTileInvariance(_ named: NamedSchedule) throws {
        let lut = try ColourLUT(size: 9, sampling: testGrade)
        let (w, h) = (97, 61)
        let input = Self.codes(width: w, height: h, channels: 4, seed: 3)
        let region = Raster(uninitializedWidth: w, height: h, layout: .gray)
        var serial = input, tiled = input
        serial.withUnsafeMutableBufferPointer {
            LUTApplication.apply(lut, toCodes: $0.baseAddress!, width: w, height: h, channels: 4, schedule: .serial(covering: region.bounds))
        }
        tiled.withUnsafeMutableBufferPointer {
            LUTApplication.apply(lut, toCodes: $0.baseAddress!, width: w, height: h, channels: 4, schedule: named.schedule(for: region))
        }
        #expect(tiled == serial)
    }

    @Test("grading in place gives the same bits as grading into a new raster", arguments: [PixelLayout.rgba, .rgb, .grayAlpha])
    func inPlaceMatches(_ layout: PixelLayout) throws {
        let lut = try ColourLUT(size: 9, sampling: testGrade)
        let image = SyntheticScene.noise(width: 53, height: 29, layout: layout, seed: 5)
        let mask = SyntheticScene.noise(width: 53, height: 29, layout: .gray, seed: 6)
        let copy = LUTApplication.apply(lut, to: image, mask: mask, strength: 0.7)
        var graded = image
        LUTApplication.apply(lut, toInPlace: &graded, mask: mask, strength: 0.7)
        #expect(graded == copy, "\(ImageCompare.describe(graded, copy))")
        #expect(image == SyntheticScene.noise(width: 53, height: 29, layout: layout, seed: 5), "the caller's copy is untouched")
    }

    @Test("identity LUT leaves pixels alone (within the encode/decode tables' error); grey becomes RGB")
    func identity() throws {
        let lut = try ColourLUT.identity(size: 2)
        let image = SyntheticScene.noise(width: 31, height: 17, layout: .grayAlpha, seed: 1)
        let out = LUTApplication.apply(lut, to: image)
        #expect(out.layout == .rgba)
        #expect(ImageCompare.maxAbsDifference(out, RasterLayouts.expandedToRGB(image)) < 3e-5)
    }

    @Test("a Hald CLUT raster reads back to the LUT it samples")
    func haldRoundTrip() throws {
        let lut = try ColourLUT(size: 16, sampling: testGrade)
        let hald = try lut.haldRaster(level: 4)
        #expect(hald.width == 64 && hald.height == 64)
        let back = try ColourLUT(hald: hald)
        #expect(back.size == 16)
        let worst = zip(back.table, lut.table).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 1e-5)
        #expect(throws: MeldError.self) { try ColourLUT(hald: Raster(width: 60, height: 60, layout: .rgb)) }
    }
}
