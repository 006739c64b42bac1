/// Runs of cells per row of a grid: row `y`'s runs are `x0[k]..<x1[k]` for `k` in
/// `first[y]..<first[y + 1]`, left to right.
final class PoissonSpans: @unchecked Sendable {
    let first: [Int]
    let x0: [Int32]
    let x1: [Int32]
    /// Cells covered by all runs.
    let cells: Int

    /// The runs of non-zero bytes in each row of a `width × height` mask.
    init(mask: UnsafePointer<UInt8>, width: Int, height: Int) {
        var first = [Int](), x0 = [Int32](), x1 = [Int32](), cells = 0
        first.reserveCapacity(height + 1)
        for y in 0..<height {
            first.append(x0.count)
            let row = mask + y * width
            var x = 0
            while x < width {
                while x < width && row[x] == 0 { x += 1 }
                guard x < width else { break }
                let start = x
                while x < width && row[x] != 0 { x += 1 }
                x0.append(Int32(start)); x1.append(Int32(x))
                cells += x - start
            }
        }
        first.append(x0.count)
        self.first = first; self.x0 = x0; self.x1 = x1; self.cells = cells
    }

    /// No runs in any of `height` rows.
    init(emptyRows height: Int) {
        first = [Int](repeating: 0, count: height + 1); x0 = []; x1 = []; cells = 0
    }

    /// Calls `body(xa, xb)` for each run of row `y` clipped to `from..<to` (non-empty parts only).
    @inline(__always) func forEach(row y: Int, from: Int, to: Int, _ body: (Int, Int) -> Void) {
        for k in first[y]..<first[y + 1] {
            let a = max(Int(x0[k]), from), b = min(Int(x1[k]), to)
            if a < b { body(a, b) }
        }
    }
}

/// Where the banded solve works on one level (see ``PoissonSolver/fineBand``).
///
/// *Seeds* are the cells where the solution need not be smooth: fixed cells, cells on the grid's
/// edge, cells with a non-zero right side (and, on a coarse level, cells linked to fixed cells
/// or under the finer level's band). A cell of the next coarser level is *under the band* when
/// one of its children is an unknown within Chebyshev distance `d` of a seed; the *active*
/// cells are all unknown children of such cells (whole 2 × 2 blocks, so that a next-level cell's
/// residual comes either wholly from its children or wholly from its own level). Active cells
/// are relaxed and their residuals restricted. *Touched* cells are the active cells and their
/// unknown 4-neighbours, which relaxation reads; they follow the coarse corrections. Every other
/// unknown is the next coarser level's interpolation.
final class PoissonBand: @unchecked Sendable {
    let width: Int, height: Int
    let active: UnsafeMutablePointer<UInt8>
    let touched: UnsafeMutablePointer<UInt8>
    /// Cells of the next coarser level with an active child.
    let coarse: UnsafeMutablePointer<UInt8>
    /// Cells of the next coarser level that the interpolation of an untouched unknown reads
    /// (its parent and the parent's 8 neighbours): where a coarse change reaches this level's
    /// untouched unknowns.
    let followed: UnsafeMutablePointer<UInt8>
    let activeSpans: PoissonSpans
    let touchedSpans: PoissonSpans
    /// Runs of `coarse`.
    let coarseSpans: PoissonSpans
    /// Unknown cells in all.
    let unknowns: Int

    /// The band of a `width × height` level with unknowns marked by non-zero bytes; `seeds(y, row)`
    /// marks row y's seeds by non-zero bytes in `row`. The passes are split over `threads`
    /// workers (the result does not depend on it).
    init(unknown: UnsafePointer<UInt8>, width w: Int, height h: Int, distance d: Int, threads: Int = 1,
         seeds seedRow: @Sendable (_ y: Int, _ into: UnsafeMutablePointer<UInt8>) -> Void) {
        precondition(d >= 1 && d <= 250)
        width = w; height = h
        let n = w * h
        active = .allocate(capacity: n)
        touched = .allocate(capacity: n)
        // Row distance to the nearest seed, capped at d + 1 (rows split over the workers).
        let cap = d + 1
        let rowDistance = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
        defer { rowDistance.deallocate() }
        let (dist, mask, act, tch) = (UnsafeSendableBox(rowDistance), UnsafeSendableBox(unknown),
                                      UnsafeSendableBox(active), UnsafeSendableBox(touched))
        let workers = max(1, threads)
        TileScheduler.forEachTile(in: Rect(width: w, height: h), schedule: Schedule(tileWidth: w, tileHeight: 64, threads: workers)) { tile in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: w) { buffer in
                let seeds = buffer.baseAddress!
                for y in tile.y..<tile.maxY {
                    seedRow(y, seeds)
                    let out = dist.value + y * w
                    var last = -cap
                    for x in 0..<w {
                        if seeds[x] != 0 { last = x }
                        out[x] = UInt8(truncatingIfNeeded: min(x - last, cap))
                    }
                    var next = w - 1 + cap
                    for x in Swift.stride(from: w - 1, through: 0, by: -1) {
                        if seeds[x] != 0 { next = x }
                        out[x] = min(out[x], UInt8(truncatingIfNeeded: min(next - x, cap)))
                    }
                }
            }
        }
        // A cell is within Chebyshev distance d of a seed when some row within d of it has a
        // seed within d of its column: sliding counts over rows y − d … y + d, down stripes of
        // columns (one stripe per task). `touched` holds these "near" unknowns for now.
        let stripe = max(64, (w + 2 * workers - 1) / (2 * workers))
        TileScheduler.forEachTile(in: Rect(width: w, height: 1), schedule: Schedule(tileWidth: stripe, tileHeight: 1, threads: workers)) { tile in
            let x0 = tile.x, x1 = tile.maxX
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: x1 - x0) { counts in
                let window = counts.baseAddress! - x0
                counts.initialize(repeating: 0)
                let limit = UInt8(truncatingIfNeeded: d)
                @inline(__always) func slide(row: Int, _ sign: Int32) {
                    guard row >= 0 && row < h else { return }
                    let distances = dist.value + row * w
                    for x in x0..<x1 { window[x] &+= distances[x] <= limit ? sign : 0 }
                }
                for r in 0...d { slide(row: r, 1) }
                for y in 0..<h {
                    let m = mask.value + y * w, near = tch.value + y * w
                    for x in x0..<x1 { near[x] = m[x] != 0 && window[x] > 0 ? 1 : 0 }
                    slide(row: y + d + 1, 1); slide(row: y - d, -1)
                }
            }
        }
        // Whole 2 × 2 blocks: a next-level cell is under the band when any of its children is
        // near, and then all its unknown children are active, so that every next-level cell is
        // either wholly active (its residual restricted) or not at all.
        let cw = (w + 1) / 2, ch = (h + 1) / 2
        coarse = .allocate(capacity: cw * ch)
        let under = UnsafeSendableBox(coarse)
        let rowBands = Schedule(tileWidth: cw, tileHeight: 32, threads: workers)
        TileScheduler.forEachTile(in: Rect(width: cw, height: ch), schedule: rowBands) { tile in
            for cy in tile.y..<tile.maxY {
                let out = under.value + cy * cw, top = tch.value + 2 * cy * w
                let bottom: UnsafeMutablePointer<UInt8>? = 2 * cy + 1 < h ? top + w : nil
                for cx in 0..<cw {
                    let x = 2 * cx, right = x + 1 < w
                    var any = top[x] | (right ? top[x + 1] : 0)
                    if let bottom { any |= bottom[x] | (right ? bottom[x + 1] : 0) }
                    out[cx] = any
                }
            }
        }
        TileScheduler.forEachTile(in: Rect(width: w, height: h), schedule: Schedule(tileWidth: w, tileHeight: 64, threads: workers)) { tile in
            for y in tile.y..<tile.maxY {
                let m = mask.value + y * w, a = act.value + y * w, blocks = under.value + (y / 2) * cw
                for x in 0..<w { a[x] = m[x] != 0 && blocks[x / 2] != 0 ? 1 : 0 }
            }
        }
        // Touched: the active cells and their unknown 4-neighbours (what relaxation reads).
        TileScheduler.forEachTile(in: Rect(width: w, height: h), schedule: Schedule(tileWidth: w, tileHeight: 64, threads: workers)) { tile in
            for y in tile.y..<tile.maxY {
                let m = mask.value + y * w, a = act.value + y * w, t = tch.value + y * w
                let up: UnsafeMutablePointer<UInt8>? = y > 0 ? a - w : nil, down: UnsafeMutablePointer<UInt8>? = y + 1 < h ? a + w : nil
                for x in 0..<w {
                    var any = a[x] | (x > 0 ? a[x - 1] : 0) | (x + 1 < w ? a[x + 1] : 0)
                    if let up { any |= up[x] }
                    if let down { any |= down[x] }
                    t[x] = m[x] != 0 ? any : 0
                }
            }
        }
        var unknowns = 0
        for i in 0..<n where unknown[i] != 0 { unknowns += 1 }
        self.unknowns = unknowns
        // Next-level cells with an untouched unknown child, then those and their 8 neighbours.
        let parents = UnsafeMutablePointer<UInt8>.allocate(capacity: cw * ch)
        defer { parents.deallocate() }
        let (parentBox, followedBox) = (UnsafeSendableBox(parents), UnsafeSendableBox(UnsafeMutablePointer<UInt8>.allocate(capacity: cw * ch)))
        followed = followedBox.value
        TileScheduler.forEachTile(in: Rect(width: cw, height: ch), schedule: rowBands) { tile in
            for cy in tile.y..<tile.maxY {
                let out = parentBox.value + cy * cw
                for cx in 0..<cw {
                    var any: UInt8 = 0
                    for y in (2 * cy)..<min(h, 2 * cy + 2) {
                        let m = mask.value + y * w, t = tch.value + y * w
                        for x in (2 * cx)..<min(w, 2 * cx + 2) where m[x] != 0 && t[x] == 0 { any = 1 }
                    }
                    out[cx] = any
                }
            }
        }
        TileScheduler.forEachTile(in: Rect(width: cw, height: ch), schedule: rowBands) { tile in
            for cy in tile.y..<tile.maxY {
                let out = followedBox.value + cy * cw
                for cx in 0..<cw {
                    var any: UInt8 = 0
                    for yy in max(0, cy - 1)...min(ch - 1, cy + 1) {
                        let row = parentBox.value + yy * cw
                        for xx in max(0, cx - 1)...min(cw - 1, cx + 1) { any |= row[xx] }
                    }
                    out[cx] = any
                }
            }
        }
        activeSpans = PoissonSpans(mask: active, width: w, height: h)
        touchedSpans = PoissonSpans(mask: touched, width: w, height: h)
        coarseSpans = PoissonSpans(mask: coarse, width: cw, height: ch)
    }

    deinit { active.deallocate(); touched.deallocate(); coarse.deallocate(); followed.deallocate() }

    /// Whether the band leaves most unknowns out (otherwise banding does not pay).
    var isWorthwhile: Bool { activeSpans.cells * 2 < unknowns }

    /// The fine grid's band: seeds are fixed cells, the grid's edge and non-zero right sides.
    static func fine(_ grid: PoissonGrid, distance d: Int, threads: Int = 1) -> PoissonBand {
        fine(unknown: grid.unknown, rhs: grid.b, width: grid.width, height: grid.height, channels: grid.channels,
             distance: d, threads: threads)
    }

    static func fine(unknown: UnsafePointer<UInt8>, rhs: UnsafePointer<Float>?, width w: Int, height h: Int, channels: Int,
                     distance d: Int, threads: Int = 1) -> PoissonBand {
        let n = w * h
        let known = UnsafeSendableBox(unknown), right = UnsafeSendableBox(rhs)
        return PoissonBand(unknown: unknown, width: w, height: h, distance: d, threads: threads) { y, out in
            let m = known.value + y * w
            let edgeRow: UInt8 = y == 0 || y == h - 1 ? 1 : 0
            for x in 0..<w { out[x] = m[x] == 0 ? 1 : edgeRow }
            out[0] = 1; out[w - 1] = 1
            if let b = right.value {
                for c in 0..<channels {
                    let row = b + c * n + y * w
                    for x in 0..<w where row[x] != 0 { out[x] = 1 }
                }
            }
        }
    }

    /// The band of coarse level `level` under a finer band: seeds are the cells that are not
    /// unknown or are linked to fixed cells, the level's edge, and the cells under the finer band
    /// (where the restricted residual is not zero).
    static func coarse(_ level: PoissonCoarseLevel, under finer: PoissonBand, distance d: Int, threads: Int = 1) -> PoissonBand {
        let w = level.width, h = level.height
        let unknown = UnsafeMutablePointer<UInt8>.allocate(capacity: w * h)
        defer { unknown.deallocate() }
        for y in 0..<h {
            let diagonal = level.invDiag + level.index(0, y), out = unknown + y * w
            for x in 0..<w { out[x] = diagonal[x] != 0 ? 1 : 0 }
        }
        let known = UnsafeSendableBox(unknown)
        return PoissonBand(unknown: unknown, width: w, height: h, distance: d, threads: threads) { y, out in
            let m = known.value + y * w, links = level.dirichlet + level.index(0, y), under = finer.coarse + y * w
            let edgeRow = y == 0 || y == h - 1
            for x in 0..<w { out[x] = m[x] == 0 || links[x] != 0 || under[x] != 0 || edgeRow ? 1 : 0 }
            out[0] = 1; out[w - 1] = 1
        }
    }
}

extension PoissonSolver {
    /// The banded solve (see ``fineBand``). The fine grid's passes run on its band only; its other
    /// unknowns follow level 1 and are interpolated from it at the end. When level 1 has a level
    /// below it and a worthwhile band of its own, level 1 is banded the same way over level 2.
    func solveBanded(_ fine: PoissonGrid, band: PoissonBand, levels: [PoissonCoarseLevel], levelOneBand: PoissonBand?,
                     schedule: Schedule) -> Report {
        let first = levels[0]
        var act = PoissonGrid(u: fine.u, b: fine.b, unknown: band.active, width: fine.width, height: fine.height,
                              channels: fine.channels)
        act.spans = band.activeSpans
        act.coarseSpans = band.coarseSpans
        var touch = PoissonGrid(u: fine.u, b: fine.b, unknown: band.touched, width: fine.width, height: fine.height,
                                channels: fine.channels)
        touch.spans = band.touchedSpans
        let second: (level: PoissonCoarseLevel, band: PoissonBand, follow: UnsafeMutablePointer<Float>)?
        if levels.count > 1, let b1 = levelOneBand {
            second = (levels[1], b1, .allocate(capacity: levels[1].planeSize * levels[1].channels))
        } else {
            second = nil
        }
        // The level-1 values every untouched fine unknown follows: the start plus every correction.
        let total = first.planeSize * first.channels
        let follow = UnsafeMutablePointer<Float>.allocate(capacity: total)
        defer { follow.deallocate(); second?.follow.deallocate() }

        /// Level 1's V-cycle for the correction (banded when it can be); returns a bound on the
        /// change it makes to level 1's untouched unknowns.
        func levelOneCycle() -> Float {
            guard let second else {
                coarseCycle(levels, depth: 0, schedule: schedule)
                return 0
            }
            let spans = second.band.activeSpans, next = second.level
            for _ in 0..<smoothingSweeps {
                _ = first.relax(colour: 0, schedule: schedule, spans: spans)
                _ = first.relax(colour: 1, schedule: schedule, spans: spans)
            }
            next.zero(schedule: schedule)
            // Every unknown level-2 cell gets its right side from one of the two: restriction
            // under level 1's band, its own residual elsewhere (the other cells' stays zero).
            first.restrictResidual(into: next, schedule: schedule, mask: second.band.active, spans: second.band.coarseSpans)
            next.writeResidual(of: second.follow, skipping: second.band.coarse, spans: nil, schedule: schedule)
            // Two V-cycles on level 2's problem (a W at level 2): level 1's cells outside its
            // band, and through them the fine region's interior, follow level 2, so its
            // correction's accuracy sets how fast the interior converges. Level 2 has 1/16 of the
            // fine cells; the second cycle took the interior's change from halving each cycle to
            // falling by ≈ 0.3, and the benchmark's 1 MP and 4 MP regions from 5–6 cycles to 4.
            coarseCycle(levels, depth: 1, schedule: schedule)
            coarseCycle(levels, depth: 1, schedule: schedule)
            next.replicateEdges()
            let change = Self.accumulate(next, into: second.follow, influence: second.band.followed, schedule: schedule)
            _ = first.addProlongation(of: next, schedule: schedule, spans: second.band.touchedSpans)
            for _ in 0..<smoothingSweeps {
                _ = first.relax(colour: 0, schedule: schedule, spans: spans)
                _ = first.relax(colour: 1, schedule: schedule, spans: spans)
            }
            return change
        }

        // Full-multigrid start. With the unknowns zero, the residual is zero away from the seeds,
        // so restricting it over the band alone is exact; level-1 cells outside the band keep a
        // zero right side from here on.
        touch.zeroUnknowns(schedule: schedule)
        first.b.update(repeating: 0, count: total)
        first.zero(schedule: schedule)
        act.restrictResidual(into: first, schedule: schedule)
        coarseStart(levels, schedule: schedule, from: 1)
        if let second {
            second.level.replicateEdges()
            _ = first.addProlongation(of: second.level, schedule: schedule, spans: second.band.touchedSpans)
            second.follow.update(from: second.level.u, count: second.level.planeSize * second.level.channels)
            _ = levelOneCycle()
        } else if levels.count > 1 {
            levels[1].replicateEdges()
            _ = first.addProlongation(of: levels[1], schedule: schedule)
            coarseCycle(levels, depth: 0, schedule: schedule)
        } else {
            _ = Self.relaxToConvergence(tolerance: tolerance) { colour in
                first.relax(colour: colour, schedule: .serial(covering: first.bounds))
            }
        }
        first.replicateEdges()
        _ = touch.addProlongation(of: first, schedule: schedule)
        follow.update(from: first.u, count: total)

        var report = Report(cycles: 0, lastChange: .infinity, converged: false)
        while report.cycles < maxCycles {
            for _ in 0..<smoothingSweeps {
                _ = act.relax(colour: 0, schedule: schedule, vectorised: vectorisedSmoothing)
                _ = act.relax(colour: 1, schedule: schedule, vectorised: vectorisedSmoothing)
            }
            first.zero(schedule: schedule, spans: second?.band.touchedSpans)
            act.restrictResidual(into: first, schedule: schedule)
            first.writeResidual(of: follow, skipping: band.coarse, spans: second?.band.activeSpans, schedule: schedule)
            let deeper = levelOneCycle()
            first.replicateEdges()
            // The touched fine unknowns change by the interpolated correction; the untouched ones
            // by the interpolation of level 1's change where they read it: its touched cells'
            // (measured) or its untouched cells' (at most level 2's largest change where they read it).
            let followers = Self.accumulate(first, into: follow, spans: second?.band.touchedSpans, influence: band.followed, schedule: schedule)
            let correction = max(max(deeper, followers), touch.addProlongation(of: first, schedule: schedule))
            var last: Float = 0
            for _ in 0..<smoothingSweeps {
                let red = act.relax(colour: 0, schedule: schedule, vectorised: vectorisedSmoothing)
                last = max(red, act.relax(colour: 1, schedule: schedule, vectorised: vectorisedSmoothing))
            }
            report.cycles += 1
            report.lastChange = correction + last
            if report.lastChange <= tolerance { report.converged = true; break }
        }
        // The untouched unknowns: the interpolation of what they followed, level 2 to level 1
        // first when level 1 is banded.
        first.u.update(from: follow, count: total)
        if let second {
            second.level.u.update(from: second.follow, count: second.level.planeSize * second.level.channels)
            second.level.replicateEdges()
            first.assignProlongation(of: second.level, skipping: second.band.touched, schedule: schedule)
        }
        first.replicateEdges()
        fine.assignProlongation(of: first, skipping: band.touched, schedule: schedule)
        return report
    }

    /// Adds `level`'s values to `sum` (all of them, pad included, or the cells of `spans`);
    /// returns the largest absolute value added at the cells `influence` (unpadded) marks.
    static func accumulate(_ level: PoissonCoarseLevel, into sum: UnsafeMutablePointer<Float>, spans: PoissonSpans? = nil,
                           influence: UnsafePointer<UInt8>, schedule: Schedule) -> Float {
        let l = level
        let box = UnsafeSendableBox((sum, influence))
        let all = spans == nil
        // Rows −1 … height (the pad rows too when adding everything).
        let rows = Rect(x: 0, y: all ? -1 : 0, width: level.width, height: level.height + (all ? 2 : 0))
        return TileScheduler.mapReduce(in: rows, schedule: Schedule(tileWidth: level.width, tileHeight: 64, threads: schedule.threads),
                                       initial: Float(0), partial: { tile in
            let (sum, influence) = box.value
            var largest: Float = 0
            for c in 0..<l.channels {
                for y in tile.y..<tile.maxY {
                    let values = l.u + c * l.planeSize + l.index(0, y), out = sum + c * l.planeSize + l.index(0, y)
                    let inside = y >= 0 && y < l.height
                    let marks = influence + (inside ? y : 0) * l.width
                    func add(_ xa: Int, _ xb: Int) {
                        for x in xa..<xb {
                            let v = values[x]
                            out[x] += v
                            if inside && x >= 0 && x < l.width && marks[x] != 0 { largest = max(largest, abs(v)) }
                        }
                    }
                    if let spans {
                        spans.forEach(row: y, from: 0, to: l.width, add)
                    } else {
                        add(-1, l.width + 1)
                    }
                }
            }
            return largest
        }, combine: { max($0, $1) })
    }
}

extension PoissonGrid {
    /// Sets every unknown cell that `skip` does not mark to the cell-centred bilinear
    /// interpolation of the coarse values (pad filled by ``PoissonCoarseLevel/replicateEdges()``).
    func assignProlongation(of coarse: PoissonCoarseLevel, skipping skip: UnsafePointer<UInt8>, schedule: Schedule) {
        let f = self
        PoissonBand.assign(width: width, height: height, channels: channels, schedule: schedule, from: coarse, skipping: skip) { c, y in
            (f.u + c * f.plane + y * f.width, f.unknown + y * f.width)
        }
    }
}

extension PoissonCoarseLevel {
    /// Sets every unknown cell that `skip` (unpadded) does not mark to the interpolation of `coarse`.
    func assignProlongation(of coarse: PoissonCoarseLevel, skipping skip: UnsafePointer<UInt8>, schedule: Schedule) {
        let l = self
        let marks = UnsafeMutablePointer<UInt8>.allocate(capacity: width * height)
        defer { marks.deallocate() }
        for y in 0..<height { for x in 0..<width { marks[y * width + x] = invDiag[index(x, y)] != 0 ? 1 : 0 } }
        let m = UnsafeSendableBox(marks)
        PoissonBand.assign(width: width, height: height, channels: channels, schedule: schedule, from: coarse, skipping: skip) { c, y in
            (l.u + c * l.planeSize + l.index(0, y), UnsafePointer(m.value + y * l.width))
        }
    }
}

extension PoissonBand {
    /// Sets the cells of a `width × height` level that `row(c, y)`'s mask marks and `skip` does
    /// not to the interpolation of `coarse`. `row(c, y)` gives channel c's row y and the unknown
    /// marks of row y.
    static func assign(width w: Int, height: Int, channels: Int, schedule: Schedule, from coarse: PoissonCoarseLevel,
                       skipping skip: UnsafePointer<UInt8>,
                       row: @escaping @Sendable (Int, Int) -> (UnsafeMutablePointer<Float>, UnsafePointer<UInt8>)) {
        let skipBox = UnsafeSendableBox(skip)
        TileScheduler.forEachTile(in: Rect(width: w, height: height), schedule: schedule) { tile in
            let skip = skipBox.value
            let tc0 = tile.x / 2 - 1, tc1 = (tile.maxX - 1) / 2 + 1
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * (tc1 - tc0 + 1)) { buffer in
                for c in 0..<channels {
                    for y in tile.y..<tile.maxY {
                        let (out, unknown) = row(c, y)
                        let srow = skip + y * w
                        // Rows without a cell to set skip the interpolation.
                        guard (tile.x..<tile.maxX).contains(where: { unknown[$0] != 0 && srow[$0] == 0 }) else { continue }
                        let values = coarse.interpolate(channel: c, fineRow: y, from: tile.x, to: tile.maxX, scratch: buffer.baseAddress!)
                        for x in tile.x..<tile.maxX where unknown[x] != 0 && srow[x] == 0 { out[x] = values[x] }
                    }
                }
            }
        }
    }
}

extension PoissonCoarseLevel {
    /// Writes into the right side, for the unknown cells that `skip` (unpadded) does not mark
    /// (all of them, or those in `spans`), the residual −A·v of the values `v` (this level's
    /// padded layout, pad filled): the composite grid's residual where no finer cell computes it.
    func writeResidual(of v: UnsafeMutablePointer<Float>, skipping skip: UnsafePointer<UInt8>, spans: PoissonSpans?, schedule: Schedule) {
        let l = self, box = UnsafeSendableBox((v, skip))
        TileScheduler.forEachTile(in: bounds, schedule: schedule) { tile in
            let (v, skip) = box.value
            for c in 0..<l.channels {
                let values = v + c * l.planeSize, b = l.b + c * l.planeSize
                for y in tile.y..<tile.maxY {
                    let marks = skip + y * l.width
                    l.forEachRun(row: y, in: tile, spans) { xa, xb in
                        for x in xa..<xb where marks[x] == 0 {
                            let i = l.index(x, y)
                            guard l.invDiag[i] != 0 else { continue }
                            let s = l.stride
                            let neighbours = (l.east[i - 1] * values[i - 1] + l.east[i] * values[i + 1])
                                + (l.south[i - s] * values[i - s] + l.south[i] * values[i + s])
                            b[i] = neighbours - l.diag[i] * values[i]
                        }
                    }
                }
            }
        }
    }
}
