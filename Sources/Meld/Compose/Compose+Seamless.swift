import Foundation
import MeldCore
import MeldVips

extension Compose {
    /// A layer's pixels cloned into the canvas seamlessly (Poisson or multi-band, see
    /// ``SeamlessClone/Mode``): the result replaces the canvas inside the layer's alpha (≥ ½),
    /// or, for multi-band, over the blend's region of interest. `canvas` is what lies beneath the
    /// layer (the canvas and the layers under it, composited lazily).
    /// Returns the new layer and its top-left corner.
    static func seamless(_ content: VipsImageRef, at origin: (x: Int, y: Int), canvas: VipsImageRef,
                         mode: SeamlessClone.Mode) throws(MeldError) -> (image: VipsImageRef, x: Int, y: Int)? {
        let layer = try PixelBridge.raster(from: content.rgbForCompositing())
        guard layer.layout.colourChannels == 3 else { return nil }
        // Straight colour and the alpha as the mask.
        var source = Raster(uninitializedWidth: layer.width, height: layer.height, layout: .rgb)
        source.isPremultiplied = false
        var mask = Raster(width: layer.width, height: layer.height, layout: .gray)
        mask.isPremultiplied = false
        let hasAlpha = layer.layout.hasAlpha
        layer.withView { l in
            source.withMutableView { s in
                mask.withMutableView { m in
                    for i in 0..<(l.width * l.height) {
                        let a: Float = hasAlpha ? l.plane(3)[i] : 1
                        m.plane(0)[i] = a
                        let inv: Float = a > 0 ? 1 / a : 0
                        for c in 0..<3 { s.plane(c)[i] = l.plane(c)[i] * inv }
                    }
                }
            }
        }
        let size = (width: canvas.width, height: canvas.height)
        let roi: Rect
        switch mode {
        case .multiband: roi = MultibandBlend.regionOfInterest(mask: mask, offset: origin, destinationSize: size).rect
        default: roi = PoissonBlend.regionOfInterest(mask: mask, offset: origin, destinationSize: size)
        }
        guard !roi.isEmpty else { return nil }
        var destination = try PixelBridge.raster(from: canvas.cropped(to: roi).rgbForCompositing().colourBands())
        let offset = (x: origin.x - roi.x, y: origin.y - roi.y)
        switch mode {
        case .normal: PoissonBlend.apply(source: source, mask: mask, into: &destination, offset: offset, guidance: .normal)
        case .mixed: PoissonBlend.apply(source: source, mask: mask, into: &destination, offset: offset, guidance: .mixed)
        case .monochrome: PoissonBlend.apply(source: source, mask: mask, into: &destination, offset: offset, guidance: .monochrome)
        case .multiband: MultibandBlend.apply(source: source, mask: mask, into: &destination, offset: offset)
        }
        // The result as a layer: opaque where the blend decided the pixels (Ω for Poisson, the
        // whole region for multi-band), transparent elsewhere so layers beneath stay visible.
        var out = Raster(uninitializedWidth: roi.width, height: roi.height, layout: .rgba)
        destination.withView { d in
            mask.withView { m in
                out.withMutableView { o in
                    for y in 0..<roi.height {
                        for x in 0..<roi.width {
                            let mx = x - offset.x, my = y - offset.y
                            let inside = mode == .multiband
                                || (mx >= 0 && my >= 0 && mx < m.width && my < m.height && m.row(my, channel: 0)[mx] >= 0.5)
                            let a: Float = inside ? 1 : 0
                            for c in 0..<3 { o.row(y, channel: c)[x] = d.row(y, channel: c)[x] * a }
                            o.row(y, channel: 3)[x] = a
                        }
                    }
                }
            }
        }
        return (try PixelBridge.image(from: out, bitDepth: content.sampleFormat == .ushort ? 16 : 8), roi.x, roi.y)
    }
}
