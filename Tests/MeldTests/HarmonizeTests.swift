import Foundation
import Meld
import MeldTestSupport
import Testing

/// Harmonize through the public API, on a real photo.
@Suite("Harmonize", .libvipsShared)
struct HarmonizeTests {
    /// A photo whose region and surroundings show the same kind of thing (citrus slices), at
    /// 160x105, with an ellipse region whose colour is changed by `gains` (linear RGB).
    static func composite(gains: SIMD3<Float> = SIMD3(1.2, 0.97, 0.75)) throws -> (original: Raster, composite: Image, mask: Mask) {
        let photo = try citrus()
        let original = try photo.raster()
        var region = Raster(width: original.width, height: original.height, layout: .gray)
        region.isPremultiplied = false
        region.withMutableView { v in
            for y in 0..<v.height { for x in 0..<v.width {
                let dx = (Double(x) - 80) / 36, dy = (Double(y) - 52) / 30
                v.row(y, channel: 0)[x] = dx * dx + dy * dy <= 1 ? 1 : 0
            } }
        }
        var cast = original
        cast.withMutableView { v in
            region.withView { m in
                for i in 0..<(v.width * v.height) where m.plane(0)[i] > 0 {
                    v.plane(0)[i] *= gains.x; v.plane(1)[i] *= gains.y; v.plane(2)[i] *= gains.z
                }
            }
        }
        return (original, try Image(raster: cast), Mask(raster: region))
    }

    static func citrus() throws -> Image { try Image(contentsOf: IO.sample("citrus_fruits.jpg"), resizedWith: Resize(.width(160))) }

    static func meanError(_ a: Raster, _ b: Raster, inside mask: Mask) -> Double {
        var sum = 0.0, n = 0.0
        a.withView { av in b.withView { bv in mask.raster.withView { m in
            for i in 0..<(a.width * a.height) where m.plane(0)[i] > 0.5 {
                for c in 0..<3 { sum += abs(Double(av.plane(c)[i] - bv.plane(c)[i])) }
                n += 3
            }
        } } }
        return sum / n
    }

    @Test(arguments: HarmonizeMethod.allCases)
    func onlyTheRegionChanges(method: HarmonizeMethod) throws {
        let (_, composite, mask) = try Self.composite()
        let (out, _) = try Harmonize(mask: "unused", method: method).harmonized(composite, mask: mask)
        let before = codes8(try composite.raster()), after = codes8(try out.raster())
        var changedInside = 0
        mask.raster.withView { m in
            for i in 0..<(composite.width * composite.height) {
                let inside = m.plane(0)[i] > 0
                for c in 0..<3 where before[i * 3 + c] != after[i * 3 + c] {
                    if inside { changedInside += 1 } else { Issue.record("\(method): pixel \(i) outside the mask changed") }
                }
            }
        }
        #expect(changedInside > 0, "\(method) changed nothing")
    }

    /// A warm cast that keeps luminance, a darkening, and both: each method that addresses the
    /// change brings the region closer to the original.
    @Test(arguments: [(HarmonizeMethod.whiteBalance, SIMD3<Float>(1.2, 0.97, 0.75), 0.6),
                      (.auto, SIMD3<Float>(1.2, 0.97, 0.75), 0.8),
                      (.exposure, SIMD3<Float>(0.55, 0.55, 0.55), 0.5),
                      (.reinhard, SIMD3<Float>(0.7, 0.55, 0.45), 0.6),
                      (.affine, SIMD3<Float>(0.7, 0.55, 0.45), 0.6)])
    func aChangeIsUndone(method: HarmonizeMethod, gains: SIMD3<Float>, bound: Double) throws {
        let (original, composite, mask) = try Self.composite(gains: gains)
        let (out, report) = try Harmonize(mask: "unused", method: method).harmonized(composite, mask: mask)
        let before = Self.meanError(try composite.raster(), original, inside: mask)
        let after = Self.meanError(try out.raster(), original, inside: mask)
        #expect(after < bound * before, "\(method): error \(after) vs \(before), confidence \(report.confidence)")
    }

    @Test func badArgumentsAreNamed() throws {
        let (_, composite, _) = try Self.composite()
        #expect(IO.error { try Harmonize(mask: "m.png", strength: 2).validate() }?.message.contains("strength must be between 0 and 1") == true)
        let empty = Mask(width: 4, height: 4, value: 0)
        #expect(IO.error { _ = try Harmonize(mask: "m").harmonized(composite, mask: empty) }?.message.contains("selects no pixels") == true)
        let full = Mask(width: 4, height: 4, value: 1)
        #expect(IO.error { _ = try Harmonize(mask: "m", reference: .whole).harmonized(composite, mask: full) }?.message.contains("no reference pixels") == true)
    }

    /// A layer cast blue, composed over its own photo with harmonize: the cast is pulled back.
    @Test func composeHarmonizesALayerToTheCanvas() throws {
        let photo = try Self.citrus()
        var blue = try photo.raster()
        blue.withMutableView { v in for i in 0..<(v.width * v.height) { v.plane(0)[i] *= 0.75; v.plane(1)[i] *= 1.02; v.plane(2)[i] *= 1.3 } }
        let layer = try Image(raster: blue).applying(Crop(Rect(x: 32, y: 40, width: 64, height: 50)))
        func render(_ h: LayerHarmonize?) throws -> Raster {
            try Compose(canvas: .image("c"), layers: [Layer(.image("l"), anchor: .topLeft, offset: [32, 40], harmonize: h)])
                .render(inputs: ["c": photo, "l": layer]).raster()
        }
        let original = try photo.raster()
        var m = Raster(width: original.width, height: original.height, layout: .gray)
        m.withMutableView { v in for y in 40..<90 { for x in 32..<96 { v.row(y, channel: 0)[x] = 1 } } }
        let plain = Self.meanError(try render(nil), original, inside: Mask(raster: m))
        let fixed = Self.meanError(try render(LayerHarmonize(method: .whiteBalance, grain: false)), original, inside: Mask(raster: m))
        #expect(fixed < 0.7 * plain, "harmonized \(fixed) vs plain \(plain)")
        let json = try Compose(canvas: .image("c"), layers: [Layer(.image("l"), harmonize: LayerHarmonize(method: .auto, strength: 0.5))]).recipeJSON()
        #expect(String(decoding: json, as: UTF8.self).contains("\"harmonize\""))
        let yaml = "canvas: {image: c.jpg}\nharmonize: white-balance\nlayers:\n  - {image: l.png, harmonize: {method: exposure, strength: 0.4}}\n"
        let decoded = try Compose(recipe: Data(yaml.utf8), yaml: true)
        #expect(decoded.harmonize == LayerHarmonize(method: .whiteBalance) && decoded.layers[0].harmonize == LayerHarmonize(method: .exposure, strength: 0.4))
    }

    /// A clean layer on a grainy canvas takes on the canvas's grain.
    @Test func composeMatchesGrain() throws {
        var canvas = SyntheticScene.gradient(width: 240, height: 160, layout: .rgb)
        Grain.add(sigma: 0.03, seed: 1, to: &canvas)
        var clean = Raster(width: 100, height: 80, layout: .rgb)
        clean.withMutableView { v in for c in 0..<3 { v.plane(c).update(repeating: 0.3, count: 8000) } }
        let out = try Compose(canvas: .image("c"), layers: [Layer(.image("l"), anchor: .topLeft, offset: [70, 40],
                                                                  harmonize: LayerHarmonize(method: .auto, strength: 0))])
            .render(inputs: ["c": Image(raster: canvas), "l": Image(raster: clean)]).raster()
        var region = Raster(width: 240, height: 160, layout: .gray)
        region.withMutableView { v in for y in 42..<118 { for x in 72..<168 { v.row(y, channel: 0)[x] = 1 } } }
        let measured = Grain.estimateSigma(out, weights: region)!
        #expect(abs(measured / 0.03 - 1) < 0.25, "layer grain \(measured), canvas 0.03")
    }

    /// A layer cut from a photo (480 px wide), cast blue and put back where it was, harmonized
    /// with `auto`: the pairs across its edge (it continues the photo) undo most of the cast.
    @Test func composeAutoUsesTheLayersEdge() throws {
        let photo = try Image(contentsOf: IO.sample("citrus_fruits.jpg"), resizedWith: Resize(.width(480)))
        var blue = try photo.raster()
        blue.withMutableView { v in for i in 0..<(v.width * v.height) { v.plane(0)[i] *= 0.75; v.plane(1)[i] *= 1.02; v.plane(2)[i] *= 1.3 } }
        let layer = try Image(raster: blue).applying(Crop(Rect(x: 96, y: 120, width: 192, height: 150)))
        let original = try photo.raster()
        var m = Raster(width: original.width, height: original.height, layout: .gray)
        m.withMutableView { v in for y in 120..<270 { for x in 96..<288 { v.row(y, channel: 0)[x] = 1 } } }
        func error(_ h: LayerHarmonize?) throws -> Double {
            let out = try Compose(canvas: .image("c"), layers: [Layer(.image("l"), anchor: .topLeft, offset: [96, 120], harmonize: h)])
                .render(inputs: ["c": photo, "l": layer]).raster()
            return Self.meanError(out, original, inside: Mask(raster: m))
        }
        let plain = try error(nil), auto = try error(LayerHarmonize(method: .auto, grain: false))
        #expect(auto < 0.4 * plain, "auto \(auto) vs plain \(plain)")
    }

    /// `focus`: a sharp region in a texture softened by σ 2 elsewhere is blurred to match (σ found
    /// near the truth, the region much closer to the softened texture), and the field is
    /// optional in JSON and recipes. (On photos the estimate also depends on how alike the
    /// region's and the surroundings' textures are; see ``Focus``.)
    @Test func focusBlursASharperRegion() throws {
        let sharp = GaussianBlur(sigma: 0.7).apply(to: SyntheticScene.noise(width: 640, height: 360, layout: .rgb, seed: 3))
        var soft = GaussianBlur(sigma: 2).apply(to: sharp)
        var region = Raster(width: sharp.width, height: sharp.height, layout: .gray)
        region.isPremultiplied = false
        region.withMutableView { v in
            for y in 0..<v.height { for x in 0..<v.width {
                let dx = (Double(x) - 320) / 170, dy = (Double(y) - Double(v.height) / 2) / 110
                v.row(y, channel: 0)[x] = dx * dx + dy * dy <= 1 ? 1 : 0
            } }
        }
        soft.withMutableView { v in
            region.withView { m in sharp.withView { s in
                for c in 0..<3 { for i in 0..<(v.width * v.height) where m.plane(0)[i] > 0 { v.plane(c)[i] = s.plane(c)[i] } }
            } }
        }
        let truth = GaussianBlur(sigma: 2).apply(to: sharp)
        let composite = try Image(raster: soft)
        let (out, report) = try Harmonize(mask: "unused", focus: true).harmonized(composite, mask: Mask(raster: region))
        let sigma = try #require(report.focus).sigma
        #expect(abs(sigma - 2) < 0.3, "σ \(sigma)")
        let before = Self.meanError(try composite.raster(), truth, inside: Mask(raster: region))
        let after = Self.meanError(try out.raster(), truth, inside: Mask(raster: region))
        #expect(after < 0.5 * before, "error \(after) vs \(before), σ \(sigma)")
        let decoded = try JSONDecoder().decode(Harmonize.self, from: Data(#"{"mask":"m.png","method":"auto","strength":1,"reference":"whole"}"#.utf8))
        #expect(decoded.focus == false)
        let again = try JSONDecoder().decode(Harmonize.self, from: JSONEncoder().encode(Harmonize(mask: "m.png", focus: true)))
        #expect(again.focus)
        let yaml = "canvas: {image: c.jpg}\nlayers:\n  - {image: l.png, harmonize: {method: auto, focus: true}}\n"
        #expect(try Compose(recipe: Data(yaml.utf8), yaml: true).layers[0].harmonize == LayerHarmonize(method: .auto, focus: true))
    }
}
