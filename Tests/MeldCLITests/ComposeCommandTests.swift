import Foundation
import Meld
import Testing

@Suite("meld compose")
struct ComposeCommandTests {
    @Test func bundledRecipeRenders() throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["compose", CLI.root.appendingPathComponent("Examples/recipes/price-card.yaml").path, "-o", "card.jpg"], in: folder)
            #expect(r.status == 0 && r.stderr.isEmpty, "\(r)")
            let info = try CLI.info(folder + "/card.jpg")
            #expect(info.width == 1200 && info.height == 1200)
        }
    }

    @Test func bundledPerspectiveRecipeRenders() throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["compose", CLI.root.appendingPathComponent("Examples/recipes/perspective.yaml").path, "-o", "p.jpg"], in: folder)
            #expect(r.status == 0 && r.stderr.isEmpty, "\(r)")
            let info = try CLI.info(folder + "/p.jpg")
            #expect(info.width == 1600 && info.height == 900)
        }
    }

    @Test func jsonRecipeWithRelativePathsAndSpaceOverride() throws {
        try CLI.withTemporaryFolder { folder in
            try FileManager.default.copyItem(atPath: CLI.sample("lightbulb_cutout.png"), toPath: folder + "/bulb.png")
            let recipe = ##"{"canvas": {"width": 320, "height": 240, "color": "#336699"}, "layers": [{"image": "bulb.png", "height": "80%", "opacity": 0.7}]}"##
            try recipe.write(toFile: folder + "/r.json", atomically: true, encoding: .utf8)
            let r = try CLI.run(["compose", "r.json", "-o", "out.png", "--space", "srgb"], in: folder)
            #expect(r.status == 0, "\(r)")
            #expect(try CLI.info(folder + "/out.png").width == 320)
        }
    }

    /// `meld compose` streams its inputs (one sequential pass); layers whose geometry reads rows
    /// out of order are decoded whole first, so every option works.
    @Test(arguments: [#""flip": "vertical""#, #""flip": "both""#, #""rotate": 90"#, #""rotate": -30"#,
                      #""feather": 40"#, #""mask": "bulb.png", "flip": "vertical", "rotate": 180"#, #""fit": "cover", "height": 100"#])
    func streamingHandlesEveryGeometry(fields: String) throws {
        try CLI.withTemporaryFolder { folder in
            try FileManager.default.copyItem(atPath: CLI.sample("fig_in_red_bowl.jpg"), toPath: folder + "/fig.jpg")
            try FileManager.default.copyItem(atPath: CLI.sample("lightbulb_cutout.png"), toPath: folder + "/bulb.png")
            let recipe = #"{"canvas": {"image": "fig.jpg"}, "layers": [{"image": "fig.jpg", "width": "40%", FIELDS}]}"#
            try recipe.replacingOccurrences(of: "FIELDS", with: fields).write(toFile: folder + "/r.json", atomically: true, encoding: .utf8)
            let r = try CLI.run(["compose", "r.json", "-o", "out.jpg"], in: folder)
            #expect(r.status == 0 && r.stderr.isEmpty, "\(fields): \(r)")
        }
    }

    /// Real-world sizes with perspective and joint harmonization from a recipe: the same bytes on
    /// one thread and on four.
    @Test func scaleAndJointHarmonizeAreDeterministicAcrossThreadCounts() throws {
        try CLI.withTemporaryFolder { folder in
            // Small inputs: the test must finish well inside the harness's 60 s on a busy machine.
            try FileManager.default.copyItem(atPath: CLI.sample("grace_hopper.jpg"), toPath: folder + "/grace.jpg")
            try FileManager.default.copyItem(atPath: CLI.sample("lightbulb_cutout.png"), toPath: folder + "/bulb.png")
            let recipe = """
            canvas: {image: grace.jpg}
            scale: {pixels-per-cm: 10, horizon: 30%}
            harmonize: {joint: true}
            layers:
              - {image: grace.jpg, name: print, anchor: top-left, offset: [20, 30], width: 40%, rotate: 4}
              - {image: bulb.png, name: near, anchor: bottom, offset: [-120, -40], real-size: 12cm}
              - {image: bulb.png, name: far, anchor: bottom, offset: [120, -250], scale-like: near}
              - {image: grace.jpg, anchor: top-left, offset: [250, 120], width: 30%}
            """
            try recipe.write(toFile: folder + "/r.yaml", atomically: true, encoding: .utf8)
            let one = try CLI.run(["compose", "r.yaml", "-o", "one.png"], in: folder, environment: ["MELD_THREADS": "1", "VIPS_CONCURRENCY": "1"])
            let four = try CLI.run(["compose", "r.yaml", "-o", "four.png"], in: folder, environment: ["MELD_THREADS": "4", "VIPS_CONCURRENCY": "4"])
            #expect(one.status == 0 && four.status == 0 && one.stderr.isEmpty, "\(one)\n\(four)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/one.png")) == Data(contentsOf: URL(fileURLWithPath: folder + "/four.png")))
        }
    }

    @Test(arguments: [
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"image": "missing.png"}]}"#, "meld compose: layer 1: image:"),
        (#"{"canvas": {"width": 10, "height": 10}, "layers": [{"image": "a.png", "blend": "glow"}]}"#, "meld compose: r.json: layers[0].blend: unknown blend mode 'glow'"),
        (#"{"canvas": {"width": -1, "height": 10}}"#, "meld compose: canvas: size must be between 1 and"),
    ])
    func badRecipesGiveOneLine(recipe: String, prefix: String) throws {
        try CLI.withTemporaryFolder { folder in
            try recipe.write(toFile: folder + "/r.json", atomically: true, encoding: .utf8)
            let r = try CLI.run(["compose", "r.json", "-o", "out.png"], in: folder)
            #expect(r.status == 1)
            #expect(r.errorLines.count == 1 && r.errorLines.first?.hasPrefix(prefix) == true, "\(r)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/out.png"))
        }
    }

    @Test func missingRecipeAndBadSpace() throws {
        try CLI.withTemporaryFolder { folder in
            let missing = try CLI.run(["compose", "nope.json", "-o", "out.png"], in: folder)
            #expect(missing.status == 1 && missing.stderr.contains("recipe nope.json does not exist"), "\(missing)")
            let space = try CLI.run(["compose", "nope.json", "-o", "out.png", "--space", "cmyk"], in: folder)
            #expect(space.status != 0 && space.stderr.contains("--space must be linear or srgb"), "\(space)")
        }
    }
}
