import Foundation
import Meld
import MeldTestSupport
import Testing

/// Synthetic product shots with known masks: a linear-light backdrop (plain or graded), an
/// object drawn with 4×4 supersampled coverage, noise.
enum ProductScene {
    static let width = 160, height = 120

    /// The scene and its true coverage. `inside(x, y)` is in pixel units.
    static func make(backdrop: (Double, Double) -> SIMD3<Float>, object: SIMD3<Float>, seed: UInt64,
                     inside: (Double, Double) -> Bool) -> (image: Raster, truth: [Float]) {
        var rng = SplitMix64(seed: seed)
        var image = Raster(width: width, height: height, layout: .rgb)
        var truth = [Float](repeating: 0, count: width * height)
        for y in 0..<height { for x in 0..<width {
            var k = 0
            for sy in 0..<4 { for sx in 0..<4 where inside(Double(x) + (Double(sx) + 0.5) / 4, Double(y) + (Double(sy) + 0.5) / 4) { k += 1 } }
            let a = Float(k) / 16
            truth[y * width + x] = a
            let b = backdrop(Double(x) / Double(width), Double(y) / Double(height))
            // Object shading: lighter on the left.
            let shade = Float(0.8 + 0.4 * (1 - Double(x) / Double(width)))
            for c in 0..<3 { image[x, y, c] = max(0, a * object[c] * shade + (1 - a) * b[c] + rng.nextFloat(in: -0.006...0.006)) }
        } }
        return (image, truth)
    }

    static func plain(_ x: Double, _ y: Double) -> SIMD3<Float> { SIMD3(0.75, 0.76, 0.78) }
    static func graded(_ x: Double, _ y: Double) -> SIMD3<Float> {
        let r = (x - 0.5) * (x - 0.5) + (y - 0.45) * (y - 0.45)
        let v = Float(0.85 - 0.5 * y - 0.6 * r)
        return SIMD3(v, v * 0.97, v * 0.92)
    }

    /// A mug: a body and a ring handle whose opening shows the backdrop.
    static func mug(_ x: Double, _ y: Double) -> Bool {
        let body = x > 40 && x < 100 && y > 25 && y < 100
        let r = (((x - 100) / 22) * ((x - 100) / 22) + ((y - 60) / 20) * ((y - 60) / 20)).squareRoot()
        return body || (r < 1 && r > 0.55 && x > 98)
    }

    /// A bottle with a 3-pixel neck wire on top.
    static func bottle(_ x: Double, _ y: Double) -> Bool {
        let body = abs(x - 80) < 22 && y > 50 && y < 110
        let neck = abs(x - 80) < 6 && y > 22 && y <= 50
        let wire = abs(x - 80) < 1.5 && y > 8 && y <= 22
        return body || neck || wire
    }

    static func iou(_ alpha: Raster, _ truth: [Float], channel: Int) -> Double {
        var inter = 0, union = 0
        for y in 0..<height { for x in 0..<width {
            let a = alpha[x, y, channel] >= 0.5, t = truth[y * width + x] >= 0.5
            if a && t { inter += 1 }
            if a || t { union += 1 }
        } }
        return Double(inter) / Double(max(1, union))
    }
}

@Suite("Cutout and subject selection")
struct CutoutTests {
    @Test("plain and graded backdrops: IoU ≥ 0.97, the handle's opening stays background",
          arguments: [("plain", false), ("graded", true)])
    func mugWithHole(name: String, graded: Bool) throws {
        let scene = ProductScene.make(backdrop: graded ? ProductScene.graded : ProductScene.plain,
                                      object: SIMD3(0.5, 0.06, 0.04), seed: 3, inside: ProductScene.mug)
        let cut = try Cutout().cutout(scene.image)
        #expect(cut.layout == .rgba)
        let iou = ProductScene.iou(cut, scene.truth, channel: 3)
        #expect(iou >= 0.97, "\(name): IoU \(iou)")
        #expect(cut[110, 60, 3] == 0, "the handle's opening is background")
        #expect(cut[70, 60, 3] == 1, "the body is opaque")
        #expect(cut[5, 5, 3] == 0)
    }

    @Test("thin parts survive: a bottle's neck and a 3-pixel wire")
    func thinParts() throws {
        let scene = ProductScene.make(backdrop: ProductScene.plain, object: SIMD3(0.04, 0.2, 0.08), seed: 5, inside: ProductScene.bottle)
        let mask = try Selection.subject.mask(for: scene.image).raster
        #expect(ProductScene.iou(mask, scene.truth, channel: 0) >= 0.97)
        #expect(mask[80, 35, 0] > 0.9, "neck")
        #expect(mask[80, 15, 0] > 0.5, "wire")
        #expect(mask[90, 15, 0] == 0, "beside the wire")
    }

    @Test("box mode segments the object inside a rectangle on a busy background")
    func boxMode() throws {
        // Busy backdrop: coloured stripes; the object (mug) is a colour not in the stripes.
        let stripes: (Double, Double) -> SIMD3<Float> = { x, y in
            let band = Int(x * 12 + y * 5) % 3
            return band == 0 ? SIMD3(0.1, 0.3, 0.6) : band == 1 ? SIMD3(0.7, 0.7, 0.2) : SIMD3(0.2, 0.5, 0.2)
        }
        let scene = ProductScene.make(backdrop: stripes, object: SIMD3(0.6, 0.05, 0.3), seed: 8, inside: ProductScene.mug)
        let box = Rect(x: 30, y: 15, width: 105, height: 95)
        let cut = try Cutout(box: box).cutout(scene.image)
        #expect(ProductScene.iou(cut, scene.truth, channel: 3) >= 0.95)
        let selected = try Selection.object(in: box).mask(for: scene.image).raster
        #expect(ProductScene.iou(selected, scene.truth, channel: 0) >= 0.95)
        #expect(cut[10, 10, 3] == 0, "outside the box is background")
    }

    @Test("bad input: exact error kinds")
    func errors() throws {
        let flat = Raster(width: 60, height: 40, layout: .rgb)
        #expect(IO.error { _ = try Cutout().cutout(flat) }?.kind == .unsupportedFeature)
        let scene = ProductScene.make(backdrop: ProductScene.plain, object: SIMD3(0.5, 0.06, 0.04), seed: 3, inside: ProductScene.mug)
        #expect(IO.error { _ = try Cutout(box: Rect(x: 500, y: 500, width: 10, height: 10)).cutout(scene.image) }?.message.contains("outside the 160x120 image") == true)
        #expect(IO.error { _ = try Cutout(box: Rect(x: 0, y: 0, width: 160, height: 120)).cutout(scene.image) }?.kind == .invalidArgument)
        #expect(IO.error { try Cutout(box: Rect(x: 0, y: 0, width: 0, height: 5)).validate() }?.kind == .invalidArgument)
        #expect(IO.error { try Cutout(edgeRadius: 0).validate() }?.kind == .invalidArgument)
        #expect(IO.error { try Cutout(workingPixels: 10).validate() }?.kind == .invalidArgument)
        #expect(try Selection(spec: "box:1,2,30,40") == .object(in: Rect(x: 1, y: 2, width: 30, height: 40)))
        #expect(IO.error { _ = try Selection(spec: "box:1,2,0,40") }?.kind == .invalidArgument)
    }

    @Test("a cut-out image is its own cut-out; the result is the same on every schedule")
    func determinism() throws {
        let scene = ProductScene.make(backdrop: ProductScene.graded, object: SIMD3(0.5, 0.06, 0.04), seed: 3, inside: ProductScene.mug)
        let a = try Cutout().cutout(scene.image, schedule: Schedule(tileSize: 16, threads: 1))
        let b = try Cutout().cutout(scene.image, schedule: Schedule(tileSize: 64, threads: 2))
        #expect(a == b)
        let again = try Cutout().cutout(a)
        #expect(again == a)
    }
}
