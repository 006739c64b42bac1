import MeldCore
import MeldTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

typealias Triple = (Double, Double, Double)

/// Linear sRGB test colours: random, dark, near the CIE ε threshold, and the cube's corners.
let testColours: [Triple] = {
    var rng = SplitMix64(seed: 0xC010_0125)
    var out: [Triple] = []
    for r in [0.0, 1.0] { for g in [0.0, 1.0] { for b in [0.0, 1.0] { out.append((r, g, b)) } } }
    for _ in 0..<300 { out.append((rng.nextUnitDouble(), rng.nextUnitDouble(), rng.nextUnitDouble())) }
    for _ in 0..<100 { out.append((rng.nextDouble(in: 0...0.005), rng.nextDouble(in: 0...0.005), rng.nextDouble(in: 0...0.005))) }
    for _ in 0..<50 {  // very dark, across several binades
        let s = pow(10, -rng.nextDouble(in: 3...7))
        out.append((s * rng.nextUnitDouble(), s * rng.nextUnitDouble(), s * rng.nextUnitDouble()))
    }
    let eps = 216.0 / 24389.0
    for k in -20...20 {  // greys straddling Y/Yn = ε (X/Xn and Z/Zn follow for neutral colours)
        let g = eps * (1 + Double(k) * 1e-4)
        out.append((g, g, g))
    }
    for _ in 0..<60 {  // random hues scaled so Y lies just either side of ε
        let c = (rng.nextUnitDouble(), rng.nextUnitDouble(), rng.nextUnitDouble())
        let y = 0.2126729 * c.0 + 0.7151522 * c.1 + 0.0721750 * c.2
        let s = eps * (1 + rng.nextDouble(in: -1e-3...1e-3)) / max(y, 1e-9)
        out.append((c.0 * s, c.1 * s, c.2 * s))
    }
    return out
}()

/// The difference between two colours in `space`: per-component for Lab, chroma-weighted hue
/// (the Lab distance it causes) for LCh, and relative to max(1, |expected|) for the rest.
func colourError(_ got: Triple, _ expected: Triple, in space: ColourSpace) -> Double {
    switch space {
    case .lab:
        return max(abs(got.0 - expected.0), abs(got.1 - expected.1), abs(got.2 - expected.2))
    case .lch:
        var dh = abs(got.2 - expected.2).truncatingRemainder(dividingBy: 360)
        if dh > 180 { dh = 360 - dh }
        return max(abs(got.0 - expected.0), abs(got.1 - expected.1), expected.1 * dh * .pi / 180)
    case .linearSRGB, .sRGB, .xyz:
        func rel(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(1, abs(b)) }
        return max(rel(got.0, expected.0), rel(got.1, expected.1), rel(got.2, expected.2))
    }
}

/// The tolerance for ``colourError`` in each space.
func tolerance(for space: ColourSpace) -> Double {
    switch space {
    case .lab, .lch: 2e-4
    case .linearSRGB, .sRGB, .xyz: 1e-5
    }
}

func double(_ c: (Float, Float, Float)) -> Triple { (Double(c.0), Double(c.1), Double(c.2)) }
func float(_ c: Triple) -> (Float, Float, Float) { (Float(c.0), Float(c.1), Float(c.2)) }

/// A raster holding `colours` (in any space) along its rows, 13 pixels wide; with alpha, each
/// pixel gets an alpha from 0.05…1 and, if `premultiplied`, colour × alpha.
func raster(of colours: [Triple], alpha: Bool, premultiplied: Bool, seed: UInt64 = 9) -> Raster {
    let width = 13, height = (colours.count + width - 1) / width
    var rng = SplitMix64(seed: seed)
    var r = Raster(width: width, height: height, layout: alpha ? .rgba : .rgb)
    r.isPremultiplied = !alpha || premultiplied
    for (i, c) in colours.enumerated() {
        let x = i % width, y = i / width
        let a: Float = alpha ? rng.nextFloat(in: 0.05...1) : 1
        let m: Float = alpha && premultiplied ? a : 1
        r[x, y, 0] = Float(c.0) * m
        r[x, y, 1] = Float(c.1) * m
        r[x, y, 2] = Float(c.2) * m
        if alpha { r[x, y, 3] = a }
    }
    return r
}

func pixel(_ r: Raster, _ i: Int) -> Triple {
    let x = i % r.width, y = i / r.width
    return (Double(r[x, y, 0]), Double(r[x, y, 1]), Double(r[x, y, 2]))
}

struct SpacePair: Sendable, CustomTestStringConvertible {
    let from: ColourSpace
    let to: ColourSpace
    var testDescription: String { "\(from) → \(to)" }
    static let all: [SpacePair] = ColourSpace.allCases.flatMap { f in ColourSpace.allCases.map { SpacePair(from: f, to: $0) } }
}

@Suite("Colour")
struct ColourTests {
    // MARK: known values

    @Test func srgbWhiteIsLab100() {
        for lab in [double(Colour.convert((1, 1, 1), from: .sRGB, to: .lab)), Reference.convert((1, 1, 1), from: .sRGB, to: .lab)] {
            #expect(abs(lab.0 - 100) <= 0.01 && abs(lab.1) <= 0.01 && abs(lab.2) <= 0.01, "\(lab)")
        }
        let planar = ColourConversion.convert(raster(of: [(1, 1, 1)], alpha: false, premultiplied: false), from: .sRGB, to: .lab)
        let p = pixel(planar, 0)
        #expect(abs(p.0 - 100) <= 0.01 && abs(p.1) <= 0.01 && abs(p.2) <= 0.01, "\(p)")
    }

    @Test func srgbRedIsKnownLab() {
        // Lindbloom / IEC 61966-2-1 with D65: L 53.2408, a 80.0925, b 67.2032.
        let expected = (53.24, 80.09, 67.20)
        let planar = ColourConversion.convert(raster(of: [(1, 0, 0)], alpha: false, premultiplied: false), from: .sRGB, to: .lab)
        for lab in [double(Colour.convert((1, 0, 0), from: .sRGB, to: .lab)), Reference.convert((1, 0, 0), from: .sRGB, to: .lab), pixel(planar, 0)] {
            #expect(abs(lab.0 - expected.0) <= 0.05 && abs(lab.1 - expected.1) <= 0.05 && abs(lab.2 - expected.2) <= 0.05, "\(lab)")
        }
    }

    @Test func srgbMidGreyIsKnownLightness() {
        for lab in [double(Colour.convert((0.5, 0.5, 0.5), from: .sRGB, to: .lab)), Reference.convert((0.5, 0.5, 0.5), from: .sRGB, to: .lab)] {
            #expect(abs(lab.0 - 53.39) <= 0.01 && abs(lab.1) <= 0.01 && abs(lab.2) <= 0.01, "\(lab)")
        }
        // The Lab ε threshold sits at L = 8: 116·(6/29) − 16.
        let g = Reference.epsilon
        #expect(abs(Reference.convert((g, g, g), from: .linearSRGB, to: .lab).0 - 8) <= 1e-5)
    }

    // MARK: planar conversions against the scalar reference

    @Test(arguments: [false, true])
    func planarLinearToLabMatchesReference(alpha: Bool) {
        let source = raster(of: testColours, alpha: alpha, premultiplied: true)
        let lab = ColourConversion.convert(source, from: .linearSRGB, to: .lab, schedule: Schedule(tileWidth: 5, tileHeight: 3, threads: 2))
        #expect(lab.isPremultiplied == !alpha, "Lab with alpha is stored straight")
        let worst = compare(lab, Reference.convert(source, from: .linearSRGB, to: .lab), count: testColours.count, in: .lab)
        #expect(worst.error <= 2e-4, "worst \(worst)")
        if alpha { #expect(alphaPlane(lab) == alphaPlane(source), "alpha copied bit for bit") }
    }

    @Test(arguments: [false, true])
    func planarLabToLinearMatchesReference(alpha: Bool) {
        let labs = testColours.map { Reference.convert($0, from: .linearSRGB, to: .lab) }
            + labNoise(count: 300)
        let source = raster(of: labs, alpha: alpha, premultiplied: false)
        let linear = ColourConversion.convert(source, from: .lab, to: .linearSRGB, schedule: Schedule(tileWidth: 4, tileHeight: 4, threads: 2))
        #expect(linear.isPremultiplied, "linear output is premultiplied")
        let worst = compare(linear, Reference.convert(source, from: .lab, to: .linearSRGB), count: labs.count, in: .linearSRGB)
        #expect(worst.error <= 1e-5, "worst \(worst)")
    }

    @Test func planarSRGBToLChMatchesReferenceWithPremultipliedAlpha() {
        let srgb = testColours.map { Reference.convert($0, from: .linearSRGB, to: .sRGB) }
        let source = raster(of: srgb, alpha: true, premultiplied: true)
        let lch = ColourConversion.convert(source, from: .sRGB, to: .lch, schedule: Schedule(tileWidth: 7, tileHeight: 5, threads: 4))
        #expect(!lch.isPremultiplied)
        let worst = compare(lch, Reference.convert(source, from: .sRGB, to: .lch), count: srgb.count, in: .lch)
        #expect(worst.error <= 2e-4, "worst \(worst)")
        for i in 0..<srgb.count { let h = pixel(lch, i).2; #expect(h >= 0 && h < 360, "hue \(h) at \(i)") }
    }

    @Test(arguments: SpacePair.all)
    func planarMatchesReferenceForEveryPair(_ pair: SpacePair) {
        let inputs = testColours.map { Reference.convert($0, from: .linearSRGB, to: pair.from) }
        let source = raster(of: inputs, alpha: false, premultiplied: false)
        let out = ColourConversion.convert(source, from: pair.from, to: pair.to, schedule: Schedule(tileSize: 8, threads: 2))
        let worst = compare(out, Reference.convert(source, from: pair.from, to: pair.to), count: inputs.count, in: pair.to)
        #expect(worst.error <= tolerance(for: pair.to), "worst \(worst)")
    }

    @Test func transparentPixelsConvertAsBlack() {
        var source = Raster(width: 2, height: 1, layout: .rgba)   // all zero: transparent black
        source[1, 0, 0] = 0.25; source[1, 0, 1] = 0.5; source[1, 0, 2] = 0.125; source[1, 0, 3] = 0.5
        let lab = ColourConversion.convert(source, from: .linearSRGB, to: .lab)
        #expect(lab[0, 0, 0] == 0 && lab[0, 0, 1] == 0 && lab[0, 0, 2] == 0 && lab[0, 0, 3] == 0)
        // The half-transparent pixel converts its straight colour (0.5, 1, 0.25).
        let expected = Reference.convert((0.5, 1, 0.25), from: .linearSRGB, to: .lab)
        #expect(colourError(pixel(lab, 1), expected, in: .lab) <= 2e-4, "\(pixel(lab, 1)) vs \(expected)")
        #expect(lab[1, 0, 3] == 0.5)
    }

    // MARK: round trips

    @Test(arguments: [false, true])
    func linearToLabToLinearRoundTrips(alpha: Bool) {
        let source = raster(of: testColours, alpha: alpha, premultiplied: true)
        let lab = ColourConversion.convert(source, from: .linearSRGB, to: .lab)
        let back = ColourConversion.convert(lab, from: .lab, to: .linearSRGB)
        #expect(back.isPremultiplied)
        // Relative to the colour's largest component (a channel near zero in a bright colour
        // inherits the bright channels' rounding error through the matrix), plus an absolute
        // floor for near-black: there Lab's f(t) ≈ 16/116 + κt/116 holds t in Float steps of
        // ulp(0.138)·116/κ ≈ 1.9e-9, which the XYZ → RGB matrix (row sums of |m| ≤ 5.3) amplifies.
        let floor = 1e-8  // measured worst: 4.3e-9
        var worst = (excess: -Double.infinity, index: -1, error: 0.0)
        for i in 0..<testColours.count {
            let a = pixel(source, i), b = pixel(back, i)
            let scale = max(abs(a.0), abs(a.1), abs(a.2))
            let e = max(abs(a.0 - b.0), abs(a.1 - b.1), abs(a.2 - b.2))
            let excess = e - (1e-5 * scale + floor)
            if excess > worst.excess { worst = (excess, i, e) }
        }
        #expect(worst.excess <= 0, "colour \(worst.index) \(testColours[worst.index]) came back off by \(worst.error)")
        if alpha { #expect(alphaPlane(back) == alphaPlane(source)) }
    }

    @Test func labToLChToLabRoundTrips() {
        let labs = testColours.map { Reference.convert($0, from: .linearSRGB, to: .lab) } + labNoise(count: 300)
            + [(50, 0, 0), (50, 1, -1e-30), (50, -1, -0.0), (50, -1, 0), (0, 0, 0)]
        let source = raster(of: labs, alpha: true, premultiplied: false)
        let lch = ColourConversion.convert(source, from: .lab, to: .lch)
        let back = ColourConversion.convert(lch, from: .lch, to: .lab)
        for i in 0..<labs.count {
            let h = pixel(lch, i).2
            #expect(h >= 0 && h < 360, "hue \(h) for \(labs[i])")
            #expect(colourError(pixel(back, i), pixel(source, i), in: .lab) <= 1e-4, "\(labs[i]) came back as \(pixel(back, i))")
        }
        #expect(alphaPlane(back) == alphaPlane(source))
    }

    @Test func hueStaysBelow360() {
        // atan2 of a tiny negative b gives −0.0…°, which + 360 rounds to exactly 360 in Float.
        for lab: (Float, Float, Float) in [(50, 1, -1e-30), (50, 1, -1e-7), (50, 20, -1e-6), (50, -1, -0.0), (50, 0, 0)] {
            let h = Colour.labToLCh(lab).2
            #expect(h >= 0 && h < 360, "\(lab) → hue \(h)")
            let r = Reference.labToLCh(double(lab)).2
            #expect(r >= 0 && r < 360)
        }
    }

    // MARK: scalar conversions

    @Test(arguments: SpacePair.all)
    func scalarConvertMatchesReference(_ pair: SpacePair) {
        var worst = (error: 0.0, input: (0.0, 0.0, 0.0))
        for linear in testColours {
            let input = float(Reference.convert(linear, from: .linearSRGB, to: pair.from))
            let got = double(Colour.convert(input, from: pair.from, to: pair.to))
            let expected = Reference.convert(double(input), from: pair.from, to: pair.to)
            let e = colourError(got, expected, in: pair.to)
            if e > worst.error { worst = (e, double(input)) }
        }
        #expect(worst.error <= tolerance(for: pair.to), "worst \(worst)")
    }

    @Test func matricesAreInverses() {
        for i in 0..<3 {
            for j in 0..<3 {
                var core = 0.0, reference = 0.0
                for k in 0..<3 {
                    core += Double(Colour.xyzToRGB[3 * i + k]) * Double(Colour.rgbToXYZ[3 * k + j])
                    reference += Reference.xyzToRGB[i][k] * Reference.rgbToXYZ[k][j]
                }
                #expect(abs(core - (i == j ? 1 : 0)) <= 1e-6, "MeldCore (\(i), \(j)) = \(core)")
                #expect(abs(reference - (i == j ? 1 : 0)) <= 1e-12, "Reference (\(i), \(j)) = \(reference)")
                #expect(abs(Double(Colour.rgbToXYZ[3 * i + j]) - Reference.rgbToXYZ[i][j]) <= 1e-7)
            }
        }
    }

    @Test func referenceRoundTripsItself() {
        for c in testColours {
            for space in ColourSpace.allCases {
                let back = Reference.convert(Reference.convert(c, from: .linearSRGB, to: space), from: space, to: .linearSRGB)
                #expect(max(abs(back.0 - c.0), abs(back.1 - c.1), abs(back.2 - c.2)) <= 1e-12, "\(c) via \(space)")
            }
        }
    }

    // MARK: helpers

    /// Random Lab colours, many outside the sRGB gamut.
    func labNoise(count: Int) -> [Triple] {
        var rng = SplitMix64(seed: 0x1AB)
        return (0..<count).map { _ in (rng.nextDouble(in: 0...100), rng.nextDouble(in: -110...110), rng.nextDouble(in: -110...110)) }
    }

    func alphaPlane(_ r: Raster) -> [UInt32] {
        var out: [UInt32] = []
        for y in 0..<r.height { for x in 0..<r.width { out.append(r[x, y, 3].bitPattern) } }
        return out
    }

    /// The largest ``colourError`` over the first `count` pixels, and where.
    func compare(_ got: Raster, _ expected: Raster, count: Int, in space: ColourSpace) -> (error: Double, index: Int, got: Triple, expected: Triple) {
        var worst = (error: 0.0, index: -1, got: (0.0, 0.0, 0.0), expected: (0.0, 0.0, 0.0))
        for i in 0..<count {
            let g = pixel(got, i), e = pixel(expected, i)
            let err = colourError(g, e, in: space)
            if err > worst.error || err.isNaN { worst = (err.isNaN ? .infinity : err, i, g, e) }
        }
        return worst
    }
}
