import Foundation
import Meld
import MeldTestSupport
import Testing

/// Compose through the public API: placement, blending through the whole pipeline, compositing
/// spaces, masks, text, many layers, schedule invariance and errors.
@Suite("Compose", .libvipsShared)
struct ComposeTests {
    /// A solid image of straight 8-bit sRGB codes.
    static func solid(_ w: Int, _ h: Int, _ r: UInt8, _ g: UInt8, _ b: UInt8, alpha: UInt8? = nil) throws -> Image {
        var raster = Raster(width: w, height: h, layout: alpha == nil ? .rgb : .rgba)
        let a = Float(alpha ?? 255) / 255
        raster.withMutableView { v in
            for (c, code) in [r, g, b].enumerated() { v.plane(c).update(repeating: SRGBTransfer.decode8[Int(code)] * a, count: w * h) }
            if alpha != nil { v.plane(3).update(repeating: a, count: w * h) }
        }
        return try Image(raster: raster)
    }

    static func codes(_ image: Image) throws -> (codes: [UInt8], channels: Int, width: Int) {
        let r = try image.raster()
        return (codes8(r), r.channels, r.width)
    }

    @Test func layerLandsWhereAnchored() throws {
        let red = try Self.solid(10, 6, 255, 0, 0)
        let compose = Compose(canvas: .color(width: 40, height: 30, .white), layers: [
            Layer(.image("red"), anchor: .topLeft, offset: [5, 7]),
            Layer(.image("red"), anchor: .bottomRight, offset: [-2, -3]),
        ])
        let (codes, ch, w) = try Self.codes(compose.render(inputs: ["red": red]))
        #expect(ch == 3)
        for y in 0..<30 {
            for x in 0..<40 {
                let inFirst = (5..<15).contains(x) && (7..<13).contains(y)
                let inSecond = (28..<38).contains(x) && (21..<27).contains(y)
                let p = (y * w + x) * ch
                let want: [UInt8] = inFirst || inSecond ? [255, 0, 0] : [255, 255, 255]
                #expect(Array(codes[p..<p + 3]) == want, "pixel \(x),\(y)")
            }
        }
    }

    @Test func fitModesSizeTheLayer() throws {
        let tall = try Self.solid(20, 40, 0, 0, 255)
        func size(_ layer: Layer) throws -> (Int, Int) {
            var l = layer
            l.content = .image("tall")
            let (codes, ch, w) = try Self.codes(Compose(canvas: .color(width: 100, height: 100, .white), layers: [l]).render(inputs: ["tall": tall]))
            var minX = 100, maxX = -1, minY = 100, maxY = -1
            for y in 0..<100 { for x in 0..<100 where codes[(y * w + x) * ch] < 128 {
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
            } }
            return (maxX - minX + 1, maxY - minY + 1)
        }
        #expect(try size(Layer(.image(""), width: 50, height: 50, fit: .contain)) == (25, 50))
        #expect(try size(Layer(.image(""), width: 50, height: 50, fit: .cover)) == (50, 50))
        #expect(try size(Layer(.image(""), width: .relative(0.3))) == (30, 60))
        #expect(try size(Layer(.image(""), height: 20)) == (10, 20))
        #expect(try size(Layer(.image(""), rect: [10, 10, 60, 30], fit: .fill)) == (60, 30))
        #expect(try size(Layer(.image(""), rotate: 90)) == (40, 20))
    }

    /// A multiply layer at 60 % opacity over a backdrop, checked against the spec formula in
    /// double precision and encoded exactly.
    @Test(arguments: CompositingSpace.allCases, [BlendMode.multiply, .screen, .softLight, .hue, .color, .difference])
    func blendThroughPipelineMatchesReference(space: CompositingSpace, mode: BlendMode) throws {
        let backdrop: [UInt8] = [200, 120, 40], source: [UInt8] = [60, 180, 220]
        let compose = Compose(canvas: .color(width: 8, height: 8, RGBA(red: 200.0 / 255, green: 120.0 / 255, blue: 40.0 / 255)),
                              layers: [Layer(.image("s"), opacity: 0.6, blend: mode)], space: space)
        let (codes, _, _) = try Self.codes(compose.render(inputs: ["s": Self.solid(4, 4, source[0], source[1], source[2], alpha: 191)]))
        func value(_ code: UInt8) -> Double { space == .linear ? Reference.srgbDecode(Double(code) / 255) : Double(code) / 255 }
        let a = 191.0 / 255
        let s: Reference.Pixel = (value(source[0]) * a, value(source[1]) * a, value(source[2]) * a, a)
        let d: Reference.Pixel = (value(backdrop[0]), value(backdrop[1]), value(backdrop[2]), 1)
        let want = Reference.blend(mode, source: s, backdrop: d, opacity: 0.6)
        let expected = [want.r, want.g, want.b].map { v -> Int in
            space == .linear ? Int(Reference.srgbEncode8(v)) : Int((min(max(v, 0), 1) * 255).rounded())
        }
        let p = (4 * 8 + 4) * 3
        for c in 0..<3 { #expect(abs(Int(codes[p + c]) - expected[c]) <= 1, "\(mode) \(space) channel \(c): \(codes[p + c]) vs \(expected[c])") }
    }

    @Test func linearAndSRGBCompositingDiffer() throws {
        // White at 50 % over black: linear light gives the code of 0.5 linear (188), sRGB gives 128.
        let white = try Self.solid(2, 2, 255, 255, 255)
        for (space, want) in [(CompositingSpace.linear, UInt8(188)), (.sRGB, 128)] {
            let c = Compose(canvas: .color(width: 2, height: 2, .black), layers: [Layer(.image("w"), opacity: 0.5)], space: space)
            #expect(try Self.codes(c.render(inputs: ["w": white])).codes[0] == want, "\(space)")
        }
    }

    @Test func maskOfAnySizeCutsTheLayer() throws {
        var m = Raster(width: 4, height: 2, layout: .gray)
        m.isPremultiplied = false
        m.withMutableView { v in for y in 0..<2 { for x in 0..<4 { v.row(y, channel: 0)[x] = x < 2 ? 0 : 1 } } }
        let mask = try Mask(raster: m).image()
        let red = try Self.solid(40, 20, 255, 0, 0)
        let c = Compose(canvas: .color(width: 40, height: 20, .white), layers: [Layer(.image("red"), mask: "m")])
        let (codes, ch, w) = try Self.codes(c.render(inputs: ["red": red, "m": mask]))
        #expect(Array(codes[(10 * w + 5) * ch..<(10 * w + 5) * ch + 3]) == [255, 255, 255])
        #expect(Array(codes[(10 * w + 35) * ch..<(10 * w + 35) * ch + 3]) == [255, 0, 0])
    }

    @Test func featherSoftensOnlyTheEdgeOfAnOpaqueLayer() throws {
        // A dark opaque layer (no alpha channel): the feathered interior keeps its colour exactly,
        // the edge fades into the canvas, and the colour never becomes coverage.
        let dark = try Self.solid(60, 60, 30, 60, 90)
        let c = Compose(canvas: .color(width: 100, height: 100, .white), layers: [Layer(.image("d"), feather: 8)])
        let (codes, ch, w) = try Self.codes(c.render(inputs: ["d": dark]))
        #expect(Array(codes[(50 * w + 50) * ch..<(50 * w + 50) * ch + 3]) == [30, 60, 90])
        let edge = codes[(50 * w + 20) * ch]   // the layer's left edge
        #expect(edge > 60 && edge < 240, "edge code \(edge)")
        #expect(codes[(50 * w + 5) * ch] == 255)
    }

    /// A white square on transparent *black*, shrunk, rotated and feathered over white: colour is
    /// premultiplied at every step, so no dark fringe appears anywhere.
    @Test(arguments: [(0.37, 0.0, 0.0), (1.0, 17.0, 0.0), (0.37, 17.0, 0.0), (1.6, -33.0, 3.0), (0.5, 0.0, 6.0)])
    func noFringesAtAlphaEdges(scale: Double, rotate: Double, feather: Double) throws {
        let square = try Self.solid(64, 64, 255, 255, 255, alpha: 255)
        var r = try square.raster()
        r.withMutableView { v in
            for y in 0..<64 { for x in 0..<64 where !(16..<48).contains(x) || !(16..<48).contains(y) {
                for c in 0..<4 { v.row(y, channel: c)[x] = 0 }
            } }
        }
        let layer = Layer(.image("sq"), width: .pixels(64 * scale), rotate: rotate, feather: feather)
        let c = Compose(canvas: .color(width: 160, height: 160, .white), layers: [layer])
        let (codes, _, _) = try Self.codes(c.render(inputs: ["sq": Image(raster: r)]))
        // Each libvips step stores 8-bit samples, so ±2 codes of rounding; a fringe costs tens.
        #expect(codes.min() ?? 0 >= 252, "darkest code \(codes.min() ?? 0)")
    }

    @Test func sixteenBitCanvasGivesSixteenBitOutput() throws {
        let canvas = try Image(contentsOf: IO.fixture("colour/hopper-rgb16.png"))
        let c = Compose(canvas: .image("c"), layers: [Layer(.image("s"), opacity: 0.5)])
        let out = try c.render(inputs: ["c": canvas, "s": Self.solid(10, 10, 255, 0, 0)])
        #expect(out.bitDepth == 16 && out.width == canvas.width)
        try IO.withTemporaryFolder { folder in
            try out.write(to: folder + "/o.png")
            #expect(try Image(contentsOf: folder + "/o.png").bitDepth == 16)
        }
    }

    @Test func textWrapAlignAndLetterSpacing() throws {
        func inkBox(_ style: TextStyle) throws -> (w: Int, h: Int, left: Int) {
            let (codes, ch, w) = try Self.codes(Compose(canvas: .color(width: 1000, height: 400, .white),
                                                        layers: [.text(style, anchor: .topLeft)]).render())
            var minX = 1000, maxX = -1, minY = 400, maxY = -1
            for y in 0..<400 { for x in 0..<1000 where codes[(y * w + x) * ch] < 128 {
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
            } }
            return (maxX - minX + 1, maxY - minY + 1, minX)
        }
        let text = "Meld composes 多图合成 in one pass"
        let plain = try inkBox(TextStyle(text, size: 30))
        let wrapped = try inkBox(TextStyle(text, size: 30, wrapWidth: 200))
        #expect(wrapped.h > 2 * plain.h && wrapped.w <= 200, "wrapped \(wrapped) plain \(plain)")
        let spaced = try inkBox(TextStyle(text, size: 30, letterSpacing: 6))
        #expect(spaced.w > plain.w + 100, "spaced \(spaced.w) plain \(plain.w)")
        let right = try inkBox(TextStyle("short\nmuch longer line", size: 30, align: .right))
        let left = try inkBox(TextStyle("short\nmuch longer line", size: 30, align: .left))
        #expect(right.w == left.w && right.h == left.h)
    }

    @Test func appliedAsAnOperationOverAnImage() throws {
        let photo = try IO.smallPhoto()
        let op = Compose(canvas: .input, layers: [Layer(.image(IO.sample("lightbulb_cutout.png")), height: .relative(0.5))])
        let out = try photo.applying(op)
        #expect(out.width == photo.width && out.height == photo.height)
        #expect(try Compose(recipe: op.recipeJSON(), yaml: false) == op)
        let error = IO.error { _ = try op.render() }
        #expect(error?.kind == .invalidArgument && error?.message.contains("\"input\" needs an image") == true)
    }

    /// A seamless layer: a darkened crop of the canvas put back in place with Poisson cloning takes
    /// its colour from the surroundings (close to the original), where a plain paste stays dark;
    /// multi-band blending softens the seam.
    @Test(arguments: [SeamlessClone.Mode.normal, .multiband])
    func seamlessLayerTakesOnItsSurroundings(mode: SeamlessClone.Mode) throws {
        let photo = try Image(contentsOf: IO.sample("citrus_fruits.jpg"), resizedWith: Resize(.width(160)))
        var dark = try photo.raster()
        dark.withMutableView { v in for c in 0..<3 { for i in 0..<(v.width * v.height) { v.plane(c)[i] *= 0.5 } } }
        let patch = try Image(raster: dark).applying(Crop(Rect(x: 40, y: 30, width: 60, height: 40)))
        func render(_ seamless: SeamlessClone.Mode?) throws -> Raster {
            var layer = Layer(.image("p"), anchor: .topLeft, offset: [40, 30])
            layer.seamless = seamless
            return try Compose(canvas: .image("c"), layers: [layer]).render(inputs: ["c": photo, "p": patch]).raster()
        }
        let original = try photo.raster()
        func error(_ r: Raster) -> Double {
            var sum = 0.0
            r.withView { a in original.withView { b in
                for y in 34..<66 { for x in 44..<96 { for c in 0..<3 { sum += Double(abs(a.row(y, channel: c)[x] - b.row(y, channel: c)[x])) } } }
            } }
            return sum / Double(32 * 52 * 3)
        }
        /// Mean jump across the patch's left edge (x 39 → 40): the seam.
        func seam(_ r: Raster) -> Double {
            var sum = 0.0
            r.withView { a in for y in 32..<68 { for c in 0..<3 { sum += Double(abs(a.row(y, channel: c)[40] - a.row(y, channel: c)[39])) } } }
            return sum / Double(36 * 3)
        }
        let paste = try render(nil), cloned = try render(mode)
        if mode == .multiband {
            // Multi-band blending hides the seam; it does not move the region's colour.
            #expect(seam(cloned) < 0.7 * seam(paste), "seam \(seam(cloned)) vs plain paste \(seam(paste))")
        } else {
            #expect(error(cloned) < 0.5 * error(paste), "\(mode): \(error(cloned)) vs plain paste \(error(paste))")
        }
        let yaml = "canvas: {image: c}\nlayers:\n  - {image: p, blend: poisson-mixed}\n  - {image: p, blend: multiband}\n"
        let decoded = try Compose(recipe: Data(yaml.utf8), yaml: true)
        #expect(decoded.layers.map(\.seamless) == [.mixed, .multiband])
        #expect(try Compose(recipe: decoded.recipeJSON(), yaml: false) == decoded)
    }

    @Test func porterDuffClearsOutsideTheLayer() throws {
        let c = Compose(canvas: .color(width: 20, height: 20, .white),
                        layers: [Layer(.image("s"), anchor: .topLeft, blend: .destinationIn)])
        let (codes, ch, w) = try Self.codes(c.render(inputs: ["s": Self.solid(5, 5, 0, 0, 0)]))
        #expect(ch == 4)
        #expect(codes[(2 * w + 2) * ch + 3] == 255)
        #expect(codes[(10 * w + 10) * ch + 3] == 0)
    }

    /// Pango renders CJK with real glyphs: "一" (one horizontal stroke) inks a wide, flat box,
    /// where a missing-glyph box would be taller than wide.
    @Test(arguments: ["一", "ー", "ㅡ"])
    func cjkRendersRealGlyphs(text: String) throws {
        let c = Compose(canvas: .color(width: 200, height: 200, .white),
                        layers: [.text(TextStyle(text, font: "Noto Sans CJK SC", size: 120, color: .black))])
        let (codes, ch, w) = try Self.codes(c.render())
        var minX = 200, maxX = -1, minY = 200, maxY = -1
        for y in 0..<200 { for x in 0..<200 where codes[(y * w + x) * ch] < 128 {
            minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
        } }
        #expect(maxX > minX, "no ink for \(text)")
        let inkW = maxX - minX + 1, inkH = maxY - minY + 1
        #expect(Double(inkH) < 0.35 * Double(inkW), "\(text) inks \(inkW)x\(inkH): a missing-glyph box, not the stroke")
    }

    @Test func textComposesLikeAnyLayer() throws {
        let style = TextStyle("价格 ¥99", font: "Noto Sans CJK SC Bold", size: 40, color: RGBA(red: 1, green: 0, blue: 0))
        let c = Compose(canvas: .color(width: 300, height: 100, .white), layers: [Layer(.text(style), opacity: 1, blend: .multiply)])
        let (codes, ch, _) = try Self.codes(c.render())
        let red = stride(from: 0, to: codes.count, by: ch).filter { codes[$0] > 200 && codes[$0 + 1] < 60 }.count
        #expect(red > 300, "red text pixels: \(red)")
    }

    /// Sixteen layers from real photos with rotation, feather, masks and every kind of mode:
    /// identical pixels with 1 and 3 libvips threads, and from the raster and PNG paths.
    @Test(.libvipsExclusive) func sixteenLayersAreScheduleInvariant() throws {
        let modes: [BlendMode] = [.normal, .multiply, .screen, .overlay, .softLight, .hue, .luminosity, .difference,
                                  .colorDodge, .colorBurn, .sourceAtop, .normal, .exclusion, .color, .lighten, .darken]
        let photos = ["fig_in_red_bowl.jpg", "citrus_fruits.jpg", "lightbulb_cutout.png", "toy_bird_lamp.jpg"]
        var layers: [Layer] = []
        for i in 0..<16 {
            var l = Layer(.image(photos[i % 4]), anchor: Anchor.allCases[i % 9],
                          offset: [Length.pixels(Double(i * 7 - 40)), Length.pixels(Double(i * 5 - 30))],
                          width: .relative(0.2 + 0.05 * Double(i % 5)), opacity: 0.5 + 0.03 * Double(i), blend: modes[i])
            if i % 3 == 0 { l.rotate = Double(i * 11 - 20) }
            if i % 4 == 1 { l.feather = 6 }
            if i % 5 == 2 { l.mask = "lightbulb_cutout.png" }
            layers.append(l)
        }
        // Small copies keep the test quick; the strip compositor is what is being checked.
        var inputs: [String: Image] = [:]
        for name in photos { inputs[name] = try Image(contentsOf: IO.sample(name), resizedWith: Resize(.width(200))) }
        inputs["canvas"] = try IO.smallPhoto()
        let compose = Compose(canvas: .image("canvas"), layers: layers)
        let before = Meld.libvipsThreads
        defer { Meld.libvipsThreads = before }
        Meld.libvipsThreads = 1
        let one = try compose.render(inputs: inputs).raster()
        Meld.libvipsThreads = 3
        let three = try compose.render(inputs: inputs).raster()
        let png = try Image(data: compose.render(inputs: inputs).encoded(as: .png)).raster()
        #expect(one == three)
        #expect(codes8(one) == codes8(png))
    }

    @Test func recipeRoundTripsAndResolvesRelativePaths() throws {
        try IO.withTemporaryFolder { folder in
            try FileManager.default.copyItem(atPath: IO.sample("lightbulb_cutout.png"), toPath: folder + "/bulb.png")
            let recipe = """
            canvas: {width: 300, height: 200, gradient: {from: "#ffffff", to: "#000000", type: radial}}
            space: srgb
            layers:
              - {image: bulb.png, anchor: bottom, height: "90%", feather: 2}
              - {text: "Hello 你好", size: 30, color: "#ff000080", anchor: top-left, offset: [5, 5], letter-spacing: 2}
            """
            try recipe.write(toFile: folder + "/r.yaml", atomically: true, encoding: .utf8)
            let compose = try Compose(recipeAt: folder + "/r.yaml")
            #expect(compose.layers.count == 2 && compose.space == .sRGB)
            let again = try Compose(recipe: compose.recipeJSON(), yaml: false)
            #expect(again == compose)
            let image = try compose.render(baseDirectory: folder)
            #expect(image.width == 300 && image.height == 200)
            #expect(image.sourcePaths.contains { $0.hasSuffix("bulb.png") })
        }
    }

    @Test(arguments: [
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"image": "a.png", "blend": "foo"}]}"#, "layers[0].blend: unknown blend mode 'foo'"),
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"image": "a.png", "width": -5}]}"#, "layer 1: width must be positive"),
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"image": "a.png"}, {"image": "a.png", "opacity": 2}]}"#, "layer 2: opacity must be between 0 and 1"),
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"image": "a.png", "offset": [1]}]}"#, "layer 1: offset needs 2 values"),
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"image": "a.png", "fit": "cover"}]}"#, "layer 1: fit cover needs both width and height"),
        (#"{"canvas": {"width": 0, "height": 10}}"#, "canvas: size must be between"),
        (##"{"canvas": {"color": "#fff"}}"##, "a canvas needs"),
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"name": "logo"}]}"#, "a layer needs an \"image\" or a \"text\""),
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"text": "x", "color": "nope"}]}"#, "layers[0].color: 'nope' is not a colour"),
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"image": "a.png", "width": "abc"}]}"#, "layers[0].width: 'abc' is not a length"),
        (#"{"canvas": {"width": 10, "height": "x"}}"#, "canvas.height: expected a whole number"),
        (#"{"canvas": {"width": 10, "height": 10},"#, "not valid JSON"),
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"image": "a.png", "width": 1e300}]}"#, "layer 1: 1e+300px is out of range"),
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"image": "a.png", "offset": ["1e20%", 0]}]}"#, "is out of range"),
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"text": "x", "size": 1e12}]}"#, "out of range for text"),
    ])
    func badRecipesNameTheField(json: String, message: String) {
        let error = IO.error { _ = try Compose(recipe: Data(json.utf8), yaml: false) }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }

    @Test func canvasOverThePixelLimitIsTooLarge() {
        let c = Compose(canvas: .color(width: 100_000, height: 100_000, .white), layers: [])
        let error = IO.error { try c.validate() }
        #expect(error?.kind == .tooLarge && error?.message.contains("over the limit") == true, "\(String(describing: error))")
    }

    @Test func missingLayerFileNamesTheLayer() throws {
        let c = Compose(canvas: .color(width: 10, height: 10, .white), layers: [Layer(.image("/nonexistent/x.png"), name: "logo")])
        let error = IO.error { _ = try c.render() }
        #expect(error?.kind == .notFound)
        #expect(error?.message.hasPrefix("layer 1 (logo): image:") == true, "\(error?.message ?? "")")
    }
}

/// Malformed recipes never crash: thousands of mutations of a valid recipe each decode to a
/// Compose or fail with a MeldError; decoded ones validate or fail with a MeldError too.
@Suite("Compose recipe fuzz")
struct ComposeRecipeFuzzTests {
    static let seed = """
    {"canvas": {"width": 64, "height": 48, "gradient": {"from": "#ffffff", "to": "#000000", "type": "radial", "angle": 90}},
     "space": "srgb", "harmonize": {"method": "auto", "strength": 0.5},
     "layers": [{"image": "a.png", "mask": "m.png", "anchor": "bottom-right", "offset": [-4, "10%"], "width": "50%",
                 "height": 20, "fit": "cover", "rotate": 12.5, "flip": "both", "opacity": 0.7, "feather": 3, "blend": "hue"},
                {"text": "你好 <b>x</b>", "markup": true, "size": "10%", "color": "#ff000080", "align": "justify", "wrap": 30,
                 "letter-spacing": -1, "line-spacing": 4, "rect": [1, 2, 30, 20]},
                {"image": "b.png", "blend": "poisson-mixed"}]}
    """

    @Test func mutatedRecipesNeverCrash() {
        var rng = SplitMix64(seed: 2026)
        let bytes = Array(Self.seed.utf8)
        let alphabet = Array("{}[]\":,-0123456789.e%#abcxyz ".utf8)
        var decoded = 0, refused = 0
        for _ in 0..<3000 {
            var m = bytes
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let i = Int(rng.next() % UInt64(m.count))
                switch rng.next() % 3 {
                case 0: m[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: m.remove(at: i)
                default: m.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
                }
            }
            do {
                let compose = try Compose(recipe: Data(m), yaml: rng.next() % 2 == 0)
                try compose.validate()
                decoded += 1
            } catch {
                refused += 1
            }
        }
        #expect(decoded + refused == 3000)
        #expect(decoded > 0 && refused > 0, "decoded \(decoded), refused \(refused)")
    }
}
