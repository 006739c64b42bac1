import Foundation
import Meld
import MeldTestSupport
import Testing

@Suite("meld edit")
struct EditCommandTests {
    /// A small PNG crop of a bundled photo in `folder`, made with the built binary.
    func photo(in folder: String) throws -> String {
        let r = try CLI.run(["resize", CLI.sample("fig_in_red_bowl.jpg"), "--width", "100", "-o", "in.png"], in: folder)
        try #require(r.status == 0, "\(r)")
        return folder + "/in.png"
    }

    @Test("recolor, adjust, remove and background write an image of the input's size")
    func happyPaths() throws {
        try CLI.withTemporaryFolder { folder in
            let input = try photo(in: folder)
            let runs: [[String]] = [
                ["edit", "recolor", input, "--region", "wand:60,30~20", "--to", "navy", "-o", "recolor.png"],
                ["edit", "recolor", input, "--region", "color:#e04010~30", "--swatch", input, "-o", "swatch.png", "--feather", "2"],
                ["edit", "adjust", input, "--region", "ellipse:50,34,20,15", "--exposure", "0.5", "--temperature", "20",
                 "--contrast", "10", "--saturation", "-30", "--curve", "0:0,0.5:0.6,1:1", "-o", "adjust.png"],
                ["edit", "remove", input, "--region", "rect:10,10,12,8", "-o", "remove.png"],
                ["edit", "remove", input, "--mask", "remove.png", "--method", "diffusion", "-o", "remove-mask.png"],
                ["edit", "background", input, "--region", "ellipse:50,34,20,15", "--with", "white", "-o", "bg.png"],
                ["edit", "background", input, "--region", "ellipse:50,34,20,15", "--with", "gold..navy@45", "-o", "bg-gradient.png"],
                ["edit", "background", input, "--region", "ellipse:50,34,20,15", "--with", input, "--invert", "-o", "bg-image.png"],
                ["edit", "background", input, "--with", "white", "-o", "bg-subject.png"],
            ]
            for args in runs {
                let r = try CLI.run(args, in: folder)
                #expect(r.status == 0, "\(args.joined(separator: " ")): \(r)")
                #expect(r.stderr.isEmpty, "\(r)")
                let out = folder + "/" + args[args.firstIndex(of: "-o")! + 1]
                let info = try CLI.info(out)
                #expect(info.width == 100 && info.height == 68, "\(out)")
            }
        }
    }

    @Test("bad input: one error line naming the problem, exit 1, no output")
    func badInput() throws {
        try CLI.withTemporaryFolder { folder in
            let input = try photo(in: folder)
            let flat = try CLI.run(["edit", "background", input, "--region", "all", "--invert", "--with", "white", "-o", "flat.png"], in: folder)
            try #require(flat.status == 0, "\(flat)")
            let cases: [([String], String)] = [
                (["edit", "recolor", input, "--region", "rect:1,2,3", "--to", "red", "-o", "o.png"], "needs 4 numbers"),
                (["edit", "recolor", input, "--region", "blob:1,2", "--to", "red", "-o", "o.png"], "unknown kind 'blob'"),
                (["edit", "recolor", input, "--region", "rect:1,2,3,4", "--to", "reddish", "-o", "o.png"], "unknown colour 'reddish'"),
                (["edit", "recolor", input, "--region", "color:blurple~5", "--to", "red", "-o", "o.png"], "unknown colour 'blurple'"),
                (["edit", "adjust", input, "--region", "wand:5000,20~5", "--exposure", "1", "-o", "o.png"], "wand point 5000,20 is outside the 100x68 image"),
                (["edit", "remove", input, "--mask", "no-such-mask.png", "-o", "o.png"], "does not exist"),
                (["edit", "background", "flat.png", "--with", "white", "-o", "o.png"], "no subject stands out"),
                (["edit", "background", input, "--region", "rect:0,0,10,10", "--with", "notacolour", "-o", "o.png"], "unknown colour 'notacolour'"),
                (["edit", "adjust", input, "--region", "all", "--exposure", "40", "-o", "o.png"], "exposure must be"),
            ]
            for (args, words) in cases {
                let r = try CLI.run(args, in: folder)
                expectOneErrorLine(r, startingWith: "meld edit \(args[1]): ", containing: words)
                #expect(r.status == 1)
                #expect(!FileManager.default.fileExists(atPath: folder + "/o.png"))
            }
        }
    }
}
