import Foundation
import Meld
import Testing

/// EXIF orientation is applied on load (the pixels come out upright), reported by ImageInfo,
/// and respected by the shrink-on-load path.
@Suite(.libvipsShared) struct OrientationTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/orientation")

    /// Orientation tag → the clockwise rotation that makes the stored pixels upright.
    static let cases: [(tag: Int, degrees: Double)] = [(3, 180), (6, 90), (8, 270)]

    @Test(arguments: cases.map(\.tag))
    func loadAppliesOrientation(tag: Int) throws {
        let path = Self.folder.appendingPathComponent("orientation-\(tag).jpg").path
        let degrees = Self.cases.first { $0.tag == tag }!.degrees

        let info = try ImageInfo(contentsOf: path)
        #expect(info.orientation == tag)
        #expect(info.width == 55 && info.height == 64)

        let upright = try Image(contentsOf: path)
        let swapped = tag == 6 || tag == 8
        #expect(upright.width == (swapped ? 64 : 55))
        #expect(upright.height == (swapped ? 55 : 64))

        let stored = try Image(contentsOf: path, options: LoadOptions(autorotate: false))
        #expect(stored.width == 55 && stored.height == 64)
        let turned = try stored.rotated(degrees: degrees)
        // Right-angle rotation is a pixel move, so the two must agree exactly.
        #expect(try upright.raster() == turned.raster())
        #expect(try upright.raster() != stored.raster() || tag == 1)
    }

    @Test(arguments: cases.map(\.tag))
    func shrinkOnLoadKeepsOrientation(tag: Int) throws {
        let path = Self.folder.appendingPathComponent("orientation-\(tag).jpg").path
        let resized = try Image(contentsOf: path, resizedWith: Resize(.width(32)))
        let swapped = tag == 6 || tag == 8
        #expect(resized.width == 32)
        // Upright aspect: 64×55 (swapped) or 55×64.
        #expect(resized.height == (swapped ? 28 : 37))
    }
}
