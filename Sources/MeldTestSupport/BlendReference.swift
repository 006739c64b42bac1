#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MeldCore

/// Scalar double-precision references for seamless blending: the Poisson system solved directly
/// (conjugate gradients to 1e-12), and Burt–Adelson blending with two explicit Laplacian pyramids.
/// Slow and plain on purpose; for small images in tests.
public enum BlendReference {
    static func enc(_ v: Float, _ encode: Bool) -> Double { encode ? Double(SRGBTransfer.encode(v)) : Double(v) }
    static func dec(_ v: Double, _ encode: Bool) -> Float { encode ? SRGBTransfer.decode(Float(min(max(v, 0), 1))) : Float(v) }

    /// Poisson cloning by the textbook discrete equations (Pérez et al.):
    /// for p in Ω, |N_p| f_p − Σ_{q∈N_p∩Ω} f_q = Σ_{q∈N_p∖Ω} f*_q + Σ_{q∈N_p} v_pq,
    /// N_p the in-image 4-neighbours; the source is edge-extended.
    public static func poissonClone(source: Raster, mask: Raster, destination: Raster, offset: (x: Int, y: Int),
                                    guidance: PoissonBlend.Guidance, encode: Bool = true) -> Raster {
        let W = destination.width, H = destination.height, C = destination.layout.colourChannels
        func inOmega(_ x: Int, _ y: Int) -> Bool {
            let sx = x - offset.x, sy = y - offset.y
            return sx >= 0 && sy >= 0 && sx < source.width && sy < source.height && mask[sx, sy, 0] >= 0.5
        }
        func g(_ x: Int, _ y: Int, _ c: Int) -> Double {
            let sx = min(max(x - offset.x, 0), source.width - 1), sy = min(max(y - offset.y, 0), source.height - 1)
            if guidance == .monochrome && C == 3 {
                return 0.2126 * enc(source[sx, sy, 0], encode) + 0.7152 * enc(source[sx, sy, 1], encode) + 0.0722 * enc(source[sx, sy, 2], encode)
            }
            return enc(source[sx, sy, c], encode)
        }
        func fstar(_ x: Int, _ y: Int, _ c: Int) -> Double { enc(destination[x, y, c], encode) }
        var index = [Int](repeating: -1, count: W * H)
        var cells: [(Int, Int)] = []
        for y in 0..<H { for x in 0..<W where inOmega(x, y) { index[y * W + x] = cells.count; cells.append((x, y)) } }
        var out = destination
        guard !cells.isEmpty else { return out }
        let n = cells.count
        func neighbours(_ x: Int, _ y: Int) -> [(Int, Int)] {
            [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)].filter { $0.0 >= 0 && $0.1 >= 0 && $0.0 < W && $0.1 < H }
        }
        for c in 0..<C {
            var b = [Double](repeating: 0, count: n)
            for (k, (x, y)) in cells.enumerated() {
                for (qx, qy) in neighbours(x, y) {
                    let dg = g(x, y, c) - g(qx, qy, c)
                    var v = dg
                    if guidance == .mixed {
                        let df = fstar(x, y, c) - fstar(qx, qy, c)
                        if abs(df) > abs(dg) { v = df }
                    }
                    b[k] += v
                    if index[qy * W + qx] < 0 { b[k] += fstar(qx, qy, c) }
                }
            }
            func apply(_ v: [Double]) -> [Double] {
                var r = [Double](repeating: 0, count: n)
                for (k, (x, y)) in cells.enumerated() {
                    let nb = neighbours(x, y)
                    var s = Double(nb.count) * v[k]
                    for (qx, qy) in nb { let j = index[qy * W + qx]; if j >= 0 { s -= v[j] } }
                    r[k] = s
                }
                return r
            }
            // Conjugate gradients from the plain paste.
            var f = cells.map { g($0.0, $0.1, c) }
            var r = zip(b, apply(f)).map { $0 - $1 }
            var p = r
            var rr = r.reduce(0) { $0 + $1 * $1 }
            let stop = 1e-24 * max(1, b.reduce(0) { $0 + $1 * $1 })
            var iterations = 0
            while rr > stop && iterations < 20 * n + 100 {
                let ap = apply(p)
                let alpha = rr / zip(p, ap).reduce(0) { $0 + $1.0 * $1.1 }
                for k in 0..<n { f[k] += alpha * p[k]; r[k] -= alpha * ap[k] }
                let rr2 = r.reduce(0) { $0 + $1 * $1 }
                for k in 0..<n { p[k] = r[k] + (rr2 / rr) * p[k] }
                rr = rr2
                iterations += 1
            }
            for (k, (x, y)) in cells.enumerated() { out[x, y, c] = dec(f[k], encode) }
        }
        return out
    }

    /// One REDUCE of a double plane (5-tap binomial, edge replicated).
    static func reduce(_ a: [Double], _ w: Int, _ h: Int) -> [Double] {
        let k: [Double] = [1, 4, 6, 4, 1].map { $0 / 16 }
        let cw = (w + 1) / 2, ch = (h + 1) / 2
        var out = [Double](repeating: 0, count: cw * ch)
        for y in 0..<ch { for x in 0..<cw {
            var s = 0.0
            for j in -2...2 { for i in -2...2 {
                let sx = min(max(2 * x + i, 0), w - 1), sy = min(max(2 * y + j, 0), h - 1)
                s += k[i + 2] * k[j + 2] * a[sy * w + sx]
            } }
            out[y * cw + x] = s
        } }
        return out
    }

    /// One EXPAND of a double plane to `w × h`: the transpose-style interpolation
    /// E(x) = 2 Σ_j k(x − 2j) G(j) per direction, edge replicated.
    static func expand(_ a: [Double], _ cw: Int, _ ch: Int, _ w: Int, _ h: Int) -> [Double] {
        let k: [Double] = [1, 4, 6, 4, 1].map { $0 / 16 }
        var out = [Double](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w {
            var s = 0.0
            for j in -2...2 where (y - j) % 2 == 0 { for i in -2...2 where (x - i) % 2 == 0 {
                let cx = min(max((x - i) / 2, 0), cw - 1), cy = min(max((y - j) / 2, 0), ch - 1)
                s += 4 * k[i + 2] * k[j + 2] * a[cy * cw + cx]
            } }
            out[y * w + x] = s
        } }
        return out
    }

    /// Burt–Adelson blending with explicit Laplacian pyramids of source and destination over
    /// the rectangle `roi` of the destination, `bands` levels.
    public static func multiband(source: Raster, mask: Raster, destination: Raster, offset: (x: Int, y: Int),
                                 roi: Rect, bands: Int, encode: Bool = true) -> Raster {
        var out = destination
        let C = destination.layout.colourChannels
        var sizes = [(roi.width, roi.height)]
        while sizes.count < bands, max(sizes.last!.0, sizes.last!.1) > 1 { sizes.append(((sizes.last!.0 + 1) / 2, (sizes.last!.1 + 1) / 2)) }
        func laplacian(_ base: [Double]) -> [[Double]] {
            var gauss = [base]
            for k in 1..<sizes.count { gauss.append(reduce(gauss[k - 1], sizes[k - 1].0, sizes[k - 1].1)) }
            var lap = gauss
            for k in 0..<(sizes.count - 1) {
                let e = expand(gauss[k + 1], sizes[k + 1].0, sizes[k + 1].1, sizes[k].0, sizes[k].1)
                for i in 0..<e.count { lap[k][i] -= e[i] }
            }
            return lap
        }
        var m0 = [Double](repeating: 0, count: roi.area)
        for y in 0..<roi.height { for x in 0..<roi.width {
            let sx = roi.x + x - offset.x, sy = roi.y + y - offset.y
            if sx >= 0 && sy >= 0 && sx < source.width && sy < source.height { m0[y * roi.width + x] = Double(min(max(mask[sx, sy, 0], 0), 1)) }
        } }
        var masks = [m0]
        for k in 1..<sizes.count { masks.append(reduce(masks[k - 1], sizes[k - 1].0, sizes[k - 1].1)) }
        for c in 0..<C {
            var s0 = [Double](repeating: 0, count: roi.area), d0 = s0
            for y in 0..<roi.height { for x in 0..<roi.width {
                let sx = min(max(roi.x + x - offset.x, 0), source.width - 1), sy = min(max(roi.y + y - offset.y, 0), source.height - 1)
                s0[y * roi.width + x] = enc(source[sx, sy, c], encode)
                d0[y * roi.width + x] = enc(destination[roi.x + x, roi.y + y, c], encode)
            } }
            let ls = laplacian(s0), ld = laplacian(d0)
            var blended: [[Double]] = []
            for k in 0..<sizes.count {
                var level = [Double](repeating: 0, count: ls[k].count)
                for i in 0..<level.count {
                    let m: Double = masks[k][i]
                    level[i] = m * ls[k][i] + (1 - m) * ld[k][i]
                }
                blended.append(level)
            }
            for k in stride(from: sizes.count - 2, through: 0, by: -1) {
                let e = expand(blended[k + 1], sizes[k + 1].0, sizes[k + 1].1, sizes[k].0, sizes[k].1)
                for i in 0..<e.count { blended[k][i] += e[i] }
            }
            for y in 0..<roi.height { for x in 0..<roi.width {
                out[roi.x + x, roi.y + y, c] = dec(blended[0][y * roi.width + x], encode)
            } }
        }
        return out
    }
}
