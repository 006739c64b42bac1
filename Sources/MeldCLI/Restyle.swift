import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Meld

/// `meld restyle …`: colour transfer, palettes, LUTs and texture transfer.
struct Restyle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restyle",
        abstract: "Restyle images: colour transfer, palettes, 3D LUTs, texture transfer.",
        discussion: """
          meld restyle transfer photo.jpg --reference look.jpg -o out.jpg [--method reinhard|ot]
          meld restyle palette photo.jpg --colors 6 [--json]
          meld restyle remap photo.jpg --palette '#1B263B,#E0E1DD,#778DA9' -o out.png
          meld restyle lut photo.jpg --cube grade.cube -o out.png   (or --hald hald.png)
          meld restyle texture shirt.jpg --pattern fabric.jpg --region mask:shirt-mask.png -o out.jpg
        """,
        subcommands: [RestyleTransfer.self, RestylePalette.self, RestyleRemap.self, RestyleLUT.self, RestyleTexture.self]
    )
}

/// Where a restyle applies: `mask:path` (a mask file, resampled to the image) or
/// `rect:x,y,w,h` (a rectangle in pixels).
enum RegionSpec {
    case mask(String)
    case rect(x: Int, y: Int, width: Int, height: Int)

    /// Parses `mask:path` or `rect:x,y,w,h`.
    init(_ text: String, option: String) throws {
        if text.hasPrefix("mask:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw ValidationError("\(option) mask: needs a path, e.g. mask:selection.png") }
            self = .mask(path)
        } else if text.hasPrefix("rect:") {
            let parts = text.dropFirst(5).split(separator: ",", omittingEmptySubsequences: false).map { Int(String($0).filter { !$0.isWhitespace }) }
            guard parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3], w > 0, h > 0, x >= 0, y >= 0 else {
                throw ValidationError("\(option) rect: takes x,y,width,height in pixels with a positive size, e.g. rect:10,20,300,200 (got '\(text)')")
            }
            self = .rect(x: x, y: y, width: w, height: h)
        } else {
            throw ValidationError("\(option) must be mask:PATH or rect:X,Y,W,H (got '\(text)')")
        }
    }

    /// The coverage mask at the image's size.
    func mask(width: Int, height: Int, option: String) throws(MeldError) -> Mask {
        switch self {
        case .mask(let path):
            return try Mask(contentsOf: path, width: width, height: height)
        case .rect(let x, let y, let w, let h):
            guard x < width, y < height else {
                throw MeldError(.invalidArgument, operation: "restyle", "\(option) rect:\(x),\(y),\(w),\(h) lies outside the \(width)x\(height) image")
            }
            // Clip to the image (without overflowing for absurd sizes).
            let right = min(width, x + min(w, width)), bottom = min(height, y + min(h, height))
            var r = Raster(width: width, height: height, layout: .gray)
            r.withMutableView { v in
                for row in y..<bottom { (v.row(row, channel: 0) + x).update(repeating: 1, count: right - x) }
            }
            return Mask(raster: r)
        }
    }
}

/// Refuses an output path that names one of `inputs` (through symlinks or relative paths too).
func refuseOutput(_ output: String, among inputs: [String], operation: String) throws(MeldError) {
    func canonical(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
    let target = canonical(output)
    for input in inputs where canonical(input) == target {
        throw MeldError(.outputIsInput, operation: operation, "\(output) is an input of this command; write to another path")
    }
}
