import Foundation
@testable import Meld
import MeldTestSupport
import Testing

/// The streamed destination (decoded on its own thread while the region is solved, the output
/// made of that buffer) against the region inserted into the destination as an image: the same
/// pixels and metadata for every kind of destination, loaded for one pass or for random access.
@Suite("SeamlessClone streaming", .libvipsShared)
struct SeamlessCloneStreamingTests {
    static func source() throws -> Image {
        try Image(contentsOf: IO.sample("toy_bird_lamp.jpg"), resizedWith: Resize(.width(300)))
    }

    static func mask(width: Int, height: Int) -> Mask {
        var m = Raster(width: width, height: height, layout: .gray)
        m.isPremultiplied = false
        let cx = Float(width) / 2, cy = Float(height) / 2
        for y in 0..<height {
            for x in 0..<width {
                let dx = (Float(x) - cx) / (cx - 3), dy = (Float(y) - cy) / (cy - 3)
                m[x, y, 0] = dx * dx + dy * dy <= 1 ? 1 : 0
            }
        }
        return Mask(raster: m)
    }

    /// Destinations: sRGB JPEG with a profile, Display P3 JPEG (converted), CMYK JPEG, 16-bit
    /// PNG, float TIFF, grey and grey + alpha PNG, RGBA PNG, and an EXIF-rotated JPEG.
    static func destinations(in folder: String) throws -> [String] {
        var paths = ["colour/citrus-srgb.jpg", "colour/citrus-p3.jpg", "colour/citrus-cmyk.jpg", "colour/hopper-rgb16.png",
                     "colour/hopper-float.tif", "orientation/orientation-6.jpg"].map(IO.fixture)
        let photo = try Image(contentsOf: IO.sample("grace_hopper.jpg"))
        let rgb = try photo.raster()
        var grey = Raster(width: rgb.width, height: rgb.height, layout: .grayAlpha)
        for y in 0..<rgb.height {
            for x in 0..<rgb.width {
                let a = 0.5 + Float((x + y) % 7) / 14
                grey[x, y, 0] = rgb[x, y, 1] * a
                grey[x, y, 1] = a
            }
        }
        grey.isPremultiplied = true
        let greyPath = folder + "/grey-alpha.png"
        try Image(raster: grey).write(to: greyPath)
        var rgba = Raster(width: rgb.width, height: rgb.height, layout: .rgba)
        for y in 0..<rgb.height { for x in 0..<rgb.width { for c in 0..<4 { rgba[x, y, c] = c == 3 ? 1 : rgb[x, y, c] } } }
        let rgbaPath = folder + "/rgba16.png"
        try Image(raster: rgba, bitDepth: 16).write(to: rgbaPath)
        paths += [greyPath, rgbaPath]
        return paths
    }

    @Test(arguments: SeamlessClone.Mode.allCases)
    func streamedIsTheInsertedResult(mode: SeamlessClone.Mode) throws {
        let source = try Self.source()
        let mask = Self.mask(width: source.width, height: source.height)
        try IO.withTemporaryFolder { folder in
            for path in try Self.destinations(in: folder) {
                for sequential in [true, false] {
                    let destination = try Image(contentsOf: path, options: LoadOptions(sequential: sequential))
                    // Over the top edge, so the region is clipped and starts on row 0.
                    let clone = SeamlessClone(mode: mode, center: .init(x: destination.width / 2, y: 60))
                    let streamed = try clone.apply(source: source, mask: { () throws(MeldError) in mask }, into: destination, streaming: true)
                    let again = try Image(contentsOf: path, options: LoadOptions(sequential: sequential))
                    let inserted = try clone.apply(source: source, mask: { () throws(MeldError) in mask }, into: again, streaming: false)
                    let name = "\((path as NSString).lastPathComponent) \(mode) sequential \(sequential)"
                    #expect(streamed.width == inserted.width && streamed.height == inserted.height, "\(name)")
                    #expect(streamed.bitDepth == inserted.bitDepth && streamed.channels == inserted.channels, "\(name)")
                    #expect(try streamed.raster() == inserted.raster(), "\(name)")
                    #expect(streamed.ref.iccProfile == inserted.ref.iccProfile, "\(name)")
                }
            }
        }
    }

    /// A damaged destination fails as corrupt, whichever rows the damage is in.
    @Test func damagedDestinationIsCorrupt() throws {
        let source = try Self.source()
        let mask = Self.mask(width: source.width, height: source.height)
        var bytes = [UInt8](try IO.data(IO.sample("citrus_fruits.jpg")))
        bytes.removeLast(bytes.count * 2 / 3)
        try IO.withTemporaryFolder { folder in
            let path = folder + "/cut.jpg"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            for y in [100, 800] {
                let destination = try Image(contentsOf: path, options: LoadOptions(sequential: true))
                do {
                    let out = try SeamlessClone(center: .init(x: 600, y: y)).apply(source: source, mask: mask, into: destination)
                    _ = try out.raster()
                    Issue.record("a damaged destination was blended (region at y \(y))")
                } catch let error as MeldError {
                    #expect(error.kind == .corruptImage, "region at y \(y): \(error)")
                }
            }
        }
    }
}
