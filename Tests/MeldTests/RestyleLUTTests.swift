import Foundation
import Meld
import MeldTestSupport
import Testing

@Suite("Restyle: LUTs on images", .libvipsShared)
struct RestyleLUTTests {
    /// PSNR (peak 1, encoded sRGB) of a graded photo against the exact grade of each pixel.
    static func psnrAgainstExactGrade(_ graded: Raster, source: Raster) -> Double {
        var sum = 0.0
        for y in 0..<source.height {
            for x in 0..<source.width {
                let e = (0..<3).map { Float(Reference.srgbEncode(Double(source[x, y, $0]))) }
                let want = Reference.grade(e[0], e[1], e[2])
                let got = (0..<3).map { Reference.srgbEncode(Double(graded[x, y, $0])) }
                for (a, b) in zip(got, [want.0, want.1, want.2]) { sum += (a - Double(b)) * (a - Double(b)) }
            }
        }
        return -10 * log10(sum / Double(3 * source.width * source.height))
    }

    @Test("a 33³ LUT of a grading function reproduces the function on a photograph at ≥ 60 dB")
    func accuracyOnPhoto() throws {
        let photo = try Image(contentsOf: IO.sample("citrus_fruits.jpg"), resizedWith: Resize(.fit(width: 256, height: 256))).raster()
        let lut = try ColourLUT(size: 33, sampling: Reference.grade)
        let graded = LUTApplication.apply(lut, to: photo)
        let psnr = Self.psnrAgainstExactGrade(graded, source: photo)
        #expect(psnr >= 60, "PSNR \(psnr) dB")
        // And through a .cube file and a Hald image (16-bit PNG), the same within float noise.
        try IO.withTemporaryFolder { folder in
            try lut.writeCube(to: folder + "/grade.cube")
            let read = try ColourLUT(contentsOfCube: folder + "/grade.cube")
            #expect(read == lut)
            try lut.haldImage(level: 6).write(to: folder + "/grade-hald.png")
            let hald = try ColourLUT(contentsOfHald: folder + "/grade-hald.png")
            #expect(hald.size == 36)
            let viaHald = LUTApplication.apply(hald, to: photo)
            let psnrHald = Self.psnrAgainstExactGrade(viaHald, source: photo)
            #expect(psnrHald >= 60, "Hald PSNR \(psnrHald) dB")
        }
    }

    @Test("ApplyLUT inside a mask leaves uncovered pixels exactly alone; saving over the input is refused")
    func masked() throws {
        let image = try Image(contentsOf: IO.sample("grace_hopper.jpg"))
        let before = try image.raster()
        var m = Raster(width: image.width, height: image.height, layout: .gray)
        for y in 0..<image.height { for x in 0..<(image.width / 2) { m[x, y, 0] = 1 } }
        let lut = try ColourLUT(size: 17) { r, g, b in (1 - r, 1 - g, 1 - b) }
        let out = try ApplyLUT(lut: lut).apply(to: image, within: Mask(raster: m))
        let after = try out.raster()
        #expect(after[image.width - 1, 10, 0] == before[image.width - 1, 10, 0])
        #expect(abs(after[0, 10, 0] - before[0, 10, 0]) > 0.01)
        let error = IO.error { try out.write(to: IO.sample("grace_hopper.jpg"), options: SaveOptions(overwrite: true)) }
        #expect(error?.kind == .outputIsInput)
        #expect(throws: MeldError.self) { try ApplyLUT(lut: lut, strength: 2).validate() }
    }

    @Test("8-bit photos graded in full take the 8-bit path: within one code of the linear-light path, metadata kept")
    func eightBitPath() throws {
        let photo = try Image(contentsOf: IO.sample("bridge_at_night.jpg"))
        let lut = try ColourLUT(size: 33, sampling: Reference.grade)
        let fast = try ApplyLUT(lut: lut).apply(to: photo)
        // The working-format path, graded in full, for comparison.
        var slow = try photo.raster()
        LUTApplication.apply(lut, toInPlace: &slow)
        let viaFloat = try Image(raster: slow)
        let a = try fast.encoded(as: .png), b = try viaFloat.encoded(as: .png)
        let x = try Image(data: a).raster(), y = try Image(data: b).raster()
        var worst = 0, differing = 0
        for c in 0..<3 {
            for yy in 0..<x.height {
                for xx in 0..<x.width {
                    let d = abs(Int(SRGBTransfer.encode8(x[xx, yy, c])) - Int(SRGBTransfer.encode8(y[xx, yy, c])))
                    worst = max(worst, d)
                    if d > 0 { differing += 1 }
                }
            }
        }
        #expect(worst <= 1, "largest difference \(worst) codes")
        #expect(Double(differing) / Double(3 * x.width * x.height) < 0.01, "\(differing) samples differ")
        #expect(fast.width == photo.width && fast.height == photo.height && fast.bitDepth == 8)
        #expect(fast.sourcePaths == photo.sourcePaths)
        try IO.withTemporaryFolder { folder in
            try fast.write(to: folder + "/graded.jpg")
            #expect(try IO.data(folder + "/graded.jpg").range(of: Data("2005:04:28".utf8)) != nil, "EXIF date kept")
        }
    }

    @Test("reading a missing or malformed .cube file names the file")
    func badFiles() throws {
        #expect(IO.error { _ = try ColourLUT(contentsOfCube: "/nonexistent/x.cube") }?.kind == .notFound)
        try IO.withTemporaryFolder { folder in
            let path = folder + "/bad.cube"
            try Data("LUT_3D_SIZE 2\n0 0 0\n".utf8).write(to: URL(fileURLWithPath: path))
            let error = IO.error { _ = try ColourLUT(contentsOfCube: path) }
            #expect(error?.description.contains("bad.cube line 2") == true, "\(String(describing: error))")
            #expect(IO.error { _ = try ColourLUT(contentsOfHald: IO.sample("grace_hopper.jpg")) }?.kind == .invalidArgument)
        }
    }
}
