#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Weighted colour statistics of a region, for colour matching: Lab mean and covariance (D65,
/// from linear sRGB), and the shades-of-gray illuminant estimate (the p-norm mean of linear RGB,
/// p = 6, between grey-world at p = 1 and white-patch at p = ∞).
///
/// Accumulated in double precision over fixed row bands folded in row order, so the result is
/// the same for every schedule.
public struct RegionStatistics: Sendable, Hashable {
    /// Total weight (pixels, counting partial coverage).
    public var weight: Double
    /// Lab mean.
    public var mean: SIMD3<Double>
    /// Lab covariance, row-major 3×3.
    public var covariance: [Double]
    /// Shades-of-gray illuminant estimate in linear RGB (not normalised).
    public var illuminant: SIMD3<Double>

    /// Per-channel Lab standard deviation.
    public var standardDeviation: SIMD3<Double> {
        SIMD3(covariance[0].squareRoot(), covariance[4].squareRoot(), covariance[8].squareRoot())
    }

    /// The Minkowski norm used for the illuminant estimate.
    public static let illuminantNorm = 6.0

    struct Sums: Sendable {
        var w = 0.0
        var s = SIMD3<Double>(repeating: 0)
        var ss = [Double](repeating: 0, count: 9)
        var p = SIMD3<Double>(repeating: 0)

        static func + (a: Sums, b: Sums) -> Sums {
            var r = a
            r.w += b.w; r.s += b.s; r.p += b.p
            for k in 0..<9 { r.ss[k] += b.ss[k] }
            return r
        }
    }

    /// Statistics of the colour of `raster` (premultiplied RGB or RGBA, linear light) over the
    /// pixels where `weights` (one channel, 0…1, same size) is positive, weighted by it and by
    /// the raster's own alpha. Nil when the total weight is below one pixel.
    ///   `step` samples every step-th pixel of every step-th row (statistics of a large region
    ///   barely change, and the Lab conversion is the cost).
    public static func measure(_ raster: Raster, weights: Raster, step: Int = 1, schedule: Schedule = .default) -> RegionStatistics? {
        let step = max(1, step)
        precondition(raster.width == weights.width && raster.height == weights.height, "weights must match the raster")
        precondition(raster.layout.colourChannels == 3, "RGB rasters only")
        let hasAlpha = raster.layout.hasAlpha
        let pNorm = illuminantNorm
        let sums = raster.withView { v in
            weights.withView { wv in
                TileScheduler.reduceRows(raster.bounds, schedule: schedule, initial: Sums(), partial: { band in
                    var acc = Sums()
                    for y in stride(from: band.y, to: band.maxY, by: 1) where y % step == 0 {
                        let r = v.row(y, channel: 0), g = v.row(y, channel: 1), b = v.row(y, channel: 2)
                        let a = hasAlpha ? v.row(y, channel: 3) : nil
                        let wr = wv.row(y, channel: 0)
                        for x in stride(from: 0, to: band.width, by: step) {
                            let alpha = a.map { $0[x] } ?? 1
                            let w = Double(wr[x]) * Double(alpha)
                            guard w > 0, alpha > 0 else { continue }
                            let lin = (r[x] / alpha, g[x] / alpha, b[x] / alpha)
                            let lab = Colour.xyzToLab(Colour.linearToXYZ(lin))
                            let l = SIMD3<Double>(Double(lab.0), Double(lab.1), Double(lab.2))
                            acc.w += w
                            acc.s += w * l
                            for i in 0..<3 { for j in i..<3 { acc.ss[i * 3 + j] += w * l[i] * l[j] } }
                            let c = SIMD3<Double>(Double(max(lin.0, 0)), Double(max(lin.1, 0)), Double(max(lin.2, 0)))
                            acc.p += w * SIMD3(pow(c.x, pNorm), pow(c.y, pNorm), pow(c.z, pNorm))
                        }
                    }
                    return acc
                }, combine: +)
            }
        }
        guard sums.w * Double(step * step) >= 1 else { return nil }
        let mean = sums.s / sums.w
        var cov = [Double](repeating: 0, count: 9)
        for i in 0..<3 {
            for j in i..<3 {
                let c = sums.ss[i * 3 + j] / sums.w - mean[i] * mean[j]
                cov[i * 3 + j] = c; cov[j * 3 + i] = c
            }
        }
        let m = sums.p / sums.w
        let illuminant = SIMD3(pow(m.x, 1 / pNorm), pow(m.y, 1 / pNorm), pow(m.z, 1 / pNorm))
        return RegionStatistics(weight: sums.w, mean: mean, covariance: cov, illuminant: illuminant)
    }
}


