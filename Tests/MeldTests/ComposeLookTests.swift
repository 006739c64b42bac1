import Foundation
import Meld
import MeldCore
import MeldTestSupport
import Testing

/// Compose's "one look for a set" option.
@Suite("Compose look")
struct ComposeLookTests {
    /// The photo with each linear channel scaled (a colour cast).
    static func cast(_ photo: Image, _ r: Float, _ g: Float, _ b: Float) throws -> Image {
        var raster = try photo.raster()
        let gains = [r, g, b]
        raster.withMutableView { v in for c in 0..<3 { for i in 0..<(v.width * v.height) { v.plane(c)[i] *= gains[c] } } }
        return try Image(raster: raster)
    }

    /// Mean linear RGB over `rect` of `raster`.
    static func mean(_ raster: Raster, _ rect: Rect) -> SIMD3<Double> {
        var sum = SIMD3<Double>(0, 0, 0)
        for y in rect.y..<rect.maxY { for x in rect.x..<rect.maxX { sum += SIMD3(Double(raster[x, y, 0]), Double(raster[x, y, 1]), Double(raster[x, y, 2])) } }
        return sum / Double(rect.width * rect.height)
    }

    static func distance(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { ((a - b) * (a - b)).sum().squareRoot() }

    /// Two casts of one photo side by side on a grey canvas.
    static func scene(look: ComposeLook?) throws -> (Raster, left: Rect, right: Rect) {
        let photo = try IO.smallPhoto().applying(Crop(Rect(x: 0, y: 0, width: 100, height: 100)))
        let warm = try cast(photo, 1.4, 1.0, 0.6), cool = try cast(photo, 0.6, 0.9, 1.5)
        let compose = Compose(canvas: .color(width: 240, height: 120, RGBA(red: 0.5, green: 0.5, blue: 0.5)),
                              layers: [Layer(.image("warm"), anchor: .topLeft, offset: [10, 10]),
                                       Layer(.image("cool"), anchor: .topLeft, offset: [130, 10])],
                              look: look)
        let out = try compose.render(inputs: ["warm": warm, "cool": cool, "neutral": photo]).raster()
        return (out, Rect(x: 10, y: 10, width: 100, height: 100), Rect(x: 130, y: 10, width: 100, height: 100))
    }

    @Test func pooledLookBringsTheLayersTogether() throws {
        let (plain, left, right) = try Self.scene(look: nil)
        let (looked, _, _) = try Self.scene(look: ComposeLook(transfer: ColourTransfer(strength: 1)))
        let before = Self.distance(Self.mean(plain, left), Self.mean(plain, right))
        let after = Self.distance(Self.mean(looked, left), Self.mean(looked, right))
        #expect(after < 0.5 * before, "layer means apart by \(after) with the look, \(before) without")
        // The colour canvas is not an image and stays exactly as it was.
        #expect(looked[5, 5, 0] == plain[5, 5, 0] && looked[235, 115, 2] == plain[235, 115, 2])
    }

    @Test func referenceLookMovesEveryLayerTowardTheReference() throws {
        let (plain, left, right) = try Self.scene(look: nil)
        let (looked, _, _) = try Self.scene(look: ComposeLook(reference: "neutral", transfer: ColourTransfer(strength: 1)))
        let neutral = try IO.smallPhoto().applying(Crop(Rect(x: 0, y: 0, width: 100, height: 100))).raster()
        let target = Self.mean(neutral, Rect(width: 100, height: 100))
        for rect in [left, right] {
            let before = Self.distance(Self.mean(plain, rect), target), after = Self.distance(Self.mean(looked, rect), target)
            #expect(after < 0.45 * before, "\(rect): \(after) from the reference's mean with the look, \(before) without")
        }
    }

    @Test func canvasPhotoIsRestyledOnlyWhenAsked() throws {
        let photo = try IO.smallPhoto()
        let layer = try Self.cast(photo, 0.6, 0.9, 1.5).applying(Crop(Rect(x: 0, y: 0, width: 40, height: 40)))
        func render(_ look: ComposeLook?) throws -> Raster {
            try Compose(canvas: .image("c"), layers: [Layer(.image("l"), anchor: .topLeft, offset: [4, 4])], look: look)
                .render(inputs: ["c": photo, "l": layer]).raster()
        }
        let plain = try render(nil)
        let layersOnly = try render(ComposeLook(reference: "c"))
        let withCanvas = try render(ComposeLook(reference: "l", canvas: true))
        let outside = Rect(x: 60, y: 60, width: 60, height: 80)
        #expect(Self.mean(layersOnly, outside) == Self.mean(plain, outside), "canvas: false leaves the canvas alone")
        #expect(Self.mean(layersOnly, Rect(x: 4, y: 4, width: 40, height: 40)) != Self.mean(plain, Rect(x: 4, y: 4, width: 40, height: 40)))
        #expect(Self.distance(Self.mean(withCanvas, outside), Self.mean(plain, outside)) > 0.01, "canvas: true restyles it")
    }

    @Test func recipesReadAndWriteTheLook() throws {
        let yaml = """
        canvas: {image: c.jpg}
        look: {reference: ref.jpg, method: ot, strength: 0.5, canvas: true}
        layers:
          - {image: l.png}
        """
        let decoded = try Compose(recipe: Data(yaml.utf8), yaml: true)
        #expect(decoded.look == ComposeLook(reference: "ref.jpg", transfer: ColourTransfer(method: .slicedOT, strength: 0.5), canvas: true))
        let short = try Compose(recipe: Data("canvas: {image: c.jpg}\nlook: ref.jpg\nlayers: []\n".utf8), yaml: true)
        #expect(short.look == ComposeLook(reference: "ref.jpg"))
        let pooled = try Compose(recipe: Data("canvas: {image: c.jpg}\nlook: {strength: 1}\nlayers: []\n".utf8), yaml: true)
        #expect(pooled.look == ComposeLook(transfer: ColourTransfer(strength: 1)))
        let again = try Compose(recipe: try decoded.recipeJSON(), yaml: false)
        #expect(again == decoded)

        #expect(throws: (any Error).self) { try Compose(recipe: Data("canvas: {image: c.jpg}\nlook: {referense: r.jpg}\n".utf8), yaml: true) }
        #expect(throws: (any Error).self) { try Compose(recipe: Data("canvas: {image: c.jpg}\nlook: {method: grey}\n".utf8), yaml: true) }
        let bad = Compose(canvas: .image("c.jpg"), layers: [], look: ComposeLook(transfer: ColourTransfer(strength: 2)))
        #expect(IO.error { try bad.validate() }?.message.hasPrefix("look: ") == true)
    }

    @Test func aRecipeStepCarriesTheLook() throws {
        let recipe = try Recipe(text: """
        version: 1
        inputs: {photo: p.jpg}
        steps:
          - compose: {canvas: input, look: {reference: photo}, layers: [{image: photo, width: 10}]}
        outputs: [{path: out.png}]
        """, yaml: true)
        guard case .compose(.inline(let c)) = recipe.steps[0] else { Issue.record("not an inline compose"); return }
        #expect(c.look?.reference == "photo")
        #expect(try Recipe(text: recipe.yaml(), yaml: true).steps == recipe.steps)
    }
}
