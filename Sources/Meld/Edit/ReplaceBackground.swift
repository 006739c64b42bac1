#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MeldCore

/// Keeps the subject and puts a new background behind it: a colour, a linear gradient or an
/// image (scaled to cover and centre-cropped). The result is opaque; every pixel that is fully
/// subject (coverage 1 and opaque) keeps its exact value, so the edit changes only the inverse
/// of the subject selection.
///
/// Compositing is "over" in linear light: out = subject·k + background·(1 − k), with k the
/// subject coverage times the image's alpha. Cost: one pass over the image plus, for an image
/// background, a libvips resize.
public struct ReplaceBackground: ImageOperation {
    /// The subject to keep. ``Selection/subject`` takes a cut-out's alpha.
    public var subject: Selection
    /// What goes behind it.
    public var background: Background
    /// How far to pull the subject's colour toward the new background's, 0 (default: the
    /// subject's pixels stay exactly as they were) … 1: the subject's mean a\*, b\* move half and
    /// its mean L\* a quarter of the way to the background's, a light cast that helps it sit in
    /// the new scene. Above 0 the subject is edited too, so only the guarantee's "outside the
    /// subject" part holds for the backdrop, not for the subject.
    public var harmonization: Double

    /// A new background.
    public enum Background: Sendable, Hashable, Codable {
        /// A flat sRGB colour (alpha ignored).
        case colour(RGBA)
        /// A linear gradient from `from` to `to` along `angle` degrees (0: left to right,
        /// 90: top to bottom), interpolated in linear light.
        case linearGradient(from: RGBA, to: RGBA, angle: Double)
        /// An image file, scaled to cover the picture and centre-cropped.
        case image(path: String)
    }

    /// Creates a background replacement.
    public init(subject: Selection = .subject, background: Background, harmonization: Double = 0) {
        self.subject = subject
        self.background = background
        self.harmonization = harmonization
    }

    public func validate() throws(MeldError) {
        try subject.validate(operation: "background")
        guard (0...1).contains(harmonization) else {
            throw EditSupport.fail("background", "harmonization must be 0–1 (got \(harmonization))")
        }
        switch background {
        case .image(let path) where path.isEmpty: throw EditSupport.fail("background", "with: image path is empty")
        case .linearGradient(_, _, let angle) where !angle.isFinite: throw EditSupport.fail("background", "gradient angle must be finite")
        default: break
        }
    }

    public func apply(to image: Image) throws(MeldError) -> Image {
        let raster = try image.raster()
        let backdrop = try backgroundRaster(width: raster.width, height: raster.height)
        return try EditSupport.finish(apply(to: raster, background: backdrop), like: image, schedule: .default)
    }

    /// The background as an opaque linear RGB raster.
    public func backgroundRaster(width: Int, height: Int, schedule: Schedule = .default) throws(MeldError) -> Raster {
        switch background {
        case .colour(let c):
            return ReplaceBackground.gradient(from: c, to: c, angle: 0, width: width, height: height)
        case .linearGradient(let a, let b, let angle):
            return ReplaceBackground.gradient(from: a, to: b, angle: angle, width: width, height: height)
        case .image(let path):
            let resized = try Image(contentsOf: path).applying(Resize(.fill(width: width, height: height)))
            var r = try resized.raster(schedule: schedule).expandedToRGB()
            if r.layout.hasAlpha {
                // Flatten a transparent background image onto white.
                var flat = Raster(uninitializedWidth: width, height: height, layout: .rgb)
                r.withView { src in
                    flat.withMutableView { dst in
                        for i in 0..<(width * height) {
                            let a = src.plane(3)[i]
                            for c in 0..<3 { dst.plane(c)[i] = src.plane(c)[i] + (1 - a) }
                        }
                    }
                }
                r = flat
            }
            return r
        }
    }

    /// Composites a working-format raster's subject over `background` (opaque RGB, same size).
    public func apply(to raster: Raster, background: Raster, schedule: Schedule = .default) throws(MeldError) -> Raster {
        let rgb = raster.expandedToRGB()
        let coverage = try subject.mask(for: rgb, operation: "background", schedule: schedule).raster
        // Straight opaque foreground and k = coverage × alpha.
        var fg = Raster(uninitializedWidth: rgb.width, height: rgb.height, layout: .rgb)
        var k = coverage
        let n = rgb.planeCount
        rgb.withView { src in
            fg.withMutableView { dst in
                k.withMutableView { kv in
                    for i in 0..<n {
                        let a: Float = rgb.layout.hasAlpha ? src.plane(3)[i] : 1
                        for c in 0..<3 { dst.plane(c)[i] = rgb.layout.hasAlpha && rgb.isPremultiplied ? (a > 0 ? src.plane(c)[i] / a : 0) : src.plane(c)[i] }
                        kv.plane(0)[i] *= min(max(a, 0), 1)
                    }
                }
            }
        }
        if harmonization > 0 {
            let all = Mask(width: rgb.width, height: rgb.height).raster
            let backdrop = LocalEdit.statistics(background, coverage: all, schedule: schedule)
            let subjectStats = LocalEdit.statistics(fg, coverage: k, schedule: schedule)
            let h = Float(harmonization)
            let shift = (Float(backdrop.meanL - subjectStats.meanL) * 0.25 * h,
                         Float(backdrop.meanA - subjectStats.meanA) * 0.5 * h,
                         Float(backdrop.meanB - subjectStats.meanB) * 0.5 * h)
            fg = LocalEdit.apply(fg, coverage: k, schedule: schedule) { v in
                let lab = Colour.convert((v.x, v.y, v.z), from: .linearSRGB, to: .lab)
                let out = Colour.convert((lab.0 + shift.0, lab.1 + shift.1, lab.2 + shift.2), from: .lab, to: .linearSRGB)
                return SIMD3(max(out.0, 0), max(out.1, 0), max(out.2, 0))
            }
        }
        return Coverage.blend(original: background, edited: fg, coverage: k, schedule: schedule)
    }

    static func gradient(from a: RGBA, to b: RGBA, angle: Double, width: Int, height: Int) -> Raster {
        var r = Raster(uninitializedWidth: width, height: height, layout: .rgb)
        let ca = [a.red, a.green, a.blue].map { SRGBTransfer.decode(Float($0)) }
        let cb = [b.red, b.green, b.blue].map { SRGBTransfer.decode(Float($0)) }
        let rad = angle * .pi / 180
        let dx = cos(rad), dy = sin(rad)
        // Project the corners to find the gradient's extent.
        let fw = Double(width), fh = Double(height)
        let corners: [Double] = [0, fw * dx, fh * dy, fw * dx + fh * dy]
        let lo = corners.min() ?? 0
        let span = max((corners.max() ?? 1) - lo, 1e-9)
        r.withMutableView { v in
            for y in 0..<height {
                for x in 0..<width {
                    let t = Float(((Double(x) + 0.5) * dx + (Double(y) + 0.5) * dy - lo) / span)
                    for c in 0..<3 { v.row(y, channel: c)[x] = ca[c] + t * (cb[c] - ca[c]) }
                }
            }
        }
        return r
    }
}
