import Meld
import MeldTestSupport
import Testing

struct SizeCase: Sendable, CustomTestStringConvertible {
    let mode: Resize.Mode
    let input: (Int, Int)
    let output: (Int, Int)
    var testDescription: String { "\(mode) of \(input.0)x\(input.1) → \(output.0)x\(output.1)" }
}

@Suite("Resize and geometry", .libvipsShared)
struct ResizeAndGeometryTests {
    static let planned: [SizeCase] = [
        SizeCase(mode: .fit(width: 800, height: 800), input: (1302, 953), output: (800, 586)),
        SizeCase(mode: .fit(width: 800, height: 200), input: (1302, 953), output: (273, 200)),
        SizeCase(mode: .width(400), input: (1302, 953), output: (400, 293)),
        SizeCase(mode: .height(300), input: (1302, 953), output: (410, 300)),
        SizeCase(mode: .scale(0.5), input: (1302, 953), output: (651, 477)),
        SizeCase(mode: .scale(0.001), input: (1302, 953), output: (1, 1)),
        SizeCase(mode: .fill(width: 500, height: 500), input: (1302, 953), output: (500, 500)),
        SizeCase(mode: .fill(width: 1000, height: 10), input: (1302, 953), output: (1000, 10)),
        SizeCase(mode: .exact(width: 333, height: 111), input: (1302, 953), output: (333, 111)),
        SizeCase(mode: .fit(width: 301, height: 301), input: (512, 600), output: (257, 301)),
        SizeCase(mode: .scale(2.5), input: (7, 3), output: (18, 8)),
    ]

    @Test(arguments: planned)
    func plannedSizes(_ c: SizeCase) throws {
        let r = Resize(c.mode)
        try r.validate()
        let size = r.outputSize(width: c.input.0, height: c.input.1)
        #expect(size.width == c.output.0 && size.height == c.output.1)
    }

    /// The rendered image has exactly the planned size, on the ordinary path and on the
    /// shrink-on-load path, for every mode (grace_hopper, 512x600).
    @Test(arguments: [Resize.Mode.scale(0.37), .width(201), .height(97), .fit(width: 150, height: 150),
                      .fill(width: 160, height: 90), .exact(width: 123, height: 45)])
    func renderedSizesMatchThePlan(_ mode: Resize.Mode) throws {
        let path = IO.sample("grace_hopper.jpg")
        let expected = Resize(mode).outputSize(width: 512, height: 600)
        let loaded = try Image(contentsOf: path).resized(mode)
        let shrunk = try Image(contentsOf: path, resizedWith: Resize(mode))
        for image in [loaded, shrunk] {
            #expect(image.width == expected.width && image.height == expected.height)
            let raster = try image.raster()
            #expect(raster.width == expected.width && raster.height == expected.height)
        }
    }

    /// Shrink-on-load (JPEG DCT scaling, then resampling) is close to load-then-resize.
    @Test(arguments: [Resize.Mode.fit(width: 300, height: 300), .fill(width: 200, height: 200), .scale(0.3)])
    func shrinkOnLoadMatchesLoadThenResize(_ mode: Resize.Mode) throws {
        let path = IO.sample("citrus_fruits.jpg")
        let a = try Image(contentsOf: path, resizedWith: Resize(mode)).raster()
        let b = try Image(contentsOf: path).resized(mode).raster()
        try #require(sameShape(a, b))
        let psnr = ImageCompare.psnr(a, b)
        #expect(psnr > 35, "PSNR \(psnr) dB")
    }

    @Test(arguments: [
        Resize.Mode.scale(0), .scale(-1), .scale(.nan), .scale(.infinity), .scale(1000.5),
        .width(0), .width(-3), .width(Resize.maxSide + 1), .height(0),
        .fit(width: 0, height: 10), .fit(width: 10, height: -1), .fill(width: 10, height: 0),
        .exact(width: Resize.maxSide + 1, height: 1),
    ])
    func validationRejects(_ mode: Resize.Mode) throws {
        let error = IO.error { try Resize(mode).validate() }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.operation == "resize")
        // And nothing is rendered.
        let image = try IO.smallPhoto()
        #expect(IO.error { _ = try image.applying(Resize(mode)) }?.kind == .invalidArgument)
        #expect(IO.error { _ = try Image(contentsOf: IO.sample("grace_hopper.jpg"), resizedWith: Resize(mode)) }?.kind == .invalidArgument)
    }

    @Test func validationAcceptsTheLimits() throws {
        for mode in [Resize.Mode.scale(1000), .scale(1e-6), .width(1), .width(Resize.maxSide), .fit(width: 1, height: Resize.maxSide)] {
            try Resize(mode).validate()
        }
    }

    /// A horizontal ramp (column x holds x/255) makes every column identifiable.
    static func ramp(width: Int, height: Int) throws -> (Image, Raster) {
        var r = Raster(width: width, height: height, layout: .rgb)
        r.withMutableView { v in
            for c in 0..<3 { for y in 0..<height { for x in 0..<width { v.row(y, channel: c)[x] = SRGBTransfer.decode8[(x + c * 40 + y) % 256] } } }
        }
        let image = try Image(raster: r)
        return (image, try image.raster())
    }

    /// Fill keeps the centre: with no scaling needed it is exactly the centred crop.
    @Test func fillCropsTheCentre() throws {
        let (image, raster) = try Self.ramp(width: 300, height: 100)
        let filled = try image.resized(.fill(width: 100, height: 100)).raster()
        let centre = try image.cropped(to: Rect(x: 100, y: 0, width: 100, height: 100)).raster()
        #expect(filled == centre)
        #expect(filled[0, 0, 0] == raster[100, 0, 0] && filled[99, 99, 2] == raster[199, 99, 2])
        // With scaling: the same as scaling to cover, then cropping the middle.
        let scaled = try image.resized(.fill(width: 60, height: 50)).raster()
        let manual = try image.resized(.exact(width: 150, height: 50)).cropped(to: Rect(x: 45, y: 0, width: 60, height: 50)).raster()
        #expect(scaled == manual)
    }

    @Test(arguments: [
        Rect(x: -1, y: 0, width: 10, height: 10), Rect(x: 0, y: -1, width: 10, height: 10),
        Rect(x: 0, y: 0, width: 0, height: 10), Rect(x: 0, y: 0, width: 10, height: 0),
        Rect(x: 120, y: 0, width: 9, height: 10), Rect(x: 0, y: 141, width: 10, height: 10),
        Rect(x: 0, y: 0, width: 129, height: 150), Rect(x: 1000, y: 1000, width: 1, height: 1),
    ])
    func cropOutsideIsRefused(_ rect: Rect) throws {
        let image = try IO.smallPhoto() // 128x150
        let error = IO.error { _ = try image.cropped(to: rect) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.operation == "crop")
    }

    @Test func cropTakesExactlyThosePixels() throws {
        let (image, raster) = try Self.ramp(width: 50, height: 40)
        let crop = try image.cropped(to: Rect(x: 7, y: 5, width: 20, height: 30)).raster()
        #expect(crop.width == 20 && crop.height == 30)
        for c in 0..<3 { for y in 0..<30 { for x in 0..<20 where crop[x, y, c] != raster[x + 7, y + 5, c] {
            Issue.record("(\(x), \(y), \(c))"); return
        } } }
        let whole = try image.cropped(to: Rect(width: 50, height: 40)).raster()
        #expect(whole == raster)
    }

    @Test func padAddsAColouredBorder() throws {
        let (image, raster) = try Self.ramp(width: 20, height: 10)
        let padded = try image.padded(Pad(top: 1, right: 2, bottom: 3, left: 4, colour: RGBA(red: 1, green: 0, blue: 0)))
        #expect(padded.width == 26 && padded.height == 14 && padded.channels == 3)
        let r = try padded.raster()
        for (x, y) in [(0, 0), (25, 13), (3, 5), (24, 5), (10, 0), (10, 11)] {
            #expect(r[x, y, 0] == 1 && r[x, y, 1] == 0 && r[x, y, 2] == 0, "border at (\(x), \(y))")
        }
        for (x, y) in [(0, 0), (19, 9), (7, 3)] {
            for c in 0..<3 { #expect(r[x + 4, y + 1, c] == raster[x, y, c]) }
        }
        // A transparent border adds an alpha channel: opaque inside, clear outside.
        let clear = try image.padded(Pad(all: 2, colour: .clear)).raster()
        #expect(clear.layout == .rgba && clear.width == 24 && clear.height == 14)
        #expect(clear[0, 0, 3] == 0 && clear[2, 2, 3] == 1 && clear[21, 11, 3] == 1 && clear[23, 13, 3] == 0)
        // Centring on a canvas.
        let centred = Pad.centring(width: 20, height: 10, onWidth: 25, height: 13)
        #expect(centred.left == 2 && centred.right == 3 && centred.top == 1 && centred.bottom == 2)
    }

    @Test func padValidation() throws {
        for pad in [Pad(top: -1, right: 0, bottom: 0, left: 0), Pad(all: Resize.maxSide + 1),
                    Pad(all: 1, colour: RGBA(red: 1.5, green: 0, blue: 0)), Pad(all: 1, colour: RGBA(red: 0, green: 0, blue: 0, alpha: -0.1))] {
            #expect(IO.error { try pad.validate() }?.kind == .invalidArgument)
        }
    }

    @Test func flipIsAnExactMirror() throws {
        let (image, raster) = try Self.ramp(width: 31, height: 17)
        let h = try image.flipped(.horizontal).raster()
        let v = try image.flipped(.vertical).raster()
        var mismatches = 0
        for c in 0..<3 { for y in 0..<17 { for x in 0..<31 {
            if h[x, y, c] != raster[30 - x, y, c] { mismatches += 1 }
            if v[x, y, c] != raster[x, 16 - y, c] { mismatches += 1 }
        } } }
        #expect(mismatches == 0)
        #expect(try image.flipped(.horizontal).flipped(.horizontal).raster() == raster)
        #expect(try image.flipped(.vertical).flipped(.vertical).raster() == raster)
    }

    @Test func rightAngleRotationsAreExact() throws {
        let (image, raster) = try Self.ramp(width: 31, height: 17)
        let r90 = try image.rotated(degrees: 90)
        #expect(r90.width == 17 && r90.height == 31)
        let p = try r90.raster()
        var mismatches = 0
        // Clockwise: the new (x, y) comes from the old (y, h − 1 − x).
        for c in 0..<3 { for y in 0..<31 { for x in 0..<17 where p[x, y, c] != raster[y, 16 - x, c] { mismatches += 1 } } }
        #expect(mismatches == 0)
        let four = try r90.rotated(degrees: 90).rotated(degrees: 90).rotated(degrees: 90)
        #expect(try four.raster() == raster)
        #expect(try image.rotated(degrees: -90).raster() == (try image.rotated(degrees: 270).raster()))
        #expect(try image.rotated(degrees: 450).raster() == p)
        #expect(try image.rotated(degrees: 360).raster() == raster)
        #expect(IO.error { _ = try image.rotated(degrees: .nan) }?.kind == .invalidArgument)
        #expect(IO.error { _ = try image.rotated(degrees: .infinity) }?.kind == .invalidArgument)
    }
}
