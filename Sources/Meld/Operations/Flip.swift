import MeldVips

/// Mirrors the image left–right or top–bottom. Exact.
public struct Flip: ImageOperation {
    /// The mirror axis.
    public enum Axis: String, Sendable, Hashable, Codable {
        /// Left and right swap.
        case horizontal
        /// Top and bottom swap.
        case vertical
    }

    /// Which way to mirror.
    public var axis: Axis

    /// Creates a flip.
    public init(_ axis: Axis) { self.axis = axis }

    public func validate() throws(MeldError) {}

    public func apply(to image: Image) throws(MeldError) -> Image {
        image.with(try image.ref.flipped(horizontally: axis == .horizontal))
    }
}

extension Image {
    /// The image mirrored.
    public func flipped(_ axis: Flip.Axis) throws(MeldError) -> Image { try applying(Flip(axis)) }
    /// The image resized.
    public func resized(_ mode: Resize.Mode, kernel: ResampleKernel = .lanczos3) throws(MeldError) -> Image {
        try applying(Resize(mode, kernel: kernel))
    }
}
