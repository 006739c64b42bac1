#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exemplar-based hole filling: multi-scale PatchMatch nearest-neighbour search with
/// expectation–maximisation voting (after Wexler, Shechtman & Irani 2007 and Barnes et al.
/// 2009), so that texture and structure continue into the hole instead of smearing.
///
/// Method: the hole's surroundings (the hole's bounding box grown by about its own size) are
/// cut out and built into a pyramid down to a hole at most `coarseSize` pixels across (or until the
/// crop gets too small for patches). At the
/// coarsest level the hole starts from a ``DiffusionFill``; every patch overlapping the hole is
/// matched to the `coarseMatchesPerPatch` best hole-free source patches at the coarse levels (where
/// the layout of the fill is decided) and to the `matchesPerPatch` best at the two finest levels
/// (where its texture is), found by PatchMatch (propagation from the left/upper neighbours,
/// alternating scan direction, then random search in shrinking windows; kept matches at least
/// `matchSeparation` pixels apart); every hole pixel
/// then becomes the average of the pixels the overlapping patches' matches put there, weighted
/// by exp(−d / 2σ²) with σ² the 99th percentile of the patch distances d and by the confidence
/// γ^(−distance into the hole) of the patch (Wexler et al.), so the known edge leads. Search and vote
/// alternate; the match field is upsampled to the next level, where the search only refines it
/// locally. Finally the fill's low frequencies are corrected in the gradient domain: the
/// difference between the known pixels around the hole and what the matches predict for them is
/// spread smoothly over the hole (``PoissonSolver``), faded with the distance into the hole
/// (`correctionReach`), and added. Patch distances are sums of squared differences of
/// sRGB-encoded colour.
///
/// Deterministic: the random choices come from a counter hash of `seed`; the search runs over
/// bands of 16 target rows, each band serially in a fixed order, propagating within the band
/// from values written in this pass and across bands from the previous pass's values, so the
/// result depends on the data and the seed but not on the thread count.
/// Only hole pixels are written. Cost: about 1 µs per hole pixel per search pass at the finest
/// level with one match per patch, roughly proportional to `matchesPerPatch`; see the README's
/// removal table for measured times.
public struct PatchMatchFill: Sendable, Hashable {
    /// Patch half-size: patches are (2r + 1)² pixels. Default 3 (7 × 7).
    public var patchRadius: Int
    /// Seed of the random search.
    public var seed: UInt64
    /// The hole size (pixels across) at which the pyramid stops. Default 40: a coarsest level
    /// with 7 × 7 patches small against the hole lays out more of its structure (removal
    /// benchmark, with the other defaults, mean PSNR / SSIM in the hole: 24 → 18.45 dB / 0.619,
    /// 32 → 18.63 / 0.622, 40 → 18.96 / 0.624, 56 → 18.77 / 0.624, 80 → 18.90 / 0.626, each
    /// with four coarse matches and five EM rounds at the middle levels).
    public var coarseSize: Int
    /// Worker threads for the search and the vote; the output is the same for every count.
    public var threads: Int
    /// Matches kept per patch and averaged by the vote (k-nearest-patch voting) at the two finest
    /// pyramid levels, where the fill's texture is made. Default 1 (classic PatchMatch). More
    /// scores better on PSNR / SSIM against a known truth but visibly smears texture, since it
    /// averages different textures; cost grows about linearly with it.
    public var matchesPerPatch: Int
    /// Matches kept per patch and averaged by the vote at the pyramid levels coarser than the two
    /// finest, where the layout of the fill is decided. Default 8: averaging the best few
    /// matches there keeps one odd match (a sharp foreground object copied into a blurred
    /// background) from being refined into the fill, while the two finest levels, with one
    /// match, bring the texture back (removal benchmark, mean PSNR / SSIM in the hole, coarse
    /// size 24, unfaded correction: 1 → 18.55 dB / 0.577, 4 → 18.55 / 0.608; coarse size 40,
    /// reach 16: 4 → 18.96 / 0.624, 8 → 18.76 / 0.627). Voting k matches at the finest levels
    /// too scores higher still but smears texture into flat colour. 1 gives classic PatchMatch
    /// at every level. Cost: the coarse levels' search and vote grow about linearly with it.
    public var coarseMatchesPerPatch: Int
    /// Minimum distance (pixels, Chebyshev) between two matches kept for one patch, so that the
    /// k matches are different places rather than one place shifted by a pixel. Default 3.
    public var matchSeparation: Int
    /// Confidence decay into the hole (Wexler et al.'s γ ≥ 1): a patch's vote is weighted by
    /// γ^(−d), d its centre's distance into the hole, so what is known at the edge leads.
    /// Default 1.3; 1 weighs every patch alike.
    public var confidenceDecay: Float
    /// Whether the finished fill gets a gradient-domain correction of its low frequencies, so
    /// that it meets its surroundings without an offset (default true).
    public var correctsBoundary: Bool
    /// How far (pixels) the boundary correction reaches into the hole: it is faded by
    /// exp(−d / reach), d a pixel's city-block distance to the nearest known pixel. Default 16;
    /// `.infinity` spreads it over the whole hole unfaded. A short reach keeps a large mismatch at
    /// one stretch of the edge (where a sharp boundary does not continue into the fill) from
    /// tinting the hole's interior (removal benchmark, mean PSNR / SSIM in the hole, coarse size
    /// 24, four coarse matches, five EM rounds at the middle levels: unfaded 18.70 dB / 0.610,
    /// 40 px 18.56 / 0.616, 16 px 18.45 / 0.619, 8 px 18.38 / 0.618, none 18.26 / 0.615).
    public var correctionReach: Float

    /// Creates a fill.
    public init(patchRadius: Int = 3, seed: UInt64 = 0, coarseSize: Int = 40, threads: Int = Schedule.defaultThreads,
                matchesPerPatch: Int = 1, coarseMatchesPerPatch: Int = 8, matchSeparation: Int = 3,
                confidenceDecay: Float = 1.3, correctsBoundary: Bool = true, correctionReach: Float = 16) {
        self.patchRadius = max(1, patchRadius)
        self.seed = seed
        self.coarseSize = max(8, coarseSize)
        self.threads = max(1, threads)
        self.matchesPerPatch = max(1, matchesPerPatch)
        self.coarseMatchesPerPatch = max(1, coarseMatchesPerPatch)
        self.matchSeparation = max(1, matchSeparation)
        self.confidenceDecay = max(1, confidenceDecay)
        self.correctsBoundary = correctsBoundary
        self.correctionReach = correctionReach > 0 ? correctionReach : .infinity
    }

    /// The pyramid levels (0 = finest) that use ``matchesPerPatch``; coarser ones use
    /// ``coarseMatchesPerPatch``.
    static let textureLevels = 2

    /// Fills the pixels where `mask` > 0 and returns the raster with only those pixels changed.
    public func fill(_ source: Raster, mask: Raster) -> Raster {
        precondition(mask.width == source.width && mask.height == source.height && mask.layout == .gray)
        let box = Coverage.support(mask)
        guard !box.isEmpty else { return source }
        let margin = max(max(box.width, box.height), 8 * patchRadius + 8)
        let rect = box.outset(by: margin).intersection(source.bounds)
        let planes = InpaintPlanes(source: source, mask: mask, rect: rect)
        // Every pixel a hole: nothing to copy from; fall back to the smooth fill (all zeros).
        if !(0..<planes.count).contains(where: { planes.hole[$0] == 0 }) { return source }
        fill(planes)
        var out = source
        planes.writeHole(into: &out, rect: rect)
        return out
    }

    func fill(_ finest: InpaintPlanes) {
        var levels = [finest]
        while true {
            let top = levels[levels.count - 1]
            let hb = top.holeBounds
            if max(hb.width, hb.height) <= coarseSize || min(top.width, top.height) < 8 * patchRadius + 4 { break }
            levels.append(top.downsampled())
        }
        var nnf: [Int32] = []
        var finestState: LevelState?
        for l in stride(from: levels.count - 1, through: 0, by: -1) {
            let p = levels[l]
            let coarsest = l == levels.count - 1
            let matches = l < Self.textureLevels ? matchesPerPatch : coarseMatchesPerPatch
            let state = LevelState(planes: p, r: patchRadius, threads: threads, matches: matches, separation: matchSeparation)
            state.gamma = confidenceDecay
            if state.sources.isEmpty {
                DiffusionFill().fill(p)
                nnf = []
                continue
            }
            if coarsest || nnf.isEmpty {
                DiffusionFill().fill(p)
                state.refreshFeatures()
                state.randomInit(seed: seed &+ UInt64(l) << 40)
            } else {
                let coarseMatches = l + 1 < Self.textureLevels ? matchesPerPatch : coarseMatchesPerPatch
                state.upsample(from: nnf, matches: coarseMatches, coarse: levels[l + 1], seed: seed &+ UInt64(l) << 40)
                state.vote()
            }
            // One search-and-vote round at the finest level: a second gave the same quality on the
            // removal benchmark (17.39 vs 17.38 dB, 0.5725 vs 0.5712) for ~13 % more CPU. Three at
            // the levels between: five gave 18.85 dB / 0.6272 against 18.76 / 0.6272 (defaults
            // otherwise) for ~30 % more CPU.
            let emRounds = coarsest ? 6 : (l == 0 ? 1 : 3)
            let passes = coarsest ? 3 : (l == 0 ? 1 : 2)
            let searchRadius = coarsest ? max(p.width, p.height) : 4 * patchRadius
            for em in 0..<emRounds {
                for pass in 0..<passes {
                    state.search(forward: (em * passes + pass) % 2 == 0, radius: searchRadius,
                                 salt: seed &+ UInt64(l) << 40 &+ UInt64(em * passes + pass + 1) << 20)
                }
                state.vote()
            }
            nnf = state.nnfArray
            if l == 0 { finestState = state }
        }
        if correctsBoundary, let state = finestState { state.correctBoundary(reach: correctionReach) }
    }
}

/// The PatchMatch state of one pyramid level. Workers share it: during a search each band of
/// targets is written by one worker only, and the vote writes a buffer of its own.
final class LevelState: @unchecked Sendable {
    let p: InpaintPlanes
    let r: Int
    let w: Int
    let h: Int
    let distanceChannels: Int
    /// Target patch centres: pixels whose patch overlaps the hole, row-major.
    let targets: [Int32]
    /// Index into `targets` for each pixel, or −1.
    let targetIndex: [Int32]
    /// Hole-free source patch centres whose patch lies inside the crop.
    let valid: [Bool]
    /// Every valid source centre, row-major.
    let sources: [Int32]
    /// Matches kept per target (the best `k`, best first).
    let k: Int
    /// Two of a target's matches are at least this far apart (Chebyshev, pixels).
    let separation: Int
    /// The matches (source centre pixel indices) of each target, `k` per target, best first.
    let nnf: UnsafeMutablePointer<Int32>
    /// The previous pass's matches, read across band boundaries.
    let snapshot: UnsafeMutablePointer<Int32>
    /// The patch distance of each target's match.
    let cost: UnsafeMutablePointer<Float>
    let threads: Int
    /// The distance channels interleaved per pixel (a patch row is one contiguous run, which
    /// vectorises), refreshed from the planes after every change to the hole.
    let features: UnsafeMutablePointer<Float>
    /// Target index ranges of the row bands, in order.
    let bands: [Range<Int>]
    static let bandRows = 16
    /// Confidence decay per pixel into the hole (Wexler's γ); 1 = none.
    var gamma: Float = 1
    /// City-block distance of each pixel to the nearest known pixel (0 outside the hole).
    let holeDistance: [Float]

    deinit {
        features.deallocate()
        nnf.deallocate()
        snapshot.deallocate()
        cost.deallocate()
    }

    var nnfArray: [Int32] { Array(UnsafeBufferPointer(start: nnf, count: targets.count * k)) }

    init(planes: InpaintPlanes, r: Int, threads: Int, matches: Int = 1, separation: Int = 1) {
        self.threads = threads
        k = max(1, matches)
        self.separation = max(1, separation)
        p = planes
        self.r = r
        w = planes.width
        h = planes.height
        distanceChannels = planes.channels == 2 || planes.channels == 4 ? planes.channels - 1 : planes.channels
        let n = w * h
        // Distance of each pixel to the nearest hole pixel along rows, then columns (Chebyshev ≤ r tests).
        var nearHoleRow = [Bool](repeating: false, count: n)
        for y in 0..<h {
            var last = -10_000_000
            for x in 0..<w { if planes.hole[y * w + x] != 0 { last = x }; if x - last <= r { nearHoleRow[y * w + x] = true } }
            last = 10_000_000
            for x in stride(from: w - 1, through: 0, by: -1) { if planes.hole[y * w + x] != 0 { last = x }; if last - x <= r { nearHoleRow[y * w + x] = true } }
        }
        var near = [Bool](repeating: false, count: n)
        for x in 0..<w {
            var last = -10_000_000
            for y in 0..<h { if nearHoleRow[y * w + x] { last = y }; if y - last <= r { near[y * w + x] = true } }
            last = 10_000_000
            for y in stride(from: h - 1, through: 0, by: -1) { if nearHoleRow[y * w + x] { last = y }; if last - y <= r { near[y * w + x] = true } }
        }
        var targetIndex = [Int32](repeating: -1, count: n)
        var valid = [Bool](repeating: false, count: n)
        var targets: [Int32] = [], sources: [Int32] = []
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                if near[i] {
                    targetIndex[i] = Int32(targets.count)
                    targets.append(Int32(i))
                } else if x >= r && y >= r && x < w - r && y < h - r {
                    valid[i] = true
                    sources.append(Int32(i))
                }
            }
        }
        var dist = [Float](repeating: 0, count: n)
        for i in 0..<n where planes.hole[i] != 0 { dist[i] = Float(n) }
        for y in 0..<h { for x in 0..<w where dist[y * w + x] > 0 {
            var d = dist[y * w + x]
            if x > 0 { d = min(d, dist[y * w + x - 1] + 1) }
            if y > 0 { d = min(d, dist[(y - 1) * w + x] + 1) }
            dist[y * w + x] = d
        } }
        for y in stride(from: h - 1, through: 0, by: -1) { for x in stride(from: w - 1, through: 0, by: -1) where dist[y * w + x] > 0 {
            var d = dist[y * w + x]
            if x < w - 1 { d = min(d, dist[y * w + x + 1] + 1) }
            if y < h - 1 { d = min(d, dist[(y + 1) * w + x] + 1) }
            dist[y * w + x] = d
        } }
        holeDistance = dist
        self.targetIndex = targetIndex
        self.valid = valid
        self.targets = targets
        self.sources = sources
        features = .allocate(capacity: max(1, n * distanceChannels))
        for c in 0..<distanceChannels {
            let plane = planes.data + c * n
            for i in 0..<n { features[i * distanceChannels + c] = plane[i] }
        }
        let t = max(1, targets.count * k)
        nnf = .allocate(capacity: t)
        nnf.initialize(repeating: 0, count: t)
        snapshot = .allocate(capacity: t)
        snapshot.initialize(repeating: 0, count: t)
        cost = .allocate(capacity: t)
        cost.initialize(repeating: .infinity, count: t)
        var start = 0, bands: [Range<Int>] = []
        for k in 0..<targets.count where k > 0 && Int(targets[k]) / w / Self.bandRows != Int(targets[k - 1]) / w / Self.bandRows {
            bands.append(start..<k)
            start = k
        }
        if start < targets.count { bands.append(start..<targets.count) }
        self.bands = bands
    }

    /// Copies the hole pixels' current values into ``features``.
    func refreshFeatures() {
        let n = w * h, dc = distanceChannels
        for i in 0..<n where p.hole[i] != 0 {
            for c in 0..<dc { features[i * dc + c] = p.data[c * n + i] }
        }
    }

    /// Runs `body` over `count` items in fixed chunks on the worker threads.
    func parallel(_ count: Int, chunk: Int = 2048, _ body: @Sendable (Range<Int>) -> Void) {
        let n = (count + chunk - 1) / chunk
        TileScheduler.forEachTile(in: Rect(width: 1, height: n), schedule: Schedule(tileWidth: 1, tileHeight: 1, threads: threads)) { tile in
            body((tile.y * chunk)..<min(count, (tile.y + 1) * chunk))
        }
    }

    /// Sum of squared differences between the patch at target `t` and the patch at source `s`
    /// (both pixel indices), over the target pixels inside the crop; stops early past `limit`.
    @inline(__always) func distance(_ t: Int, _ s: Int, limit: Float) -> Float {
        let tx = t % w, ty = t / w, sx = s % w, sy = s / w
        let dc = distanceChannels
        let lo = max(-r, -tx), hi = min(r, w - 1 - tx)
        let run = (hi - lo + 1) * dc
        var sum: Float = 0
        for dy in -r...r {
            let y = ty + dy
            if y < 0 || y >= h { continue }
            let a = features + (y * w + tx + lo) * dc, b = features + ((sy + dy) * w + sx + lo) * dc
            for i in 0..<run {
                let e = a[i] - b[i]
                sum += e * e
            }
            if sum > limit { return sum }
        }
        return sum
    }

    func randomInit(seed: UInt64) {
        for q in 0..<targets.count * k {
            let s = sources[Int(inpaintHash(seed, UInt64(q)) % UInt64(sources.count))]
            nnf[q] = s
            cost[q] = distance(Int(targets[q / k]), Int(s), limit: .infinity)
        }
        sortMatches()
    }

    /// Orders each target's matches best first (insertion sort; ties keep their order).
    func sortMatches() {
        guard k > 1 else { return }
        for t in 0..<targets.count {
            let base = t * k
            for j in 1..<k {
                var i = j
                while i > 0 && cost[base + i - 1] > cost[base + i] {
                    (cost[base + i - 1], cost[base + i]) = (cost[base + i], cost[base + i - 1])
                    (nnf[base + i - 1], nnf[base + i]) = (nnf[base + i], nnf[base + i - 1])
                    i -= 1
                }
            }
        }
    }

    /// Takes the coarse level's matches (`matches` per target there), doubled, as the first guess
    /// (random where that is not a valid source here); with fewer matches there than here, slot
    /// j takes the coarse slot j mod `matches`.
    func upsample(from coarseNNF: [Int32], matches: Int, coarse: InpaintPlanes, seed: UInt64) {
        let coarseState = LevelState(planes: coarse, r: r, threads: 1)
        let kk = self.k
        for q in 0..<targets.count * kk {
            let k = q / kk, slot = q % kk
            let t = Int(targets[k]), tx = t % w, ty = t / w
            let cx = min(tx / 2, coarse.width - 1), cy = min(ty / 2, coarse.height - 1)
            let ci = Int(coarseState.targetIndex[cy * coarse.width + cx])
            var chosen = -1
            if ci >= 0 && ci * matches + slot % matches < coarseNNF.count {
                let s = Int(coarseNNF[ci * matches + slot % matches])
                let sx = 2 * (s % coarse.width) + (tx - 2 * cx), sy = 2 * (s / coarse.width) + (ty - 2 * cy)
                if sx >= 0 && sy >= 0 && sx < w && sy < h && valid[sy * w + sx] { chosen = sy * w + sx }
            }
            if chosen < 0 { chosen = Int(sources[Int(inpaintHash(seed, UInt64(q)) % UInt64(sources.count))]) }
            nnf[q] = Int32(chosen)
            cost[q] = distance(t, chosen, limit: .infinity)
        }
        sortMatches()
    }

    /// One PatchMatch pass: propagation then random search, forward or backward, band by band.
    func search(forward: Bool, radius: Int, salt: UInt64) {
        snapshot.update(from: nnf, count: targets.count * k)
        let bands = self.bands
        TileScheduler.forEachTile(in: Rect(width: 1, height: bands.count),
                                  schedule: Schedule(tileWidth: 1, tileHeight: 1, threads: threads)) { tile in
            let band = bands[tile.y]
            if forward {
                for k in band { self.improve(k, step: -1, radius: radius, salt: salt) }
            } else {
                for k in band.reversed() { self.improve(k, step: 1, radius: radius, salt: salt) }
            }
        }
    }

    /// Improves target `q`'s matches from its already-visited neighbours and by random search
    /// around its best match. A candidate within `separation` of a kept match competes with that
    /// match only; otherwise it replaces the worst.
    @inline(__always) func improve(_ q: Int, step: Int, radius: Int, salt: UInt64) {
        let t = Int(targets[q]), tx = t % w, ty = t / w
        let myBand = ty / Self.bandRows
        let kk = k, base = q * kk, sep = separation
        @inline(__always) func tryCandidate(_ s: Int) {
            let sx = s % w, sy = s / w
            var slot = kk - 1
            for j in 0..<kk {
                let m = Int(nnf[base + j])
                if m == s { return }
                if abs(m % w - sx) < sep && abs(m / w - sy) < sep { slot = j; break }
            }
            let d = distance(t, s, limit: cost[base + slot])
            if d < cost[base + slot] {
                var i = slot
                nnf[base + i] = Int32(s)
                cost[base + i] = d
                while i > 0 && cost[base + i - 1] > cost[base + i] {
                    (cost[base + i - 1], cost[base + i]) = (cost[base + i], cost[base + i - 1])
                    (nnf[base + i - 1], nnf[base + i]) = (nnf[base + i], nnf[base + i - 1])
                    i -= 1
                }
            }
        }
        let nx = tx + step
        if nx >= 0 && nx < w {
            let ni = Int(targetIndex[ty * w + nx])
            if ni >= 0 {
                for j in 0..<kk {
                    let m = Int(nnf[ni * kk + j]), s = m - step
                    if s >= 0 && s < w * h && abs(s % w - m % w) == 1 && valid[s] { tryCandidate(s) }
                }
            }
        }
        let ny = ty + step
        if ny >= 0 && ny < h {
            let ni = Int(targetIndex[ny * w + tx])
            if ni >= 0 {
                for j in 0..<kk {
                    let m = Int(ny / Self.bandRows == myBand ? nnf[ni * kk + j] : snapshot[ni * kk + j]), s = m - step * w
                    if s >= 0 && s < w * h && valid[s] { tryCandidate(s) }
                }
            }
        }
        var rad = radius, j: UInt64 = 0
        while rad >= 1 {
            let best = Int(nnf[base])
            let bx = best % w, by = best / w
            let hsh = inpaintHash(salt, UInt64(q) &* 64 &+ j)
            let span = UInt64(2 * rad + 1)
            let sx = bx + Int(hsh % span) - rad, sy = by + Int((hsh >> 32) % span) - rad
            if sx >= 0 && sy >= 0 && sx < w && sy < h {
                let s = sy * w + sx
                if valid[s] { tryCandidate(s) }
            }
            rad /= 2
            j += 1
        }
    }

    /// The value at index `rank` of `values` sorted ascending (Hoare's selection with a
    /// median-of-three pivot: linear time on average instead of a sort's n log n); `values` is
    /// reordered. The same value a sort gives, so the same bits.
    static func select(_ values: inout [Float], rank: Int) -> Float {
        precondition(values.indices.contains(rank))
        return values.withUnsafeMutableBufferPointer { v in
            var lo = 0, hi = v.count - 1
            while lo < hi {
                let a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi]
                let pivot = max(min(a, b), min(max(a, b), c))
                var i = lo, j = hi
                while i <= j {
                    while v[i] < pivot { i += 1 }
                    while v[j] > pivot { j -= 1 }
                    if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
                }
                if rank <= j { hi = j } else if rank >= i { lo = i } else { break }
            }
            return v[rank]
        }
    }

    /// The vote weight of each match: similarity exp(−d / 2σ²) with σ² the 99th percentile of
    /// the per-pixel patch costs, times the confidence γ^(−distance into the hole) of its target's
    /// centre. (Percentile chosen on the removal benchmark with one match per patch, mean PSNR /
    /// SSIM in the hole: 50th 17.05 / 0.561, 75th 17.38 / 0.571, 95th 17.57 / 0.573, 99th
    /// 17.65 / 0.575.)
    func voteWeights() -> [Float] {
        let area = Float((2 * r + 1) * (2 * r + 1))
        let kk = k
        var costs = (0..<targets.count * kk).map { cost[$0] / area }
        let sigma2 = max(costs.isEmpty ? 1e-4 : Self.select(&costs, rank: min(costs.count - 1, costs.count * 99 / 100)), 1e-5)
        let logGamma = logf(max(gamma, 1))
        return (0..<targets.count * kk).map { expf(-(cost[$0] / area) / (2 * sigma2) - logGamma * holeDistance[Int(targets[$0 / kk])]) }
    }

    /// The weighted mean of what the overlapping target patches' matches say each of `pixels`
    /// is (`channels` values per pixel); a pixel no target patch covers keeps its value.
    func votes(at pixels: [Int], weights: [Float]) -> [Float] {
        let n = w * h, channels = p.channels
        var updated = [Float](repeating: 0, count: pixels.count * channels)
        let w = self.w, h = self.h, dc = distanceChannels, r = self.r, kk = self.k
        let features = self.features, nnf = self.nnf, data = p.data
        weights.withUnsafeBufferPointer { wts in
            targetIndex.withUnsafeBufferPointer { tip in
                pixels.withUnsafeBufferPointer { hp in
                    updated.withUnsafeMutableBufferPointer { buffer in
                        let out = UnsafeSendableBox(buffer.baseAddress!), wb = UnsafeSendableBox(wts.baseAddress!)
                        let ti = UnsafeSendableBox(tip.baseAddress!), hb = UnsafeSendableBox(hp.baseAddress!)
                        let feat = UnsafeSendableBox(features), nn = UnsafeSendableBox(nnf), planes = UnsafeSendableBox(data)
                        parallel(pixels.count) { range in
                            for j in range {
                                let i = hb.value[j], x = i % w, y = i / w
                                let o = out.value + j * channels
                                var total: Float = 0
                                for dy in -r...r {
                                    let ty = y + dy
                                    if ty < 0 || ty >= h { continue }
                                    for dx in -r...r {
                                        let tx = x + dx
                                        if tx < 0 || tx >= w { continue }
                                        let k = Int(ti.value[ty * w + tx])
                                        if k < 0 { continue }
                                        for m in k * kk..<(k + 1) * kk {
                                            let s = Int(nn.value[m]) - dy * w - dx
                                            let wk = wb.value[m] + 1e-12
                                            // Colour from the interleaved copy (one cache line), alpha from its plane.
                                            let f = feat.value + s * dc
                                            for c in 0..<dc { o[c] += wk * f[c] }
                                            for c in dc..<channels { o[c] += wk * planes.value[c * n + s] }
                                            total += wk
                                        }
                                    }
                                }
                                if total > 0 { for c in 0..<channels { o[c] /= total } }
                                else { for c in 0..<channels { o[c] = planes.value[c * n + i] } }
                            }
                        }
                    }
                }
            }
        }
        return updated
    }

    /// Every hole pixel becomes the weighted mean of what the overlapping patches' matches
    /// say it is. Costs are recomputed afterwards (the hole changed).
    func vote() {
        let n = w * h, channels = p.channels
        var holes: [Int] = []
        for i in 0..<n where p.hole[i] != 0 { holes.append(i) }
        guard !holes.isEmpty, !targets.isEmpty else { return }
        let updated = votes(at: holes, weights: voteWeights())
        for (j, i) in holes.enumerated() { for c in 0..<channels { p.data[c * n + i] = updated[j * channels + c] } }
        refreshFeatures()
        let kk = k
        parallel(targets.count * kk) { range in
            for q in range { self.cost[q] = self.distance(Int(self.targets[q / kk]), Int(self.nnf[q]), limit: .infinity) }
        }
        sortMatches()
    }
}

extension LevelState {
    /// Gradient-domain correction of the fill's low frequencies: on the known pixels bordering
    /// the hole, the difference between their true values and what the matches predict there
    /// is interpolated smoothly (Laplace's equation, ``PoissonSolver``) across the hole, faded by
    /// exp(−d / `reach`) with d the distance into the hole, and added, so the fill meets its
    /// surroundings without a seam of offset colour.
    func correctBoundary(reach: Float) {
        let n = w * h, channels = p.channels
        var ring: [Int] = []
        for i in 0..<n where p.hole[i] == 0 {
            let x = i % w, y = i / w
            if (x > 0 && p.hole[i - 1] != 0) || (x < w - 1 && p.hole[i + 1] != 0)
                || (y > 0 && p.hole[i - w] != 0) || (y < h - 1 && p.hole[i + w] != 0) { ring.append(i) }
        }
        guard !ring.isEmpty, !targets.isEmpty else { return }
        let predicted = votes(at: ring, weights: voteWeights())
        let u = UnsafeMutablePointer<Float>.allocate(capacity: n * channels)
        defer { u.deallocate() }
        u.initialize(repeating: 0, count: n * channels)
        for (j, i) in ring.enumerated() {
            for c in 0..<channels { u[c * n + i] = p.data[c * n + i] - predicted[j * channels + c] }
        }
        _ = PoissonSolver(tolerance: 1.0 / 1024).solve(u: u, rhs: nil, unknown: p.hole, width: w, height: h, channels: channels,
                                                     schedule: Schedule(tileWidth: 64, tileHeight: 64, threads: threads))
        for i in 0..<n where p.hole[i] != 0 {
            let fade = expf(-holeDistance[i] / reach)
            for c in 0..<channels { p.data[c * n + i] += fade * u[c * n + i] }
        }
    }
}
