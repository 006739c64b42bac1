import Foundation
import MeldCore
import MeldVips

/// Harmonization of a Compose layer: its colour and light are matched to the canvas around
/// where it lands (a ring of 10 % of the canvas's longer side around its footprint, and with
/// `auto` or `boundary` colour pairs across the layer's edge), before it is blended, and its
/// grain to the canvas's. In recipes: `harmonize: auto` or
/// `harmonize: {method: white-balance, strength: 0.7, grain: false}`.
///
/// With ``joint`` every layer that uses a joint setting is corrected together instead, by one
/// least-squares solve over every place where two of them, or one of them and the canvas, meet
/// (see ``joint``): `harmonize: {joint: true}` at the top of a recipe.
public struct LayerHarmonize: Sendable, Hashable, Codable {
    /// How colours are matched.
    public var method: HarmonizeMethod
    /// 0…1.
    public var strength: Double
    /// Add grain when the canvas around the layer is noisier than the layer, so that a clean
    /// studio cut-out takes on the photo's grain (deterministic, seeded by the placement).
    public var grain: Bool
    /// Solve every layer using a joint setting together (default false: each layer alone
    /// against the canvas and the layers beneath it, in order).
    ///
    /// Jointly, where the visible parts of two such layers, or of one and the canvas, meet, a
    /// narrow band on each side (0.3 % of the canvas's longer side, at least 2 pixels; sampled on
    /// a grid of at most ~1 MP) is measured in (log(L* + 16), a*, b*), and one weighted
    /// least-squares system per channel gives every layer a lightness gain and a*, b* offsets so
    /// that all the bands agree at once, the canvas held fixed (``JointHarmonizer``: regularised
    /// so that a layer that meets little stays put, robust to boundaries along an object's edge,
    /// each correction damped by how plausible it is as light). A layer whose surroundings are
    /// hidden by other layers is corrected through them, and no layer is solved before another.
    /// The anchor is the canvas alone (layers that are not harmonized jointly are not part of the
    /// solve). Best where the picture continues across the boundaries (fragments of one scene,
    /// backdrops, patches); an unrelated cut-out on a photo is better harmonized alone, since the
    /// bands then differ by content. ``method`` must be ``HarmonizeMethod/auto``; ``strength``
    /// scales each layer's correction; ``grain`` as alone. Cost: one decode of each joint layer at
    /// its placed size (4 floats a pixel) and O(grid × layers) to measure.
    public var joint: Bool

    /// Blur the layer when it is sharper than the canvas around it, so that its detail matches
    /// (``Focus``; off by default).
    public var focus: Bool

    /// A setting (default: auto, full strength, matching grain, each layer alone, focus left alone).
    public init(method: HarmonizeMethod = .auto, strength: Double = 1, grain: Bool = true, joint: Bool = false, focus: Bool = false) {
        self.method = method; self.strength = strength; self.grain = grain; self.joint = joint; self.focus = focus
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case method, strength, grain, joint, focus }

    /// Decodes a method name, or `{"method": ..., "strength": ...}`.
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let name = try? c.decode(String.self) {
            guard let m = HarmonizeMethod(rawValue: name) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription:
                    "unknown harmonize method '\(name)' (expected one of \(HarmonizeMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            self.init(method: m)
            return
        }
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(method: try c.decodeIfPresent(HarmonizeMethod.self, forKey: .method) ?? .auto,
                  strength: try c.decodeIfPresent(Double.self, forKey: .strength) ?? 1,
                  grain: try c.decodeIfPresent(Bool.self, forKey: .grain) ?? true,
                  joint: try c.decodeIfPresent(Bool.self, forKey: .joint) ?? false,
                  focus: try c.decodeIfPresent(Bool.self, forKey: .focus) ?? false)
    }

    /// Encodes as an object.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        try c.encode(strength, forKey: .strength)
        try c.encode(grain, forKey: .grain)
        if joint { try c.encode(true, forKey: .joint) }
        if focus { try c.encode(focus, forKey: .focus) }
    }
}

extension Compose {
    /// Matches `content` (placed at `rect` on the canvas) to the canvas pixels in a ring around
    /// it; returns the corrected layer (8-bit RGBA, or 16-bit when the content is). A `given`
    /// match (from the joint solve) is applied instead of estimating one; grain is matched either way.
    static func harmonized(_ content: VipsImageRef, at rect: Rect, canvas: VipsImageRef, setting: LayerHarmonize,
                           given: ColourMatch? = nil) throws(MeldError) -> VipsImageRef {
        let ringWidth = max(8, Int((0.1 * Double(max(canvas.width, canvas.height))).rounded()))
        let area = Rect(x: rect.x - ringWidth, y: rect.y - ringWidth, width: rect.width + 2 * ringWidth, height: rect.height + 2 * ringWidth)
            .intersection(Rect(width: canvas.width, height: canvas.height))
        var layer = try PixelBridge.raster(from: content.rgbForCompositing())
        let bits = content.sampleFormat == .ushort ? 16 : 8
        guard !area.isEmpty, layer.layout.colourChannels == 3 else { return content }
        let around = try PixelBridge.raster(from: canvas.cropped(to: area))
        guard around.layout.colourChannels == 3 else { return content }
        // Reference weights: the ring area minus the layer's own footprint (alpha ≥ ½).
        var weights = Raster(width: area.width, height: area.height, layout: .gray)
        weights.isPremultiplied = false
        let hasAlpha = layer.layout.hasAlpha
        layer.withView { l in
            weights.withMutableView { w in
                for y in 0..<area.height {
                    let ly = area.y + y - rect.y
                    let row = w.row(y, channel: 0)
                    for x in 0..<area.width {
                        let lx = area.x + x - rect.x
                        let covered = ly >= 0 && ly < l.height && lx >= 0 && lx < l.width
                            && (!hasAlpha || l.row(ly, channel: 3)[lx] >= 0.5)
                        row[x] = covered ? 0 : 1
                    }
                }
            }
        }
        var ones = Raster(width: layer.width, height: layer.height, layout: .gray)
        ones.isPremultiplied = false
        ones.withMutableView { $0.plane(0).update(repeating: 1, count: layer.width * layer.height) }
        let step = max(1, Int((Double(layer.planeCount) / 1_000_000).squareRoot().rounded(.up)))
        var blurSigma = 0.0
        if let given {
            if setting.focus {
                let (composite, footprint) = BoundaryPairs.pasted(layer: layer, at: SIMD2(rect.x - area.x, rect.y - area.y), on: around)
                blurSigma = Focus.estimateBlur(composite, region: footprint, reference: weights)?.sigma ?? 0
            }
            Harmonizer.apply(given, strength: Float(setting.strength), to: &layer, mask: nil)
        } else {
            guard let source = RegionStatistics.measure(layer, weights: ones, step: step),
                  let reference = RegionStatistics.measure(around, weights: weights, step: step) else { return content }
            var fit: BoundaryFit?
            if setting.method == .auto || setting.method == .boundary || setting.focus {
                let (composite, footprint) = BoundaryPairs.pasted(layer: layer, at: SIMD2(rect.x - area.x, rect.y - area.y), on: around)
                if setting.method == .auto || setting.method == .boundary {
                    // Pairs across the layer's edge: where it continues the canvas's content (a
                    // patch of the same scene) they pin the correction down; across an object's
                    // edge they disagree and the ring estimates take over.
                    fit = BoundaryFit.fit(BoundaryPairs.sample(composite, mask: footprint))
                }
                if setting.focus { blurSigma = Focus.estimateBlur(composite, region: footprint, reference: weights)?.sigma ?? 0 }
            }
            let (match, _) = Harmonizer.estimate(setting.method, source: source, reference: reference, boundary: fit)
            Harmonizer.apply(match, strength: Float(setting.strength), to: &layer, mask: nil)
        }
        if blurSigma > 0 {
            layer = GaussianBlur(sigma: Float(blurSigma * setting.strength)).apply(to: layer)
        }
        if setting.grain, let target = Grain.estimateSigma(around, weights: weights, step: step),
           let own = Grain.estimateSigma(layer, step: step), target > own * 1.1 {
            let seed = UInt64(truncatingIfNeeded: rect.x &* 73_856_093 ^ rect.y &* 19_349_663 ^ rect.width &* 83_492_791 ^ rect.height)
            Grain.add(sigma: (target * target - own * own).squareRoot(), seed: seed, to: &layer)
        }
        return try PixelBridge.image(from: layer, bitDepth: bits)
    }
}
