// Seamless cloning, before and after: the toy bird from Samples/toy_bird_lamp.jpg is pasted into
// the evening sky of Samples/dandelion_meadow_16mp.jpg three ways — a plain paste through the
// mask, multi-band blending, and Poisson (normal) cloning — and the three results are laid side
// by side.
//
//   swift run SeamlessCloneDemo [Samples folder] [output folder]
//
// Writes <output>/bird-{paste,multiband,normal}.jpg (full size) and <output>/seamless-clone.jpg
// (the comparison, the picture in the README). Uses only the public Meld API.
import Foundation
import Meld

let arguments = CommandLine.arguments
let samples = arguments.count > 1 ? arguments[1] : "Samples"
let output = arguments.count > 2 ? arguments[2] : "out/seamless-clone"

do {
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    let source = try Image(contentsOf: samples + "/toy_bird_lamp.jpg")        // 2880 x 2160
    let meadow = try Image(contentsOf: samples + "/dandelion_meadow_16mp.jpg") // 5312 x 2988

    // A tilted ellipse around the bird, in the source's coordinates (the mask has the source's size).
    var coverage = Raster(width: source.width, height: source.height, layout: .gray)
    coverage.isPremultiplied = false
    let (cx, cy, a, b, tilt) = (1290.0, 1545.0, 640.0, 330.0, -0.12)
    coverage.withMutableView { view in
        for y in 1150..<1950 {
            let row = view.row(y, channel: 0)
            for x in 600..<1990 {
                let dx = Double(x) - cx, dy = Double(y) - cy
                let u = (dx * cos(tilt) + dy * sin(tilt)) / a, v = (-dx * sin(tilt) + dy * cos(tilt)) / b
                if u * u + v * v <= 1 { row[x] = 1 }
            }
        }
    }
    let mask = Mask(raster: coverage)

    // The centre of the mask's bounding box lands here in the meadow (as in cv2.seamlessClone).
    let centre = SeamlessClone.Point(x: 3900, y: 760)
    let variants: [(String, SeamlessClone)] = [
        ("paste", SeamlessClone(mode: .multiband, center: centre, bands: 1)), // one band = the mask as alpha
        ("multiband", SeamlessClone(mode: .multiband, center: centre)),
        ("normal", SeamlessClone(mode: .normal, center: centre)),
    ]
    // A window around the pasted bird from each result, at half size, side by side.
    let window = Rect(x: centre.x - 1000, y: centre.y - 700, width: 2000, height: 1400)
    let gap = 16, scale = 0.5
    let tileWidth = Int(Double(window.width) * scale), tileHeight = Int(Double(window.height) * scale)
    var sheet = Raster(width: 3 * tileWidth + 2 * gap, height: tileHeight, layout: .rgb)
    for (index, (name, clone)) in variants.enumerated() {
        let result = try meadow.blending(source, mask: mask, using: clone)
        try result.write(to: "\(output)/bird-\(name).jpg", options: SaveOptions(quality: 90, overwrite: true))
        let tile = try result.cropped(to: window).resized(.scale(scale)).raster()
        tile.withView { src in
            sheet.withMutableView { dst in
                for c in 0..<3 {
                    for y in 0..<min(tileHeight, tile.height) {
                        (dst.row(y, channel: c) + index * (tileWidth + gap)).update(from: src.row(y, channel: c), count: min(tileWidth, tile.width))
                    }
                }
            }
        }
        print("\(output)/bird-\(name).jpg")
    }
    try Image(raster: sheet).write(to: "\(output)/seamless-clone.jpg", options: SaveOptions(quality: 88, overwrite: true))
    print("\(output)/seamless-clone.jpg")
} catch {
    print("SeamlessCloneDemo: \(error)")
    exit(1)
}
