import Foundation
import Meld
import MeldTestSupport
import Testing

@Suite("Restyle: colour transfer and palettes on images", .libvipsShared)
struct RestyleTransferTests {
    static func small(_ name: String) throws -> Image {
        try Image(contentsOf: IO.sample(name), resizedWith: Resize(.fit(width: 160, height: 160)))
    }

    @Test("Reinhard on photos: the output's Lab statistics approach the reference's", arguments: ColourTransfer.Method.allCases)
    func photoStatistics(method: ColourTransfer.Method) throws {
        let image = try Self.small("citrus_fruits.jpg"), reference = try Self.small("bridge_at_night.jpg")
        let out = try ColourTransfer(method: method, iterations: 3).apply(to: image, reference: reference)
        #expect(out.width == image.width && out.height == image.height)
        let want = LabStatistics(LabSamples(of: try reference.raster()))
        let before = LabStatistics(LabSamples(of: try image.raster()))
        let after = LabStatistics(LabSamples(of: try out.raster()))
        // 8-bit rounding and gamut clipping allow a little slack; the gap must shrink a lot.
        for c in 0..<3 {
            #expect(abs(after.mean[c] - want.mean[c]) < 0.25 * abs(before.mean[c] - want.mean[c]) + 2, "\(method) mean \(c)")
        }
    }

    @Test("a masked transfer changes only the covered pixels; an empty mask is an error")
    func masked() throws {
        let image = try Self.small("citrus_fruits.jpg"), reference = try Self.small("bridge_at_night.jpg")
        var m = Raster(width: image.width, height: image.height, layout: .gray)
        for y in 0..<image.height { for x in 0..<(image.width / 2) { m[x, y, 0] = 1 } }
        let out = try ColourTransfer().apply(to: image, reference: reference, mask: Mask(raster: m)).raster()
        let before = try image.raster()
        #expect(out[image.width - 1, 5, 2] == before[image.width - 1, 5, 2])
        #expect(abs(out[2, 5, 2] - before[2, 5, 2]) > 1e-3)
        let empty = Mask(width: image.width, height: image.height, value: 0)
        #expect(IO.error { _ = try ColourTransfer().apply(to: image, reference: reference, mask: empty) }?.kind == .invalidArgument)
        #expect(IO.error { _ = try ColourTransfer().apply(to: image, reference: reference, referenceMask: empty) }?.kind == .invalidArgument)
        #expect(IO.error { _ = try ColourTransfer(strength: -1).apply(to: image, reference: reference) }?.message.contains("strength") == true)
    }

    @Test("harmonizeSet gives a set one look: the spread of the images' mean colours shrinks")
    func harmonize() throws {
        let set = try ["citrus_fruits.jpg", "bridge_at_night.jpg", "toy_bird_lamp.jpg"].map(Self.small)
        let out = try ColourTransfer.harmonizeSet(set)
        #expect(out.count == 3)
        func spread(_ images: [Image]) throws -> Double {
            let means = try images.map { LabStatistics(LabSamples(of: try $0.raster())).mean }
            return (0..<3).map { c in (means.map { $0[c] }.max()! - means.map { $0[c] }.min()!) }.reduce(0, +)
        }
        #expect(try spread(out) < 0.3 * spread(set))
        let toReference = try ColourTransfer.harmonizeSet(set, to: set[1])
        #expect(toReference.count == 3)
        #expect(IO.error { _ = try ColourTransfer.harmonizeSet([]) }?.kind == .invalidArgument)
    }

    @Test("palette extraction is deterministic with weights summing to 1; remap uses only palette colours")
    func palette() throws {
        let image = try Self.small("citrus_fruits.jpg")
        let p = try Palette.extract(from: image, count: 5)
        #expect(p == (try Palette.extract(from: image, count: 5)))
        #expect(p.entries.count == 5 && abs(p.entries.map(\.weight).reduce(0, +) - 1) < 1e-9)
        #expect(zip(p.entries, p.entries.dropFirst()).allSatisfy { $0.weight >= $1.weight })
        #expect(IO.error { _ = try Palette.extract(from: image, count: 0) }?.kind == .invalidArgument)
        let target = Palette(colours: [RGBA("#1B263B")!, RGBA("#E0E1DD")!])
        let out = try PaletteRemap(palette: target).apply(to: image).raster()
        let allowed = target.entries.map { e in (0..<3).map { SRGBTransfer.decode(Float([e.colour.red, e.colour.green, e.colour.blue][$0])) } }
        for (x, y) in [(0, 0), (50, 60), (100, 20)] {
            #expect(allowed.contains { a in (0..<3).allSatisfy { abs(a[$0] - out[x, y, $0]) < 2e-3 } }, "pixel \(x),\(y)")
        }
    }
}

@Suite("Restyle: texture transfer on images", .libvipsShared)
struct RestyleTextureTests {
    @Test("texture transfer changes only the region, deterministically; bad settings and empty regions are errors")
    func texture() throws {
        let image = try Image(contentsOf: IO.sample("fig_in_red_bowl.jpg"), resizedWith: Resize(.fit(width: 120, height: 120)))
        let pattern = try Image(contentsOf: IO.sample("citrus_fruits.jpg"), resizedWith: Resize(.fit(width: 80, height: 80)))
        var m = Raster(width: image.width, height: image.height, layout: .gray)
        for y in 20..<60 { for x in 30..<90 { m[x, y, 0] = 1 } }
        let transfer = TextureTransfer(patchSize: 16, candidates: 8)
        let a = try transfer.apply(to: image, pattern: pattern, region: Mask(raster: m)).raster()
        let b = try transfer.apply(to: image, pattern: pattern, region: Mask(raster: m)).raster()
        #expect(a == b)
        let before = try image.raster()
        #expect(a[5, 5, 0] == before[5, 5, 0])
        #expect(abs(a[50, 40, 2] - before[50, 40, 2]) > 1e-3 || abs(a[50, 40, 0] - before[50, 40, 0]) > 1e-3)
        let empty = Mask(width: image.width, height: image.height, value: 0)
        #expect(IO.error { _ = try transfer.apply(to: image, pattern: pattern, region: empty) }?.kind == .invalidArgument)
        #expect(IO.error { _ = try TextureTransfer(patchSize: 4).apply(to: image, pattern: pattern, region: Mask(raster: m)) }?.message.contains("patchSize") == true)
        #expect(IO.error { _ = try TextureTransfer(patchSize: 200).apply(to: image, pattern: pattern, region: Mask(raster: m)) }?.message.contains("at least") == true)
    }
}
