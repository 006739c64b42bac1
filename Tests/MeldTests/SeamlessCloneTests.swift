import Foundation
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

    /// `erode` shrinks the blended region (a disk of that radius) but not the placement; a
    /// description without the key decodes with erode 0; too much erosion is an error.
    @Test func erodeShrinksTheRegion() throws {
        let dest = try Image(raster: Self.photo(width: 64, height: 48, seed: 1, scale: 0.6))
        let source = try Image(raster: Self.photo(width: 30, height: 20, seed: 2, scale: 0.3))
        let mask = Self.discMask(width: 30, height: 20, box: Rect(x: 4, y: 3, width: 20, height: 12))
        let centre = SeamlessClone.Point(x: 32, y: 24)
        let before = try dest.raster()
        let plain = try dest.blending(source, mask: mask, using: SeamlessClone(center: centre)).raster()
        let shrunk = try dest.blending(source, mask: mask, using: SeamlessClone(center: centre, erode: 3)).raster()
        // The box lands at (22…41, 18…29); its outer 3 px ring is pasted without erosion and
        // left alone with it; its inside is pasted by both.
        #expect(plain[22, 24, 0] != before[22, 24, 0] && shrunk[22, 24, 0].bitPattern == before[22, 24, 0].bitPattern)
        #expect(shrunk[24, 24, 0].bitPattern == before[24, 24, 0].bitPattern)
        #expect(shrunk[32, 24, 0] != before[32, 24, 0])
        // The region is shrunk in place on the clone's own copy: the caller's mask is untouched.
        #expect(mask == Self.discMask(width: 30, height: 20, box: Rect(x: 4, y: 3, width: 20, height: 12)))
        let decoded = try JSONDecoder().decode(SeamlessClone.self, from: Data(#"{"mode":"normal","tolerance":0.001}"#.utf8))
        #expect(decoded.erode == 0 && decoded.mode == .normal)
        let roundTrip = try JSONDecoder().decode(SeamlessClone.self, from: JSONEncoder().encode(SeamlessClone(erode: 3)))
        #expect(roundTrip == SeamlessClone(erode: 3))
        #expect(throws: MeldError.self) { try dest.blending(source, mask: mask, using: SeamlessClone(center: centre, erode: 6)) }
        #expect(throws: MeldError.self) { try SeamlessClone(erode: -1).validate() }
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

    /// A region of a real photo colour-shifted (per channel gain and offset on the encoded values)
    /// and pasted back in place into the photo with the region's interior blanked, as in the
    /// README's quality table: normal cloning must recover most of the photo, and the banded
    /// solve (the default) must give the whole-grid solve's result.
    @Test func recoversAColourShiftedRegionOfAPhoto() throws {
        let photo = try Image(contentsOf: IO.sample("citrus_fruits.jpg"), resizedWith: Resize(.width(640)))
        let truth = try photo.raster()
        let w = truth.width, h = truth.height
        func inside(_ x: Int, _ y: Int, shrink: Double) -> Bool {
            let dx = (Double(x) - Double(w) / 2) / (0.3 * Double(w) - shrink), dy = (Double(y) - Double(h) / 2) / (0.3 * Double(h) - shrink)
            return dx * dx + dy * dy <= 1
        }
        var maskRaster = Raster(width: w, height: h, layout: .gray)
        maskRaster.isPremultiplied = false
        var source = truth, dest = truth
        let gain: [Float] = [1.25, 0.9, 0.75], offset: [Float] = [-20, 15, 30]
        for y in 0..<h {
            for x in 0..<w {
                if inside(x, y, shrink: 0) { maskRaster[x, y, 0] = 1 }
                for c in 0..<3 {
                    let code = SRGBTransfer.encode(truth[x, y, c]) * 255
                    source[x, y, c] = SRGBTransfer.decode(min(max((code * gain[c] + offset[c]) / 255, 0), 1))
                    if inside(x, y, shrink: 8) { dest[x, y, c] = SRGBTransfer.decode(0.5) }
                }
            }
        }
        let mask = Mask(raster: maskRaster)
        let result = try SeamlessClone(mode: .normal).apply(source: try Image(raster: source), mask: mask, into: try Image(raster: dest)).raster()
        func psnr(_ a: Raster) -> Double {
            var sum = 0.0, n = 0
            for y in 0..<h { for x in 0..<w where inside(x, y, shrink: 0) { for c in 0..<3 {
                let d = Double((SRGBTransfer.encode(a[x, y, c]) - SRGBTransfer.encode(truth[x, y, c])) * 255)
                sum += d * d; n += 1
            } } }
            return 10 * log10(255 * 255 / (sum / Double(n)))
        }
        var plain = dest
        for y in 0..<h { for x in 0..<w where inside(x, y, shrink: 0) { for c in 0..<3 { plain[x, y, c] = source[x, y, c] } } }
        let cloned = psnr(result), pasted = psnr(plain)
        // Measured: 27.1 dB against 24.4 for the plain paste.
        #expect(cloned > pasted + 2, "normal clone \(cloned) dB, plain paste \(pasted) dB")
        // Banded (default) and whole-grid solves of the same clone.
        var banded = dest, whole = dest
        let a = PoissonBlend.apply(source: source, mask: maskRaster, into: &banded, offset: (0, 0))
        PoissonBlend.apply(source: source, mask: maskRaster, into: &whole, offset: (0, 0), solver: PoissonSolver(fineBand: 0))
        #expect(a.converged)
        var worst: Float = 0
        for y in 0..<h { for x in 0..<w { for c in 0..<3 {
            worst = max(worst, abs(SRGBTransfer.encode(banded[x, y, c]) - SRGBTransfer.encode(whole[x, y, c])))
        } } }
        #expect(worst * 255 < 0.5, "banded vs whole grid: \(worst * 255) levels")
    }
}
