/// Adds a border: the image is placed on a larger canvas filled with a colour.
/// Exact (no resampling). A transparent colour adds an alpha channel when there is none.
public struct Pad: ImageOperation {
    /// Pixels added above.
    public var top: Int
    /// Pixels added on the right.
    public var right: Int
    /// Pixels added below.
    public var bottom: Int
    /// Pixels added on the left.
    public var left: Int
    /// The border colour. Default opaque black.
    public var colour: RGBA

    /// Creates a padding with per-side amounts.
    public init(top: Int, right: Int, bottom: Int, left: Int, colour: RGBA = .black) {
        self.top = top
        self.right = right
        self.bottom = bottom
        self.left = left
        self.colour = colour
    }

    /// The same padding on every side.
    public init(all amount: Int, colour: RGBA = .black) {
        self.init(top: amount, right: amount, bottom: amount, left: amount, colour: colour)
    }

    /// The padding that centres an image of `width × height` on a canvas of `canvasWidth × canvasHeight`.
    public static func centring(width: Int, height: Int, onWidth canvasWidth: Int, height canvasHeight: Int, colour: RGBA = .black) -> Pad {
        let dx = max(0, canvasWidth - width), dy = max(0, canvasHeight - height)
        return Pad(top: dy / 2, right: dx - dx / 2, bottom: dy - dy / 2, left: dx / 2, colour: colour)
    }

    public func validate() throws(MeldError) {
        for (name, v) in [("top", top), ("right", right), ("bottom", bottom), ("left", left)] where v < 0 || v > Resize.maxSide {
            throw MeldError(.invalidArgument, operation: "pad", "\(name) padding must be 0…\(Resize.maxSide) pixels (got \(v))")
        }
        for (name, v) in [("red", colour.red), ("green", colour.green), ("blue", colour.blue), ("alpha", colour.alpha)] where !(0...1).contains(v) {
            throw MeldError(.invalidArgument, operation: "pad", "colour \(name) must be 0…1 (got \(v))")
        }
    }

    public func apply(to image: Image) throws(MeldError) -> Image {
        var ref = image.ref
        if colour.alpha < 1 && !ref.hasAlpha {
            ref = try ref.addingOpaqueAlpha()
        }
        let bg = colour.bandValues(bands: ref.bands, bits: ref.sampleFormat.bits)
        let padded = try ref.embedded(x: left, y: top, width: ref.width + left + right, height: ref.height + top + bottom, background: bg)
        return image.with(padded)
    }
}

extension Image {
    /// The image with a border added.
    public func padded(_ pad: Pad) throws(MeldError) -> Image { try applying(pad) }
}
