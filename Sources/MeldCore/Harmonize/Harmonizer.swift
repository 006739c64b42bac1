#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a region's colour and light are matched to a reference region.
public enum HarmonizeMethod: String, Sendable, Codable, CaseIterable, Hashable {
    /// The ``boundary`` correction where the content continues across the region's edge, with
    /// the ring estimates (white balance and exposure, damped) filling in for the rest of the
    /// confidence (the default).
    case auto
    /// Per-channel gain and gamma fitted to colour pairs across the region's edge
    /// (``BoundaryFit``), shrunk towards no change by its own uncertainty and by how much the
    /// content continues across the edge.
    case boundary
    /// Reinhard et al.: per-channel Lab mean and standard deviation transfer.
    case reinhard
    /// A full affine Lab transform (3×3 + offset) matching mean and covariance (the linear
    /// Monge–Kantorovich map), shrunk towards the diagonal for robustness.
    case affine
    /// Chromatic adaptation (Bradford) from the region's illuminant to the reference's, both
    /// estimated with shades of gray; luminance kept.
    case whiteBalance = "white-balance"
    /// Lightness mean (exposure) and spread (contrast) only; chroma untouched.
    case exposure
}

/// A colour transform for linear-light RGB: optionally a per-channel curve
/// `c' = curveGain · c^curveExponent`, then a 3×3 matrix on linear RGB, then optionally an
/// affine map in Lab, `lab' = A·(lab − from) + to`.
public struct ColourMatch: Sendable, Hashable {
    /// Row-major 3×3 on linear RGB.
    public var rgbMatrix: [Float]
    /// Row-major 3×3 on Lab (used when ``usesLab``).
    public var labMatrix: [Float]
    /// Lab point mapped to ``labTo``.
    public var labFrom: SIMD3<Float>
    /// Where ``labFrom`` goes.
    public var labTo: SIMD3<Float>
    /// Whether the Lab stage runs.
    public var usesLab: Bool
    /// Per-channel gain of the curve stage (used when ``usesCurve``).
    public var curveGain: SIMD3<Float> = .one
    /// Per-channel exponent of the curve stage (used when ``usesCurve``).
    public var curveExponent: SIMD3<Float> = .one
    /// Whether the curve stage runs.
    public var usesCurve: Bool = false
    /// Per channel 0…1: how far the curve stage leaves values near clipping alone (a value at
    /// or above ``highlightEnd`` keeps this fraction of itself, fading out down to
    /// ``highlightStart``), so that clipped highlights are not pulled grey without evidence.
    public var curveHighlightKeep: SIMD3<Float> = .zero
    /// Linear level where highlight keeping starts to fade in.
    public static let highlightStart: Float = 0.8
    /// Linear level from which highlight keeping is full.
    public static let highlightEnd: Float = 0.98

    /// No change.
    public static let identity = ColourMatch(rgbMatrix: [1, 0, 0, 0, 1, 0, 0, 0, 1], labMatrix: [1, 0, 0, 0, 1, 0, 0, 0, 1],
                                             labFrom: .zero, labTo: .zero, usesLab: false)

    /// The transformed colour of one linear RGB value.
    @inlinable public func apply(_ colour: SIMD3<Float>) -> SIMD3<Float> {
        var c = colour
        if usesCurve {
            var curved = SIMD3(curveGain.x * powf(max(c.x, 0), curveExponent.x),
                               curveGain.y * powf(max(c.y, 0), curveExponent.y),
                               curveGain.z * powf(max(c.z, 0), curveExponent.z))
            for i in 0..<3 where curveHighlightKeep[i] > 0 && c[i] > Self.highlightStart {
                let u = min(1, (c[i] - Self.highlightStart) / (Self.highlightEnd - Self.highlightStart))
                let t = curveHighlightKeep[i] * u * u * (3 - 2 * u)
                curved[i] += (c[i] - curved[i]) * t
            }
            c = curved
        }
        let m = rgbMatrix
        var r = SIMD3<Float>(m[0] * c.x + m[1] * c.y + m[2] * c.z,
                             m[3] * c.x + m[4] * c.y + m[5] * c.z,
                             m[6] * c.x + m[7] * c.y + m[8] * c.z)
        if usesLab {
            let lab = Colour.xyzToLab(Colour.linearToXYZ((max(r.x, 0), max(r.y, 0), max(r.z, 0))))
            let d = SIMD3<Float>(lab.0, lab.1, lab.2) - labFrom
            let a = labMatrix
            let o = SIMD3<Float>(a[0] * d.x + a[1] * d.y + a[2] * d.z,
                                 a[3] * d.x + a[4] * d.y + a[5] * d.z,
                                 a[6] * d.x + a[7] * d.y + a[8] * d.z) + labTo
            let rgb = Colour.xyzToLinear(Colour.labToXYZ((o.x, o.y, o.z)))
            r = SIMD3(rgb.0, rgb.1, rgb.2)
        }
        return r
    }
}

/// Estimates and applies colour matches between regions (the fusion core's colour and light stage).
public enum Harmonizer {
    /// How much of the estimated white-balance correction `auto` applies at full confidence.
    /// Chosen on the harmonization benchmark (Benchmarks/peers/harmonize_bench.py, 18 cases):
    /// a region's content biases any illuminant estimate, so the full correction overshoots;
    /// 0.4–0.8 scored within 3 % of each other (fMSE).
    public static let autoWhiteBalanceGain = 0.6
    /// How much of the estimated exposure (lightness mean) correction `auto` applies. Measured
    /// (fMSE, cases worse than doing nothing, of 18): 0 → 358, 9; 0.15 → 321, 4; 0.35 → 310, 6;
    /// the full correction (method `exposure`) → 725, 16. 0.2 trades a little of the mean for
    /// fewer regressions.
    public static let autoExposureGain = 0.2

    /// The match that makes `source` agree with `reference`, and a confidence in 0…1 (how far
    /// the estimate can be trusted: low when the regions are small or their colours are far
    /// apart, which suggests different content rather than different light).
    ///   `boundary` is the fit to pairs across the region's edge, used by `boundary` and `auto`
    ///   (without it, `boundary` is no change and `auto` uses the ring estimates alone).
    public static func estimate(_ method: HarmonizeMethod, source: RegionStatistics, reference: RegionStatistics,
                                boundary: BoundaryFit? = nil) -> (match: ColourMatch, confidence: Double) {
        let sizeConfidence = min(1, min(source.weight, reference.weight) / 2000)
        switch method {
        case .reinhard:
            let ss = source.standardDeviation, rs = reference.standardDeviation
            var m = ColourMatch.identity
            m.usesLab = true
            m.labMatrix = [Float(ratio(rs.x, ss.x)), 0, 0, 0, Float(ratio(rs.y, ss.y)), 0, 0, 0, Float(ratio(rs.z, ss.z))]
            m.labFrom = SIMD3<Float>(source.mean); m.labTo = SIMD3<Float>(reference.mean)
            return (m, sizeConfidence)
        case .affine:
            var m = ColourMatch.identity
            m.usesLab = true
            m.labMatrix = mongeKantorovich(source: shrunk(source.covariance), reference: shrunk(reference.covariance)).map(Float.init)
            m.labFrom = SIMD3<Float>(source.mean); m.labTo = SIMD3<Float>(reference.mean)
            return (m, sizeConfidence)
        case .whiteBalance:
            return (ColourMatch(rgbMatrix: whiteBalanceMatrix(from: source.illuminant, to: reference.illuminant, gain: 1),
                                labMatrix: ColourMatch.identity.labMatrix, labFrom: .zero, labTo: .zero, usesLab: false), sizeConfidence)
        case .exposure:
            return (exposureMatch(source: source, reference: reference, gain: 1, contrastGain: 1), sizeConfidence)
        case .boundary:
            guard let fit = boundary else { return (.identity, 0) }
            return (fit.match, fit.confidence)
        case .auto:
            // The boundary fit where it is trusted; the ring estimates (themselves damped) for
            // the rest of the confidence.
            let ring = ringAuto(source: source, reference: reference, sizeConfidence: sizeConfidence)
            guard let fit = boundary else { return ring }
            var m = fit.match
            let k = 1 - fit.confidence
            let damped = ringAuto(source: source, reference: reference, sizeConfidence: sizeConfidence, scale: k)
            m.rgbMatrix = multiply3(damped.match.rgbMatrix.map(Double.init), m.rgbMatrix.map(Double.init)).map(Float.init)
            m.usesLab = damped.match.usesLab; m.labMatrix = damped.match.labMatrix
            m.labFrom = damped.match.labFrom; m.labTo = damped.match.labTo
            return (m, fit.confidence + k * ring.confidence)
        }
    }

    /// The ring-statistics part of `auto`: white balance and exposure, each damped by its
    /// confidence, and all scaled by `scale`.
    static func ringAuto(source: RegionStatistics, reference: RegionStatistics, sizeConfidence: Double, scale: Double = 1) -> (match: ColourMatch, confidence: Double) {
        // Chromaticity distance between the two illuminant estimates: small differences are
        // plausibly light; large ones are more likely the objects' own colours.
        let cs = chromaticity(source.illuminant), cr = chromaticity(reference.illuminant)
        let distance = ((cs - cr) * (cs - cr)).sum().squareRoot()
        let chromaConfidence = 1 / (1 + pow(distance / 0.08, 2))
        let confidence = sizeConfidence * chromaConfidence
        var m = exposureMatch(source: source, reference: reference, gain: scale * autoExposureGain * sizeConfidence, contrastGain: 0)
        m.rgbMatrix = whiteBalanceMatrix(from: source.illuminant, to: reference.illuminant, gain: scale * autoWhiteBalanceGain * confidence)
        return (m, confidence)
    }

    /// Applies `match` to the pixels of `raster` (premultiplied, linear RGB or RGBA) in
    /// proportion to `strength` × `mask` (one channel 0…1, or everywhere when nil): each
    /// colour moves from its value to its matched value by that fraction. Alpha is unchanged.
    public static func apply(_ match: ColourMatch, strength: Float, to raster: inout Raster, mask: Raster?,
                             schedule: Schedule = .default) {
        precondition(raster.layout.colourChannels == 3, "RGB rasters only")
        precondition(mask.map { $0.width == raster.width && $0.height == raster.height } ?? true, "mask must match the raster")
        let hasAlpha = raster.layout.hasAlpha
        let k = min(max(strength, 0), 1)
        guard k > 0 else { return }
        withOptionalView(mask) { maskView in
            raster.withMutableView { v in
                TileScheduler.forEachTile(in: Rect(width: v.width, height: v.height), schedule: schedule) { tile in
                    for y in tile.y..<tile.maxY {
                        let r = v.row(y, channel: 0), g = v.row(y, channel: 1), b = v.row(y, channel: 2)
                        let a = hasAlpha ? v.row(y, channel: 3) : nil
                        let w = maskView.map { $0.row(y, channel: 0) }
                        for x in tile.x..<tile.maxX {
                            let t = k * (w.map { $0[x] } ?? 1)
                            guard t > 0 else { continue }
                            let alpha = a.map { $0[x] } ?? 1
                            guard alpha > 0 else { continue }
                            let c = SIMD3<Float>(r[x], g[x], b[x]) / alpha
                            let out = c + (match.apply(c) - c) * t
                            r[x] = out.x * alpha; g[x] = out.y * alpha; b[x] = out.z * alpha
                        }
                    }
                }
            }
        }
    }

    // MARK: estimators

    static func ratio(_ a: Double, _ b: Double) -> Double { b > 1e-6 ? min(max(a / b, 0.2), 5) : 1 }

    /// r, g chromaticity of an RGB triple.
    static func chromaticity(_ c: SIMD3<Double>) -> SIMD2<Double> {
        let s = max(c.sum(), 1e-9)
        return SIMD2(c.x / s, c.y / s)
    }

    /// Lightness shift (and contrast) in Lab, `gain` of the way.
    static func exposureMatch(source: RegionStatistics, reference: RegionStatistics, gain: Double, contrastGain: Double) -> ColourMatch {
        var m = ColourMatch.identity
        m.usesLab = true
        let c = pow(ratio(reference.standardDeviation.x, source.standardDeviation.x), contrastGain)
        m.labMatrix = [Float(c), 0, 0, 0, 1, 0, 0, 0, 1]
        let shift = (reference.mean.x - source.mean.x) * gain
        m.labFrom = SIMD3<Float>(Float(source.mean.x), 0, 0)
        m.labTo = SIMD3<Float>(Float(source.mean.x + shift), 0, 0)
        // An identity Lab stage (auto with full confidence in the edge fit) costs two colour
        // conversions per pixel for nothing.
        m.usesLab = abs(shift) > 1e-6 || c != 1
        return m
    }

    /// Bradford chromatic adaptation from illuminant `from` to `to` (linear RGB estimates),
    /// `gain` of the way (in log space), normalised to keep luminance: a 3×3 on linear RGB.
    static func whiteBalanceMatrix(from: SIMD3<Double>, to: SIMD3<Double>, gain: Double) -> [Float] {
        let bradford: [Double] = [0.8951, 0.2664, -0.1614, -0.7502, 1.7135, 0.0367, 0.0389, -0.0685, 1.0296]
        let toXYZ = Colour.rgbToXYZ.map(Double.init), fromXYZ = Colour.xyzToRGB.map(Double.init)
        func mul(_ a: [Double], _ v: SIMD3<Double>) -> SIMD3<Double> {
            SIMD3(a[0] * v.x + a[1] * v.y + a[2] * v.z, a[3] * v.x + a[4] * v.y + a[5] * v.z, a[6] * v.x + a[7] * v.y + a[8] * v.z)
        }
        guard from.min() > 1e-6, to.min() > 1e-6 else { return ColourMatch.identity.rgbMatrix }
        // Illuminants as XYZ with Y = 1, then cone responses.
        var xyzFrom = mul(toXYZ, from), xyzTo = mul(toXYZ, to)
        xyzFrom /= max(xyzFrom.y, 1e-9); xyzTo /= max(xyzTo.y, 1e-9)
        let coneFrom = mul(bradford, xyzFrom), coneTo = mul(bradford, xyzTo)
        var scale = SIMD3<Double>(repeating: 1)
        for i in 0..<3 where coneFrom[i] > 1e-6 && coneTo[i] > 1e-6 { scale[i] = pow(coneTo[i] / coneFrom[i], gain) }
        let inverseBradford = invert3(bradford)
        // M = fromXYZ · B⁻¹ · diag(scale) · B · toXYZ
        let d = [scale.x, 0, 0, 0, scale.y, 0, 0, 0, scale.z]
        var m = multiply3(fromXYZ, multiply3(inverseBradford, multiply3(d, multiply3(bradford, toXYZ))))
        // Keep luminance: scale so that the source illuminant's Y is unchanged.
        let yRow = Array(toXYZ[3..<6])
        let before = yRow[0] * from.x + yRow[1] * from.y + yRow[2] * from.z
        let after = mul(m, from)
        let yAfter = yRow[0] * after.x + yRow[1] * after.y + yRow[2] * after.z
        if yAfter > 1e-9 { m = m.map { $0 * before / yAfter } }
        return m.map(Float.init)
    }

    /// Covariance shrunk 20 % towards its diagonal (a robust, well-conditioned estimate).
    static func shrunk(_ c: [Double]) -> [Double] {
        var s = c
        for i in 0..<3 { for j in 0..<3 where i != j { s[i * 3 + j] *= 0.8 } }
        for i in 0..<3 { s[i * 4] = max(s[i * 4], 1e-3) }
        return s
    }

    /// The linear Monge–Kantorovich map between Gaussians: T = S^-½ (S^½ R S^½)^½ S^-½.
    static func mongeKantorovich(source s: [Double], reference r: [Double]) -> [Double] {
        let sHalf = symmetricPower(s, 0.5), sInvHalf = symmetricPower(s, -0.5)
        let middle = symmetricPower(multiply3(sHalf, multiply3(r, sHalf)), 0.5)
        return multiply3(sInvHalf, multiply3(middle, sInvHalf))
    }

    static func multiply3(_ a: [Double], _ b: [Double]) -> [Double] {
        var c = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { c[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j] } } }
        return c
    }

    static func invert3(_ m: [Double]) -> [Double] {
        let det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6])
        let inv = [m[4] * m[8] - m[5] * m[7], m[2] * m[7] - m[1] * m[8], m[1] * m[5] - m[2] * m[4],
                   m[5] * m[6] - m[3] * m[8], m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
                   m[3] * m[7] - m[4] * m[6], m[1] * m[6] - m[0] * m[7], m[0] * m[4] - m[1] * m[3]]
        return inv.map { $0 / det }
    }

    /// A symmetric positive semi-definite matrix to the power `p`, by Jacobi eigendecomposition.
    static func symmetricPower(_ m: [Double], _ p: Double) -> [Double] {
        var a = m
        var v: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
        for _ in 0..<50 {
            // Largest off-diagonal element.
            var (pi, qi, big) = (0, 1, abs(a[1]))
            if abs(a[2]) > big { (pi, qi, big) = (0, 2, abs(a[2])) }
            if abs(a[5]) > big { (pi, qi, big) = (1, 2, abs(a[5])) }
            if big < 1e-12 { break }
            let app = a[pi * 3 + pi], aqq = a[qi * 3 + qi], apq = a[pi * 3 + qi]
            let theta = 0.5 * atan2(2 * apq, aqq - app)
            let c = cos(theta), s = sin(theta)
            // Rotate rows/columns pi, qi.
            for k in 0..<3 {
                let akp = a[k * 3 + pi], akq = a[k * 3 + qi]
                a[k * 3 + pi] = c * akp - s * akq
                a[k * 3 + qi] = s * akp + c * akq
            }
            for k in 0..<3 {
                let apk = a[pi * 3 + k], aqk = a[qi * 3 + k]
                a[pi * 3 + k] = c * apk - s * aqk
                a[qi * 3 + k] = s * apk + c * aqk
            }
            for k in 0..<3 {
                let vkp = v[k * 3 + pi], vkq = v[k * 3 + qi]
                v[k * 3 + pi] = c * vkp - s * vkq
                v[k * 3 + qi] = s * vkp + c * vkq
            }
        }
        let e = [a[0], a[4], a[8]].map { pow(max($0, 1e-9), p) }
        var out = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { out[i * 3 + j] += v[i * 3 + k] * e[k] * v[j * 3 + k] } } }
        return out
    }
}

