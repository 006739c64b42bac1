/// Rotates clockwise by any angle. Multiples of 90° are exact pixel moves; other angles use
/// bicubic interpolation with premultiplied alpha and grow the canvas to hold the whole image,
/// filling new corners with `background` (default transparent; an alpha channel is added).
public struct Rotate: ImageOperation {
    /// Degrees clockwise.
    public var degrees: Double
    /// Fill for the corners uncovered by a non-right-angle rotation.
    public var background: RGBA

    /// Creates a rotation.
    public init(degrees: Double, background: RGBA = .clear) {
        self.degrees = degrees
        self.background = background
    }

    public func validate() throws(MeldError) {
        guard degrees.isFinite else { throw MeldError(.invalidArgument, operation: "rotate", "angle must be a finite number of degrees") }
    }

    public func apply(to image: Image) throws(MeldError) -> Image {
        var d = degrees.truncatingRemainder(dividingBy: 360)
        if d < 0 { d += 360 }
        switch d {
        case 0: return image
        case 90: return image.with(try image.ref.rotated(by: .d90))
        case 180: return image.with(try image.ref.rotated(by: .d180))
        case 270: return image.with(try image.ref.rotated(by: .d270))
        default:
            var ref = image.ref
            if background.alpha < 1 && !ref.hasAlpha { ref = try ref.addingOpaqueAlpha() }
            let bg = background.bandValues(bands: ref.bands, bits: ref.sampleFormat.bits)
            return image.with(try ref.rotated(degrees: d, background: bg))
        }
    }
}

extension Image {
    /// The image rotated clockwise by `degrees`.
    public func rotated(degrees: Double, background: RGBA = .clear) throws(MeldError) -> Image {
        try applying(Rotate(degrees: degrees, background: background))
    }
}
