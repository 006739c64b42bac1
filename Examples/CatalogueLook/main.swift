// CatalogueLook: give a set of photos one look, as a catalogue needs.
//
//   swift run CatalogueLook [samples-folder] [output-folder]
//
// Restyles five differently lit photos to the golden, backlit look of Samples/dandelion_meadow_16mp.jpg
// with ColourTransfer.harmonizeSet (Reinhard statistics in Lab, strength 0.8), and once more to the set's own
// pooled look (no reference: every photo moves toward the average). Writes one-look.jpg: a
// sheet with the originals in the top row, the reference look in the middle row and the pooled
// look in the bottom row.
import Foundation
import Meld

let arguments = CommandLine.arguments.dropFirst()
let samples = arguments.first ?? "Samples"
let output = arguments.dropFirst().first ?? "out/examples/catalogue"
let names = ["citrus_fruits.jpg", "toy_bird_lamp.jpg", "bridge_at_night.jpg", "grace_hopper.jpg", "fig_in_red_bowl.jpg"]
let cell = 300, gap = 8

/// Copies `tile` (RGB) into `sheet` at (x0, y0).
func place(_ tile: Raster, into sheet: inout Raster, x0: Int, y0: Int) {
    tile.withView { src in
        sheet.withMutableView { dst in
            for c in 0..<3 {
                for y in 0..<tile.height {
                    (dst.row(y0 + y, channel: c) + x0).update(from: src.row(y, channel: min(c, tile.channels - 1)), count: tile.width)
                }
            }
        }
    }
}

do {
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    let thumbs = try names.map { try Image(contentsOf: "\(samples)/\($0)", resizedWith: Resize(.fill(width: cell, height: cell))) }
    let reference = try Image(contentsOf: "\(samples)/dandelion_meadow_16mp.jpg", resizedWith: Resize(.fit(width: 1024, height: 1024)))
    let start = ContinuousClock.now
    // 80 % of the way: a whole catalogue pulled fully onto one photo's statistics looks forced.
    let toReference = try ColourTransfer.harmonizeSet(thumbs, to: reference, using: ColourTransfer(strength: 0.8))
    let pooled = try ColourTransfer.harmonizeSet(thumbs)
    print("one look for \(thumbs.count) photos, twice, in \(ContinuousClock.now - start)")
    let rows = [thumbs, toReference, pooled]
    var sheet = Raster(width: names.count * cell + (names.count + 1) * gap, height: rows.count * cell + (rows.count + 1) * gap, layout: .rgb)
    let planeCount = sheet.planeCount
    sheet.withMutableView { v in for c in 0..<3 { v.plane(c).update(repeating: 1, count: planeCount) } }
    for (r, row) in rows.enumerated() {
        for (i, image) in row.enumerated() {
            place(try image.raster(), into: &sheet, x0: gap + i * (cell + gap), y0: gap + r * (cell + gap))
        }
    }
    try Image(raster: sheet).write(to: "\(output)/one-look.jpg", options: SaveOptions(quality: 88, overwrite: true))
    try reference.applying(Resize(.fill(width: cell, height: cell))).write(to: "\(output)/reference.jpg", options: SaveOptions(quality: 88, overwrite: true))

    // The same as a Compose option: a catalogue strip of the five photos on a paper-white page,
    // composed once as shot and once with `look` (every image layer restyled to the reference
    // before it is placed). In a recipe: `look: {reference: meadow.jpg, strength: 0.8}`.
    let width = names.count * cell + (names.count + 1) * gap
    func page(_ look: ComposeLook?) throws -> Image {
        var inputs: [String: Image] = ["meadow": reference]
        var layers: [Layer] = []
        for (i, name) in names.enumerated() {
            inputs[name] = thumbs[i]
            layers.append(Layer(.image(name), anchor: .topLeft, rect: [.pixels(Double(gap + i * (cell + gap))), .pixels(Double(gap)), .pixels(Double(cell)), .pixels(Double(cell))], fit: .cover))
        }
        let compose = Compose(canvas: .color(width: width, height: cell + 2 * gap, RGBA(red: 0.97, green: 0.96, blue: 0.94)),
                              layers: layers, look: look)
        return try compose.render(inputs: inputs)
    }
    let t0 = ContinuousClock.now
    let asShot = try page(nil).raster()
    let oneLook = try page(ComposeLook(reference: "meadow", transfer: ColourTransfer(strength: 0.8))).raster()
    print("composed the page twice (as shot, with look) in \(ContinuousClock.now - t0)")
    var pages = Raster(width: width, height: 2 * asShot.height, layout: .rgb)
    place(asShot, into: &pages, x0: 0, y0: 0)
    place(oneLook, into: &pages, x0: 0, y0: asShot.height)
    try Image(raster: pages).write(to: "\(output)/compose-look.jpg", options: SaveOptions(quality: 88, overwrite: true))
    print("wrote \(output)/one-look.jpg, compose-look.jpg and reference.jpg")
} catch {
    FileHandle.standardError.write(Data("CatalogueLook: \(error)\n".utf8))
    exit(1)
}
