// Colourways: one product photo in eight colours on one sheet, and an object removed from a
// scene — local edits that leave every other pixel exactly as it was.
//
//   swift run -c release Colourways [SAMPLES_DIR] [OUT_DIR]
//
// Writes into OUT_DIR (default: out/colourways):
//   colourways.jpg      the bowl of Samples/fig_in_red_bowl.jpg recoloured to eight colours, a 4 × 2 sheet
//   colourway-<name>.png each recolour at 800 px, lossless
//   removed.jpg         the fig taken out of the bowl (PatchMatch fill), before | after
// Uses only the public Meld API.
import Foundation
import Meld

let arguments = CommandLine.arguments.dropFirst()
let samples = arguments.first ?? "Samples"
let output = arguments.dropFirst().first ?? "out/colourways"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("Colourways: \(message)\n".utf8))
    exit(1)
}

/// Lays rasters of equal size out in a grid with a white gap, in Meld's working format.
func sheet(_ tiles: [Raster], columns: Int, gap: Int = 8) -> Raster {
    let w = tiles[0].width, h = tiles[0].height, rows = (tiles.count + columns - 1) / columns
    var out = Raster(width: columns * w + (columns + 1) * gap, height: rows * h + (rows + 1) * gap, layout: .rgb)
    out.withMutableView { dst in
        for c in 0..<3 { dst.plane(c).update(repeating: 1, count: dst.width * dst.height) }
    }
    for (i, tile) in tiles.enumerated() {
        let x0 = gap + (i % columns) * (w + gap), y0 = gap + (i / columns) * (h + gap)
        tile.withView { src in
            out.withMutableView { dst in
                for c in 0..<3 {
                    for y in 0..<h { (dst.row(y0 + y, channel: c) + x0).update(from: src.row(y, channel: c), count: w) }
                }
            }
        }
    }
    return out
}

do {
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    let clock = ContinuousClock()
    let photo = try Image(contentsOf: "\(samples)/fig_in_red_bowl.jpg", resizedWith: Resize(.width(800)))

    // The bowl: magic wands from its lit side, its shaded side and the fig's shadow (lightness
    // counts half in selection distances, but light and shade here differ a lot), grown by a
    // pixel to take the anti-aliased rim and feathered over two.
    let bowl = Selection.magicWand(x: 650, y: 250, tolerance: 22)
        .union(.magicWand(x: 620, y: 420, tolerance: 22))
        .union(.magicWand(x: 395, y: 205, tolerance: 22))
        .grown(by: 1)
        .feathered(radius: 2)
    let colours = ["navy", "teal", "forestgreen", "gold", "rebeccapurple", "hotpink", "white", "#202020"]
    var tiles: [Raster] = []
    for name in colours {
        guard let colour = RGBA(name) else { fail("unknown colour \(name)") }
        let start = clock.now
        let recoloured = try photo.applying(Recolor(region: bowl, to: .colour(colour)))
        let file = name.hasPrefix("#") ? "charcoal" : name
        try recoloured.write(to: "\(output)/colourway-\(file).png", options: SaveOptions(overwrite: true))
        tiles.append(try recoloured.resized(.width(392)).raster())
        print("recolour to \(name): \(clock.now - start)")
    }
    try Image(raster: sheet(tiles, columns: 4)).write(to: "\(output)/colourways.jpg", options: SaveOptions(quality: 88, overwrite: true))

    // Take the fig out of the bowl: the bowl's wood rings continue through the hole.
    let start = clock.now
    let fig = Selection.ellipse(centerX: 446, centerY: 298, radiusX: 121, radiusY: 111).grown(by: 5)
    let removed = try photo.applying(Remove(region: fig, method: .patchMatch, seed: 1))
    print("remove the fig: \(clock.now - start)")
    let pair = sheet([try photo.resized(.width(592)).raster(), try removed.resized(.width(592)).raster()], columns: 2)
    try Image(raster: pair).write(to: "\(output)/removed.jpg", options: SaveOptions(quality: 88, overwrite: true))
    print("wrote \(output)/colourways.jpg and \(output)/removed.jpg")
} catch let error as MeldError {
    fail("\(error)")
} catch {
    fail("\(error)")
}
