// SessionReplay: a ten-step editing session on a bundled photo — recolour, adjust, remove,
// place a cut-out, restyle, text, crop, resize — with an undo, a branch and a changed early
// step; then the session is exported as a recipe and replayed, and the replay is checked to be
// byte-identical to the session's own output.
//
//   swift run -c release SessionReplay [SAMPLES_DIR] [OUT_DIR]
//
// Writes into OUT_DIR (default: out/session):
//   session.jpg   the session's result
//   edit.yaml     the session as a recipe (inputs, ten steps, one output)
//   warm.cube     the 33³ LUT step 7 applies
//   replayed.jpg  what `meld run edit.yaml` writes: the same bytes as session.jpg
//   sheet.jpg     before and after, side by side
// Uses only the public Meld API.
import Foundation
import Meld

let arguments = CommandLine.arguments.dropFirst()
let samples = arguments.first ?? "Samples"
let output = arguments.dropFirst().first ?? "out/session"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("SessionReplay: \(message)\n".utf8))
    exit(1)
}

func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}

do {
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    let folder = absolute(output)
    let sample = { (name: String) in absolute((samples as NSString).appendingPathComponent(name)) }
    let session = try Session(inputs: [.init(name: "fig", path: sample("fig_in_red_bowl.jpg")),
                                       .init(name: "bulb", path: sample("lightbulb_cutout.png")),
                                       .init(name: "citrus", path: sample("citrus_fruits.jpg"))])
    func step(_ s: Step) throws {
        let start = Date()
        try session.apply(s)
        print(String(format: "%2d  %@  (%.2f s)", session.history.count - 1, s.commandLine, Date().timeIntervalSince(start)))
    }

    // 0. The bowl to mint, not the fig in it: three magic wands (the lit bowl, its shadowed
    // side, the fig's shadow in it) — the fig's white rind stops them — grown and feathered 2 px.
    let bowl = Selection.magicWand(x: 900, y: 1000, tolerance: 40)
        .union(.magicWand(x: 1993, y: 1190, tolerance: 30))
        .union(.magicWand(x: 1250, y: 800, tolerance: 30))
        .grown(by: 2).feathered(radius: 2)
    try step(.recolor(Recolor(region: bowl, to: .colour(RGBA("#3EB489")!))))
    // 1–3: the command-line vocabulary, as in `meld session`.
    try step(Step(commandLine: "adjust exposure=0.15 contrast=10"))
    try step(Step(commandLine: "remove region=rect:330,880,170,170 seed=7"))
    try step(Step(commandLine: "place image=bulb anchor=top-right x=-320 y=60 height=36% harmonize=auto"))
    // A look from the citrus photo — then undone, and a gentler saturation boost instead (a branch).
    try step(Step(commandLine: "transfer reference=citrus strength=0.6"))
    session.undo()
    print("    undo → back to step \(session.history.count - 1)")
    try step(Step(commandLine: "adjust saturation=15"))
    try step(.compose(.inline(Compose(canvas: .input, layers: [
        Layer(.text(TextStyle("无花果 · Fig, fresh today", font: "Noto Sans CJK SC Bold", size: 96, color: .white)),
              anchor: .bottomLeft, offset: [90, -90]),
    ]))))
    // A warm film grade as a 33³ LUT, written as a .cube file and applied at 60 %.
    let warm = try ColourLUT(size: 33, title: "warm film") { r, g, b in
        let lift: (Float) -> Float = { 0.04 + 0.92 * $0 * $0 * (3 - 2 * $0) * 0.35 + 0.65 * 0.92 * $0 }
        return (min(1, lift(r) * 1.04), lift(g), lift(b) * 0.9)
    }
    try warm.writeCube(to: folder + "/warm.cube", overwrite: true)
    try step(Step(commandLine: "lut cube=\(folder)/warm.cube strength=0.6"))
    try step(Step(commandLine: "crop rect=0,0,2400,1740"))
    try step(Step(commandLine: "transfer reference=citrus strength=0.2"))
    try step(Step(commandLine: "resize width=1600"))

    // Change step 0 (mint → teal): steps 0… are recomputed, nothing before them.
    let before = session.stepsComputed
    try session.replaceStep(at: 0, with: .recolor(Recolor(region: bowl, to: .colour(RGBA("#2A9D8F")!))))
    print("    replaced step 0 (mint → teal): recomputed \(session.stepsComputed - before) of \(session.history.count) steps")

    let result = try session.image()
    try result.write(to: folder + "/session.jpg", options: SaveOptions(quality: 90, overwrite: true))
    let recipe = session.recipe(outputs: [.init(path: "replayed.jpg", options: SaveOptions(quality: 90))])
    try recipe.write(to: folder + "/edit.yaml", overwrite: true)
    print("    \(session.entries.count) steps applied, \(session.history.count) in the history; recipe: \(output)/edit.yaml")

    // Replay the recipe as `meld run` does and compare bytes.
    let template = try RecipeTemplate(contentsOf: folder + "/edit.yaml")
    let written = try Recipe(template: template).run(baseDirectory: template.baseDirectory, overwrite: true)
    let a = FileManager.default.contents(atPath: folder + "/session.jpg"), b = FileManager.default.contents(atPath: written[0].path)
    guard let a, a == b else { fail("the replay differs from the session's output") }
    print("    replayed \(output)/replayed.jpg: byte-identical to session.jpg (\(a.count) bytes, digest \(written[0].digest))")

    // Before and after, side by side.
    let original = try Image(contentsOf: sample("fig_in_red_bowl.jpg"), resizedWith: Resize(.fit(width: 1000, height: 800)))
    let after = try result.applying(Resize(.fit(width: 1000, height: 800)))
    try original.write(to: folder + "/.before.png", options: SaveOptions(overwrite: true))
    try after.write(to: folder + "/.after.png", options: SaveOptions(overwrite: true))
    let label = { (text: String, x: Double) in
        Layer(.text(TextStyle(text, font: "Noto Sans CJK SC Bold", size: 36, color: RGBA("#333333")!)), anchor: .topLeft, offset: [.pixels(x), 20])
    }
    let sheet = try Compose(canvas: .color(width: 2100, height: 120 + max(original.height, after.height), RGBA("#f4f1ec")!), layers: [
        Layer(.image(".before.png"), anchor: .topLeft, offset: [30, 90]), label("Before", 30),
        Layer(.image(".after.png"), anchor: .topLeft, offset: [1070, 90]), label("After ten session steps (replayed byte for byte)", 1070),
    ]).render(baseDirectory: folder)
    try sheet.write(to: folder + "/sheet.jpg", options: SaveOptions(quality: 85, overwrite: true))
    try? FileManager.default.removeItem(atPath: folder + "/.before.png")
    try? FileManager.default.removeItem(atPath: folder + "/.after.png")
    print("    sheet: \(output)/sheet.jpg")
} catch let error as MeldError {
    fail(error.description)
} catch {
    fail("\(error)")
}
