import Foundation
import Meld
import MeldTestSupport
import Testing

@Suite("meld restyle", .serialized)
struct RestyleCommandTests {
    static let photo = CLI.sample("grace_hopper.jpg")
    static let reference = CLI.sample("bridge_at_night.jpg")

    /// Small copies of the photo and the reference (the tests run a debug-built `meld`).
    static func smallInputs(in folder: String) throws {
        #expect(try CLI.run(["resize", photo, "--fit", "120x120", "-o", "small.png"], in: folder).status == 0)
        #expect(try CLI.run(["resize", reference, "--fit", "120x120", "-o", "ref.png"], in: folder).status == 0)
    }

    @Test("transfer (reinhard and ot) writes an image of the input's size")
    func transfer() throws {
        try CLI.withTemporaryFolder { folder in
            try Self.smallInputs(in: folder)
            for method in ["reinhard", "ot"] {
                let r = try CLI.run(["restyle", "transfer", "small.png", "--reference", "ref.png", "--method", method,
                                     "--iterations", "1", "--region", "rect:10,10,50,50", "-o", "out-\(method).png"], in: folder)
                #expect(r.status == 0, "\(r)")
                let info = try CLI.info(folder + "/out-\(method).png")
                let original = try CLI.info(folder + "/small.png")
                #expect(info.width == original.width && info.height == original.height)
            }
        }
    }

    @Test("palette prints K colours with weights, and JSON")
    func palette() throws {
        let r = try CLI.run(["restyle", "palette", Self.photo, "--colors", "4"])
        #expect(r.status == 0, "\(r)")
        #expect(r.outputLines.count == 4)
        #expect(r.outputLines.allSatisfy { $0.hasPrefix("#") && $0.split(separator: " ").count == 2 })
        let j = try CLI.run(["restyle", "palette", Self.photo, "--colors", "3", "--json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 3 && parsed?.first?["color"] is String && parsed?.first?["weight"] is Double)
    }

    @Test("remap from a colour list, a palette JSON file and another image")
    func remap() throws {
        try CLI.withTemporaryFolder { folder in
            try Self.smallInputs(in: folder)
            let list = try CLI.run(["restyle", "remap", "small.png", "--palette", "#1B263B,#E0E1DD,red", "-o", "a.png"], in: folder)
            #expect(list.status == 0, "\(list)")
            let huge = try CLI.run(["restyle", "remap", "small.png", "--palette", "red", "--region", "rect:0,0,9223372036854775807,9223372036854775807", "-o", "h.png"], in: folder)
            #expect(huge.status == 0, "\(huge)")
            let j = try CLI.run(["restyle", "palette", "ref.png", "--colors", "3", "--json"], in: folder)
            try Data(j.stdout.utf8).write(to: URL(fileURLWithPath: folder + "/p.json"))
            let json = try CLI.run(["restyle", "remap", "small.png", "--palette", "p.json", "--keep-lightness", "-o", "b.png"], in: folder)
            #expect(json.status == 0, "\(json)")
            let image = try CLI.run(["restyle", "remap", "small.png", "--palette", "image:ref.png", "--colors", "4", "-o", "c.jpg"], in: folder)
            #expect(image.status == 0, "\(image)")
        }
    }

    @Test("lut from a .cube file and a Hald image; --write-hald converts")
    func lut() throws {
        try CLI.withTemporaryFolder { folder in
            let lut = try ColourLUT(size: 9) { r, g, b in (g, b, r) }
            try lut.writeCube(to: folder + "/swap.cube")
            try Self.smallInputs(in: folder)
            let a = try CLI.run(["restyle", "lut", "small.png", "--cube", "swap.cube", "-o", "a.png", "--write-hald", "swap-hald.png"], in: folder)
            #expect(a.status == 0, "\(a)")
            let b = try CLI.run(["restyle", "lut", "small.png", "--hald", "swap-hald.png", "--strength", "0.5", "-o", "b.png"], in: folder)
            #expect(b.status == 0, "\(b)")
            #expect(try CLI.info(folder + "/swap-hald.png").width == 512)
        }
    }

    @Test("bad input: malformed .cube names the line, missing reference, bad K, bad region, output = input")
    func badInput() throws {
        try CLI.withTemporaryFolder { folder in
            try Data("LUT_3D_SIZE 2\n0 0 0\n0 zero 0\n".utf8).write(to: URL(fileURLWithPath: folder + "/bad.cube"))
            let cube = try CLI.run(["restyle", "lut", Self.photo, "--cube", "bad.cube", "-o", "x.png"], in: folder)
            expectOneErrorLine(cube, startingWith: "meld restyle lut: cube: bad.cube line 3: 'zero' is not a number")
            try Data("LUT_3D_SIZE 2\n0 0 0\n".utf8).write(to: URL(fileURLWithPath: folder + "/short.cube"))
            let short = try CLI.run(["restyle", "lut", Self.photo, "--cube", "short.cube", "-o", "x.png"], in: folder)
            expectOneErrorLine(short, startingWith: "meld restyle lut: cube: short.cube line 2: the table ends after 1 of the 8 lines")
            let missing = try CLI.run(["restyle", "transfer", Self.photo, "--reference", "nope.jpg", "-o", "x.png"], in: folder)
            expectOneErrorLine(missing, startingWith: "meld restyle transfer: ", containing: "nope.jpg")
            let k = try CLI.run(["restyle", "palette", Self.photo, "--colors", "0"], in: folder)
            expectUsageError(k, containing: "--colors must be 1–64 (got 0)")
            let region = try CLI.run(["restyle", "transfer", Self.photo, "--reference", Self.reference, "--region", "rect:1,2", "-o", "x.png"], in: folder)
            expectUsageError(region, containing: "rect: takes x,y,width,height")
            let method = try CLI.run(["restyle", "transfer", Self.photo, "--reference", Self.reference, "--method", "magic", "-o", "x.png"], in: folder)
            expectUsageError(method, containing: "--method must be reinhard or ot")
            let same = try CLI.run(["restyle", "transfer", Self.photo, "--reference", Self.reference, "-o", Self.reference, "--overwrite"], in: folder)
            expectOneErrorLine(same, startingWith: "meld restyle transfer: transfer: ", containing: "is an input")
            let palette = try CLI.run(["restyle", "remap", Self.photo, "--palette", "#12,blue", "-o", "x.png"], in: folder)
            expectOneErrorLine(palette, startingWith: "meld restyle remap: remap: --palette colour 1 '#12' is not a colour")
            let outside = try CLI.run(["restyle", "remap", Self.photo, "--palette", "red", "--region", "rect:9000,0,10,10", "-o", "x.png"], in: folder)
            expectOneErrorLine(outside, startingWith: "meld restyle remap: restyle: --region rect:9000,0,10,10 lies outside the 512x600 image")
            #expect(!CLI.contents(of: folder).contains("x.png"))
        }
    }
}
