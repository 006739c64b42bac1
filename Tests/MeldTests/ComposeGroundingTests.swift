import Foundation
import Meld
import MeldTestSupport
import Testing

@Suite("Compose: cut-outs, shadows and reflections")
struct ComposeGroundingTests {
    static func recipe(_ yaml: String) throws(MeldError) -> Compose {
        try Compose(recipe: Data(yaml.utf8), yaml: true)
    }

    @Test("recipe keys: cutout, shadow (spec, object, list) and reflection decode and round-trip")
    func decoding() throws {
        let c = try Self.recipe("""
        canvas: {color: "#eeeeee", width: 100, height: 80}
        layers:
          - image: product
            cutout: subject
            shadow: [contact, "cast(135, 80%)", {type: cast, angle: 45, length: 0.5, opacity: 0.4, color: "#102030", softness: 2}]
            reflection: {opacity: 0.25, fade: 0.3}
          - image: other
            cutout: {box: [1, 2, 30, 40]}
            shadow: contact
            reflection: true
        """)
        let a = c.layers[0], b = c.layers[1]
        #expect(a.cutout == .subject && b.cutout == .box(Rect(x: 1, y: 2, width: 30, height: 40)))
        #expect(a.shadows.map(\.kind) == [.contact, .cast(angle: 135, length: 0.8), .cast(angle: 45, length: 0.5)])
        #expect(a.shadows[2].opacity == 0.4 && a.shadows[2].softness == 2 && a.shadows[2].colour == RGBA("#102030"))
        #expect(a.reflection == LayerReflection(opacity: 0.25, fade: 0.3) && b.reflection == LayerReflection())
        #expect(b.shadows == [LayerShadow(.contact)])
        let again = try Compose(recipe: c.recipeJSON(), yaml: false)
        #expect(again.layers[0].shadows == a.shadows && again.layers[1].cutout == b.cutout && again.layers[0].reflection == a.reflection)
    }

    @Test("recipe errors name the field", arguments: [
        ("shadow: sideways", "layers[0].shadow", "unknown shadow 'sideways'"),
        ("shadow: \"cast(135, 9)\"", "layer 1", "length must be between 0.05 and 5"),
        ("shadow: {type: cast, opacity: 3}", "layer 1", "opacity must be between 0 and 1"),
        ("cutout: background", "layers[0].cutout", "unknown cutout 'background'"),
        ("cutout: {box: [1, 2, 3]}", "layers[0].cutout.box", "box needs 4 whole numbers"),
        ("reflection: {fade: 7}", "layer 1", "fade must be between 0.05 and 1"),
    ])
    func errors(line: String, path: String, words: String) {
        let error = IO.error { _ = try Self.recipe("canvas: {color: white, width: 10, height: 10}\nlayers:\n  - image: x.png\n    \(line)\n") }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains(path) == true && error?.message.contains(words) == true, "\(error?.message ?? "no error")")
    }

    /// The mug scene as an 8-bit image.
    static func product() throws -> Image {
        let scene = ProductScene.make(backdrop: ProductScene.plain, object: SIMD3(0.5, 0.06, 0.04), seed: 3, inside: ProductScene.mug)
        return try Image(raster: scene.image)
    }

    /// Mean linear luminance of a canvas rectangle.
    static func luminance(_ r: Raster, _ rect: Rect) -> Double {
        var s = 0.0
        for y in rect.y..<rect.maxY { for x in rect.x..<rect.maxX { s += 0.2126 * Double(r[x, y, 0]) + 0.7152 * Double(r[x, y, 1]) + 0.0722 * Double(r[x, y, 2]) } }
        return s / Double(rect.area)
    }

    @Test("a cut-out layer with shadows: the backdrop is gone, the floor darkens under it and along the light, less on a darker floor")
    func shadowsOnTheFloor() throws {
        let product = try Self.product()
        // Cut once; the other renders place the cut-out (an image with transparency is its own cut-out).
        let cutout = try product.applying(Cutout())
        func render(_ floor: String, shadow: String?, source: String = "cutout") throws -> Raster {
            let c = try Self.recipe("""
            canvas: {color: "\(floor)", width: 300, height: 200}
            layers:
              - image: \(source)
                cutout: subject
                anchor: bottom
                offset: [0, -30]
                \(shadow.map { "shadow: \($0)" } ?? "")
            """)
            return try c.render(inputs: ["product": product, "cutout": cutout]).raster()
        }
        let bare = try render("#d8d0c0", shadow: nil, source: "product")
        #expect(bare == (try render("#d8d0c0", shadow: nil)))
        // The mug's backdrop (light grey) did not come along: the canvas shows around the body.
        // The mug (160x120 source, its bottom at row 100) is placed with its box bottom at 170.
        let beside = Rect(x: 20, y: 150, width: 30, height: 10)
        #expect(abs(Self.luminance(bare, beside) - Self.luminance(bare, Rect(x: 0, y: 0, width: 10, height: 10))) < 0.01)
        let contact = try render("#d8d0c0", shadow: "contact")
        // The layer spans x 70…230, y 50…170; the body's bottom edge (source row 100) is canvas row 150.
        let base = Rect(x: 120, y: 150, width: 30, height: 4)
        #expect(Self.luminance(contact, base) < Self.luminance(bare, base) * 0.85, "contact shadow darkens the floor at the base")
        #expect(Self.luminance(contact, beside) == Self.luminance(bare, beside), "and nothing far away")
        let cast = try render("#d8d0c0", shadow: "\"cast(300, 0.8)\"")
        // Falling up and left: body point (115, 110), 40 px above the ground, lands near
        // (115 − 40·0.8·sin 60°, 150 − 40·0.8·cos 60°) = (87, 134); the right stays lit.
        let left = Rect(x: 82, y: 131, width: 8, height: 6), right = Rect(x: 240, y: 131, width: 8, height: 6)
        #expect(Self.luminance(cast, left) < Self.luminance(bare, left) * 0.9)
        #expect(Self.luminance(cast, right) == Self.luminance(bare, right))
        // Scene-following strength: relative darkening is stronger on a darker floor.
        let darkBare = try render("#504840", shadow: nil), darkContact = try render("#504840", shadow: "contact")
        #expect(Self.luminance(darkContact, base) / Self.luminance(darkBare, base) < Self.luminance(contact, base) / Self.luminance(bare, base))
        // A reflection lightens nothing above the ground line and adds the mug's red below it.
        let c = try Self.recipe("""
        canvas: {color: "#202020", width: 300, height: 200}
        layers:
          - {image: cutout, anchor: bottom, offset: [0, -30], reflection: {opacity: 0.5, fade: 0.5}}
        """)
        let mirrored = try c.render(inputs: ["cutout": cutout]).raster()
        let below = Rect(x: 120, y: 148, width: 20, height: 4)
        #expect(mirrored[125, 149, 0] > mirrored[125, 149, 1] * 2, "red reflection below the mug")
        #expect(Self.luminance(mirrored, below) > 0.02)
    }
}
