import MeldCore

/// Plain scalar definitions of the coverage kernels, for the tiled versions to match.
public enum CoverageReference {
    /// Maximum (grow) or minimum (shrink) over the digital disk of |radius|, by brute force over
    /// every offset with dx² + dy² ≤ r² + r; outside the image is ignored when growing and
    /// clamped to the edge when shrinking.
    public static func morphology(_ a: Raster, radius: Int) -> Raster {
        let r = abs(radius), grow = radius > 0
        var out = Coverage.empty(width: a.width, height: a.height)
        for y in 0..<a.height {
            for x in 0..<a.width {
                var v: Float = grow ? 0 : 1
                for dy in -r...r {
                    for dx in -r...r where dx * dx + dy * dy <= r * r + r {
                        var sx = x + dx, sy = y + dy
                        if grow {
                            if sx < 0 || sy < 0 || sx >= a.width || sy >= a.height { continue }
                            v = max(v, a[sx, sy, 0])
                        } else {
                            sx = min(max(sx, 0), a.width - 1); sy = min(max(sy, 0), a.height - 1)
                            v = min(v, a[sx, sy, 0])
                        }
                    }
                }
                out[x, y, 0] = v
            }
        }
        return out
    }

    /// The separable truncated Gaussian of `Coverage.featherWeights`, rows then columns, edge
    /// clamped, clipped to the coverage grown by the radius.
    public static func feather(_ a: Raster, radius r: Int) -> Raster {
        let w = Coverage.featherWeights(radius: r)
        var mid = Coverage.empty(width: a.width, height: a.height)
        for y in 0..<a.height {
            for x in 0..<a.width {
                var acc: Float = 0
                for k in 0...(2 * r) { acc += w[k] * a[min(max(x + k - r, 0), a.width - 1), y, 0] }
                mid[x, y, 0] = acc
            }
        }
        var out = Coverage.empty(width: a.width, height: a.height)
        for y in 0..<a.height {
            for x in 0..<a.width {
                var acc: Float = 0
                for k in 0...(2 * r) { acc += w[k] * mid[x, min(max(y + k - r, 0), a.height - 1), 0] }
                out[x, y, 0] = min(max(acc, 0), 1)
            }
        }
        let grown = morphology(a, radius: r)
        for y in 0..<a.height { for x in 0..<a.width { out[x, y, 0] = min(out[x, y, 0], grown[x, y, 0]) } }
        return out
    }

    /// An ellipse by counting the 4 × 4 sample points of each pixel inside it.
    public static func ellipse(cx: Double, cy: Double, rx: Double, ry: Double, width: Int, height: Int) -> Raster {
        var out = Coverage.empty(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                var n = 0
                for j in 0..<4 {
                    for i in 0..<4 {
                        let px = (Double(x) + (Double(i) + 0.5) / 4 - cx) / rx, py = (Double(y) + (Double(j) + 0.5) / 4 - cy) / ry
                        if px * px + py * py <= 1 { n += 1 }
                    }
                }
                out[x, y, 0] = Float(n) / 16
            }
        }
        return out
    }

    /// Magic wand by breadth-first search over 4-neighbours, comparing with the seed colour.
    public static func floodFill(lab: Raster, x: Int, y: Int, tolerance: Float) -> Raster {
        var out = Coverage.empty(width: lab.width, height: lab.height)
        let seed = (lab[x, y, 0], lab[x, y, 1], lab[x, y, 2])
        func inside(_ px: Int, _ py: Int) -> Bool {
            let dl = (lab[px, py, 0] - seed.0) * Coverage.lightnessWeight, da = lab[px, py, 1] - seed.1, db = lab[px, py, 2] - seed.2
            return dl * dl + da * da + db * db <= tolerance * tolerance
        }
        var queue = [(x, y)], head = 0
        out[x, y, 0] = 1
        while head < queue.count {
            let (px, py) = queue[head]; head += 1
            for (nx, ny) in [(px - 1, py), (px + 1, py), (px, py - 1), (px, py + 1)]
            where nx >= 0 && ny >= 0 && nx < lab.width && ny < lab.height && out[nx, ny, 0] == 0 && inside(nx, ny) {
                out[nx, ny, 0] = 1
                queue.append((nx, ny))
            }
        }
        return out
    }
}
