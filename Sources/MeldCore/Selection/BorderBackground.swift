/// A simple subject mask for product shots on a plain or softly graded backdrop: the background
/// is what is connected to the image border through pixels whose colour is close to the border's
/// colours; the subject is everything else.
///
/// Method: the border ring's Lab colours are clustered (deterministic k-means, 4 centres, 8
/// rounds); a pixel is background-coloured when its distance (ΔL\* counted half, as in
/// ``Coverage/colourRange(lab:target:tolerance:fuzziness:schedule:)``) to the nearest centre is
/// below a threshold of 2.5 × the border's own 90th-percentile spread (at least `minimumTolerance`); a
/// scanline flood fill from every border pixel through background-coloured pixels marks the
/// background. Enclosed background-coloured areas (a hole in a handle) count as subject; subject
/// pieces smaller than 0.2 % of the image are dropped as specks. Serial
/// and deterministic. It is no segmentation network: busy or subject-coloured backdrops fail.
public enum BorderBackground {
    /// The binary subject coverage (1 = subject) of a straight Lab raster.
    public static func subject(lab: Raster, minimumTolerance: Float = 6) -> Raster {
        let w = lab.width, h = lab.height
        var out = Coverage.empty(width: w, height: h)
        guard w > 2 && h > 2 else { return out }
        let ring = max(1, min(w, h) / 50)
        var samples: [(Float, Float, Float)] = []
        for y in 0..<h {
            let edgeRow = y < ring || y >= h - ring
            var x = 0
            while x < w {
                if edgeRow || x < ring || x >= w - ring { samples.append((lab[x, y, 0], lab[x, y, 1], lab[x, y, 2])) }
                x += (edgeRow || x < ring || x >= w - ring) ? 1 : max(1, w - 2 * ring)
            }
        }
        // k-means, centres seeded at lightness quantiles.
        let byL = samples.sorted { $0.0 < $1.0 }
        var centres = (0..<4).map { byL[min(byL.count - 1, ($0 * 2 + 1) * byL.count / 8)] }
        func dist(_ a: (Float, Float, Float), _ b: (Float, Float, Float)) -> Float {
            let dl = (a.0 - b.0) * Coverage.lightnessWeight, da = a.1 - b.1, db = a.2 - b.2
            return (dl * dl + da * da + db * db).squareRoot()
        }
        func nearest(_ p: (Float, Float, Float)) -> (Int, Float) {
            var best = 0, bestD = Float.infinity
            for (i, c) in centres.enumerated() { let d = dist(p, c); if d < bestD { bestD = d; best = i } }
            return (best, bestD)
        }
        for _ in 0..<8 {
            var sums = [(Double, Double, Double, Int)](repeating: (0, 0, 0, 0), count: centres.count)
            for p in samples {
                let (i, _) = nearest(p)
                sums[i].0 += Double(p.0); sums[i].1 += Double(p.1); sums[i].2 += Double(p.2); sums[i].3 += 1
            }
            for i in 0..<centres.count where sums[i].3 > 0 {
                let n = Double(sums[i].3)
                centres[i] = (Float(sums[i].0 / n), Float(sums[i].1 / n), Float(sums[i].2 / n))
            }
        }
        let spread = samples.map { nearest($0).1 }.sorted()
        let tolerance = max(minimumTolerance, 2.5 * spread[min(spread.count - 1, spread.count * 9 / 10)])
        // Flood fill the background from the border.
        var background = [Bool](repeating: false, count: w * h)
        var isBackgroundColour = [Bool](repeating: false, count: w * h)
        lab.withView { v in
            for i in 0..<(w * h) { isBackgroundColour[i] = nearest((v.plane(0)[i], v.plane(1)[i], v.plane(2)[i])).1 <= tolerance }
        }
        var stack: [Int] = []
        for x in 0..<w { stack.append(x); stack.append((h - 1) * w + x) }
        for y in 0..<h { stack.append(y * w); stack.append(y * w + w - 1) }
        while let i = stack.popLast() {
            if background[i] || !isBackgroundColour[i] { continue }
            background[i] = true
            let x = i % w, y = i / w
            if x > 0 { stack.append(i - 1) }
            if x < w - 1 { stack.append(i + 1) }
            if y > 0 { stack.append(i - w) }
            if y < h - 1 { stack.append(i + w) }
        }
        // Drop subject specks: connected pieces smaller than 0.2 % of the image.
        let minimumArea = max(16, w * h / 500)
        var seen = background
        var piece: [Int] = []
        for start in 0..<(w * h) where !seen[start] {
            piece.removeAll(keepingCapacity: true)
            stack = [start]
            seen[start] = true
            while let i = stack.popLast() {
                piece.append(i)
                let x = i % w, y = i / w
                for j in [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1] where j >= 0 && !seen[j] {
                    seen[j] = true
                    stack.append(j)
                }
            }
            if piece.count < minimumArea { for i in piece { background[i] = true } }
        }
        out.withMutableView { d in
            for i in 0..<(w * h) { d.plane(0)[i] = background[i] ? 0 : 1 }
        }
        return out
    }
}
