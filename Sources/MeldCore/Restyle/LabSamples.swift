#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic sample of an image's colours in CIE Lab (D65), for colour statistics,
/// distribution matching and palette extraction.
///
/// Pixels are taken on a regular grid (every `stride`-th column of every `stride`-th row,
/// starting half a stride in) with `stride` the smallest whole number that keeps the count
/// at or under `maxCount`. A pixel is kept when its alpha times its mask coverage is at
/// least 0.5. The grid depends only on the image size, so the sample is the same on every
/// run and machine.
public struct LabSamples: Sendable, Hashable {
    /// L, a, b of each sample, interleaved.
    public var values: [Float]
    /// The number of samples.
    public var count: Int { values.count / 3 }

    /// Wraps interleaved Lab triples.
    public init(values: [Float]) {
        precondition(values.count % 3 == 0, "Lab samples come in triples")
        self.values = values
    }

    /// Samples `raster` (working format: linear sRGB, premultiplied; grey is R = G = B),
    /// optionally weighted by a one-plane `mask` of the same size.
    public init(of raster: Raster, mask: Raster? = nil, maxCount: Int = 1 << 16) {
        precondition(mask == nil || (mask!.width == raster.width && mask!.height == raster.height), "mask size")
        let w = raster.width, h = raster.height
        var out: [Float] = []
        guard w > 0 && h > 0 else { self.values = out; return }
        var stride = max(1, Int((Double(w * h) / Double(max(1, maxCount))).squareRoot().rounded(.up)))
        while ((w + stride - 1) / stride) * ((h + stride - 1) / stride) > maxCount { stride += 1 }
        let grey = raster.layout.colourChannels == 1
        let alpha = raster.layout.hasAlpha ? raster.channels - 1 : -1
        out.reserveCapacity(3 * ((w + stride - 1) / stride) * ((h + stride - 1) / stride))
        raster.withView { v in
            withOptionalView(mask) { m in
                var y = stride / 2
                while y < h {
                    var x = stride / 2
                    while x < w {
                        let i = y * w + x
                        let a: Float = alpha >= 0 ? v.plane(alpha)[i] : 1
                        let k = a * (m.map { $0.plane(0)[i] } ?? 1)
                        if k >= 0.5 {
                            let inv: Float = (alpha >= 0 && raster.isPremultiplied) ? 1 / a : 1
                            let r = v.plane(0)[i] * inv
                            let g = grey ? r : v.plane(1)[i] * inv
                            let b = grey ? r : v.plane(2)[i] * inv
                            let lab = Colour.xyzToLab(Colour.linearToXYZ((r, g, b)))
                            out.append(lab.0); out.append(lab.1); out.append(lab.2)
                        }
                        x += stride
                    }
                    y += stride
                }
            }
        }
        self.values = out
    }

    /// Several samples pooled into one (in the order given).
    public static func pooled(_ parts: [LabSamples]) -> LabSamples {
        LabSamples(values: parts.flatMap(\.values))
    }
}

/// Mean and standard deviation of L, a and b over a set of colours.
public struct LabStatistics: Sendable, Hashable, Codable {
    /// Mean L, a, b.
    public var mean: [Double]
    /// Standard deviation of L, a, b (population).
    public var deviation: [Double]
    /// How many colours were measured.
    public var count: Int

    /// Creates statistics from their values.
    public init(mean: [Double], deviation: [Double], count: Int) {
        self.mean = mean
        self.deviation = deviation
        self.count = count
    }

    /// Measures `samples` in Double, in sample order (deterministic). Empty samples give
    /// mean 0 and deviation 0.
    public init(_ samples: LabSamples) {
        var s = [0.0, 0.0, 0.0], s2 = [0.0, 0.0, 0.0]
        let n = samples.count
        samples.values.withUnsafeBufferPointer { v in
            for i in 0..<n {
                for c in 0..<3 {
                    let x = Double(v[3 * i + c])
                    s[c] += x
                    s2[c] += x * x
                }
            }
        }
        let count = Double(max(n, 1))
        let mean = s.map { $0 / count }
        let deviation = (0..<3).map { c in max(0, s2[c] / count - mean[c] * mean[c]).squareRoot() }
        self.init(mean: mean, deviation: deviation, count: n)
    }
}
