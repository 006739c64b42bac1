import Meld
import MeldTestSupport
import Testing

/// The public SeamlessClone: validation, OpenCV's placement convention, depth and channels.
@Suite("SeamlessClone", .libvipsShared)
struct SeamlessCloneTests {
    /// A textured RGB raster in the working format.
    static func photo(width: Int, height: Int, seed: UInt64, scale: Float) -> Raster {
        var r = SyntheticScene.noise(width: width, height: height, layout: .rgb, seed: seed)
        r.withMutableView { v in
            for c in 0..<3 { for i in 0..<(width * height) { v.plane(c)[i] = 0.1 + scale * (0.5 + 0.2 * v.plane(c)[i]) } }
        }
        return r
    }

    static func discMask(width: Int, height: Int, box: Rect) -> Mask {
        var m = Raster(width: width, height: height, layout: .gray)
        m.isPremultiplied = false
        for y in box.y..<box.maxY { for x in box.x..<box.maxX { m[x, y, 0] = 1 } }
        return Mask(raster: m)
    }

    @Test func validation() {
        #expect(throws: MeldError.self) { try SeamlessClone(tolerance: 0).validate() }
        #expect(throws: MeldError.self) { try SeamlessClone(mode: .multiband, bands: 13).validate() }
        do {
            try SeamlessClone(tolerance: .nan).validate()
        } catch {
            #expect(error.kind == .invalidArgument && error.message.hasPrefix("tolerance"))
        }
    }

    /// The centre of the mask's bounding box lands on `center` (integer halves, as OpenCV).
    @Test func placementFollowsOpenCV() throws {
        let mask = Self.discMask(width: 40, height: 30, box: Rect(x: 10, y: 6, width: 9, height: 12))
        let offset = try SeamlessClone(center: SeamlessClone.Point(x: 100, y: 50)).offset(for: mask)
        #expect(offset.x == 100 - 4 - 10 && offset.y == 50 - 6 - 6)
        let none = try SeamlessClone().offset(for: mask)
        #expect(none.x == 0 && none.y == 0)
        #expect(throws: MeldError.self) { try SeamlessClone(center: .init(x: 1, y: 1)).offset(for: Mask(width: 4, height: 4, value: 0)) }
        #expect(throws: MeldError.self) { try SeamlessClone().offset(for: Mask(width: 4, height: 4, value: 0)) }
    }

    @Test(arguments: SeamlessClone.Mode.allCases)
    func sixteenBitStaysSixteenAndOutsideIsUntouched(mode: SeamlessClone.Mode) throws {
        let dest = try Image(raster: Self.photo(width: 64, height: 48, seed: 1, scale: 0.6), bitDepth: 16)
        let source = try Image(raster: Self.photo(width: 30, height: 20, seed: 2, scale: 0.3), bitDepth: 16)
        let mask = Self.discMask(width: 30, height: 20, box: Rect(x: 4, y: 3, width: 20, height: 12))
        let out = try dest.blending(source, mask: mask, using: SeamlessClone(mode: mode, center: .init(x: 32, y: 24)))
        #expect(out.bitDepth == 16 && out.width == 64 && out.height == 48 && out.channels == 3)
        let before = try dest.raster(), after = try out.raster()
        // Far from the region nothing changes; inside, something does.
        #expect(after[2, 2, 0].bitPattern == before[2, 2, 0].bitPattern)
        #expect(after[62, 46, 2].bitPattern == before[62, 46, 2].bitPattern)
        #expect(after[32, 24, 1] != before[32, 24, 1])
    }

    @Test func greySourceIntoColourDestination() throws {
        let dest = try Image(raster: Self.photo(width: 50, height: 40, seed: 3, scale: 0.5))
        var grey = Raster(width: 20, height: 20, layout: .gray)
        for y in 0..<20 { for x in 0..<20 { grey[x, y, 0] = Float(x) / 20 } }
        let mask = Self.discMask(width: 20, height: 20, box: Rect(x: 2, y: 2, width: 16, height: 16))
        let out = try dest.blending(try Image(raster: grey), mask: mask, using: SeamlessClone(center: .init(x: 25, y: 20)))
        #expect(out.channels == 3)
    }

    @Test func errorsNameTheProblem() throws {
        let dest = try Image(raster: Self.photo(width: 50, height: 40, seed: 3, scale: 0.5))
        let source = try Image(raster: Self.photo(width: 20, height: 20, seed: 4, scale: 0.5))
        do {
            _ = try dest.blending(source, mask: Mask(width: 10, height: 20), using: SeamlessClone())
            Issue.record("a mask of the wrong size was accepted")
        } catch {
            #expect(error.message.contains("mask is 10x20 but the source is 20x20"))
        }
        do {
            _ = try dest.blending(source, mask: Mask(width: 20, height: 20), using: SeamlessClone(center: .init(x: -100, y: 5)))
            Issue.record("a region outside the destination was accepted")
        } catch {
            #expect(error.message.hasPrefix("center: ") && error.message.contains("50x40 destination"))
        }
    }
}
