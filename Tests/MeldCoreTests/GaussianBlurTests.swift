import MeldCore
import MeldTestSupport
import Testing

/// An image size and blur strength to compare against the scalar reference.
struct BlurCase: Sendable, CustomTestStringConvertible {
    let width: Int
    let height: Int
    let layout: PixelLayout
    let sigma: Float
    var testDescription: String { "\(width)x\(height) \(layout) σ=\(sigma)" }
}

@Suite("GaussianBlur")
struct GaussianBlurTests {
    static let cases: [BlurCase] = [
        BlurCase(width: 97, height: 61, layout: .rgba, sigma: 0.7),
        BlurCase(width: 97, height: 61, layout: .rgba, sigma: 2),
        BlurCase(width: 97, height: 61, layout: .gray, sigma: 5),
        // Smaller than the kernel: every tap is clamped, on one or both sides.
        BlurCase(width: 3, height: 2, layout: .rgba, sigma: 5),
        BlurCase(width: 1, height: 1, layout: .rgba, sigma: 0.7),
        BlurCase(width: 1, height: 1, layout: .gray, sigma: 5),
        BlurCase(width: 29, height: 31, layout: .grayAlpha, sigma: 5),  // narrower than 2r = 30
        BlurCase(width: 17, height: 1, layout: .rgb, sigma: 2),
        BlurCase(width: 1, height: 23, layout: .rgb, sigma: 2),
        BlurCase(width: 12, height: 40, layout: .gray, sigma: 2),        // width exactly 2r
    ]

    static let schedules: [Schedule] = [
        Schedule(tileSize: 256, threads: 1),
        Schedule(tileWidth: 7, tileHeight: 5, threads: 2),
        Schedule(tileWidth: 1, tileHeight: 3, threads: 4),
    ]

    @Test(arguments: cases)
    func matchesTheScalarReferenceOnNoise(_ c: BlurCase) {
        let source = SyntheticScene.noise(width: c.width, height: c.height, layout: c.layout, seed: 7)
        let expected = Reference.gaussianBlur(source, sigma: Double(c.sigma))
        for schedule in Self.schedules {
            let blurred = GaussianBlur(sigma: c.sigma).apply(to: source, schedule: schedule)
            #expect(ImageCompare.maxAbsDifference(blurred, expected) <= 1e-5,
                    "\(schedule.tileWidth)x\(schedule.tileHeight)/\(schedule.threads): \(ImageCompare.describe(blurred, expected, tolerance: 1e-5))")
            #expect(blurred.isPremultiplied == source.isPremultiplied && blurred.layout == source.layout)
        }
    }

    @Test(arguments: [Float(0.7), 2, 5])
    func matchesTheScalarReferenceOnSharpEdges(sigma: Float) {
        let checker = SyntheticScene.checker(width: 45, height: 33, layout: .rgb, cell: 4)
        let disc = SyntheticScene.disc(width: 40, height: 37, layout: .rgba, centreX: 12, centreY: 30, radius: 9, colour: [1, 0.5, 0.25])
        for source in [checker, disc] {
            let blurred = GaussianBlur(sigma: sigma).apply(to: source, schedule: Schedule(tileWidth: 16, tileHeight: 8, threads: 2))
            let expected = Reference.gaussianBlur(source, sigma: Double(sigma))
            #expect(ImageCompare.maxAbsDifference(blurred, expected) <= 1e-5, "\(ImageCompare.describe(blurred, expected, tolerance: 1e-5))")
        }
    }

    @Test(arguments: [Float(0.7), 2, 5])
    func constantImagesStayConstant(sigma: Float) {
        var source = Raster(width: 9, height: 40, layout: .grayAlpha)
        for y in 0..<40 { for x in 0..<9 { source[x, y, 0] = 0.375; source[x, y, 1] = 0.75 } }
        let blurred = GaussianBlur(sigma: sigma).apply(to: source, schedule: Schedule(tileSize: 4, threads: 2))
        var expected = source
        expected.isPremultiplied = blurred.isPremultiplied
        #expect(ImageCompare.maxAbsDifference(blurred, expected) <= 1e-6, "\(ImageCompare.describe(blurred, expected, tolerance: 1e-6))")
    }

    @Test(arguments: [Float(0.7), 1, 2, 3.3, 5])
    func weightsAreNormalisedSymmetricAndMatchTheDefinition(sigma: Float) {
        let blur = GaussianBlur(sigma: sigma)
        let r = Int((3 * Double(sigma)).rounded(.up))
        #expect(blur.radius == r && blur.halo == r && blur.weights.count == 2 * r + 1)
        let reference = Reference.gaussianWeights(sigma: Double(sigma))
        #expect(reference.count == blur.weights.count)
        for (k, w) in blur.weights.enumerated() {
            #expect(abs(Double(w) - reference[k]) <= 1e-7, "tap \(k - r)")
            #expect(w == blur.weights[2 * r - k], "tap \(k - r) not symmetric")
        }
        #expect(abs(blur.weights.reduce(0, +) - 1) <= 1e-6)
    }

    @Test func emptyImageGivesEmptyImage() {
        let empty = Raster(width: 0, height: 5, layout: .rgb)
        let blurred = GaussianBlur(sigma: 2).apply(to: empty)
        #expect(blurred.width == 0 && blurred.height == 5 && blurred.layout == .rgb)
    }

    @Test func keepsTheStraightAlphaFlag() {
        var source = SyntheticScene.noise(width: 5, height: 4, layout: .rgba, seed: 1)
        source.isPremultiplied = false
        #expect(GaussianBlur(sigma: 1).apply(to: source).isPremultiplied == false)
    }
}
