/// Keeps the pixels inside a rectangle. Exact (no resampling); alpha and bit depth kept.
public struct Crop: ImageOperation {
    /// The region to keep; it must lie inside the image.
    public var rect: Rect

    /// Creates a crop to `rect`.
    public init(_ rect: Rect) { self.rect = rect }

    public func validate() throws(MeldError) {
        guard rect.width > 0, rect.height > 0, rect.x >= 0, rect.y >= 0 else {
            throw MeldError(.invalidArgument, operation: "crop", "crop rectangle \(rect) must have a positive size and a non-negative origin")
        }
    }

    public func apply(to image: Image) throws(MeldError) -> Image {
        guard Rect(width: image.width, height: image.height).contains(rect) else {
            throw MeldError(.invalidArgument, operation: "crop",
                            "crop rectangle \(rect) does not lie inside the \(image.width)x\(image.height) image")
        }
        return image.with(try image.ref.cropped(to: rect))
    }
}

extension Image {
    /// The pixels inside `rect`.
    public func cropped(to rect: Rect) throws(MeldError) -> Image { try applying(Crop(rect)) }
}
