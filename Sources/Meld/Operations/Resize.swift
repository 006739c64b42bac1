import MeldVips

/// Changes an image's size with libvips' resampling, alpha-correct (colour is premultiplied by
/// alpha while resampling, so a white shape on transparent black keeps a white edge).
///
/// Modes: scale by a factor; set the width or height keeping the aspect ratio; `fit` inside a
/// box (contain); `fill` a box exactly by scaling to cover it and cropping the centre; `exact`
/// size ignoring aspect ratio. Default kernel Lanczos 3. Sizes are rounded to whole pixels and
/// are at least 1. Cost: O(output pixels × kernel taps); libvips threads it.
public struct Resize: ImageOperation {
    /// How the output size is chosen.
    public enum Mode: Sendable, Hashable, Codable {
        /// Multiply both sides by a factor (> 0).
        case scale(Double)
        /// This width, height keeping the aspect ratio.
        case width(Int)
        /// This height, width keeping the aspect ratio.
        case height(Int)
        /// As large as fits inside the box, keeping the aspect ratio.
        case fit(width: Int, height: Int)
        /// Exactly the box: scale to cover it, then crop the centre.
        case fill(width: Int, height: Int)
        /// Exactly this size, aspect ratio not kept.
        case exact(width: Int, height: Int)
    }

    /// The sizing rule.
    public var mode: Mode
    /// The resampling kernel. Default `.lanczos3`.
    public var kernel: ResampleKernel

    /// Creates a resize.
    public init(_ mode: Mode, kernel: ResampleKernel = .lanczos3) {
        self.mode = mode
        self.kernel = kernel
    }

    /// Largest side Meld will produce (libvips' own limit is 10 million).
    public static let maxSide = 1 << 20

    public func validate() throws(MeldError) {
        func bad(_ m: String) -> MeldError { MeldError(.invalidArgument, operation: "resize", m) }
        func side(_ v: Int, _ name: String) throws(MeldError) {
            guard v >= 1 && v <= Resize.maxSide else { throw bad("\(name) must be 1…\(Resize.maxSide) pixels (got \(v))") }
        }
        switch mode {
        case .scale(let s):
            guard s.isFinite && s > 0 && s <= 1000 else { throw bad("scale must be a number above 0 and at most 1000 (got \(s))") }
        case .width(let w): try side(w, "width")
        case .height(let h): try side(h, "height")
        case .fit(let w, let h), .fill(let w, let h), .exact(let w, let h):
            try side(w, "width")
            try side(h, "height")
        }
    }

    /// The size to scale to and, for `.fill`, the centred crop that follows.
    struct Plan: Equatable {
        var scaledWidth: Int
        var scaledHeight: Int
        var crop: Rect?
    }

    func plan(width w: Int, height h: Int) -> Plan {
        let fw = Double(w), fh = Double(h)
        func r(_ v: Double) -> Int { max(1, Int(v.rounded())) }
        switch mode {
        case .scale(let s): return Plan(scaledWidth: r(fw * s), scaledHeight: r(fh * s))
        case .width(let tw): return Plan(scaledWidth: tw, scaledHeight: r(fh * Double(tw) / fw))
        case .height(let th): return Plan(scaledWidth: r(fw * Double(th) / fh), scaledHeight: th)
        case .fit(let bw, let bh):
            let s = min(Double(bw) / fw, Double(bh) / fh)
            return Plan(scaledWidth: min(bw, r(fw * s)), scaledHeight: min(bh, r(fh * s)))
        case .fill(let bw, let bh):
            let s = max(Double(bw) / fw, Double(bh) / fh)
            let sw = max(bw, r(fw * s)), sh = max(bh, r(fh * s))
            let crop = (sw == bw && sh == bh) ? nil : Rect(x: (sw - bw) / 2, y: (sh - bh) / 2, width: bw, height: bh)
            return Plan(scaledWidth: sw, scaledHeight: sh, crop: crop)
        case .exact(let bw, let bh): return Plan(scaledWidth: bw, scaledHeight: bh)
        }
    }

    /// The output size for an input of `width × height`.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let p = plan(width: width, height: height)
        return p.crop.map { ($0.width, $0.height) } ?? (p.scaledWidth, p.scaledHeight)
    }

    public func apply(to image: Image) throws(MeldError) -> Image {
        let p = plan(width: image.width, height: image.height)
        var ref = image.ref
        if p.scaledWidth != image.width || p.scaledHeight != image.height {
            ref = try ref.resized(hscale: Double(p.scaledWidth) / Double(image.width),
                                  vscale: Double(p.scaledHeight) / Double(image.height), kernel: kernel)
            // libvips rounds the output size itself; make it exactly what was planned.
            if ref.width != p.scaledWidth || ref.height != p.scaledHeight {
                ref = try ref.fitting(width: p.scaledWidth, height: p.scaledHeight)
            }
        }
        if let crop = p.crop { ref = try ref.cropped(to: crop) }
        return image.with(ref)
    }
}
