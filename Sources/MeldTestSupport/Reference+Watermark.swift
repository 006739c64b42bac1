#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MeldCore

extension Reference {
    /// The encoded luminance (0…255) of pixel (x, y).
    static func watermarkLuma(_ r: Raster, _ x: Int, _ y: Int, _ enc: UnsafePointer<Float>) -> Float {
        let colour = r.layout.colourChannels
        let a: Float = r.layout.hasAlpha ? r[x, y, colour] : 1
        if a <= 0 { return 0 }
        if colour == 1 { return 255 * EncodedSRGB.encode(r[x, y, 0] / a, enc) }
        return SpreadSpectrumMark.encodedLuminance(red: r[x, y, 0], green: r[x, y, 1], blue: r[x, y, 2], alpha: a)
    }

    /// ``SpreadSpectrumMark/embed(_:key:coded:rms:schedule:)`` written plainly: per cell, the
    /// luma standard deviation over its 3 × 3 cell neighbourhood straight from the pixels; the
    /// global scale from the pattern's energy; then every pixel's luma change.
    /// Matches the kernel to float rounding of the statistics (not bit for bit).
    public static func watermarkEmbed(_ input: Raster, key: WatermarkKey, coded: [UInt8], rms: Float) -> Raster {
        var r = input
        let w = r.width, h = r.height
        let c = SpreadSpectrumMark.cellSize(width: w, height: h)
        let gw = (w + c - 1) / c, gh = (h + c - 1) / c
        let pattern = SpreadSpectrumMark.tilePattern(key: key, coded: coded)
        let shape = SpreadSpectrumMark.bump(c)
        return EncodedSRGB.withTables { enc, _ in
            var mask = [Float](repeating: 0, count: gw * gh)
            var energy = 0.0
            for gy in 0..<gh {
                for gx in 0..<gw {
                    var s1 = 0.0, s2 = 0.0, n = 0.0
                    for y in max(0, (gy - 1) * c)..<min(h, (gy + 2) * c) {
                        for x in max(0, (gx - 1) * c)..<min(w, (gx + 2) * c) {
                            let v = Double(watermarkLuma(input, x, y, enc))
                            s1 += v; s2 += v * v; n += 1
                        }
                    }
                    let mean = s1 / n
                    let sigma = Float(max(0, s2 / n - mean * mean).squareRoot())
                    let m = min(1.6, max(0.3, sigma / 10))
                    mask[gy * gw + gx] = m
                    for y in (gy * c)..<min(h, gy * c + c) {
                        for x in (gx * c)..<min(w, gx * c + c) {
                            let b = shape[x - gx * c] * shape[y - gy * c]
                            energy += Double(m * m) * Double(b * b)
                        }
                    }
                }
            }
            let scale = Float(Double(rms) / (energy / Double(w * h)).squareRoot())
            let colour = r.layout.colourChannels
            for y in 0..<h {
                for x in 0..<w {
                    let gx = x / c, gy = y / c
                    let d = mask[gy * gw + gx] * scale * pattern[(gy % 32) * 32 + gx % 32] * shape[y - gy * c] * shape[x - gx * c]
                    var a: Float = 1
                    if r.layout.hasAlpha {
                        a = input[x, y, colour]
                        if a <= 0 { continue }
                    }
                    for ch in 0..<colour {
                        r[x, y, ch] = SpreadSpectrumMark.shifted(input[x, y, ch] / a, byLevels: d) * a
                    }
                }
            }
            return r
        }
    }

    /// ``SpreadSpectrumDetector/fold(_:width:height:angle:schedule:)`` written plainly: each
    /// pixel's rotated position, its bin, summed in raster order.
    public static func watermarkFold(_ plane: [Float], width: Int, height: Int, angle: Double) -> [Float] {
        var acc = [Double](repeating: 0, count: 4096)
        let t = angle * Double.pi / 180
        for y in 0..<height {
            for x in 0..<width {
                let dx = Double(x) + 0.5 - Double(width) / 2, dy = Double(y) + 0.5 - Double(height) / 2
                let u = Double(width) / 2 + cos(t) * dx - sin(t) * dy
                let v = Double(height) / 2 + sin(t) * dx + cos(t) * dy
                let bx = Int((u + 65536).rounded(.down)) & 63, by = Int((v + 65536).rounded(.down)) & 63
                acc[by * 64 + bx] += Double(plane[y * width + x])
            }
        }
        return acc.map { Float($0) }
    }
}
