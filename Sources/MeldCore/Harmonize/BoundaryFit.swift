#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A per-channel gain and gamma that maps a region's colours onto its surroundings, fitted to
/// ``BoundaryPairs``, with how far to trust it.
///
/// Model, per linear RGB channel: `outside ≈ gain · inside^exponent`, i.e. a line in log space
/// (exposure and white balance are gains, a contrast/gamma change is the exponent). The line is
/// fitted by total least squares (both sides are noisy samples of the same surface), made robust
/// by Huber reweighting (IRLS) on the perpendicular residual.
///
/// Holding back: the fit is repeated leaving out each stretch of the boundary in turn
/// (jackknife), which gives the variance of every parameter; each is then shrunk towards no
/// change as a normal posterior mean, `estimate · τ² / (τ² + variance)`, with priors
/// ``gainPrior`` and ``exponentPrior``. Independently, ``continuity`` — the correlation between
/// the inside and outside of the pairs in log space — says whether the content continues across
/// the edge at all; across an object's edge the two sides are unrelated and the correction fades
/// out (see ``continuityFloor``).
public struct BoundaryFit: Sendable, Hashable {
    /// Log gain per channel at ``pivot`` (outside over inside, natural log), before shrinkage.
    public var logGain: SIMD3<Double>
    /// Exponent per channel (1 = no contrast change), before shrinkage.
    public var exponent: SIMD3<Double>
    /// The region's typical log level per channel (the weighted mean of the inside samples),
    /// around which the exponent pivots.
    public var pivot: SIMD3<Double>
    /// Jackknife variance of ``logGain``.
    public var logGainVariance: SIMD3<Double>
    /// Jackknife variance of ``exponent``.
    public var exponentVariance: SIMD3<Double>
    /// Log of the saturation change (outside over inside, chroma relative to luminance, in linear
    /// RGB around Rec. 709 luminance), after the per-channel curve, before shrinkage.
    public var logSaturation: Double = 0
    /// Jackknife variance of ``logSaturation``.
    public var logSaturationVariance: Double = .infinity
    /// Per channel 0…1: of the pairs clipped inside (≥ ``clippedLevel``), the share also clipped
    /// outside (with one clipped pair of prior weight, so 1 without evidence): how far values
    /// near clipping are left alone (``ColourMatch/curveHighlightKeep``).
    public var highlightKeep: SIMD3<Double> = .one
    /// 0…1: how much the content continues across the edge (correlation of the pairs, mapped
    /// through ``continuityFloor``).
    public var continuity: Double
    /// Pairs used.
    public var pairs: Int
    /// Boundary stretches with pairs.
    public var segments: Int

    /// Prior standard deviation of a real log gain mismatch (natural log; 0.5 ≈ 0.7 EV).
    public static let gainPrior = 0.5
    /// Prior standard deviation of a real exponent (contrast) mismatch.
    public static let exponentPrior = 0.15
    /// Prior standard deviation of a real log saturation mismatch.
    public static let saturationPrior = 0.15
    /// Rec. 709 / sRGB luminance weights of linear RGB.
    static let luminance = SIMD3<Double>(0.2126, 0.7152, 0.0722)
    /// Correlations of the pairs at or below this count as no evidence of continuous content;
    /// continuity rises linearly to 1 at ``continuityFull``.
    public static let continuityFloor = 0.3
    /// See ``continuityFloor``.
    public static let continuityFull = 0.8
    /// Pairs darker than this (linear) in any channel are left out: noise and the black point
    /// dominate their ratios. Pairs brighter than ``brightLimit`` are left out as possibly clipped.
    public static let darkLimit: Float = 0.003
    /// See ``darkLimit``.
    public static let brightLimit: Float = 0.92
    /// A channel at or above this level (linear) counts as clipped.
    public static let clippedLevel: Float = 0.95
    /// Fewer pairs than this, or fewer than three boundary stretches, give no fit.
    public static let minimumPairs = 60

    /// The shrunk log gain: each channel's estimate times `τ² / (τ² + variance)` and ``continuity``.
    public var shrunkLogGain: SIMD3<Double> {
        var g = SIMD3<Double>.zero
        let t2 = Self.gainPrior * Self.gainPrior
        for c in 0..<3 { g[c] = logGain[c] * t2 / (t2 + logGainVariance[c]) * continuity }
        return g
    }

    /// The shrunk exponent, as ``shrunkLogGain``.
    public var shrunkExponent: SIMD3<Double> {
        var e = SIMD3<Double>(repeating: 1)
        let t2 = Self.exponentPrior * Self.exponentPrior
        for c in 0..<3 { e[c] = 1 + (exponent[c] - 1) * t2 / (t2 + exponentVariance[c]) * continuity }
        return e
    }

    /// The shrunk saturation factor, as ``shrunkLogGain``.
    public var shrunkSaturation: Double {
        let t2 = Self.saturationPrior * Self.saturationPrior
        return exp(logSaturation * t2 / (t2 + logSaturationVariance) * continuity)
    }

    /// 0…1: continuity times the mean shrinkage of the gains (1 = applied as estimated).
    public var confidence: Double {
        let t2 = Self.gainPrior * Self.gainPrior
        let s = (0..<3).map { t2 / (t2 + logGainVariance[$0]) }.reduce(0, +) / 3
        return continuity * s
    }

    /// The shrunk correction as a colour match (a per-channel curve on linear RGB, then the
    /// saturation change as a 3×3 matrix).
    public var match: ColourMatch {
        let g = shrunkLogGain, e = shrunkExponent
        var m = ColourMatch.identity
        var gain = SIMD3<Float>(repeating: 1), power = SIMD3<Float>(repeating: 1)
        for c in 0..<3 {
            // out = exp(g + p) · (x / exp(p))^e = exp(g + p − e·p) · x^e
            gain[c] = Float(exp(g[c] + pivot[c] - e[c] * pivot[c]))
            power[c] = Float(e[c])
        }
        m.curveGain = gain; m.curveExponent = power; m.usesCurve = true
        m.curveHighlightKeep = SIMD3<Float>(highlightKeep)
        m.rgbMatrix = Self.saturationMatrix(shrunkSaturation).map(Float.init)
        return m
    }

    /// `s·I + (1 − s)·1·yᵀ`: scales chroma around luminance by `s`, keeping luminance.
    static func saturationMatrix(_ s: Double) -> [Double] {
        var m = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { m[i * 3 + j] = (i == j ? s : 0) + (1 - s) * luminance[j] } }
        return m
    }

    /// Fits `pairs`; nil when there are too few of them (fewer than ``minimumPairs`` usable
    /// pairs or three boundary stretches).
    public static func fit(_ pairs: BoundaryPairs) -> BoundaryFit? {
        var xs: [[Double]] = [[], [], []], ys: [[Double]] = [[], [], []]
        var seg: [Int] = []
        var clippedInside = SIMD3<Double>.zero, clippedBoth = SIMD3<Double>.zero
        for i in 0..<pairs.count {
            let a = pairs.inner[i], b = pairs.outer[i]
            for c in 0..<3 where a[c] >= clippedLevel {
                clippedInside[c] += 1
                if b[c] >= clippedLevel { clippedBoth[c] += 1 }
            }
            guard a.min() > darkLimit, b.min() > darkLimit, a.max() < brightLimit, b.max() < brightLimit else { continue }
            for c in 0..<3 { xs[c].append(log(Double(a[c]))); ys[c].append(log(Double(b[c]))) }
            seg.append(pairs.segment[i])
        }
        let n = seg.count
        var present = [Int](repeating: 0, count: max(1, pairs.segmentCount))
        for s in seg { present[s] += 1 }
        let segmentsUsed = present.filter { $0 > 0 }.count
        guard n >= minimumPairs, segmentsUsed >= 3 else { return nil }
        var fit = BoundaryFit(logGain: .zero, exponent: .one, pivot: .zero, logGainVariance: .zero, exponentVariance: .zero,
                              continuity: 0, pairs: n, segments: segmentsUsed)
        fit.highlightKeep = (clippedBoth + 1) / (clippedInside + 1)
        var correlation = 0.0
        for c in 0..<3 {
            let all = RobustLine.fit(xs[c], ys[c], leaving: nil, segments: seg, scale: nil)
            fit.pivot[c] = all.xMean
            fit.logGain[c] = all.yMean - all.xMean
            fit.exponent[c] = all.slope
            correlation += all.correlation / 3
            // Jackknife over boundary stretches.
            var gains: [Double] = [], slopes: [Double] = []
            for s in 0..<present.count where present[s] > 0 {
                let part = RobustLine.fit(xs[c], ys[c], leaving: s, segments: seg, scale: all.scale)
                gains.append(part.intercept + part.slope * all.xMean - all.xMean)
                slopes.append(part.slope)
            }
            fit.logGainVariance[c] = jackknifeVariance(gains)
            fit.exponentVariance[c] = jackknifeVariance(slopes)
        }
        fit.continuity = min(1, max(0, (correlation - continuityFloor) / (continuityFull - continuityFloor)))
        // Saturation: relative chroma |c − Y| / Y outside against inside (after the curve), as a
        // ratio of medians over the pairs.
        var chromaIn: [Double] = [], chromaOut: [Double] = []
        chromaIn.reserveCapacity(n); chromaOut.reserveCapacity(n)
        for i in 0..<n {
            var a = SIMD3<Double>.zero, b = SIMD3<Double>.zero
            for c in 0..<3 {
                a[c] = exp(fit.logGain[c] + fit.pivot[c] + fit.exponent[c] * (xs[c][i] - fit.pivot[c]))
                b[c] = exp(ys[c][i])
            }
            let ya = (a * luminance).sum(), yb = (b * luminance).sum()
            let da = a - SIMD3(repeating: ya), db = b - SIMD3(repeating: yb)
            chromaIn.append((da * da).sum().squareRoot() / ya); chromaOut.append((db * db).sum().squareRoot() / yb)
        }
        func logRatio(leaving: Int?) -> Double? {
            var p: [Double] = [], q: [Double] = []
            for i in 0..<n where seg[i] != leaving { p.append(chromaIn[i]); q.append(chromaOut[i]) }
            let mp = RobustLine.median(p), mq = RobustLine.median(q)
            return mp > 1e-3 && mq > 1e-3 ? log(mq / mp) : nil
        }
        if let all = logRatio(leaving: nil) {
            var parts: [Double] = []
            for s in 0..<present.count where present[s] > 0 { parts.append(logRatio(leaving: s) ?? 0) }
            fit.logSaturation = all
            fit.logSaturationVariance = jackknifeVariance(parts)
        }
        return fit
    }

    static func jackknifeVariance(_ v: [Double]) -> Double {
        let k = Double(v.count)
        guard k > 1 else { return .infinity }
        let mean = v.reduce(0, +) / k
        return (k - 1) / k * v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    }
}

/// A robust total-least-squares line `y = intercept + slope · x`.
struct RobustLine {
    var slope = 1.0, intercept = 0.0
    var xMean = 0.0, yMean = 0.0
    var correlation = 0.0
    var scale = 1.0

    static let iterations = 6
    static let huber = 1.345
    static let slopeRange = 0.5...2.0

    /// Fits the points, leaving out those of segment `leaving`; `scale` (of the perpendicular
    /// residuals) is estimated from the data when nil.
    static func fit(_ x: [Double], _ y: [Double], leaving: Int?, segments: [Int], scale: Double?) -> RobustLine {
        var line = RobustLine()
        var idx: [Int] = []
        idx.reserveCapacity(x.count)
        for i in 0..<x.count where segments[i] != leaving { idx.append(i) }
        guard !idx.isEmpty else { return line }
        line.intercept = median(idx.map { y[$0] - x[$0] })
        if let s = scale { line.scale = s } else {
            let r = idx.map { abs(y[$0] - line.intercept - x[$0]) / 2.0.squareRoot() }
            line.scale = max(1e-3, 1.4826 * median(r))
        }
        for _ in 0..<iterations {
            let norm = (1 + line.slope * line.slope).squareRoot()
            var sw = 0.0, sx = 0.0, sy = 0.0
            var weights = [Double](repeating: 0, count: idx.count)
            for (k, i) in idx.enumerated() {
                let r = abs(y[i] - line.intercept - line.slope * x[i]) / norm
                let w = r <= huber * line.scale ? 1 : huber * line.scale / r
                weights[k] = w; sw += w; sx += w * x[i]; sy += w * y[i]
            }
            let mx = sx / sw, my = sy / sw
            var sxx = 0.0, syy = 0.0, sxy = 0.0
            for (k, i) in idx.enumerated() {
                let dx = x[i] - mx, dy = y[i] - my, w = weights[k]
                sxx += w * dx * dx; syy += w * dy * dy; sxy += w * dx * dy
            }
            var slope = 1.0
            if abs(sxy) > 1e-12 * max(sxx, syy, 1e-300) {
                slope = (syy - sxx + ((syy - sxx) * (syy - sxx) + 4 * sxy * sxy).squareRoot()) / (2 * sxy)
            }
            line.slope = min(max(slope, slopeRange.lowerBound), slopeRange.upperBound)
            line.xMean = mx; line.yMean = my
            line.intercept = my - line.slope * mx
            line.correlation = sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
        }
        return line
    }

    static func median(_ v: [Double]) -> Double {
        guard !v.isEmpty else { return 0 }
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
