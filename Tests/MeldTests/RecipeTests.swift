import Foundation
import Meld
import MeldTestSupport
import Testing

/// One of every step kind, with region wrappers and non-default fields, for round trips.
let everyStepKind: [Step] = [
    .recolor(Recolor(region: .magicWand(x: 40, y: 30, tolerance: 12), to: .colour(RGBA("#3EB489")!))),
    .recolor(Recolor(region: Selection.colourRange(RGBA("#B22222")!, tolerance: 25, fuzziness: 10).grown(by: 3).inverse.feathered(radius: 4),
                     to: .swatch(path: "swatch.png"))),
    .recolor(Recolor(region: Selection.rectangle(Rect(x: 0, y: 0, width: 9, height: 9)).union(.ellipse(centerX: 5, centerY: 5, radiusX: 3, radiusY: 2)),
                     to: .colour(.white))),
    .adjust(Adjust(region: .all, exposure: 0.5, contrast: 10, curve: [.init(x: 0, y: 0.1), .init(x: 1, y: 0.9)])),
    .adjust(Adjust(region: .polygon([.init(x: 1, y: 1), .init(x: 50, y: 2), .init(x: 20, y: 40.5)]), temperature: 20, tint: -5, saturation: -30)),
    .remove(Remove(region: .mask(path: "hole.png"), method: .patchMatch, seed: 7, patchSize: 9)),
    .remove(Remove(region: .rectangle(Rect(x: 3, y: 4, width: 5, height: 6)), method: .diffusion)),
    .background(ReplaceBackground(subject: .subject, background: .colour(RGBA("navy")!))),
    .background(ReplaceBackground(subject: .mask(path: "m.png"), background: .linearGradient(from: .white, to: .black, angle: 45), harmonization: 0.5)),
    .background(ReplaceBackground(background: .image(path: "beach.jpg"))),
    .harmonize(Harmonize(mask: "obj.png", method: .whiteBalance, strength: 0.7, reference: .ring(.relative(0.2)))),
    .harmonize(Harmonize(mask: "obj.png", reference: .whole)),
    .compose(.file("layers.yaml")),
    .compose(.inline(Compose(canvas: .input, layers: [.image("logo", anchor: .bottomRight, offset: [-10, -10], width: .relative(0.2))]))),
    .transfer(Step.Transfer(reference: "ref.jpg", transfer: ColourTransfer(method: .slicedOT, strength: 0.8, regrain: false, iterations: 5, seed: 3),
                            region: .rectangle(Rect(x: 0, y: 0, width: 10, height: 10)), referenceRegion: .ellipse(centerX: 5, centerY: 5, radiusX: 4, radiusY: 4))),
    .lut(Step.LUT(.cube("look.cube"), strength: 0.5, region: .subject)),
    .lut(Step.LUT(.hald("hald.png"))),
    .remap(Step.Remap(palette: .colours([RGBA("#112233")!, RGBA("#AABBCC")!]), keepLightness: true, strength: 0.9)),
    .remap(Step.Remap(palette: .image("pal.jpg", count: 4), region: .all)),
    .texture(Step.Texture(pattern: "moss.jpg", region: .mask(path: "shirt.png"), transfer: TextureTransfer(patchSize: 24, patternScale: 0.5, shading: 1.2, seed: 9))),
    .resize(Resize(.width(800))), .resize(Resize(.fit(width: 400, height: 300), kernel: .mitchell)), .resize(Resize(.scale(0.5))),
    .resize(Resize(.fill(width: 100, height: 100))), .resize(Resize(.exact(width: 10, height: 20))), .resize(Resize(.height(7))),
    .crop(Crop(Rect(x: 1, y: 2, width: 30, height: 40))),
    .rotate(Rotate(degrees: 12.5, background: .white)), .rotate(Rotate(degrees: 90)),
    .flip(Flip(.vertical)), .flip(Flip(.horizontal)),
    .watermark(Watermark(.text("© 2026 Meld 样品"), placement: .tiled, opacity: 0.3)),
    .watermark(Watermark(.logo("logo.png"), placement: .topLeft, size: 0.15, margin: 0.05)),
    .cutout(Cutout()), .cutout(Cutout(box: Rect(x: 5, y: 6, width: 70, height: 80), edgeRadius: 4, despill: false)),
    .recolor(Recolor(region: .object(in: Rect(x: 1, y: 2, width: 30, height: 40)), to: .colour(.black))),
    .invisibleWatermark(InvisibleWatermark(key: "s3cret", payload: try! WatermarkPayload(hex: "00c0ffee"), strength: 1.5)),
]

@Suite("Recipes: schema, round trips and errors")
struct RecipeTests {
    /// Every step kind survives the recipe form (JSON and YAML) and the command-line form.
    @Test func everyStepRoundTrips() throws {
        var recipe = Recipe(inputs: [.init(name: "photo", path: "photo.jpg"), .init(name: "logo", path: "logo.png")],
                            steps: everyStepKind,
                            outputs: [.init(path: "out/a.jpg", resize: Resize(.width(2000)), options: SaveOptions(quality: 92, progressive: true, stripMetadata: true)),
                                      .init(path: "out/b.webp", resize: Resize(.fit(width: 800, height: 800))),
                                      .init(path: "out/c.png", options: SaveOptions(pngCompression: 9, bitDepth: 16), steps: [.flip(Flip(.vertical))])])
        recipe.outputSteps = [.invisibleWatermark(InvisibleWatermark(key: "k", payload: try WatermarkPayload(hex: "ab")))]
        let yaml = try recipe.yaml()
        #expect(try Recipe(text: yaml, yaml: true) == recipe, "\(yaml)")
        let json = try recipe.json()
        #expect(try Recipe(text: json, yaml: false) == recipe, "\(json)")
        // Codable too (through JSONEncoder).
        let coded = try JSONDecoder().decode(Recipe.self, from: JSONEncoder().encode(recipe))
        #expect(coded == recipe)
        for step in everyStepKind {
            guard case .compose(.inline) = step else {
                #expect(try Step(commandLine: step.commandLine) == step, "\(step.commandLine)")
                continue
            }
        }
    }

    /// The command line reads quotes, CSS colours, and the `place` shorthand.
    @Test func commandLines() throws {
        #expect(try Step(commandLine: "recolor region=wand:40,30~12 to=#3EB489") == everyStepKind[0])
        #expect(try Step(commandLine: "recolor region=\"rect:0, 0, 5, 5\" to=mintcream")
                == .recolor(Recolor(region: .rectangle(Rect(x: 0, y: 0, width: 5, height: 5)), to: .colour(RGBA("mintcream")!))))
        guard case .compose(.inline(let c)) = try Step(commandLine: "place image=logo x=10 y=20 width=25% blend=multiply") else {
            Issue.record("place is not an inline compose"); return
        }
        #expect(c.canvas == .input)
        #expect(c.layers.count == 1 && c.layers[0].content == .image("logo") && c.layers[0].blend == .multiply)
        #expect(c.layers[0].anchor == .topLeft && c.layers[0].offset == [10, 20] && c.layers[0].width == .relative(0.25))
        #expect(try Step.words(in: #"a b="c d" e='f\g' h=i\ j # comment"#) == ["a", "b=c d", "e=f\\g", "h=i j"])
        // Numbers typed on a line reach Codable fields as numbers, and text fields as typed.
        guard case .compose(.inline(let faded)) = try Step(commandLine: "place image=007 opacity=0.5 rotate=-10") else {
            Issue.record("place is not an inline compose"); return
        }
        #expect(faded.layers[0].opacity == 0.5 && faded.layers[0].rotate == -10 && faded.layers[0].content == .image("007"))
        #expect(try Step(commandLine: "invisible-watermark key=1234 payload=0042")
                == .invisibleWatermark(InvisibleWatermark(key: "1234", payload: try WatermarkPayload(hex: "0042"))))
        #expect(try Step(commandLine: "watermark text=2026 opacity=0.4") == .watermark(Watermark(.text("2026"), opacity: 0.4)))
    }

    struct BadRecipe: Sendable, CustomTestStringConvertible {
        let name: String
        let yaml: String
        let message: String
        var testDescription: String { name }
    }

    static let badRecipes: [BadRecipe] = [
        BadRecipe(name: "unknown top-level field", yaml: "version: 1\ninputs: {a: a.png}\noutptus: []\n",
                  message: "r.yaml:3: outptus: unknown field"),
        BadRecipe(name: "unknown step field", yaml: "inputs: {a: a.png}\nsteps:\n  - recolor:\n      region: all\n      colour: red\n",
                  message: "r.yaml:5: steps[0].recolor.colour: unknown field"),
        BadRecipe(name: "unknown step", yaml: "inputs: {a: a.png}\nsteps:\n  - blur: {sigma: 2}\n",
                  message: "r.yaml:3: steps[0].blur: unknown step 'blur'"),
        BadRecipe(name: "wrong type", yaml: "inputs: {a: a.png}\noutputs:\n  - path: x.jpg\n    quality: high\n",
                  message: "outputs[0].quality: 'high' is not a number"),
        BadRecipe(name: "bad colour", yaml: "inputs: {a: a.png}\nsteps:\n  - recolor: {region: all, to: mintt}\n",
                  message: "steps[0].recolor.to: unknown colour 'mintt'"),
        BadRecipe(name: "bad region", yaml: "inputs: {a: a.png}\nsteps:\n  - remove: {region: \"rect:1,2,3\"}\n",
                  message: "needs 4 numbers"),
        BadRecipe(name: "missing field", yaml: "inputs: {a: a.png}\nsteps:\n  - harmonize: {strength: 1}\n",
                  message: "steps[0].harmonize.mask: missing"),
        BadRecipe(name: "value out of range", yaml: "inputs: {a: a.png}\nsteps:\n  - adjust: {exposure: 40}\n",
                  message: "steps[0].adjust"),
        BadRecipe(name: "unknown variable", yaml: "inputs: {a: \"${photo}\"}\n", message: "r.yaml:1: inputs.a: unknown variable ${photo}"),
        BadRecipe(name: "future version", yaml: "version: 2\ninputs: {a: a.png}\n", message: "version 2 is not supported"),
        BadRecipe(name: "duplicate key", yaml: "inputs: {a: a.png}\ninputs: {b: b.png}\n", message: "duplicated key(s): 'inputs'"),
        BadRecipe(name: "no inputs", yaml: "steps: []\n", message: "at least one input"),
        BadRecipe(name: "step with two names", yaml: "inputs: {a: a.png}\nsteps:\n  - {flip: {}, crop: {rect: \"0,0,1,1\"}}\n",
                  message: "steps[0]: a step is an object with one key"),
        BadRecipe(name: "output twice", yaml: "inputs: {a: a.png}\noutputs: [{path: x.jpg}, {path: x.jpg}]\n", message: "written twice"),
        BadRecipe(name: "output without format", yaml: "inputs: {a: a.png}\noutputs: [{path: x.bin}]\n", message: "cannot tell the format"),
        BadRecipe(name: "unknown layer field", yaml: "inputs: {a: a.png}\nsteps:\n  - compose: {canvas: input, layers: [{image: a, opcity: 0.5}]}\n",
                  message: "r.yaml:3: steps[0].compose: layers[0].opcity: unknown field (known here: image, text,"),
        BadRecipe(name: "unknown watermark field", yaml: "inputs: {a: a.png}\nsteps:\n  - watermark: {text: x, opactiy: 0.5}\n",
                  message: "steps[0].watermark.opactiy: unknown field"),
        BadRecipe(name: "huge crop", yaml: "inputs: {a: a.png}\nsteps:\n  - crop: {rect: \"9223372036854775800,0,100,100\"}\n",
                  message: "steps[0].crop.rect: takes x,y,width,height in whole pixels (each within ±1e9)"),
        BadRecipe(name: "crop with a bad number", yaml: "inputs: {a: a.png}\nsteps:\n  - crop: {rect: \"10,abc,20,30,40\"}\n",
                  message: "steps[0].crop.rect: takes x,y,width,height"),
        BadRecipe(name: "bad region spec names its step", yaml: "inputs: {a: a.png}\nsteps:\n  - recolor: {region: \"wand:x\", to: red}\n",
                  message: "r.yaml:3: steps[0].recolor: region: 'wand:x'"),
        BadRecipe(name: "null input", yaml: "inputs: {a: ~}\n", message: "inputs.a: expected a path"),
        BadRecipe(name: "YAML syntax", yaml: "inputs: {a: a.png\n", message: "YAML syntax error"),
        BadRecipe(name: "not an object", yaml: "- 1\n- 2\n", message: "expected an object"),
    ]

    /// Every schema error is `.invalidArgument` naming the line and the field.
    @Test(arguments: badRecipes)
    func schemaErrors(_ bad: BadRecipe) {
        let error = IO.error { _ = try Recipe(text: bad.yaml, yaml: true, name: "r.yaml") }
        #expect(error?.kind == .invalidArgument)
        #expect(error?.message.contains(bad.message) == true, "\(error?.message ?? "no error")")
    }

    /// JSON errors name the line and the path too.
    @Test func jsonErrors() {
        let error = IO.error { _ = try Recipe(text: #"{"inputs": {"a": "a.png"}, "steps": [{"crop": {"rect": "1,2"}}]}"#, yaml: false, name: "r.json") }
        #expect(error?.message.contains("r.json:1: steps[0].crop.rect: takes x,y,width,height") == true, "\(error?.message ?? "")")
        let syntax = IO.error { _ = try Recipe(text: "{\"inputs\": ", yaml: false, name: "r.json") }
        #expect(syntax?.kind == .invalidArgument && syntax?.message.contains("not valid JSON") == true)
    }

    /// Variables fill strings anywhere; `$${` is a literal; numbers may come as strings.
    @Test func variables() throws {
        let text = "inputs: {a: \"${dir}/${name}.png\"}\nsteps:\n  - adjust: {exposure: \"${ev}\"}\noutputs:\n  - path: \"out/${name}-$${x}.jpg\"\n"
        let template = try RecipeTemplate(text: text, yaml: true)
        #expect(template.variables == ["dir", "ev", "name"])
        let r = try Recipe(template: template, variables: ["dir": "in", "name": "sku 7", "ev": "0.5"])
        #expect(r.inputs == [.init(name: "a", path: "in/sku 7.png")])
        #expect(r.steps == [.adjust(Adjust(region: .all, exposure: 0.5))])
        #expect(r.outputs.map(\.path) == ["out/sku 7-${x}.jpg"])
        // A string that is exactly one variable holding a number reaches Codable fields as a number.
        let typed = try Recipe(text: "inputs: {a: a.png}\nsteps:\n  - watermark: {text: x, opacity: \"${o}\"}\n", yaml: true, variables: ["o": "0.4"])
        #expect(typed.steps == [.watermark(Watermark(.text("x"), opacity: 0.4))])
        // Scalars YAML reads as numbers or booleans keep their text where a string is wanted.
        let plain = try Recipe(text: "inputs: {a: 0123, b: yes}\n", yaml: true)
        #expect(plain.inputs == [.init(name: "a", path: "0123"), .init(name: "b", path: "yes")])
    }

    /// Strings YAML would read as something else, control characters and a literal `${` survive
    /// a write and a read, in YAML and JSON.
    @Test func trickyStringsRoundTrip() throws {
        for text in ["1_000", "0_7", ".inf", "-.NaN", "+1", "yes", "~", " padded ", "a: b # c", "${not a variable}",
                     "line\nbreak\ttab", "del\u{7F} nel\u{85} ls\u{2028} bom\u{FEFF}", "无花果 · Fig", "12%", "-10"] {
            let r = Recipe(inputs: [.init(name: "a", path: "a.png")], steps: [.watermark(Watermark(.text(text)))],
                           outputs: [.init(path: "out.jpg")])
            #expect(try Recipe(text: r.yaml(), yaml: true) == r, "\(text.debugDescription)")
            #expect(try Recipe(text: r.json(), yaml: false) == r, "\(text.debugDescription)")
        }
        let seeds = Recipe(inputs: [.init(name: "a", path: "a.png")], steps: [.remove(Remove(region: .all, seed: UInt64.max - 5))])
        #expect(try Recipe(text: seeds.yaml(), yaml: true) == seeds)
    }

    /// The exported YAML is readable: plain where YAML allows, quoted where it must be.
    @Test func yamlIsPlainWherePossible() throws {
        let r = Recipe(inputs: [.init(name: "room", path: "room photo.jpg")], steps: [everyStepKind[0], .resize(Resize(.width(800)))],
                       outputs: [.init(path: "out/room.jpg")])
        let yaml = try r.yaml()
        #expect(yaml.contains("room: room photo.jpg\n"))
        #expect(yaml.contains("region: \"wand:40,30~12\"\n"))
        #expect(yaml.contains("to: \"#3EB489\"\n"))
        #expect(yaml.contains("width: 800\n"))
    }
}
