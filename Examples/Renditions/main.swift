// Renditions: every size a shop needs from each product photo, plus a contact sheet.
//
//   swift run -c release Renditions [SAMPLES_DIR] [OUT_DIR]
//
// For each photo in SAMPLES_DIR (default: Samples) it writes into OUT_DIR (default: out/demo):
//   <name>-2000.jpg   longest side 2000 px (never enlarged), progressive JPEG, metadata stripped
//   <name>-800.webp   fits 800×800, WebP quality 80 (alpha kept)
//   <name>-400sq.jpg  exactly 400×400, centre-cropped square thumbnail
//   <name>-800.avif   fits 800×800, AVIF quality 50 (when this libvips can encode AV1)
// and contact-sheet.jpg, a grid of the thumbnails assembled in Meld's working format
// (linear light, premultiplied alpha; cut-outs are laid over white).
// Uses only the public Meld API.
import Foundation
import Meld

let arguments = CommandLine.arguments.dropFirst()
let samples = arguments.first ?? "Samples"
let output = arguments.dropFirst().first ?? "out/demo"

do {
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
} catch {
    FileHandle.standardError.write(Data("Renditions: cannot create \(output): \(error)\n".utf8))
    exit(1)
}

let photos = ((try? FileManager.default.contentsOfDirectory(atPath: samples)) ?? [])
    .filter { ImageFormat(pathExtension: $0) != nil }
    .sorted()
guard !photos.isEmpty else {
    FileHandle.standardError.write(Data("Renditions: no images in \(samples)\n".utf8))
    exit(1)
}

let canAVIF = ImageFormat.avif.canWrite
let clock = ContinuousClock()
var thumbnails: [(name: String, raster: Raster)] = []
var failures = 0

func milliseconds(_ d: Duration) -> Int {
    Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
}

for file in photos {
    let path = samples + "/" + file
    let name = (file as NSString).deletingPathExtension
    let start = clock.now
    do {
        let info = try ImageInfo(contentsOf: path)
        // Each rendition decodes with shrink-on-load: a JPEG is decoded at 1/2, 1/4 or 1/8
        // scale straight away when the output is that much smaller.
        let longest = max(info.width, info.height)
        let large = longest > 2000
            ? try Image(contentsOf: path, resizedWith: Resize(.fit(width: 2000, height: 2000)))
            : try Image(contentsOf: path)
        try large.write(to: "\(output)/\(name)-2000.jpg",
                        options: SaveOptions(quality: 85, progressive: true, stripMetadata: true, overwrite: true))

        let medium = try Image(contentsOf: path, resizedWith: Resize(.fit(width: 800, height: 800)))
        try medium.write(to: "\(output)/\(name)-800.webp", options: SaveOptions(quality: 80, overwrite: true))
        if canAVIF {
            try medium.write(to: "\(output)/\(name)-800.avif", options: SaveOptions(quality: 50, overwrite: true))
        }

        let square = try Image(contentsOf: path, resizedWith: Resize(.fill(width: 400, height: 400)))
        try square.write(to: "\(output)/\(name)-400sq.jpg", options: SaveOptions(quality: 85, overwrite: true))

        thumbnails.append((name, try square.raster()))
        print("\(file): \(info.width)x\(info.height) \(info.format?.rawValue ?? "?") → 2000/800/400sq\(canAVIF ? "/avif" : "") in \(milliseconds(clock.now - start)) ms")
    } catch {
        FileHandle.standardError.write(Data("Renditions: \(file): \(error)\n".utf8))
        failures += 1
    }
}

/// Lays `tile` (any layout, premultiplied) over opaque white into `sheet` (RGB) at (x0, y0).
/// Grey tiles are spread to three channels. Working in linear light, "over white" is
/// colour + (1 − alpha) · 1 for each channel.
func place(_ tile: Raster, into sheet: inout Raster, x0: Int, y0: Int) {
    let hasAlpha = tile.layout.hasAlpha
    let colourPlanes = tile.layout.colourChannels
    tile.withView { src in
        sheet.withMutableView { dst in
            for y in 0..<src.height {
                for c in 0..<3 {
                    let s = src.row(y, channel: min(c, colourPlanes - 1))
                    let a: UnsafePointer<Float>? = hasAlpha ? src.row(y, channel: tile.channels - 1) : nil
                    let d = dst.row(y0 + y, channel: c) + x0
                    for x in 0..<src.width {
                        d[x] = s[x] + (a.map { 1 - $0[x] } ?? 0)
                    }
                }
            }
        }
    }
}

if !thumbnails.isEmpty {
    let cell = 400, gap = 24
    let columns = min(4, thumbnails.count)
    let rows = (thumbnails.count + columns - 1) / columns
    var sheet = Raster(width: columns * cell + (columns + 1) * gap, height: rows * cell + (rows + 1) * gap, layout: .rgb)
    // Background: a light neutral grey (sRGB 0.93 ≈ linear 0.85).
    sheet.withMutableView { view in
        for c in 0..<3 { view.plane(c).update(repeating: 0.85, count: view.width * view.height) }
    }
    for (i, thumb) in thumbnails.enumerated() {
        place(thumb.raster, into: &sheet, x0: gap + (i % columns) * (cell + gap), y0: gap + (i / columns) * (cell + gap))
    }
    do {
        try Image(raster: sheet).write(to: "\(output)/contact-sheet.jpg", options: SaveOptions(quality: 88, overwrite: true))
        print("contact sheet: \(output)/contact-sheet.jpg (\(sheet.width)x\(sheet.height))")
    } catch {
        FileHandle.standardError.write(Data("Renditions: contact sheet: \(error)\n".utf8))
        failures += 1
    }
}

exit(failures == 0 ? 0 : 1)
