import Foundation
import MeldCore

/// Makes a region of an image agree in colour and light with its surroundings: the region given
/// by a mask is matched to a reference region (a ring around it, or the whole rest of the
/// image) with a ``HarmonizeMethod``, by `strength`.
///
/// `auto` (and `boundary`) first fit a per-channel gain and gamma and a saturation change to
/// colour pairs taken just inside and just outside the mask's edge (``BoundaryPairs``,
/// ``BoundaryFit``), shrunk towards no change by their jackknife uncertainty and by how well the
/// content continues across the edge; `auto` gives the rest of its confidence to ring statistics
/// (white balance and exposure, damped), and so holds back when the region and its surroundings
/// simply show different things. The statistics methods measure in Lab (linear sRGB → XYZ D65 →
/// Lab) and, for white balance, a shades-of-gray illuminant in linear RGB. The correction is
/// applied in linear light in proportion to the mask's coverage, so soft mask edges blend
/// smoothly. Pixels outside the mask are left exactly as they were (8- and 16-bit round trips are
/// exact). With ``focus``, a region sharper than its reference is also blurred to match
/// (``Focus``). Cost: one pass over the image for the statistics (sampled), one over the mask for
/// its edge, work in proportion to the edge's length for the fit, one pass over the mask's
/// bounding box to apply (and with ``focus`` a blur of that box).
public struct Harmonize: ImageOperation {
    /// Where the reference colours come from.
    public enum Reference: Sendable, Hashable, Codable {
        /// The pixels outside the mask within this distance of it (pixels or a fraction of the
        /// longer image side).
        case ring(Length)
        /// Every pixel outside the mask.
        case whole
    }

    /// The region: a mask file (any size and depth; resampled to the image).
    public var mask: String
    /// How colours are matched.
    public var method: HarmonizeMethod
    /// 0 (no change) … 1 (the full estimated correction).
    public var strength: Double
    /// The reference region.
    public var reference: Reference
    /// Also match focus: when the region is sharper than the reference, blur it (Gaussian, σ
    /// estimated by ``Focus``) so that its fine detail matches (default off).
    public var focus: Bool

    /// The default ring: 10 % of the longer side.
    public static let defaultRing = Reference.ring(.relative(0.1))

    /// A harmonization of the region `mask`.
    public init(mask: String, method: HarmonizeMethod = .auto, strength: Double = 1, reference: Reference = Harmonize.defaultRing,
                focus: Bool = false) {
        self.mask = mask; self.method = method; self.strength = strength; self.reference = reference; self.focus = focus
    }

    enum CodingKeys: String, CodingKey { case mask, method, strength, reference, focus }

    /// Decodes the fields; `focus` may be absent (false).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(mask: try c.decode(String.self, forKey: .mask), method: try c.decode(HarmonizeMethod.self, forKey: .method),
                  strength: try c.decode(Double.self, forKey: .strength), reference: try c.decode(Reference.self, forKey: .reference),
                  focus: try c.decodeIfPresent(Bool.self, forKey: .focus) ?? false)
    }

    /// Checks the strength and the ring width.
    public func validate() throws(MeldError) {
        if mask.isEmpty { throw MeldError(.invalidArgument, operation: "harmonize", "mask: the path is empty") }
        if !(0...1).contains(strength) { throw MeldError(.invalidArgument, operation: "harmonize", "strength must be between 0 and 1 (got \(strength))") }
        if case .ring(let l) = reference, !(l.pixels(of: 1000) > 0 && l.pixels(of: 1 << 20) <= Double(1 << 24)) {
            throw MeldError(.invalidArgument, operation: "harmonize", "ring width must be positive and at most \(1 << 24) pixels (got \(l))")
        }
    }

    /// Harmonizes the masked region of `image`, reading the mask file.
    public func apply(to image: Image) throws(MeldError) -> Image {
        try harmonized(image, mask: Mask(contentsOf: mask, width: image.width, height: image.height)).image
    }

    /// What was estimated and applied.
    public struct Report: Sendable {
        /// The match estimated (before strength and confidence).
        public var match: ColourMatch
        /// The estimate's confidence, 0…1.
        public var confidence: Double
        /// Statistics of the region and of the reference.
        public var region: RegionStatistics
        /// See ``region``.
        public var reference: RegionStatistics
        /// The fit to colour pairs across the region's edge (methods `auto` and `boundary`; nil
        /// for the others, or when the edge gave too few pairs).
        public var boundary: BoundaryFit?
        /// The focus estimate (with ``Harmonize/focus``; nil otherwise or when the region holds
        /// no whole patch to measure).
        public var focus: Focus.Estimate?
    }

    /// Harmonizes the region `mask` (resampled to the image when its size differs) and says what
    /// was done.
    ///
    /// - Throws: `.invalidArgument` when the mask selects nothing, or selects everything so that
    ///   no reference is left.
    public func harmonized(_ image: Image, mask: Mask, schedule: Schedule = .default) throws(MeldError) -> (image: Image, report: Report) {
        try validate()
        let m = try mask.resampled(width: image.width, height: image.height)
        var raster = Raster(uninitializedWidth: 0, height: 0, layout: .rgb)
        try image.read(into: &raster, schedule: schedule)
        if raster.layout.colourChannels != 3 {
            // Grey images are matched as RGB.
            throw MeldError(.unsupportedFeature, operation: "harmonize", "greyscale images cannot be harmonized yet; convert to RGB first")
        }
        let weights: Raster
        switch reference {
        case .whole:
            var inverse = m.raster
            inverse.withMutableView { v in
                let p = v.plane(0)
                for i in 0..<(v.width * v.height) { p[i] = 1 - p[i] }
            }
            weights = inverse
        case .ring(let width):
            weights = Ring.around(m.raster, radius: max(1, Int(width.pixels(of: max(image.width, image.height)).rounded())))
        }
        let step = max(1, Int((Double(image.width * image.height) / 2_000_000).squareRoot().rounded(.up)))
        guard let region = RegionStatistics.measure(raster, weights: m.raster, step: step, schedule: schedule) else {
            throw MeldError(.invalidArgument, operation: "harmonize", "the mask selects no pixels")
        }
        guard let ref = RegionStatistics.measure(raster, weights: weights, step: step, schedule: schedule) else {
            throw MeldError(.invalidArgument, operation: "harmonize", "no reference pixels around the mask (it covers the whole image?)")
        }
        var fit: BoundaryFit?
        if method == .auto || method == .boundary {
            fit = BoundaryFit.fit(BoundaryPairs.sample(raster, mask: m.raster, schedule: schedule))
        }
        let (match, confidence) = Harmonizer.estimate(method, source: region, reference: ref, boundary: fit)
        var focusEstimate: Focus.Estimate?
        if focus {
            // Measured before the colour change (gradients of luminance, which it would scale).
            focusEstimate = Focus.estimateBlur(raster, region: m.raster, reference: weights)
        }
        Harmonizer.apply(match, strength: Float(strength), to: &raster, mask: m.raster, schedule: schedule)
        if let f = focusEstimate, f.sigma > 0 {
            Focus.blur(&raster, sigma: Float(f.sigma * strength), mask: m.raster, schedule: schedule)
        }
        let out = try image.replacingPixels(with: raster, schedule: schedule)
        return (out, Report(match: match, confidence: confidence, region: region, reference: ref, boundary: fit, focus: focusEstimate))
    }
}

extension Harmonize.Reference {
    enum CodingKeys: String, CodingKey { case ring, whole }

    /// Decodes `"whole"`, or `{"ring": 80}` / `{"ring": "10%"}`.
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let s = try? c.decode(String.self) {
            guard s == "whole" else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "reference is \"whole\" or {\"ring\": width}") }
            self = .whole
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self = .ring(try c.decode(Length.self, forKey: .ring))
    }

    /// Encodes in the same form.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .whole:
            var c = encoder.singleValueContainer()
            try c.encode("whole")
        case .ring(let l):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(l, forKey: .ring)
        }
    }
}
