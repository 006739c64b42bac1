import MeldCore
import MeldVips

/// A coverage mask: one plane of values 0 (outside) … 1 (inside), used to select, cut out or
/// blend. Mask files are read as stored, without a transfer curve: a 50 % grey pixel is 0.5.
///
/// The mask comes from an image's alpha band when it has one (so a cut-out PNG is its own mask),
/// otherwise from its grey band or the Rec. 709 luma of its colour bands. 8-bit, 16-bit and float
/// files are accepted; a mask of another size than the image it applies to is resampled to fit.
public struct Mask: Sendable, Equatable {
    /// The coverage values, a one-channel raster, not premultiplied.
    public private(set) var raster: Raster

    /// Width in pixels.
    public var width: Int { raster.width }
    /// Height in pixels.
    public var height: Int { raster.height }

    /// Wraps coverage values. Channel 0 of `raster` is used (or its alpha when it has one).
    public init(raster: Raster) {
        if raster.layout == .gray {
            self.raster = raster
            self.raster.isPremultiplied = false
            return
        }
        var plane = Raster(uninitializedWidth: raster.width, height: raster.height, layout: .gray)
        plane.isPremultiplied = false
        let source = raster.layout.hasAlpha ? raster.channels - 1 : 0
        raster.withView { src in
            plane.withMutableView { dst in
                dst.plane(0).update(from: src.plane(source), count: raster.planeCount)
            }
        }
        self.raster = plane
    }

    /// A mask of constant coverage.
    public init(width: Int, height: Int, value: Float = 1) {
        var r = Raster(uninitializedWidth: width, height: height, layout: .gray)
        r.isPremultiplied = false
        r.withMutableView { $0.plane(0).update(repeating: value, count: width * height) }
        self.raster = r
    }

    /// Reads a mask file, resampled to `width × height` when both are given.
    ///
    /// - Throws: the load errors of ``Image/init(contentsOf:options:)``; `.unsupportedFormat` for
    ///   sample formats other than 8-bit, 16-bit and float.
    public init(contentsOf path: String, width: Int? = nil, height: Int? = nil) throws(MeldError) {
        try self.init(image: Image(contentsOf: path), width: width, height: height)
    }

    /// Takes a mask from an image (its alpha, grey or luma), resampled to `width × height` when given.
    public init(image: Image, width: Int? = nil, height: Int? = nil) throws(MeldError) {
        self.raster = try PixelBridge.coverage(from: image.ref, width: width, height: height)
    }

    /// The mask resampled to exactly `width × height` (Lanczos 3, clamped to 0…1).
    public func resampled(width: Int, height: Int) throws(MeldError) -> Mask {
        if width == self.width && height == self.height { return self }
        return try Mask(image: image(bitDepth: 16), width: width, height: height)
    }

    /// The mask as a greyscale image of 8 or 16 bits, values stored without a transfer curve.
    public func image(bitDepth: Int = 8) throws(MeldError) -> Image {
        // PixelBridge encodes colour channels with the sRGB curve; a grey+alpha raster whose
        // alpha carries the coverage is encoded linearly, so write coverage as alpha over white
        // and keep only the alpha band.
        var r = Raster(uninitializedWidth: width, height: height, layout: .grayAlpha)
        r.isPremultiplied = false
        raster.withView { src in
            r.withMutableView { dst in
                dst.plane(0).update(repeating: 1, count: width * height)
                dst.plane(1).update(from: src.plane(0), count: width * height)
            }
        }
        let ref = try PixelBridge.image(from: r, bitDepth: bitDepth).extractingBands(1)
        return Image(ref: ref, sourcePaths: [], sourceFormat: nil)
    }
}
