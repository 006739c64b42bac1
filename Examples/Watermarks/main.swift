// Watermarks: mark a batch of shop renditions visibly and invisibly, then prove the marks are there.
//
//   swift run Watermarks [samples-folder] [output-folder]
//
// For each photo: a 1600 px rendition, a visible "© Meld Studio 样片" in the bottom-right corner
// (size and margin relative to the picture, so every size looks alike), and an invisible keyed
// mark carrying the photo's 64-bit catalogue id. The renditions are written as JPEG 80 (as a shop
// would), read back and searched for the mark. Writes the renditions, a tiled proof version of
// the first photo, and watermarks.jpg: visible corner mark | tiled proof | the invisible mark's
// luma change amplified 24× (grey = no change).
import Foundation
import Meld

let arguments = CommandLine.arguments.dropFirst()
let samples = arguments.first ?? "Samples"
let output = arguments.dropFirst().first ?? "out/examples/watermarks"
let key = "meld-studio-2026"
let photos: [(file: String, id: String)] = [("fig_in_red_bowl.jpg", "5ca1ab1e00000001"), ("citrus_fruits.jpg", "5ca1ab1e00000002"),
                                            ("toy_bird_lamp.jpg", "5ca1ab1e00000003"), ("bridge_at_night.jpg", "5ca1ab1e00000004")]
let visible = Watermark(.text("© Meld Studio 样片"), placement: .bottomRight, size: 0.04, opacity: 0.75)

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
    var written: [(path: String, id: WatermarkPayload)] = []
    let start = ContinuousClock.now
    for (file, id) in photos {
        let payload = try WatermarkPayload(hex: id)
        let rendition = try Image(contentsOf: "\(samples)/\(file)", resizedWith: Resize(.width(1600)))
        // Visible first, invisible last: the invisible mark then covers the visible one too.
        let marked = try rendition.applying(visible).applying(InvisibleWatermark(key: key, payload: payload))
        let path = "\(output)/\(file.replacingOccurrences(of: ".jpg", with: "-marked.jpg"))"
        try marked.write(to: path, options: SaveOptions(quality: 80, overwrite: true))
        written.append((path, payload))
    }
    print("marked \(photos.count) renditions in \(ContinuousClock.now - start)")
    for (path, id) in written {
        let found = try InvisibleWatermark.detect(in: Image(contentsOf: path), key: key)
        let verdict = found.found && found.payload == id ? "ok" : "MISSING"
        print("\(path): \(found.payload?.hex ?? "no mark"), confidence \(String(format: "%.2f", found.confidence)) [\(verdict)]")
        guard verdict == "ok" else { exit(1) }
    }
    let stranger = try InvisibleWatermark.detect(in: Image(contentsOf: written[0].path), key: "someone-else")
    print("with another key: \(stranger.found ? "FOUND (wrong)" : "no mark"), false-positive bound \(String(format: "%.1e", stranger.falsePositiveBound))")

    // The picture: corner mark, tiled proof, amplified invisible change, each 600 px wide.
    let cell = 600, gap = 8
    let base = try Image(contentsOf: "\(samples)/fig_in_red_bowl.jpg", resizedWith: Resize(.width(cell)))
    let corner = try base.applying(visible)
    let proof = try base.applying(Watermark(.text("PROOF · 样片"), placement: .tiled, size: 0.06, opacity: 0.35))
    try proof.write(to: "\(output)/proof.jpg", options: SaveOptions(quality: 85, overwrite: true))
    let plain = try base.raster()
    let invisible = try base.applying(InvisibleWatermark(key: key, payload: written[0].id)).raster()
    var difference = Raster(width: plain.width, height: plain.height, layout: .rgb)
    difference.withMutableView { d in
        for y in 0..<plain.height {
            for x in 0..<plain.width {
                let delta = SRGBTransfer.encode(invisible[x, y, 1]) - SRGBTransfer.encode(plain[x, y, 1])
                let v = SRGBTransfer.decode(min(1, max(0, 0.5 + 24 * delta)))
                for c in 0..<3 { d.row(y, channel: c)[x] = v }
            }
        }
    }
    let tiles = [try corner.raster(), try proof.raster(), difference]
    var sheet = Raster(width: 3 * cell + 4 * gap, height: plain.height + 2 * gap, layout: .rgb)
    let planeCount = sheet.planeCount
    sheet.withMutableView { v in for c in 0..<3 { v.plane(c).update(repeating: 1, count: planeCount) } }
    for (i, tile) in tiles.enumerated() { place(tile, into: &sheet, x0: gap + i * (cell + gap), y0: gap) }
    try Image(raster: sheet).write(to: "\(output)/watermarks.jpg", options: SaveOptions(quality: 88, overwrite: true))
    print("wrote \(output)/watermarks.jpg")
} catch {
    print("Watermarks: \(error)")
    exit(1)
}
