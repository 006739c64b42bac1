// ProductScene: composes a product scene from the bundled photos with Compose, and writes a
// before/after sheet (the inputs, then the result).
//
//   swift run -c release ProductScene [SAMPLES_DIR] [OUT_DIR]
//
// Writes into OUT_DIR (default: out/scene):
//   scene.jpg   2400x1600: a studio backdrop (gradient), a meadow photo soft-lit over it, three
//               framed prints (rotated, feathered, harmonized to the backdrop), the light-bulb cut-out (harmonized) with a faded mirror
//               reflection, a radial vignette (multiply), and text layers in Chinese, English,
//               Japanese and Korean — 12 layers. The prints and the bulb are sized by their
//               real-world heights (postcards of 9–17 cm, a 30 cm bulb) at the scene's scale of
//               30 px/cm; the reflection is drawn at the bulb's scale (scale-like).
//   sheet.jpg   the inputs in a row above the result.
// Uses only the public Meld API.
import Foundation
import Meld

let arguments = CommandLine.arguments.dropFirst()
let samples = arguments.first ?? "Samples"
let output = arguments.dropFirst().first ?? "out/scene"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ProductScene: \(message)\n".utf8))
    exit(1)
}

do {
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
} catch {
    fail("cannot create \(output): \(error)")
}

func sample(_ name: String) -> String { (samples as NSString).appendingPathComponent(name) }

let clock = ContinuousClock()
do {
    // A mask made with Compose itself, black at the top to grey at the bottom: the reflection is
    // the product flipped upside down, so its brightest part lands next to the product.
    let fade = try Compose(canvas: .gradient(width: 64, height: 256, Gradient(from: .black, to: RGBA(red: 0.6, green: 0.6, blue: 0.6))),
                           layers: []).render()
    // A radial vignette: white centre to warm grey corners, multiplied over everything.
    let vignette = try Compose(canvas: .gradient(width: 600, height: 400,
                                                 Gradient(from: .white, to: RGBA(red: 0.72, green: 0.66, blue: 0.6), kind: .radial)),
                               layers: []).render()
    let inputs = ["fade": fade, "vignette": vignette]

    func print(_ file: String, anchor: Anchor, offset: [Length], height: RealLength, rotate: Double) -> Layer {
        // Harmonized (auto, 60 %) to the warm backdrop around each print, as if lit by the same light.
        var layer = Layer(.image(sample(file)), name: file, anchor: anchor, offset: offset, rotate: rotate, feather: 3,
                          harmonize: LayerHarmonize(method: .auto, strength: 0.6))
        layer.realSize = .height(height)
        return layer
    }
    var product = Layer(.image(sample("lightbulb_cutout.png")), name: "product", anchor: .bottom, offset: [0, -345],
                        harmonize: LayerHarmonize(method: .auto))
    product.realSize = .height(.cm(30))
    var reflection = Layer(.image(sample("lightbulb_cutout.png")), name: "reflection", mask: "fade", anchor: .top, offset: [0, 1255],
                           flip: .vertical, opacity: 0.45)
    reflection.scaleLike = .name("product")
    let layers: [Layer] = [
        // 1. Meadow texture soft-lit over the backdrop.
        Layer(.image(sample("dandelion_meadow_16mp.jpg")), name: "meadow", width: 2400, height: 1600, fit: .cover,
              opacity: 0.55, blend: .softLight),
        // 2–4. Framed prints on the back wall.
        print("fig_in_red_bowl.jpg", anchor: .topLeft, offset: [140, 250], height: .cm(16), rotate: -4),
        print("citrus_fruits.jpg", anchor: .bottomLeft, offset: [260, -350], height: .cm(9), rotate: 0),
        print("toy_bird_lamp.jpg", anchor: .topRight, offset: [-150, 260], height: .cm(17), rotate: 5),
        // 5. A shelf edge: a thin band of the vignette's grey, multiplied.
        Layer(.image("vignette"), name: "shelf", anchor: .bottom, offset: [0, -330], width: 2400, height: 18, fit: .fill,
              flip: .vertical, opacity: 0.8, blend: .multiply),
        // 6. The product's reflection: mirrored, faded by a gradient mask, at the product's scale.
        reflection,
        // 7. The product: a 30 cm bulb.
        product,  // bottom at y = 1255
        // 8. Vignette over the scene.
        Layer(.image("vignette"), name: "vignette", width: 2400, height: 1600, fit: .fill, blend: .multiply),
        // 9–12. Text.
        .text(TextStyle("新品上市 · New arrivals", font: "Noto Sans CJK SC Bold", size: 96, color: RGBA("#1d1d1f")!,
                        letterSpacing: 2), anchor: .top, offset: [0, 60]),
        .text(TextStyle("手工吹制玻璃灯泡  Hand-blown glass bulb", font: "Noto Sans CJK SC", size: 44,
                        color: RGBA("#3a3a3c")!), anchor: .bottomLeft, offset: [120, -170]),
        .text(TextStyle("<b>¥199</b>  <span foreground=\"#8e8e93\"><s>¥259</s></span>", markup: true,
                        font: "Noto Sans CJK SC", size: 72, color: RGBA("#c1272d")!), anchor: .bottomRight, offset: [-140, -160]),
        .text(TextStyle("限定モデル · 한정판", font: "Noto Sans CJK JP", size: 40, color: RGBA("#6e6e73")!),
              anchor: .bottomRight, offset: [-140, -100]),
    ]
    let scene = Compose(canvas: .gradient(width: 2400, height: 1600, Gradient(from: RGBA("#f7f1e8")!, to: RGBA("#d9c9b3")!)),
                        layers: layers, scale: SceneScale(pixelsPerCentimetre: 30))
    let start = clock.now
    try scene.render(inputs: inputs).write(to: output + "/scene.jpg", options: SaveOptions(quality: 90, overwrite: true))
    let took = clock.now - start

    // The sheet: inputs in a row (cut-out over white), the result below, captions.
    let files = ["dandelion_meadow_16mp.jpg", "fig_in_red_bowl.jpg", "citrus_fruits.jpg", "toy_bird_lamp.jpg", "lightbulb_cutout.png"]
    var sheetLayers: [Layer] = files.enumerated().map { i, f in
        Layer(.image(sample(f)), rect: [.pixels(Double(40 + i * 472)), 90, 440, 300], fit: .contain)
    }
    sheetLayers.append(.text(TextStyle("Inputs", font: "Noto Sans CJK SC Bold", size: 40), anchor: .topLeft, offset: [40, 24]))
    sheetLayers.append(.text(TextStyle("Compose: 12 layers, one canvas", font: "Noto Sans CJK SC Bold", size: 40),
                             anchor: .topLeft, offset: [40, 420]))
    sheetLayers.append(Layer(.image(output + "/scene.jpg"), rect: [40, 490, 2320, 1547], fit: .contain))
    let sheet = Compose(canvas: .color(width: 2400, height: 2080, .white), layers: sheetLayers)
    try sheet.render().write(to: output + "/sheet.jpg", options: SaveOptions(quality: 88, overwrite: true))
    Swift.print("ProductScene: wrote \(output)/scene.jpg (12 layers, composed and encoded in \(took.components.seconds * 1000 + took.components.attoseconds / 1_000_000_000_000_000) ms) and \(output)/sheet.jpg")
} catch {
    fail("\(error)")
}
