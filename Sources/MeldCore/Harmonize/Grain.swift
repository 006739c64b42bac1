#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sensor and film grain: a robust estimate of an image's noise level, and deterministic grain
/// to give a cleaner layer the same texture as the photo it is placed in.
///
/// Noise is measured on gamma-encoded luma (where grain is seen) with a 3×3 Laplacian high-pass,
/// `d = (4c − up − down − left − right) / √20`, whose output has the input's standard deviation
/// for independent noise, and the median absolute deviation (σ = median|d| / 0.6745), which
/// edges and texture barely move. Grain is a per-pixel Gaussian from a hash of (seed, x, y), so it
/// does not depend on tiling or threads.
public enum Grain {
    /// The noise standard deviation in encoded units (0…1; 1/255 is one 8-bit code) over the
    /// pixels where `weights` ≥ ½ (all when nil) and the raster's alpha ≥ ½, sampling every
    /// `step`-th pixel. Nil when fewer than 64 pixels qualify.
    public static func estimateSigma(_ raster: Raster, weights: Raster? = nil, step: Int = 1) -> Float? {
        precondition(raster.layout.colourChannels == 3, "RGB rasters only")
        let w = raster.width, h = raster.height
        guard w >= 3, h >= 3 else { return nil }
        let hasAlpha = raster.layout.hasAlpha
        var samples: [Float] = []
        raster.withView { v in
            func luma(_ x: Int, _ y: Int) -> Float {
                let a: Float = hasAlpha ? v.row(y, channel: 3)[x] : 1
                let inv: Float = a > 0 ? 1 / a : 0
                let r: Float = v.row(y, channel: 0)[x], g: Float = v.row(y, channel: 1)[x], b: Float = v.row(y, channel: 2)[x]
                let lin: Float = (0.2126 * r + 0.7152 * g + 0.0722 * b) * inv
                return SRGBTransfer.encode(lin)
            }
            let s = max(1, step)
            for y in stride(from: 1, to: h - 1, by: s) {
                for x in stride(from: 1, to: w - 1, by: s) {
                    if let weights, weights[x, y, 0] < 0.5 { continue }
                    if hasAlpha {
                        let ok = [(x, y), (x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)].allSatisfy { v.row($0.1, channel: 3)[$0.0] >= 0.5 }
                        if !ok { continue }
                    }
                    let centre: Float = 4 * luma(x, y)
                    let around: Float = luma(x - 1, y) + luma(x + 1, y) + luma(x, y - 1) + luma(x, y + 1)
                    samples.append(abs(centre - around) / Float(20).squareRoot())
                }
            }
        }
        guard samples.count >= 64 else { return nil }
        samples.sort()
        return samples[samples.count / 2] / 0.6745
    }

    /// Adds luma grain of standard deviation `sigma` (encoded units) to the colour of every pixel
    /// with alpha > 0; alpha is unchanged. Deterministic for a given `seed`.
    public static func add(sigma: Float, seed: UInt64, to raster: inout Raster, schedule: Schedule = .default) {
        precondition(raster.layout.colourChannels == 3, "RGB rasters only")
        guard sigma > 0 else { return }
        let hasAlpha = raster.layout.hasAlpha
        raster.withMutableView { v in
            TileScheduler.forEachTile(in: Rect(width: v.width, height: v.height), schedule: schedule) { tile in
                for y in tile.y..<tile.maxY {
                    let r = v.row(y, channel: 0), g = v.row(y, channel: 1), b = v.row(y, channel: 2)
                    let a = hasAlpha ? v.row(y, channel: 3) : nil
                    for x in tile.x..<tile.maxX {
                        let alpha = a.map { $0[x] } ?? 1
                        guard alpha > 0 else { continue }
                        let n = gaussian(seed: seed, x: x, y: y) * sigma
                        for plane in [r, g, b] {
                            let encoded = SRGBTransfer.encode(plane[x] / alpha) + n
                            plane[x] = SRGBTransfer.decode(min(max(encoded, 0), 1)) * alpha
                        }
                    }
                }
            }
        }
    }

    /// A standard normal value from a hash of (seed, x, y) (Box–Muller on two hashed uniforms).
    @inline(__always) static func gaussian(seed: UInt64, x: Int, y: Int) -> Float {
        var z = seed &+ UInt64(truncatingIfNeeded: x) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: y) &* 0xC2B2_AE3D_27D4_EB4F
        func mix() -> UInt64 {
            z = z &+ 0x9E37_79B9_7F4A_7C15
            var m = z
            m = (m ^ (m >> 30)) &* 0xBF58_476D_1CE4_E5B9
            m = (m ^ (m >> 27)) &* 0x94D0_49BB_1331_11EB
            return m ^ (m >> 31)
        }
        let u1 = (Double(mix() >> 11) + 0.5) * 0x1p-53, u2 = Double(mix() >> 11) * 0x1p-53
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}
