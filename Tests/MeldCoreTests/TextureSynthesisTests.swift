@testable import MeldCore
import MeldTestSupport
import Testing

@Suite("Texture synthesis")
struct TextureSynthesisTests {
    /// Stripes with a colour ramp: any output pixel must be some pattern pixel.
    static let pattern: Raster = {
        var r = Raster(width: 40, height: 32, layout: .rgb)
        for y in 0..<32 { for x in 0..<40 {
            r[x, y, 0] = Float((x / 4) % 2); r[x, y, 1] = Float(y) / 31; r[x, y, 2] = 0.25
        } }
        return r
    }()

    @Test("quilting is deterministic per seed and copies pattern pixels only")
    func quilt() {
        let a = TextureSynthesis.quilt(Self.pattern, width: 70, height: 50, patch: 16, overlap: 4, candidates: 16, seed: 1)
        #expect(a == TextureSynthesis.quilt(Self.pattern, width: 70, height: 50, patch: 16, overlap: 4, candidates: 16, seed: 1))
        #expect(a != TextureSynthesis.quilt(Self.pattern, width: 70, height: 50, patch: 16, overlap: 4, candidates: 16, seed: 2))
        for (x, y) in [(0, 0), (69, 49), (33, 21), (15, 40)] {
            #expect(a[x, y, 0] == 0 || a[x, y, 0] == 1, "(\(x), \(y))")
            #expect(a[x, y, 2] == 0.25, "(\(x), \(y)) unfilled")
        }
    }

    @Test("the minimum cut follows the cheapest path")
    func minimumCut() {
        // Error is 0 along across = 2 and 1 elsewhere.
        let cut = TextureSynthesis.minimumCut(length: 6, breadth: 4) { _, across in across == 2 ? 0 : 1 }
        #expect(cut == [2, 2, 2, 2, 2, 2])
    }

    @Test("laying on keeps the object's shading, and leaves pixels outside the mask alone")
    func layOn() {
        var target = Raster(width: 20, height: 10, layout: .rgb)
        for y in 0..<10 { for x in 0..<20 { for c in 0..<3 { target[x, y, c] = 0.1 + 0.04 * Float(x) } } }
        var mask = Raster(width: 20, height: 10, layout: .gray)
        for y in 2..<8 { for x in 2..<18 { mask[x, y, 0] = 1 } }
        var texture = Raster(width: 16, height: 6, layout: .rgb)
        for y in 0..<6 { for x in 0..<16 { texture[x, y, 0] = 0.5; texture[x, y, 1] = 0.2; texture[x, y, 2] = 0.1 } }
        let out = TextureSynthesis.layOn(target, texture: texture, region: Rect(x: 2, y: 2, width: 16, height: 6), mask: mask)
        #expect(out[0, 0, 0] == target[0, 0, 0] && out[19, 9, 2] == target[19, 9, 2])
        // Texture colour ratio kept, brightness follows the target's ramp.
        #expect(abs(out[5, 5, 0] / out[5, 5, 1] - 2.5) < 1e-4)
        #expect(out[16, 5, 0] > out[3, 5, 0] * 2)
    }
}
