import Foundation
import Meld
import MeldTestSupport
import Testing

@Suite("meld cutout")
struct CutoutCommandTests {
    /// A 120x90 product shot: a dark red disc with a square hole on a light grey backdrop.
    func product(in folder: String) throws -> String {
        var r = Raster(width: 120, height: 90, layout: .rgb)
        var rng = SplitMix64(seed: 2)
        for y in 0..<90 { for x in 0..<120 {
            let d = ((Double(x) - 60) * (Double(x) - 60) + (Double(y) - 45) * (Double(y) - 45)).squareRoot()
            let hole = abs(x - 60) < 6 && abs(y - 45) < 6
            let inside = d < 30 && !hole
            let colour: [Float] = inside ? [0.4, 0.05, 0.04] : [0.7, 0.7, 0.72]
            for c in 0..<3 { r[x, y, c] = colour[c] + rng.nextFloat(in: -0.005...0.005) }
        } }
        let path = folder + "/product.png"
        try Image(raster: r).write(to: path)
        return path
    }

    @Test("writes RGBA: the subject opaque, backdrop and hole transparent; --box works too")
    func happyPath() throws {
        try CLI.withTemporaryFolder { folder in
            let input = try product(in: folder)
            for args in [["cutout", input, "-o", "out.png"], ["cutout", input, "--box", "20,10,80,70", "-o", "box.png", "--edge-radius", "3"],
                         ["cutout", input, "--hard-edge", "--no-despill", "-o", "hard.webp", "--lossless"]] {
                let r = try CLI.run(args, in: folder)
                #expect(r.status == 0 && r.stderr.isEmpty, "\(args): \(r)")
                let out = try Image(contentsOf: folder + "/" + args[args.firstIndex(of: "-o")! + 1])
                #expect(out.hasAlpha && out.width == 120 && out.height == 90)
                let raster = try out.raster()
                #expect(raster[60, 25, 3] == 1, "ring opaque")
                #expect(raster[60, 45, 3] == 0, "hole transparent")
                #expect(raster[3, 3, 3] == 0, "backdrop transparent")
            }
        }
    }

    @Test("bad input: one error line, exit 1, no output")
    func badInput() throws {
        try CLI.withTemporaryFolder { folder in
            let input = try product(in: folder)
            let flat = folder + "/flat.png"
            try Image(raster: Raster(width: 40, height: 30, layout: .rgb)).write(to: flat)
            let cases: [([String], String)] = [
                (["cutout", input, "--box", "1,2,3", "-o", "o.png"], "--box takes x,y,w,h"),
                (["cutout", input, "-o", "o.jpg"], "JPEG has no alpha"),
                (["cutout", input, "--box", "500,500,10,10", "-o", "o.png"], "outside the 120x90 image"),
                (["cutout", flat, "-o", "o.png"], "no subject stands out"),
                (["cutout", input, "--edge-radius", "99", "-o", "o.png"], "edge radius must be 1–64"),
            ]
            for (args, words) in cases {
                let r = try CLI.run(args, in: folder)
                #expect(r.status != 0, "\(args)")
                #expect(r.stderr.contains(words), "\(args): \(r.stderr)")
                #expect(!FileManager.default.fileExists(atPath: folder + "/o.png") && !FileManager.default.fileExists(atPath: folder + "/o.jpg"))
            }
        }
    }
}
