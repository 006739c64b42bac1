import Foundation
import Meld
import MeldTestSupport
import Testing

/// Compose layers sized by real-world size, by another layer's scale, and with ground-plane
/// perspective: pixel-exact sizes, recipe round trips and error messages.
@Suite("Compose scale", .libvipsShared)
struct ComposeScaleTests {
    /// A blue object `box` inside a transparent `w × h` image (opaque everywhere when `box` is nil).
    static func object(_ w: Int, _ h: Int, box: (x: Int, y: Int, w: Int, h: Int)? = nil) throws -> Image {
        var raster = Raster(width: w, height: h, layout: box == nil ? .rgb : .rgba)
        raster.withMutableView { v in
            for y in 0..<h {
                for x in 0..<w {
                    let inside = box.map { x >= $0.x && x < $0.x + $0.w && y >= $0.y && y < $0.y + $0.h } ?? true
                    if box != nil { v.row(y, channel: 3)[x] = inside ? 1 : 0 }
                    v.row(y, channel: 2)[x] = inside ? 1 : 0
                }
            }
        }
        return try Image(raster: raster)
    }

    /// The bounding box (x, y, width, height) of the blue pixels of every layer, on a white canvas.
    static func boxes(_ compose: Compose, _ inputs: [String: Image]) throws -> [String: (Int, Int, Int, Int)] {
        var out: [String: (Int, Int, Int, Int)] = [:]
        for (i, layer) in compose.layers.enumerated() {
            var single = compose
            single.layers = compose.layers.map { var l = $0; l.opacity = 0; return l }
            single.layers[i].opacity = 1
            let r = try single.render(inputs: inputs).raster()
            var minX = Int.max, maxX = -1, minY = Int.max, maxY = -1
            r.withView { v in
                for y in 0..<r.height { for x in 0..<r.width where v.row(y, channel: 0)[x] < 0.5 {
                    minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                } }
            }
            out[layer.name ?? "\(i + 1)"] = maxX < 0 ? (0, 0, 0, 0) : (minX, minY, maxX - minX + 1, maxY - minY + 1)
        }
        return out
    }

    /// Exact position; size exact or one more (an alpha edge upsampled by libvips).
    static func matches(_ got: (Int, Int, Int, Int), _ want: (Int, Int, Int, Int)) -> Bool {
        got.0 == want.0 && got.1 == want.1 && (0...1).contains(got.2 - want.2) && (0...1).contains(got.3 - want.3)
    }

    static func white(_ w: Int, _ h: Int) -> Canvas { .color(width: w, height: h, .white) }

    @Test("a declared real-world size: 30 cm at 4 px/cm is 120 px tall, by height or width, cut-out padding ignored")
    func declaredSize() throws {
        let inputs = ["bottle": try Self.object(10, 30), "cutout": try Self.object(20, 50, box: (5, 10, 10, 30))]
        var bottle = Layer(.image("bottle"), name: "bottle", anchor: .bottomLeft, offset: [10, -10])
        bottle.realSize = .height(.cm(30))
        var cut = Layer(.image("cutout"), name: "cutout", anchor: .bottomLeft, offset: [100, -10])
        cut.realSize = .height(.mm(150))   // the opaque 30 rows → 60 px: factor 2
        var wide = Layer(.image("cutout"), name: "wide", anchor: .topLeft, offset: [200, 0])
        wide.realSize = .width(.cm(5))     // the opaque 10 columns → 20 px: factor 2
        let compose = Compose(canvas: Self.white(300, 200), layers: [bottle, cut, wide], scale: SceneScale(pixelsPerCentimetre: 4))
        let b = try Self.boxes(compose, inputs)
        #expect(b["bottle"]! == (10, 70, 40, 120))
        // Image 40x100 with its bottom at 190 (so its top at 90), object rows 20..<80 of it: the
        // leading edges are exact; the upsampled alpha edge may spill one pixel past the trailing ones.
        #expect(Self.matches(b["cutout"]!, (110, 110, 20, 60)))
        #expect(Self.matches(b["wide"]!, (210, 20, 20, 60)))
    }

    @Test("scale-like: the same resampling factor as the other layer, however that one was sized")
    func sameScale() throws {
        let inputs = ["a": try Self.object(10, 30), "b": try Self.object(8, 20), "c": try Self.object(20, 50, box: (5, 10, 10, 30))]
        let a = Layer(.image("a"), name: "person", anchor: .topLeft, offset: [0, 0], height: 90)   // factor 3
        var b = Layer(.image("b"), name: "bag", anchor: .topLeft, offset: [50, 0])
        b.scaleLike = .name("person")
        var c = Layer(.image("c"), name: "lamp", anchor: .topLeft, offset: [100, 0])
        c.scaleLike = .number(2)   // a chain: lamp → bag → person
        var d = Layer(.image("b"), name: "bottle", anchor: .topLeft, offset: [200, 0])
        d.realSize = .height(.cm(10))   // 20 rows → 40 px: factor 2
        var e = Layer(.image("a"), name: "glass", anchor: .topLeft, offset: [250, 0])
        e.scaleLike = .name("bottle")
        let compose = Compose(canvas: Self.white(300, 200), layers: [a, b, c, d, e], scale: SceneScale(pixelsPerCentimetre: 4))
        let boxes = try Self.boxes(compose, inputs)
        #expect(boxes["person"]! == (0, 0, 30, 90))
        #expect(boxes["bag"]! == (50, 0, 24, 60))
        #expect(Self.matches(boxes["lamp"]!, (115, 30, 30, 90)))
        #expect(boxes["bottle"]! == (200, 0, 16, 40))
        #expect(boxes["glass"]! == (250, 0, 20, 60))
    }

    @Test("perspective: twice as far below the horizon is twice as tall; scale-like follows depth")
    func perspective() throws {
        let inputs = ["o": try Self.object(10, 30), "p": try Self.object(20, 50, box: (5, 10, 10, 30))]
        // k = 2 px/cm at the bottom row (400), horizon at 100.
        var near = Layer(.image("o"), name: "near", anchor: .bottomLeft, offset: [0, 0])
        near.realSize = .height(.cm(30))        // foot 400: 2 px/cm → 60 px
        var far = Layer(.image("o"), name: "far", anchor: .bottomLeft, offset: [50, -150])
        far.realSize = .height(.cm(30))         // foot 250, half as far below: 1 px/cm → 30 px
        var twin = Layer(.image("o"), name: "twin", anchor: .bottomLeft, offset: [100, -150])
        twin.scaleLike = .name("near")          // factor 2 at foot 400 → 1 at foot 250
        var pct = Layer(.image("o"), name: "pct", anchor: .bottomLeft, offset: [150, -225])
        pct.realSize = .height(.cm(60))         // foot 175: 0.5 px/cm → 30 px for 60 cm: factor 1
        // A cut-out anchored at its centre: the foot is the object's bottom, which moves with the
        // size; the solve puts it where its own scale holds.
        var centred = Layer(.image("p"), name: "centred", anchor: .centre, offset: [0, 50])
        centred.realSize = .height(.cm(30))
        let compose = Compose(canvas: Self.white(400, 400), layers: [near, far, twin, pct, centred],
                              scale: SceneScale(pixelsPerCentimetre: 2, horizon: .relative(0.25)))
        let b = try Self.boxes(compose, inputs)
        #expect(b["near"]! == (0, 340, 20, 60))
        #expect(b["far"]! == (50, 220, 10, 30))
        #expect(b["twin"]! == (100, 220, 10, 30))
        #expect(b["pct"]! == (150, 145, 10, 30))
        // Object 30 cm tall at 2·(foot − 100)/300 px/cm, foot = its bottom row + 1.
        let c = b["centred"]!
        let foot = Double(c.1 + c.3)
        let expected = 30 * 2 * (foot - 100) / 300
        #expect(abs(Double(c.3) - expected) <= 1.5, "centred: \(c), expected height \(expected) at foot \(foot)")
        // The explicit reference row: 1 px/cm at row 250 is the same scene.
        var moved = compose
        moved.scale = SceneScale(pixelsPerCentimetre: 1, row: 250, horizon: 100)
        let m = try Self.boxes(moved, inputs)
        #expect(m["near"]! == b["near"]! && m["far"]! == b["far"]!)
    }

    @Test("recipe keys decode, round-trip and size the layers")
    func recipe() throws {
        let yaml = """
        canvas: {width: 400, height: 400, color: "#ffffff"}
        scale: {pixels-per-cm: 2, row: 400, horizon: 25%}
        layers:
          - {image: o, name: near, anchor: bottom-left, real-size: 30cm}
          - {image: o, name: far, anchor: bottom-left, offset: [50, -150], real-size: {height: 300mm}}
          - {image: o, name: twin, anchor: bottom-left, offset: [100, -150], scale-like: near}
          - {image: o, name: wide, anchor: bottom-left, offset: [200, 0], real-size: {width: 0.1m}}
          - {image: o, name: num, anchor: bottom-left, offset: [300, 0], scale-like: 1}
        """
        let compose = try Compose(recipe: Data(yaml.utf8), yaml: true)
        #expect(compose.scale == SceneScale(pixelsPerCentimetre: 2, row: 400, horizon: .relative(0.25)))
        #expect(compose.layers[0].realSize == .height(.cm(30)))
        #expect(compose.layers[1].realSize == .height(.cm(30)))
        #expect(compose.layers[2].scaleLike == .name("near"))
        #expect(compose.layers[3].realSize == .width(.cm(10)))
        #expect(compose.layers[4].scaleLike == .number(1))
        let again = try Compose(recipe: compose.recipeJSON(), yaml: false)
        #expect(again.layers == compose.layers && again.scale == compose.scale)
        let b = try Self.boxes(compose, ["o": try Self.object(10, 30)])
        #expect(b["far"]! == (50, 220, 10, 30))
        #expect(b["wide"]! == (200, 340, 20, 60))
        #expect(b["num"]! == (300, 340, 20, 60))
    }

    @Test("recipe errors say what to write", arguments: [
        ("scale: {pixels-per-cm: 2}\nlayers: [{image: o, real-size: 30}]", "has no unit"),
        ("scale: {pixels-per-cm: 2}\nlayers: [{image: o, real-size: 30 parsecs}]", "units: mm, cm, m, in, ft"),
        ("scale: {pixels-per-cm: 2}\nlayers: [{image: o, real-size: {height: 3cm, width: 1cm}}]", "not both"),
        ("scale: {pixels-per-cm: 2, zoom: 3}\nlayers: []", "scale.zoom: unknown field"),
        ("layers: [{image: o, real-size: 30cm}]", "needs the scene's scale"),
        ("scale: {pixels-per-cm: 2}\nlayers: [{image: o, real-size: 30cm, height: 50}]", "cannot also have height"),
        ("scale: {pixels-per-cm: 2}\nlayers: [{image: o, real-size: 30cm, scale-like: 1}]", "keep one"),
        ("layers: [{image: o, name: a}, {image: o, scale-like: b}]", "scale-like 'b': no layer has that name (names: a)"),
        ("layers: [{image: o}, {image: o, scale-like: 5}]", "there is no layer 5"),
        ("layers: [{image: o, name: a, scale-like: b}, {image: o, name: b, scale-like: a}]", "form a cycle (layer 1 (a) → layer 2 (b) → layer 1 (a))"),
        ("layers: [{image: o, scale-like: 1}]", "names the layer itself"),
        ("layers: [{text: hi}, {image: o, scale-like: 1}]", "is a text layer"),
        ("scale: {pixels-per-cm: -2}\nlayers: []", "must be positive"),
        ("scale: {}\nlayers: []", "give pixels-per-cm, a horizon, or both"),
        ("scale: {pixels-per-cm: 2, row: 300}\nlayers: []", "needs both pixels-per-cm and horizon"),
    ])
    func recipeErrors(body: String, words: String) {
        let yaml = "canvas: {width: 400, height: 400, color: \"#ffffff\"}\n" + body
        do {
            _ = try Compose(recipe: Data(yaml.utf8), yaml: true)
            Issue.record("accepted: \(body)")
        } catch {
            #expect(error.message.contains(words), "\(body): \(error.message)")
        }
    }

    @Test("render-time errors: a foot above the horizon, a reference row above it")
    func renderErrors() throws {
        let inputs = ["o": try Self.object(10, 30)]
        var up = Layer(.image("o"), name: "kite", anchor: .top, offset: [0, 10])
        up.realSize = .height(.cm(30))
        let high = Compose(canvas: Self.white(400, 400), layers: [up], scale: SceneScale(pixelsPerCentimetre: 2, horizon: 200))
        #expect { try high.render(inputs: inputs) } throws: {
            ($0 as? MeldError)?.message.contains("layer 1 (kite): its foot would be at or above the horizon (row 200)") == true
        }
        var down = Layer(.image("o"), anchor: .bottom)
        down.realSize = .height(.cm(30))
        let badRow = Compose(canvas: Self.white(400, 400), layers: [down], scale: SceneScale(pixelsPerCentimetre: 2, row: 100, horizon: 200))
        #expect { try badRow.render(inputs: inputs) } throws: {
            ($0 as? MeldError)?.message.contains("the reference row (100) must lie below the horizon (200)") == true
        }
        let empty = ["o": try Self.object(10, 30, box: (0, 0, 0, 0))]
        let transparent = Compose(canvas: Self.white(400, 400), layers: [down], scale: SceneScale(pixelsPerCentimetre: 2))
        #expect { try transparent.render(inputs: empty) } throws: {
            ($0 as? MeldError)?.message.contains("layer 1: the image is transparent everywhere") == true
        }
    }
}
