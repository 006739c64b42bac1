import Foundation
import Meld
import MeldTestSupport
import Testing

/// Small inputs for session and batch tests: a 96-px photo, a cut-out, and a mask.
enum SessionFixtures {
    static func files(in folder: String) throws -> (photo: String, cutout: String, mask: String) {
        let photo = folder + "/fig.png", cutout = folder + "/bulb.png", mask = folder + "/hole.png"
        try Image(contentsOf: IO.sample("fig_in_red_bowl.jpg"), resizedWith: Resize(.width(96))).write(to: photo)
        try Image(contentsOf: IO.sample("lightbulb_cutout.png"), resizedWith: Resize(.width(32))).write(to: cutout)
        var m = Mask(width: 96, height: 65, value: 0).raster
        for y in 20..<30 { for x in 40..<52 { m[x, y, 0] = 1 } }
        try Mask(raster: m).image().write(to: mask)
        return (photo, cutout, mask)
    }

    /// PNG bytes of an image (lossless, so equal bytes mean equal pixels).
    static func png(_ image: Image) throws -> Data {
        try image.encoded(as: .png, options: SaveOptions(pngCompression: 1))
    }

    static let steps: [String] = [
        "recolor region=color:#B22222~25 to=#3EB489",
        "adjust exposure=0.3 contrast=10",
        "remove mask=hole.png seed=3",
        "place image=bulb x=5 y=5 width=30",
        "resize width=64",
    ]
}

@Suite("Sessions: history, undo, redo, branches, cache, replay")
struct SessionTests {
    /// Undo and redo move along the history; a step after an undo starts a branch and the old
    /// one stays reachable; every image equals the same steps replayed from scratch.
    @Test func undoRedoAndBranches() throws {
        try IO.withTemporaryFolder { folder in
            let f = try SessionFixtures.files(in: folder)
            let s = try Session(inputs: [.init(name: "fig", path: f.photo), .init(name: "bulb", path: f.cutout)], baseDirectory: folder)
            for line in SessionFixtures.steps.prefix(3) { try s.apply(Step(commandLine: line)) }
            #expect(s.history.map(\.id) == [0, 1, 2])
            let afterThree = try SessionFixtures.png(s.image())

            #expect(s.undo() && s.undo())
            #expect(s.current == 0 && s.canRedo)
            #expect(s.redo())
            #expect(s.current == 1)
            #expect(s.redo() && s.current == 2 && !s.canRedo)
            #expect(try SessionFixtures.png(s.image()) == afterThree)

            // Branch from step 0.
            try s.checkout(0)
            try s.apply(Step(commandLine: "flip axis=vertical"))
            #expect(s.history.map(\.id) == [0, 3])
            #expect(s.entries.count == 4 && s.entries[3].parent == 0)
            #expect(!s.canRedo)
            let branch = try SessionFixtures.png(s.image())
            let replayed = try Recipe(inputs: s.inputs, steps: s.history.map(\.step)).render(baseDirectory: folder)
            #expect(try SessionFixtures.png(replayed) == branch)

            // The old branch is still there, unchanged.
            try s.checkout(2)
            #expect(try SessionFixtures.png(s.image()) == afterThree)
            try s.checkout(nil)
            #expect(!s.undo())
            #expect(try s.image().width == 96)
            #expect(IO.error { try s.checkout(9) }?.kind == .invalidArgument)
        }
    }

    /// Changing step k recomputes from k only; undo and redo recompute nothing.
    @Test func cacheRecomputesFromTheChangedStep() throws {
        try IO.withTemporaryFolder { folder in
            let f = try SessionFixtures.files(in: folder)
            let s = try Session(inputs: [.init(name: "fig", path: f.photo), .init(name: "bulb", path: f.cutout)], baseDirectory: folder)
            for line in SessionFixtures.steps { try s.apply(Step(commandLine: line)) }
            #expect(s.stepsComputed == 5)
            s.undo(); s.undo()
            _ = try s.image()
            s.redo()
            _ = try s.image()
            #expect(s.stepsComputed == 5)

            s.redo()
            try s.replaceStep(at: 3, with: Step(commandLine: "place image=bulb x=40 y=20 width=30"))
            #expect(s.stepsComputed == 7)                     // steps 3 and 4 only
            #expect(s.history.count == 5 && s.history[0].id == 0 && s.history[2].id == 2)
            let changed = try SessionFixtures.png(s.image())
            let replayed = try Recipe(inputs: s.inputs, steps: s.history.map(\.step)).render(baseDirectory: folder)
            #expect(try SessionFixtures.png(replayed) == changed)

            // With the cache too small to keep anything but the current image, going back
            // recomputes from the start image.
            s.cacheLimit = 0
            try s.apply(Step(commandLine: "flip axis=horizontal"))
            let before = s.stepsComputed
            s.undo()
            _ = try s.image()
            #expect(s.stepsComputed > before)
        }
    }

    /// A step that fails leaves the session exactly as it was.
    @Test func failuresLeaveTheSessionIntact() throws {
        try IO.withTemporaryFolder { folder in
            let f = try SessionFixtures.files(in: folder)
            let s = try Session(inputs: [.init(name: "fig", path: f.photo)], baseDirectory: folder)
            try s.apply(Step(commandLine: "adjust exposure=0.5"))
            let image = try SessionFixtures.png(s.image())
            #expect(IO.error { try s.apply(Step(commandLine: "remove mask=missing.png")) }?.kind == .notFound)
            #expect(IO.error { try s.apply(Step(commandLine: "recolor region=wand:500,5~10 to=red")) }?.kind == .invalidArgument)
            #expect(IO.error { try s.replaceStep(at: 0, with: Step(commandLine: "texture pattern=nope.jpg region=all")) } != nil)
            #expect(IO.error { try s.replaceStep(at: 4, with: Step(commandLine: "flip")) }?.kind == .invalidArgument)
            #expect(s.entries.count == 1 && s.current == 0)
            #expect(try SessionFixtures.png(s.image()) == image)
        }
    }

    /// A session exported as a recipe replays to identical bytes, on one thread and on four.
    @Test func exportAndReplayIsByteIdentical() throws {
        try IO.withTemporaryFolder { folder in
            let f = try SessionFixtures.files(in: folder)
            let s = try Session(inputs: [.init(name: "fig", path: f.photo), .init(name: "bulb", path: f.cutout)], baseDirectory: folder)
            for line in SessionFixtures.steps { try s.apply(Step(commandLine: line)) }
            try s.image().write(to: folder + "/session.png")
            try s.recipe(outputs: [.init(path: "replayed.png")]).write(to: folder + "/edit.yaml")
            let template = try RecipeTemplate(contentsOf: folder + "/edit.yaml")
            let written = try Recipe(template: template).run(baseDirectory: template.baseDirectory)
            #expect(written.count == 1)
            #expect(try IO.data(folder + "/replayed.png") == IO.data(folder + "/session.png"))
            #expect(written[0].isIntact)
            // The same recipe, loaded into a new session, reaches the same image.
            let again = try Session(recipe: Recipe(template: template), baseDirectory: folder)
            #expect(try SessionFixtures.png(again.image()) == SessionFixtures.png(s.image()))
        }
    }
}

@Suite("Batch runs: manifests, shards, isolation, resume")
struct BatchTests {
    @Test func csvAndJSONLinesManifests() throws {
        let csv = try Manifest(csv: "sku,title,price\nA1,\"Mug, blue\",12\r\nA2,\"Say \"\"hi\"\"\",7\n\nA3,\"two\nlines\",1\n")
        #expect(csv.columns == ["sku", "title", "price"])
        #expect(csv.rows.count == 3)
        #expect(csv.rows[0]["title"] == "Mug, blue" && csv.rows[1]["title"] == "Say \"hi\"" && csv.rows[2]["title"] == "two\nlines")
        #expect(csv.id(ofRow: 1) == "A2")
        let jsonl = try Manifest(jsonLines: "{\"id\": \"x\", \"n\": 3}\n\n{\"id\": \"y\", \"n\": 4.50, \"ok\": true}\n")
        #expect(jsonl.rows == [["id": "x", "n": "3"], ["id": "y", "n": "4.50", "ok": "true"]])
        let crlf = try Manifest(jsonLines: "{\"id\": \"x\"}\r\n{\"id\": \"y\"}\r\n")
        #expect(crlf.rows.map { $0["id"] } == ["x", "y"])
        let bom = try Manifest(csv: "\u{FEFF}sku,colour\nA1,red\n")
        #expect(bom.columns == ["sku", "colour"] && bom.id(ofRow: 0) == "A1")
        let plain = try Manifest(csv: "a\n1\n2\n")
        #expect(plain.id(ofRow: 1) == "row-2")
        #expect(IO.error { _ = try Manifest(csv: "a,b\n1\n") }?.message.contains("row 1 has 1 fields") == true)
        #expect(IO.error { _ = try Manifest(csv: "sku\nA\nA\n") }?.message.contains("used twice") == true)
        #expect(IO.error { _ = try Manifest(csv: "a\n\"open\n") }?.message.contains("not closed") == true)
        #expect(IO.error { _ = try Manifest(jsonLines: "[1]\n") }?.message.contains("expected an object") == true)
    }

    /// Every item is in exactly one shard, for every shard count.
    @Test func shardsPartitionTheCatalogue() throws {
        for count in 1...7 {
            var seen = [Int](repeating: 0, count: 50)
            for index in 0..<count {
                let shard = try Shard(index: index, count: count)
                for row in 0..<50 where shard.contains(row: row) { seen[row] += 1 }
            }
            #expect(seen.allSatisfy { $0 == 1 }, "count \(count)")
        }
        #expect(try Shard(parsing: "2/5") == Shard(index: 2, count: 5))
        for bad in ["5/5", "-1/3", "1/0", "1", "a/b", "1/2/3"] {
            #expect(IO.error { _ = try Shard(parsing: bad) }?.kind == .invalidArgument, "\(bad)")
        }
    }

    static let template = """
    version: 1
    inputs: {photo: "${photo}", bulb: bulb.png}
    steps:
      - recolor: {region: "color:#B22222~25", to: "${colour}"}
      - place: {image: bulb, anchor: bottom-right, width: 30}
    outputs:
      - {path: "out/${sku}.png"}
      - {path: "out/${sku}-small.jpg", width: 48, quality: 90}
    """

    /// One bad row fails alone; a rerun skips what is done and intact and redoes the rest.
    @Test func failuresAreIsolatedAndRunsResume() throws {
        try IO.withTemporaryFolder { folder in
            let f = try SessionFixtures.files(in: folder)
            try Self.template.write(toFile: folder + "/card.yaml", atomically: true, encoding: .utf8)
            let rows = ["A1": "teal", "A2": "navy", "A3": "gold", "A4": "plum", "A5": "coral"]
            var csv = "sku,colour,photo\n"
            for (sku, colour) in rows.sorted(by: { $0.key < $1.key }) { csv += "\(sku),\(colour),\(sku == "A3" ? "missing.png" : "fig.png")\n" }
            try csv.write(toFile: folder + "/skus.csv", atomically: true, encoding: .utf8)
            _ = f
            let batch = Batch(template: try RecipeTemplate(contentsOf: folder + "/card.yaml"), manifest: try Manifest(contentsOf: folder + "/skus.csv"),
                              jobs: 2, reportPath: folder + "/report.jsonl")
            let first = try batch.run()
            #expect(first.map(\.status) == [.ok, .ok, .failed, .ok, .ok])
            #expect(first[2].error?.contains("missing.png") == true)
            #expect(IO.contents(of: folder + "/out").count == 8)
            let a1 = try IO.data(folder + "/out/A1.png")

            // Damage one output, delete another, leave a killed run's temporary file.
            try Data("junk".utf8).write(to: URL(fileURLWithPath: folder + "/out/A2.png"))
            try FileManager.default.removeItem(atPath: folder + "/out/A4-small.jpg")
            try Data().write(to: URL(fileURLWithPath: folder + "/out/.A4.png.meld-123.tmp"))
            let second = try batch.run()
            #expect(second.map(\.status) == [.skipped, .ok, .failed, .ok, .skipped])
            #expect(try IO.data(folder + "/out/A1.png") == a1)
            #expect(IO.temporaryFiles(in: folder + "/out").isEmpty)
            #expect(second.filter { $0.status != .failed }.allSatisfy { $0.outputs.allSatisfy(\.isIntact) })
            // The report has one line per item per run.
            let lines = try String(contentsOfFile: folder + "/report.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 10)

            // A changed row is redone even though its outputs exist.
            try csv.replacingOccurrences(of: "A5,coral", with: "A5,crimson").write(toFile: folder + "/skus.csv", atomically: true, encoding: .utf8)
            let changed = Batch(template: batch.template, manifest: try Manifest(contentsOf: folder + "/skus.csv"), jobs: 1, reportPath: folder + "/report.jsonl")
            #expect(try changed.run().map(\.status) == [.skipped, .skipped, .failed, .skipped, .ok])

            // Two rows writing the same file: refused before anything runs.
            let clash = try Manifest(csv: "sku,colour,photo\nA1,teal,fig.png\nA1x,navy,fig.png\n")
            let sameFile = Batch(template: try RecipeTemplate(text: Self.template.replacingOccurrences(of: "${sku}", with: "same"), yaml: true,
                                                              baseDirectory: folder),
                                 manifest: clash, reportPath: folder + "/clash.jsonl")
            #expect(IO.error { _ = try sameFile.run() }?.message.contains("rows 1 (A1) and 2 (A1x) both write") == true)
            #expect(!FileManager.default.fileExists(atPath: folder + "/clash.jsonl"))

            // A first run over outputs that exist (and no report) refuses to overwrite them.
            let fresh = Batch(template: batch.template, manifest: batch.manifest, jobs: 1, reportPath: folder + "/other.jsonl")
            let refused = try fresh.run()
            #expect(refused.allSatisfy { $0.status == .failed })
            #expect(refused[0].error?.contains("already exists") == true)
        }
    }

    /// Sharded runs together write exactly what one run writes.
    @Test func shardedRunsMatchOneRun() throws {
        try IO.withTemporaryFolder { folder in
            _ = try SessionFixtures.files(in: folder)
            try Self.template.replacingOccurrences(of: "out/", with: "${dir}/").write(toFile: folder + "/card.yaml", atomically: true, encoding: .utf8)
            var csv = "sku,colour,photo,dir\n"
            for i in 0..<5 { csv += "S\(i),\(["teal", "navy", "gold", "plum", "coral"][i]),fig.png,DIR\n" }
            let template = try RecipeTemplate(contentsOf: folder + "/card.yaml")
            let whole = try Manifest(csv: csv.replacingOccurrences(of: "DIR", with: "one"))
            _ = try Batch(template: template, manifest: whole, reportPath: folder + "/one.jsonl").run()
            let sharded = try Manifest(csv: csv.replacingOccurrences(of: "DIR", with: "many"))
            var done: [String] = []
            for i in 0..<3 {
                let r = try Batch(template: template, manifest: sharded, shard: Shard(index: i, count: 3), reportPath: folder + "/s\(i).jsonl").run()
                done += r.map(\.id)
            }
            #expect(done.sorted() == ["S0", "S1", "S2", "S3", "S4"])
            #expect(IO.contents(of: folder + "/one") == IO.contents(of: folder + "/many"))
            for name in IO.contents(of: folder + "/one") {
                #expect(try IO.data(folder + "/one/" + name) == IO.data(folder + "/many/" + name), "\(name)")
            }
        }
    }
}
