@testable import MeldCore
import MeldTestSupport
import Testing

/// Focus matching: a known Gaussian blur between a region and its surroundings is recovered, a
/// region that is not sharper is left alone, and the masked blur matches a scalar reference.
@Suite("Focus")
struct FocusTests {
    static let width = 320, height = 200

    /// Fine texture: seeded noise softened a little (σ 0.7), like a photo's detail.
    static func detail(seed: UInt64) -> Raster {
        GaussianBlur(sigma: 0.7).apply(to: SyntheticScene.noise(width: width, height: height, layout: .rgb, seed: seed))
    }

    /// Left half (`x < 160`) as the region, right half as the reference.
    static func halves() -> (region: Raster, reference: Raster) {
        var region = Raster(width: width, height: height, layout: .gray), reference = region
        region.isPremultiplied = false; reference.isPremultiplied = false
        region.withMutableView { v in for y in 0..<height { for x in 0..<160 { v.row(y, channel: 0)[x] = 1 } } }
        reference.withMutableView { v in for y in 0..<height { for x in 160..<width { v.row(y, channel: 0)[x] = 1 } } }
        return (region, reference)
    }

    /// `sharp` on the left, `soft` on the right.
    static func joined(_ sharp: Raster, _ soft: Raster) -> Raster {
        var out = sharp
        out.withMutableView { v in
            for c in 0..<3 { for y in 0..<height { for x in 160..<width { v.row(y, channel: c)[x] = soft[x, y, c] } } }
        }
        return out
    }

    @Test(arguments: [1.0, 2.0, 3.5])
    func recoversAKnownBlur(sigma: Double) throws {
        let sharp = Self.detail(seed: 5)
        let image = Self.joined(sharp, GaussianBlur(sigma: Float(sigma)).apply(to: sharp))
        let (region, reference) = Self.halves()
        let estimate = try #require(Focus.estimateBlur(image, region: region, reference: reference))
        #expect(abs(estimate.sigma - sigma) < 0.15 * sigma, "σ \(estimate.sigma), want \(sigma): \(estimate)")
        #expect(estimate.patches > 4)
    }

    @Test func aSofterRegionIsLeftAlone() throws {
        let sharp = Self.detail(seed: 6)
        let image = Self.joined(GaussianBlur(sigma: 2).apply(to: sharp), sharp)
        let (region, reference) = Self.halves()
        #expect(try #require(Focus.estimateBlur(image, region: region, reference: reference)).sigma == 0)
    }

    /// The masked blur equals a scalar reference (a full-image blur, then a per-pixel blend by the
    /// mask), for any schedule.
    @Test func maskedBlurMatchesTheScalarReference() {
        let image = Self.detail(seed: 7)
        var mask = Raster(width: Self.width, height: Self.height, layout: .gray)
        mask.isPremultiplied = false
        mask.withMutableView { v in
            for y in 40..<150 { for x in 60..<230 { v.row(y, channel: 0)[x] = (x + y) % 5 == 0 ? 0.5 : 1 } }
        }
        let blurred = GaussianBlur(sigma: 1.7).apply(to: image, schedule: .serial(covering: image.bounds))
        var reference = image
        reference.withMutableView { v in
            for c in 0..<3 { for y in 0..<Self.height { for x in 0..<Self.width where mask[x, y, 0] > 0 {
                let o = image[x, y, c]
                v.row(y, channel: c)[x] = o + (blurred[x, y, c] - o) * mask[x, y, 0]
            } } }
        }
        for schedule in [Schedule.serial(covering: image.bounds), Schedule(tileSize: 17, threads: 3), .default] {
            var out = image
            Focus.blur(&out, sigma: 1.7, mask: mask, schedule: schedule)
            #expect(out == reference, "schedule \(schedule)")
        }
    }
}
