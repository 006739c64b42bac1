// ProductShot: turns a product photo into a lifestyle shot — cut the product out, place it in a
// scene, match its light to the scene, and ground it with shadows.
//
//   swift run -c release ProductShot [SAMPLES_DIR] [OUT_DIR]
//
// Writes into OUT_DIR (default: out/product-shot):
//   cutout.png      the wine bottle cut out of its interior photo (box-guided: the photo is busy)
//   lifestyle.jpg   the bottle on a tabletop in front of the backlit dandelion meadow: harmonized
//                   to the scene, with a contact shadow and the low sun's cast shadow
//   sheet.jpg       product photo, cut-out on a checkerboard, lifestyle shot side by side
// Uses only the public Meld API.
import Foundation
import Meld

let arguments = CommandLine.arguments.dropFirst()
let samples = arguments.first ?? "Samples"
let output = arguments.dropFirst().first ?? "out/product-shot"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ProductShot: \(message)\n".utf8))
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
    // 1. Cut out: the bottle stands on a pallet table in front of a wall; a box around it says
    //    what the product is (everything outside the box is background).
    let photo = try Image(contentsOf: sample("wine_bottle.jpg"))
    let start = clock.now
    let bottle = try photo.applying(Cutout(box: Rect(x: 215, y: 60, width: 210, height: 860)))
    try bottle.write(to: output + "/cutout.png", options: SaveOptions(overwrite: true))
    let cutTime = clock.now - start

    // 2. The scene: the backlit dandelion meadow as a soft backdrop, a warm tabletop across the
    //    bottom (a gradient made with Compose itself, its far edge feathered into the meadow), and
    //    the bottle standing on it: harmonized to the warm light, with a soft contact shadow and the
    //    low sun's shadow falling toward the viewer.
    //    Shadow colour and strength come from the table beneath.
    let meadow = try Image(contentsOf: sample("dandelion_meadow_16mp.jpg"), resizedWith: Resize(.width(2400)))
    let table = try Compose(canvas: .gradient(width: 64, height: 256, Gradient(from: RGBA("#a4825c")!, to: RGBA("#5a4028")!)),
                            layers: []).render()
    let scene = Compose(canvas: .input, layers: [
        Layer(.image("table"), name: "table", anchor: .bottom, width: 2400, height: .relative(0.3), fit: .fill, feather: 20),
        Layer(.image("bottle"), name: "bottle", anchor: .bottom, offset: [.relative(-0.08), .relative(-0.06)],
              height: .relative(0.8), harmonize: LayerHarmonize(method: .auto, strength: 0.6))
            .grounded(shadows: [LayerShadow(.cast(angle: 205, length: 0.3), softness: 1.5), LayerShadow(.contact)]),
    ])
    let lifestyle = try scene.render(inputs: ["input": meadow, "bottle": bottle, "table": table])
    try lifestyle.write(to: output + "/lifestyle.jpg", options: SaveOptions(quality: 90, overwrite: true))

    // 3. The sheet: photo, cut-out on a checkerboard, lifestyle shot.
    let checker = try Compose(canvas: .color(width: 600, height: 950, RGBA("#d0d0d0")!),
                              layers: (0..<(12 * 19)).compactMap { i -> Layer? in
                                  let x = i % 12, y = i / 12
                                  guard (x + y) % 2 == 0 else { return nil }
                                  return Layer(.image("white"), rect: [.pixels(Double(x * 50)), .pixels(Double(y * 50)), 50, 50])
                              } + [Layer(.image("bottle"), rect: [0, 0, 600, 950])])
        .render(inputs: ["white": try Compose(canvas: .color(width: 50, height: 50, .white), layers: []).render(), "bottle": bottle])
    let sheet = Compose(canvas: .color(width: 2400, height: 1040, .white), layers: [
        Layer(.image("photo"), rect: [20, 70, 560, 950], fit: .contain),
        Layer(.image("checker"), rect: [600, 70, 560, 950], fit: .contain),
        Layer(.image("lifestyle"), rect: [1180, 70, 1200, 950], fit: .contain),
        .text(TextStyle("Product photo", font: "Noto Sans CJK SC Bold", size: 36), anchor: .topLeft, offset: [20, 16]),
        .text(TextStyle("meld cutout --box", font: "Noto Sans CJK SC Bold", size: 36), anchor: .topLeft, offset: [600, 16]),
        .text(TextStyle("Placed, harmonized, shadowed", font: "Noto Sans CJK SC Bold", size: 36), anchor: .topLeft, offset: [1180, 16]),
    ])
    try sheet.render(inputs: ["photo": photo, "checker": checker, "lifestyle": lifestyle])
        .write(to: output + "/sheet.jpg", options: SaveOptions(quality: 86, overwrite: true))
    Swift.print("ProductShot: cut out in \(cutTime), wrote \(output)/cutout.png, lifestyle.jpg and sheet.jpg")
} catch {
    fail("\(error)")
}
