#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Binary foreground/background segmentation of a (small, working-resolution) Lab raster by
/// iterated colour models and a graph cut (GrabCut, Rother et al. 2004).
///
/// Two guides:
/// - ``Guide/border``: product photos on plain, graded or lightly textured backdrops. The
///   background is modelled from a strip along the image border: a smooth colour field
///   (``BackgroundSurface``) plus a Gaussian mixture of the residuals, so gradients and vignettes
///   are background everywhere. Border pixels that fit that model are fixed as background; pixels
///   the model finds very unlikely seed the foreground mixture.
/// - ``Guide/box(_:)``: general photos. Everything outside the rectangle is fixed background;
///   the foreground mixture starts from the rectangle and the background mixture from outside it.
///
/// Each round re-estimates the mixtures from the current labels, computes the data costs (negative
/// log-likelihoods in nats) and the contrast-sensitive smoothness γ·exp(−β‖Δz‖²)/distance on the
/// 8-connected grid, and solves the minimum cut (``GridGraphCut``). Afterwards
/// ``cleanUp(_:width:height:costs:)`` keeps the main subject and decides its holes.
///
/// Deterministic: the colour fits are serial, the cost maps are tiled per-pixel functions
/// (bit-identical for any schedule), and the cut is serial. Cost: a few rounds of
/// O(pixels × components) plus the cut; meant for ≤ 1 MP working images.
public enum SubjectSegmenter {
    /// What tells subject from background.
    public enum Guide: Sendable, Hashable {
        /// The image border is background (product shots).
        case border
        /// Everything outside the rectangle is background.
        case box(Rect)
    }

    /// Tuning of the segmentation.
    public struct Parameters: Sendable, Hashable {
        /// Graph-cut rounds (colour models re-estimated before each).
        public var rounds: Int = 3
        /// Smoothness weight γ (GrabCut's 50).
        public var smoothness: Double = 50
        /// Mixture components for foreground and background.
        public var components: Int = 5
        /// Nats by which a pixel must be less likely than typical border background to seed the
        /// foreground (border guide).
        public var seedMargin: Double = 10
        /// Creates the defaults.
        public init() {}
    }

    /// The per-pixel data costs of a segmentation: negative log-likelihoods under the foreground
    /// and background models.
    public struct Costs: Sendable {
        /// −log p(colour | foreground), per pixel.
        public var foreground: [Float]
        /// −log p(colour | background), per pixel.
        public var background: [Float]
    }

    /// Segments `lab` (straight CIE Lab planes). Returns 1 for subject and 0 for background per
    /// pixel, and the final data costs; nil when nothing stands out from the border model or the
    /// box leaves no background.
    public static func segment(lab: Raster, guide: Guide, parameters: Parameters = Parameters(),
                               schedule: Schedule = .default) -> (mask: [UInt8], costs: Costs)? {
        let w = lab.width, h = lab.height, n = w * h
        guard w >= 4, h >= 4 else { return nil }
        var colours = [SIMD3<Float>](repeating: .zero, count: n)
        lab.withView { v in
            for i in 0..<n { colours[i] = SIMD3(v.plane(0)[i], v.plane(1)[i], v.plane(2)[i]) }
        }
        var hardBackground = [Bool](repeating: false, count: n)
        var labels = [UInt8](repeating: 0, count: n)
        var surface = BackgroundSurface.zero(width: w, height: h)
        var bgModel: ColourGMM
        let stride = max(1, Int((Double(n) / 6_000).squareRoot().rounded(.up)))

        switch guide {
        case .border:
            let strip = max(2, min(w, h) / 40)
            var border: [(x: Int, y: Int, colour: SIMD3<Float>)] = []
            for y in 0..<h {
                let full = y < strip || y >= h - strip
                for x in 0..<w where full || x < strip || x >= w - strip {
                    if (x + y) % max(1, stride / 2) == 0 { border.append((x, y, colours[y * w + x])) }
                }
            }
            surface = BackgroundSurface(samples: border, width: w, height: h)
            let residuals = border.map { $0.colour - surface.predict($0.x, $0.y) }
            bgModel = ColourGMM(samples: residuals, k: 3)
            let nll = residuals.map { bgModel.negativeLogLikelihood($0) }.sorted()
            let typical = nll[nll.count / 2]
            let hardLimit = typical + 7, seedLimit = typical + parameters.seedMargin
            var seeds: [SIMD3<Float>] = []
            for y in 0..<h {
                for x in 0..<w {
                    let i = y * w + x
                    let inStrip = y < strip || y >= h - strip || x < strip || x >= w - strip
                    let d = bgModel.negativeLogLikelihood(colours[i] - surface.predict(x, y))
                    if inStrip {
                        if d <= hardLimit { hardBackground[i] = true }
                    } else if d > seedLimit {
                        labels[i] = 1
                        if (x % stride == 0) && (y % stride == 0) { seeds.append(colours[i]) }
                    }
                }
            }
            let seeded = labels.reduce(0) { $0 + Int($1) }
            guard seeded >= max(16, n / 500), seeds.count >= 8 else { return nil }
        case .box(let r):
            let box = r.intersection(Rect(width: w, height: h))
            guard !box.isEmpty, box.width * box.height < n else { return nil }
            var outside: [SIMD3<Float>] = []
            for y in 0..<h {
                for x in 0..<w {
                    let i = y * w + x
                    if box.contains(x: x, y: y) {
                        labels[i] = 1
                    } else {
                        hardBackground[i] = true
                        if x % stride == 0 && y % stride == 0 { outside.append(colours[i]) }
                    }
                }
            }
            if outside.count < 8 {
                outside = (0..<n).filter { hardBackground[$0] }.map { colours[$0] }
            }
            bgModel = ColourGMM(samples: outside, k: parameters.components)
        }

        let beta = contrastBeta(colours, width: w, height: h)
        let scale = 16.0
        // Contrast-sensitive smoothness, the same every round.
        var smoothness = [Int32](repeating: 0, count: n * 4)
        for y in 0..<h {
            for x in 0..<w {
                let z = colours[y * w + x]
                for (d, dir) in GridGraphCut.directions.enumerated() {
                    let nx = x + dir.dx, ny = y + dir.dy
                    guard nx >= 0, nx < w, ny < h else { continue }
                    let diff = z - colours[ny * w + nx]
                    let dist = dir.dx != 0 && dir.dy != 0 ? 2.0.squareRoot() : 1.0
                    let v = parameters.smoothness * exp(-beta * Double((diff * diff).sum())) / dist
                    smoothness[(y * w + x) * 4 + d] = Int32((v * scale).rounded())
                }
            }
        }
        var costs = Costs(foreground: [], background: [])
        for round in 0..<parameters.rounds {
            // Re-estimate the models from the current labels.
            var fgSamples: [SIMD3<Float>] = []
            var bgSamples: [(x: Int, y: Int, colour: SIMD3<Float>)] = []
            for y in Swift.stride(from: 0, to: h, by: stride) {
                for x in Swift.stride(from: 0, to: w, by: stride) {
                    let i = y * w + x
                    if labels[i] == 1 { fgSamples.append(colours[i]) } else { bgSamples.append((x, y, colours[i])) }
                }
            }
            guard fgSamples.count >= 4, bgSamples.count >= 4 else { break }
            let fgModel = ColourGMM(samples: fgSamples, k: parameters.components)
            if round > 0 {
                if case .border = guide {
                    surface = BackgroundSurface(samples: bgSamples, width: w, height: h)
                    bgModel = ColourGMM(samples: bgSamples.map { $0.colour - surface.predict($0.x, $0.y) }, k: parameters.components)
                } else {
                    bgModel = ColourGMM(samples: bgSamples.map(\.colour), k: parameters.components)
                }
            }
            costs = dataCosts(lab: lab, foreground: fgModel, background: bgModel, surface: surface, schedule: schedule)
            var graph = GridGraphCut(width: w, height: h)
            graph.neighbour = smoothness
            for i in 0..<n {
                if hardBackground[i] {
                    graph.terminal[i] = -(1 << 26)
                } else {
                    graph.terminal[i] = Int32((Double(costs.background[i] - costs.foreground[i]) * scale).rounded())
                }
            }
            let cut = graph.solve()
            for i in 0..<n { labels[i] = cut.source[i] ? 1 : 0 }
        }
        guard !costs.foreground.isEmpty else { return nil }
        cleanUp(&labels, width: w, height: h, costs: costs)
        guard labels.contains(1), labels.contains(0) else { return nil }
        return (labels, costs)
    }

    /// β = 1 / (2 ⟨‖z_p − z_q‖²⟩) over right and down neighbours, in a fixed order.
    static func contrastBeta(_ colours: [SIMD3<Float>], width w: Int, height h: Int) -> Double {
        var sum = 0.0, count = 0
        for y in 0..<h {
            for x in 0..<w {
                let z = colours[y * w + x]
                if x + 1 < w { let d = z - colours[y * w + x + 1]; sum += Double((d * d).sum()); count += 1 }
                if y + 1 < h { let d = z - colours[(y + 1) * w + x]; sum += Double((d * d).sum()); count += 1 }
            }
        }
        let mean = count > 0 ? sum / Double(count) : 0
        return mean > 0 ? 1 / (2 * mean) : 0
    }

    /// The data costs of every pixel, computed tile by tile (each pixel is the same function of
    /// its colour and position, so every schedule gives the same bits).
    public static func dataCosts(lab: Raster, foreground: ColourGMM, background: ColourGMM,
                                 surface: BackgroundSurface, schedule: Schedule = .default) -> Costs {
        let w = lab.width, h = lab.height
        var fg = [Float](repeating: 0, count: w * h), bg = [Float](repeating: 0, count: w * h)
        fg.withUnsafeMutableBufferPointer { f in
            bg.withUnsafeMutableBufferPointer { b in
                let out = UnsafeSendableBox((f, b))
                lab.withView { v in
                    TileScheduler.forEachTile(in: lab.bounds, schedule: schedule) { tile in
                        for y in tile.y..<(tile.y + tile.height) {
                            for x in tile.x..<(tile.x + tile.width) {
                                let i = y * w + x
                                let z = SIMD3(v.plane(0)[i], v.plane(1)[i], v.plane(2)[i])
                                out.value.0[i] = Float(foreground.negativeLogLikelihood(z))
                                out.value.1[i] = Float(background.negativeLogLikelihood(z - surface.predict(x, y)))
                            }
                        }
                    }
                }
            }
        }
        return Costs(foreground: fg, background: bg)
    }

    /// The scalar reference of ``dataCosts(lab:foreground:background:surface:schedule:)``: one loop.
    public static func dataCostsReference(lab: Raster, foreground: ColourGMM, background: ColourGMM,
                                          surface: BackgroundSurface) -> Costs {
        var costs = Costs(foreground: [], background: [])
        for y in 0..<lab.height {
            for x in 0..<lab.width {
                let z = SIMD3(lab[x, y, 0], lab[x, y, 1], lab[x, y, 2])
                costs.foreground.append(Float(foreground.negativeLogLikelihood(z)))
                costs.background.append(Float(background.negativeLogLikelihood(z - surface.predict(x, y))))
            }
        }
        return costs
    }

    /// Keeps the main subject: the largest 8-connected piece, pieces within 2 pixels of it and
    /// pieces at least 15 % of its area; then decides each enclosed hole (a background piece not
    /// touching the image border, 4-connected): holes smaller than 0.05 % of the image are filled,
    /// larger ones stay background when their mean background cost is below their mean
    /// foreground cost (a mug handle's opening shows the backdrop) and are filled otherwise.
    public static func cleanUp(_ labels: inout [UInt8], width w: Int, height h: Int, costs: Costs) {
        let n = w * h
        var comp = [Int32](repeating: -1, count: n)
        var sizes: [Int] = []
        var stack: [Int] = []
        for start in 0..<n where labels[start] == 1 && comp[start] < 0 {
            let id = Int32(sizes.count)
            var size = 0
            comp[start] = id
            stack.append(start)
            while let i = stack.popLast() {
                size += 1
                let x = i % w, y = i / w
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = x + dx, ny = y + dy
                        guard nx >= 0, ny >= 0, nx < w, ny < h else { continue }
                        let j = ny * w + nx
                        if labels[j] == 1 && comp[j] < 0 { comp[j] = id; stack.append(j) }
                    }
                }
            }
            sizes.append(size)
        }
        guard let largest = sizes.indices.max(by: { sizes[$0] < sizes[$1] }) else { return }
        var keep = sizes.map { Double($0) >= 0.15 * Double(sizes[largest]) }
        keep[largest] = true
        // Pieces within 2 pixels of the largest.
        for i in 0..<n where comp[i] == Int32(largest) {
            let x = i % w, y = i / w
            for dy in -2...2 {
                for dx in -2...2 {
                    let nx = x + dx, ny = y + dy
                    guard nx >= 0, ny >= 0, nx < w, ny < h else { continue }
                    let c = comp[ny * w + nx]
                    if c >= 0 { keep[Int(c)] = true }
                }
            }
        }
        for i in 0..<n where labels[i] == 1 && !keep[Int(comp[i])] { labels[i] = 0 }
        // Holes.
        var seen = [Bool](repeating: false, count: n)
        var piece: [Int] = []
        let smallHole = max(4, n / 2000)
        for start in 0..<n where labels[start] == 0 && !seen[start] {
            piece.removeAll(keepingCapacity: true)
            seen[start] = true
            stack.append(start)
            var touchesBorder = false
            var fgCost = 0.0, bgCost = 0.0
            while let i = stack.popLast() {
                piece.append(i)
                let x = i % w, y = i / w
                if x == 0 || y == 0 || x == w - 1 || y == h - 1 { touchesBorder = true }
                fgCost += Double(costs.foreground[i]); bgCost += Double(costs.background[i])
                for j in [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1]
                    where j >= 0 && labels[j] == 0 && !seen[j] {
                    seen[j] = true
                    stack.append(j)
                }
            }
            if touchesBorder { continue }
            if piece.count < smallHole || fgCost < bgCost {
                for i in piece { labels[i] = 1 }
            }
        }
    }
}
