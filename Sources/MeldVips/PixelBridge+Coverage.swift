import CMeldVips
import CMeldVipsShims
import MeldCore

extension PixelBridge {
    /// Reads an image as a coverage mask: one plane of values 0…1 taken as stored, with no
    /// transfer curve (a 50 % grey PNG is 0.5 coverage, not 0.21).
    ///
    /// The plane is the alpha band when the image has one, otherwise the Rec. 709 luma of the
    /// stored colour values (or the single grey band). 8-bit samples are divided by 255, 16-bit
    /// by 65 535, float samples are taken as they are; everything is clamped to 0…1. When `width`
    /// and `height` are given and differ from the image's, the plane is resampled to exactly that
    /// size (Lanczos 3 on float samples, then clamped), so masks of any size fit a layer.
    public static func coverage(from image: VipsImageRef, width: Int? = nil, height: Int? = nil) throws(MeldError) -> Raster {
        var band: VipsImageRef
        let sourceFormat = image.sampleFormat
        if image.hasAlpha {
            band = try image.extractingBands(image.bands - 1)
        } else {
            band = image.bands >= 3 ? try image.extractingBands(0, count: 3) : try image.extractingBands(0)
        }
        let scale: Float
        switch sourceFormat {
        case .uchar: scale = 1 / 255
        case .ushort: scale = 1 / 65535
        case .float, .double: scale = 1
        default:
            throw MeldError(.unsupportedFormat, operation: "mask", "masks must be 8-bit, 16-bit or float (this one is \(sourceFormat))")
        }
        band = try band.cast(to: .float)
        let w = width ?? band.width, h = height ?? band.height
        guard w > 0, h > 0 else {
            throw MeldError(.invalidArgument, operation: "mask", "a mask cannot be resampled to \(w)x\(h)")
        }
        band = try band.resampled(width: w, height: h)
        let bands = band.bands
        let count = w * h * bands
        var staging = [Float](repeating: 0, count: count)
        let ok = staging.withUnsafeMutableBytes { cmeld_write_to_buffer(band.pointer, $0.baseAddress, $0.count) == 0 }
        guard ok else { throw VipsRuntime.failure(.corruptImage, "mask", "the mask could not be decoded (truncated or damaged data)") }
        var out = Raster(uninitializedWidth: w, height: h, layout: .gray)
        out.isPremultiplied = false
        out.withMutableView { dst in
            let p = dst.plane(0)
            staging.withUnsafeBufferPointer { src in
                if bands == 1 {
                    for i in 0..<(w * h) { p[i] = min(max(src[i] * scale, 0), 1) }
                } else {
                    for i in 0..<(w * h) {
                        let y = 0.2126 * src[3 * i] + 0.7152 * src[3 * i + 1] + 0.0722 * src[3 * i + 2]
                        p[i] = min(max(y * scale, 0), 1)
                    }
                }
            }
        }
        return out
    }
}
