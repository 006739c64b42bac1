#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MeldVips

extension ColourLUT {
    /// The largest `.cube` file read: 512 MB (a 256³ table is ~400 MB of text).
    public static let maxCubeFileBytes = 512 << 20

    /// Reads a `.cube` file (see ``init(cubeText:name:)`` for the format and its errors).
    ///
    /// - Throws: `.notFound`, `.emptyFile`, `.tooLarge` (over ``maxCubeFileBytes``), and the
    ///   parse errors, which name the file and the line.
    public init(contentsOfCube path: String) throws(MeldError) {
        let bytes = try RestyleFiles.read(path, operation: "cube", limit: ColourLUT.maxCubeFileBytes)
        try self.init(cubeData: bytes, name: path)
    }

    /// Writes the table as a `.cube` file (through a temporary file renamed into place).
    ///
    /// - Throws: `.outputExists` when the file exists and `overwrite` is false; `.ioFailure`.
    public func writeCube(to path: String, overwrite: Bool = false) throws(MeldError) {
        try RestyleFiles.write(Array(cubeText().utf8), to: path, overwrite: overwrite, operation: "cube")
    }

    /// Reads a Hald CLUT image (any format Meld reads; 16-bit PNG or TIFF keeps full precision).
    ///
    /// - Throws: the load errors of ``Image/init(contentsOf:options:)``; `.invalidArgument` when
    ///   the image is not a Hald CLUT (square, side L³ for L = 2…16).
    public init(haldImage image: Image) throws(MeldError) {
        guard image.width == image.height, (2...16).contains(where: { $0 * $0 * $0 == image.width }) else {
            throw MeldError(.invalidArgument, operation: "hald",
                            "\(image.sourcePaths.first ?? "the image") is \(image.width)x\(image.height); a Hald CLUT is square with a side of L³ pixels for L = 2…16 (8, 27, 64, … 512, … 4096)")
        }
        try self.init(hald: image.raster(), title: image.sourcePaths.first.map { URL(fileURLWithPath: $0).lastPathComponent })
    }

    /// Reads a Hald CLUT image file.
    public init(contentsOfHald path: String) throws(MeldError) {
        try self.init(haldImage: Image(contentsOf: path))
    }

    /// The table as a 16-bit Hald CLUT image of `level` (2…16; level 8 is 512×512 pixels with
    /// a 64³ lattice). Save it as PNG or TIFF to keep 16 bits.
    public func haldImage(level: Int = 8) throws(MeldError) -> Image {
        try Image(raster: haldRaster(level: level), bitDepth: 16)
    }
}

/// Grades an image with a 3D or 1D colour look-up table (a `.cube` file or a Hald CLUT).
///
/// The LUT maps **gamma-encoded sRGB** values, as grading tools write them: each pixel is
/// converted from Meld's linear working space to encoded sRGB, looked up (tetrahedral
/// interpolation for 3D tables, linear for 1D), converted back to linear light, and blended
/// with the original by `strength` (and by a mask, with ``apply(to:within:)``). Inputs
/// outside the LUT's domain are clamped to it. Alpha is kept; grey images become RGB.
/// 16-bit images stay 16-bit.
///
/// 8-bit RGB(A) images graded in full (no mask, strength 1) are graded on their 8-bit codes
/// directly (``LUTApplication/apply(_:toCodes:width:height:channels:schedule:)``), which agrees
/// with the linear-light path within one code and skips two conversions of every pixel.
///
/// Cost: one tiled pass over the pixels plus decoding and encoding (see
/// `Benchmarks/peers/results/restyle-*.md` for whole-process timings). Bit-identical on any schedule.
public struct ApplyLUT: ImageOperation {
    /// The table.
    public var lut: ColourLUT
    /// 0 (no change) … 1 (full grade). Default 1.
    public var strength: Double

    /// Creates the operation; see each property for its default.
    public init(lut: ColourLUT, strength: Double = 1) {
        self.lut = lut
        self.strength = strength
    }

    /// Checks that `strength` is within 0…1.
    public func validate() throws(MeldError) {
        guard strength.isFinite && (0...1).contains(strength) else {
            throw MeldError(.invalidArgument, operation: "lut", "strength must be 0…1 (got \(strength))")
        }
    }

    /// Grades the whole image.
    public func apply(to image: Image) throws(MeldError) -> Image {
        try apply(to: image, within: nil)
    }

    /// Grades the image where `mask` covers it (blending by coverage); a mask of another size
    /// is resampled to the image's size. With no mask, the whole image.
    public func apply(to image: Image, within mask: Mask?, schedule: Schedule = .default) throws(MeldError) -> Image {
        try validate()
        if mask == nil && strength == 1 && image.bitDepth == 8 {
            // 8-bit in, 8-bit out, graded in full: the table maps encoded values, so grade the
            // codes themselves (no trip through linear light; within one code of that path).
            let table = lut
            if let ref = try PixelBridge.mappingCodes8(image.ref, { pixels, width, height, channels in
                LUTApplication.apply(table, toCodes: pixels, width: width, height: height, channels: channels, schedule: schedule)
            }) {
                return Image(ref: ref, sourcePaths: image.sourcePaths, sourceFormat: image.sourceFormat)
            }
        }
        var raster = try image.raster(schedule: schedule)
        let coverage = try image.coverage(mask, operation: "lut")
        LUTApplication.apply(lut, toInPlace: &raster, mask: coverage, strength: Float(strength), schedule: schedule)
        return try image.replacingPixels(with: raster)
    }
}
