#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Coverage kernels: render shapes, colour ranges and flood fills into one-plane coverage
/// rasters (0 = outside … 1 = inside, `.gray`, not premultiplied), and combine, grow, shrink and
/// feather them.
///
/// Every tiled kernel here is a pure per-pixel gather (each output pixel reads only the inputs,
/// never other outputs), so any ``Schedule`` gives bit-identical results. The flood fill is
/// serial (a scanline fill whose order is fixed by the data).
public enum Coverage {
    /// Samples per pixel side for anti-aliased shapes (4 × 4 = 16 samples).
    public static let supersampling = 4

    /// A new coverage raster of `width × height`, all zero.
    public static func empty(width: Int, height: Int) -> Raster {
        var r = Raster(width: width, height: height, layout: .gray)
        r.isPremultiplied = false
        return r
    }

    /// Renders a per-pixel function of (x, y) into a new coverage raster.
    static func render(width: Int, height: Int, schedule: Schedule,
                       _ value: @Sendable @escaping (Int, Int) -> Float) -> Raster {
        var out = Raster(uninitializedWidth: width, height: height, layout: .gray)
        out.isPremultiplied = false
        out.withMutableView { dst in
            TileScheduler.forEachTile(in: Rect(width: width, height: height), schedule: schedule) { tile in
                for y in tile.y..<tile.maxY {
                    let row = dst.row(y, channel: 0)
                    for x in tile.x..<tile.maxX { row[x] = value(x, y) }
                }
            }
        }
        return out
    }

    /// A rectangle: 1 inside `rect`, 0 elsewhere (exact, pixel aligned).
    public static func rectangle(_ rect: Rect, width: Int, height: Int, schedule: Schedule = .default) -> Raster {
        render(width: width, height: height, schedule: schedule) { x, y in rect.contains(x: x, y: y) ? 1 : 0 }
    }

    /// An axis-aligned ellipse centred at (`cx`, `cy`) in pixel coordinates (pixel (0, 0) covers
    /// 0…1 × 0…1) with radii `rx`, `ry`, anti-aliased with 4 × 4 samples per pixel.
    public static func ellipse(cx: Double, cy: Double, rx: Double, ry: Double, width: Int, height: Int,
                               schedule: Schedule = .default) -> Raster {
        let s = supersampling
        return render(width: width, height: height, schedule: schedule) { x, y in
            // Quick accept/reject on the pixel's corners' distance to the centre.
            var inside = 0
            for j in 0..<s {
                let py = (Double(y) + (Double(j) + 0.5) / Double(s) - cy) / ry
                for i in 0..<s {
                    let px = (Double(x) + (Double(i) + 0.5) / Double(s) - cx) / rx
                    if px * px + py * py <= 1 { inside += 1 }
                }
            }
            return Float(inside) / Float(s * s)
        }
    }

    /// A polygon (even-odd rule) with vertices in pixel coordinates, anti-aliased with 4 × 4
    /// samples per pixel. Cost O(vertices) per sample inside the polygon's bounding box.
    public static func polygon(_ points: [(x: Double, y: Double)], width: Int, height: Int,
                               schedule: Schedule = .default) -> Raster {
        guard points.count >= 3 else { return empty(width: width, height: height) }
        let xs = points.map(\.x), ys = points.map(\.y)
        let box = Rect(x: Int(xs.min()!.rounded(.down)), y: Int(ys.min()!.rounded(.down)),
                       width: Int(xs.max()!.rounded(.up)) - Int(xs.min()!.rounded(.down)) + 1,
                       height: Int(ys.max()!.rounded(.up)) - Int(ys.min()!.rounded(.down)) + 1)
        let s = supersampling
        return render(width: width, height: height, schedule: schedule) { x, y in
            guard box.contains(x: x, y: y) else { return 0 }
            var inside = 0
            for j in 0..<s {
                let py = Double(y) + (Double(j) + 0.5) / Double(s)
                for i in 0..<s {
                    let px = Double(x) + (Double(i) + 0.5) / Double(s)
                    var odd = false
                    var k = points.count - 1
                    for m in 0..<points.count {
                        let a = points[m], b = points[k]
                        if (a.y > py) != (b.y > py) && px < (b.x - a.x) * (py - a.y) / (b.y - a.y) + a.x { odd.toggle() }
                        k = m
                    }
                    if odd { inside += 1 }
                }
            }
            return Float(inside) / Float(s * s)
        }
    }

    /// The weight of ΔL\* in selection colour distances: lightness counts half, so that one
    /// material in light and in shade stays one selection (its hue and chroma change far less
    /// than its lightness), while a different hue or chroma is still told apart.
    public static let lightnessWeight: Float = 0.5

    /// Colour range: coverage from the colour distance ΔE (CIE76 with ΔL\* weighted by
    /// ``lightnessWeight``) between each pixel's Lab colour and
    /// `target`: 1 up to `tolerance`, falling linearly to 0 at `tolerance + fuzziness`.
    ///
    /// - Parameter lab: a raster in straight (unpremultiplied) Lab, as ``ColourConversion`` makes
    ///   it; with alpha, coverage is also multiplied by alpha.
    public static func colourRange(lab: Raster, target: (Float, Float, Float), tolerance: Float, fuzziness: Float,
                                   schedule: Schedule = .default) -> Raster {
        precondition(lab.layout == .rgb || lab.layout == .rgba)
        let hasAlpha = lab.layout.hasAlpha
        var out = Raster(uninitializedWidth: lab.width, height: lab.height, layout: .gray)
        out.isPremultiplied = false
        lab.withView { src in
            out.withMutableView { dst in
                TileScheduler.forEachTile(in: lab.bounds, schedule: schedule) { tile in
                    for y in tile.y..<tile.maxY {
                        let l = src.row(y, channel: 0), a = src.row(y, channel: 1), b = src.row(y, channel: 2)
                        let d = dst.row(y, channel: 0)
                        for x in tile.x..<tile.maxX {
                            let dl = (l[x] - target.0) * lightnessWeight, da = a[x] - target.1, db = b[x] - target.2
                            let e = (dl * dl + da * da + db * db).squareRoot()
                            var c: Float = e <= tolerance ? 1 : (fuzziness > 0 ? max(0, 1 - (e - tolerance) / fuzziness) : 0)
                            if hasAlpha { c *= min(max(src.row(y, channel: 3)[x], 0), 1) }
                            d[x] = c
                        }
                    }
                }
            }
        }
        return out
    }

    /// Magic wand: the 4-connected region around (`x`, `y`) whose pixels lie within
    /// `tolerance` (the distance of ``colourRange(lab:target:tolerance:fuzziness:schedule:)``) of the seed pixel's colour; binary coverage. Serial scanline fill.
    public static func floodFill(lab: Raster, x seedX: Int, y seedY: Int, tolerance: Float) -> Raster {
        precondition(seedX >= 0 && seedY >= 0 && seedX < lab.width && seedY < lab.height)
        var out = empty(width: lab.width, height: lab.height)
        let w = lab.width, h = lab.height
        lab.withView { src in
            out.withMutableView { dst in
                let lp = src.plane(0), ap = src.plane(1), bp = src.plane(2), o = dst.plane(0)
                let s = seedY * w + seedX
                let t = (lp[s], ap[s], bp[s]), t2 = tolerance * tolerance
                func matches(_ i: Int) -> Bool {
                    let dl = (lp[i] - t.0) * lightnessWeight, da = ap[i] - t.1, db = bp[i] - t.2
                    return dl * dl + da * da + db * db <= t2
                }
                var stack = [(seedX, seedY)]
                while let (px, py) = stack.popLast() {
                    let rowBase = py * w
                    if o[rowBase + px] != 0 || !matches(rowBase + px) { continue }
                    var x0 = px, x1 = px
                    while x0 > 0 && o[rowBase + x0 - 1] == 0 && matches(rowBase + x0 - 1) { x0 -= 1 }
                    while x1 < w - 1 && o[rowBase + x1 + 1] == 0 && matches(rowBase + x1 + 1) { x1 += 1 }
                    for x in x0...x1 { o[rowBase + x] = 1 }
                    for ny in [py - 1, py + 1] where ny >= 0 && ny < h {
                        let nb = ny * w
                        var x = x0
                        while x <= x1 {
                            if o[nb + x] == 0 && matches(nb + x) {
                                stack.append((x, ny))
                                // Skip the rest of this run: one seed per run is enough.
                                while x <= x1 && o[nb + x] == 0 && matches(nb + x) { x += 1 }
                            }
                            x += 1
                        }
                    }
                }
            }
        }
        return out
    }

    /// How two coverages combine.
    public enum Combination: String, Sendable, Codable, CaseIterable {
        /// max(a, b).
        case union
        /// min(a, b).
        case intersection
        /// min(a, 1 − b): a without b.
        case subtraction
    }

    /// Combines two coverages of the same size pixel by pixel.
    public static func combine(_ a: Raster, _ b: Raster, _ how: Combination, schedule: Schedule = .default) -> Raster {
        precondition(a.width == b.width && a.height == b.height && a.layout == .gray && b.layout == .gray)
        var out = Raster(uninitializedWidth: a.width, height: a.height, layout: .gray)
        out.isPremultiplied = false
        a.withView { va in
            b.withView { vb in
                out.withMutableView { dst in
                    TileScheduler.forEachTile(in: a.bounds, schedule: schedule) { tile in
                        for y in tile.y..<tile.maxY {
                            let pa = va.row(y, channel: 0), pb = vb.row(y, channel: 0), d = dst.row(y, channel: 0)
                            switch how {
                            case .union: for x in tile.x..<tile.maxX { d[x] = max(pa[x], pb[x]) }
                            case .intersection: for x in tile.x..<tile.maxX { d[x] = min(pa[x], pb[x]) }
                            case .subtraction: for x in tile.x..<tile.maxX { d[x] = min(pa[x], 1 - pb[x]) }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// 1 − coverage.
    public static func inverted(_ a: Raster, schedule: Schedule = .default) -> Raster {
        var out = Raster(uninitializedWidth: a.width, height: a.height, layout: .gray)
        out.isPremultiplied = false
        a.withView { va in
            out.withMutableView { dst in
                TileScheduler.forEachTile(in: a.bounds, schedule: schedule) { tile in
                    for y in tile.y..<tile.maxY {
                        let p = va.row(y, channel: 0), d = dst.row(y, channel: 0)
                        for x in tile.x..<tile.maxX { d[x] = 1 - p[x] }
                    }
                }
            }
        }
        return out
    }

    /// Half-widths of the rows of a digital disk of `radius`: pixel offsets (dx, dy) with
    /// dx² + dy² ≤ radius² + radius (a rounder disk than ≤ r²).
    public static func diskHalfWidths(radius: Int) -> [Int] {
        (-radius...radius).map { dy in
            var w = 0
            while (w + 1) * (w + 1) + dy * dy <= radius * radius + radius { w += 1 }
            return w
        }
    }

    /// Grows (`radius` > 0: maximum over a disk) or shrinks (`radius` < 0: minimum over a disk)
    /// a coverage. Outside the image counts as 0 when growing and as the edge pixel when
    /// shrinking (so a selection touching the border stays there).
    ///
    /// The disk is taken row by row: each of its 2·radius + 1 rows is a horizontal window, and
    /// the maximum over a window comes from van Herk / Gil–Werman block prefix and suffix
    /// maxima, a constant number of operations per pixel whatever the window's width. Cost
    /// O(radius) per pixel (about 5 operations per disk row), instead of the O(radius²) of
    /// visiting every pixel of the disk; exact, so identical to that plain loop.
    public static func morphology(_ a: Raster, radius: Int, schedule: Schedule = .default) -> Raster {
        if radius == 0 { return a }
        let r = abs(radius), grow = radius > 0
        let half = diskHalfWidths(radius: r)
        var out = Raster(uninitializedWidth: a.width, height: a.height, layout: .gray)
        out.isPremultiplied = false
        let w = a.width, h = a.height
        // Outside the image in x: a value that never wins (the window is clipped to the image).
        let pad: Float = grow ? -.infinity : .infinity
        a.withView { src in
            out.withMutableView { dst in
                TileScheduler.forEachTile(in: a.bounds, schedule: schedule, makeScratch: { MorphologyScratch(capacity: 0) }) { tile, scratch in
                    let tw = tile.width, n = tw + 2 * r
                    if scratch.capacity < n { scratch = MorphologyScratch(capacity: n) }
                    let p = scratch.padded, g = scratch.prefix, sfx = scratch.suffix, acc = scratch.acc
                    for y in tile.y..<tile.maxY {
                        for i in 0..<tw { acc[i] = grow ? 0 : 1 }
                        for (k, hw) in half.enumerated() {
                            var sy = y + k - r
                            if sy < 0 || sy >= h {
                                if grow { continue }
                                sy = min(max(sy, 0), h - 1)
                            }
                            let row = src.row(sy, channel: 0)
                            // p[j] is column tile.x - hw + j, for j in 0..<tw + 2·hw.
                            let len = tw + 2 * hw, start = tile.x - hw
                            for j in 0..<len {
                                let x = start + j
                                p[j] = x >= 0 && x < w ? row[x] : pad
                            }
                            let window = 2 * hw + 1
                            if window == 1 {
                                if grow { for i in 0..<tw where p[i] > acc[i] { acc[i] = p[i] } } else { for i in 0..<tw where p[i] < acc[i] { acc[i] = p[i] } }
                                continue
                            }
                            // Block prefix (g) and suffix (sfx) extrema over blocks of `window`.
                            var j = 0
                            while j < len {
                                let end = min(j + window, len)
                                g[j] = p[j]
                                if j + 1 < end { for q in (j + 1)..<end { g[q] = grow ? max(g[q - 1], p[q]) : min(g[q - 1], p[q]) } }
                                sfx[end - 1] = p[end - 1]
                                if end - 2 >= j { for q in stride(from: end - 2, through: j, by: -1) { sfx[q] = grow ? max(sfx[q + 1], p[q]) : min(sfx[q + 1], p[q]) } }
                                j = end
                            }
                            // Window i … i + window − 1 is the suffix of one block and the prefix of the next.
                            if grow {
                                for i in 0..<tw { let v = max(sfx[i], g[i + window - 1]); if v > acc[i] { acc[i] = v } }
                            } else {
                                for i in 0..<tw { let v = min(sfx[i], g[i + window - 1]); if v < acc[i] { acc[i] = v } }
                            }
                        }
                        let d = dst.row(y, channel: 0)
                        for i in 0..<tw { d[tile.x + i] = acc[i] }
                    }
                }
            }
        }
        return out
    }

    /// Shrinks the region `{ value ≥ threshold }` of a coverage in place by a disk of `radius`
    /// (``diskHalfWidths(radius:)``): its pixels within the disk of a pixel outside it are set to
    /// 0, the others keep their values. The image's edges do not shrink it, as in
    /// ``morphology(_:radius:schedule:)`` (the region is exactly where `morphology(a, radius: −radius)`
    /// is ≥ `threshold`). Returns whether any of the region is left.
    ///
    /// For a selection that only its threshold matters to (a Poisson region): the work is one
    /// read of the raster to find each row's runs, then run arithmetic (a run shrinks by the
    /// disk row's half-width; the 2·radius + 1 rows' runs are intersected), and writes only
    /// where the region loses pixels. No second raster is made.
    @discardableResult
    public static func shrinkRegion(_ a: inout Raster, radius: Int, threshold: Float = 0.5) -> Bool {
        precondition(radius >= 0 && a.layout == .gray, "shrinkRegion: one plane, radius ≥ 0")
        let w = a.width, h = a.height
        guard w > 0, h > 0 else { return false }
        // Each row's runs [start, end) of pixels ≥ threshold.
        var runs = [[(Int, Int)]](repeating: [], count: h)
        a.withView { v in
            for y in 0..<h {
                let row = v.row(y, channel: 0)
                var x = 0, list: [(Int, Int)] = []
                while x < w {
                    while x < w && !(row[x] >= threshold) { x += 1 }
                    let start = x
                    while x < w && row[x] >= threshold { x += 1 }
                    if x > start { list.append((start, x)) }
                }
                runs[y] = list
            }
        }
        if radius == 0 { return runs.contains { !$0.isEmpty } }
        let half = diskHalfWidths(radius: radius)
        var left = false
        var kept: [(Int, Int)] = [], next: [(Int, Int)] = []
        for y in 0..<h where !runs[y].isEmpty {
            // Pixel x stays when, for every disk row k, the columns x ± half[k] of row y + k − r
            // (clamped to the image, rows and columns alike) are all inside the region.
            kept = runs[y]
            for (k, hw) in half.enumerated() where !kept.isEmpty {
                let sy = min(max(y + k - radius, 0), h - 1)
                next.removeAll(keepingCapacity: true)
                var i = 0
                for (s, e) in runs[sy] {
                    let s2 = s == 0 ? 0 : s + hw, e2 = e == w ? w : e - hw
                    guard s2 < e2 else { continue }
                    // Intersect [s2, e2) with the kept runs (both sorted, disjoint).
                    while i < kept.count && kept[i].1 <= s2 { i += 1 }
                    var j = i
                    while j < kept.count && kept[j].0 < e2 {
                        let lo = max(kept[j].0, s2), hi = min(kept[j].1, e2)
                        if lo < hi { next.append((lo, hi)) }
                        j += 1
                    }
                }
                swap(&kept, &next)
            }
            if !kept.isEmpty { left = true }
            // Zero the row's region pixels outside the kept runs (kept ⊂ the row's runs).
            if kept.count == 1 && runs[y].count == 1 && kept[0] == runs[y][0] { continue }
            a.withMutableView { v in
                let row = v.row(y, channel: 0)
                var k = 0
                for (s, e) in runs[y] {
                    var x = s
                    while x < e {
                        while k < kept.count && kept[k].1 <= x { k += 1 }
                        let stop = k < kept.count ? min(max(kept[k].0, x), e) : e
                        for z in x..<stop { row[z] = 0 }
                        x = k < kept.count && kept[k].0 < e ? max(kept[k].1, stop) : e
                    }
                }
            }
        }
        return left
    }

    /// A worker's buffers for ``morphology(_:radius:schedule:)``.
    final class MorphologyScratch: @unchecked Sendable {
        let capacity: Int
        let padded: UnsafeMutableBufferPointer<Float>
        let prefix: UnsafeMutableBufferPointer<Float>
        let suffix: UnsafeMutableBufferPointer<Float>
        let acc: UnsafeMutableBufferPointer<Float>
        init(capacity: Int) {
            self.capacity = capacity
            padded = .allocate(capacity: max(1, capacity)); prefix = .allocate(capacity: max(1, capacity))
            suffix = .allocate(capacity: max(1, capacity)); acc = .allocate(capacity: max(1, capacity))
        }
        deinit { padded.deallocate(); prefix.deallocate(); suffix.deallocate(); acc.deallocate() }
    }

    /// The feather kernel of `radius`: a Gaussian of σ = radius / 2.5 truncated at exactly
    /// `radius` taps each side and normalised, so that feathering never reaches further than
    /// `radius` pixels from the selection.
    public static func featherWeights(radius: Int) -> [Float] {
        let sigma = Float(radius) / 2.5
        let w = (-radius...radius).map { k in expf(-Float(k * k) / (2 * sigma * sigma)) }
        let sum = w.reduce(0, +)
        return w.map { $0 / sum }
    }

    /// Softens a coverage's edge with a separable truncated Gaussian of `radius` pixels (see
    /// ``featherWeights(radius:)``), clipped to the coverage grown by `radius` (the disk of
    /// ``morphology(_:radius:schedule:)``): no pixel outside that grown selection gets coverage,
    /// which is what the Edit consistency guarantee promises. Edges: outside the image counts as
    /// the edge pixel.
    public static func feather(_ a: Raster, radius: Int, schedule: Schedule = .default) -> Raster {
        if radius <= 0 { return a }
        let wts = featherWeights(radius: radius), r = radius
        let w = a.width, h = a.height
        var mid = Raster(uninitializedWidth: w, height: h, layout: .gray)
        mid.isPremultiplied = false
        a.withView { src in
            mid.withMutableView { dst in
                TileScheduler.forEachTile(in: a.bounds, schedule: schedule) { tile in
                    for y in tile.y..<tile.maxY {
                        let s = src.row(y, channel: 0), d = dst.row(y, channel: 0)
                        for x in tile.x..<tile.maxX {
                            var acc: Float = 0
                            for k in 0...(2 * r) { acc += wts[k] * s[min(max(x + k - r, 0), w - 1)] }
                            d[x] = acc
                        }
                    }
                }
            }
        }
        var out = Raster(uninitializedWidth: w, height: h, layout: .gray)
        out.isPremultiplied = false
        mid.withView { src in
            out.withMutableView { dst in
                TileScheduler.forEachTile(in: a.bounds, schedule: schedule) { tile in
                    for y in tile.y..<tile.maxY {
                        let d = dst.row(y, channel: 0)
                        for x in tile.x..<tile.maxX {
                            var acc: Float = 0
                            for k in 0...(2 * r) { acc += wts[k] * src.row(min(max(y + k - r, 0), h - 1), channel: 0)[x] }
                            d[x] = min(max(acc, 0), 1)
                        }
                    }
                }
            }
        }
        return combine(out, morphology(a, radius: radius, schedule: schedule), .intersection, schedule: schedule)
    }

    /// The bounding box of the pixels with coverage > 0 (empty when none).
    public static func support(_ a: Raster) -> Rect {
        var x0 = Int.max, y0 = Int.max, x1 = -1, y1 = -1
        a.withView { v in
            for y in 0..<a.height {
                let row = v.row(y, channel: 0)
                for x in 0..<a.width where row[x] > 0 {
                    x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
                }
            }
        }
        return x1 < 0 ? Rect(width: 0, height: 0) : Rect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1)
    }

    /// Blends `edited` over `original` by `coverage`: where coverage is 0 the original's floats
    /// are copied bit for bit, where it is 1 the edited ones, and in between
    /// original + c·(edited − original). Every plane (alpha included) is blended.
    public static func blend(original: Raster, edited: Raster, coverage: Raster, schedule: Schedule = .default) -> Raster {
        precondition(original.width == edited.width && original.height == edited.height && original.layout == edited.layout)
        precondition(coverage.width == original.width && coverage.height == original.height)
        var out = Raster(uninitializedWidth: original.width, height: original.height, layout: original.layout)
        out.isPremultiplied = original.isPremultiplied
        original.withView { o in
            edited.withView { e in
                coverage.withView { cv in
                    out.withMutableView { dst in
                        TileScheduler.forEachTile(in: original.bounds, schedule: schedule) { tile in
                            for c in 0..<o.channels {
                                for y in tile.y..<tile.maxY {
                                    let po = o.row(y, channel: c), pe = e.row(y, channel: c)
                                    let pc = cv.row(y, channel: 0), d = dst.row(y, channel: c)
                                    for x in tile.x..<tile.maxX {
                                        let k = pc[x]
                                        d[x] = k <= 0 ? po[x] : (k >= 1 ? pe[x] : po[x] + k * (pe[x] - po[x]))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
