/// A multigrid solver for the discrete Poisson equation on an irregular region of a grid.
///
/// The grid is `width × height` cells, `channels` planes. Each cell is either an *unknown* or
/// *fixed* (a Dirichlet value). For every unknown cell `p` the solver finds `u` with
///
///     n_p · u_p − Σ_{q ∈ N_p} u_q = b_p
///
/// where `N_p` are the 4-neighbours of `p` that lie inside the grid and `n_p = |N_p|`: a
/// neighbour outside the grid is simply absent (a zero-flux, Neumann edge), which is how a region
/// touching the image border is handled. Fixed cells keep their values and enter the sum.
///
/// Method: full multigrid, then V-cycles. Coarse grids halve each side; a coarse cell is unknown
/// when *any* of its children is, and its operator is the aggregation Galerkin operator with the
/// couplings between neighbours halved and the links to fixed cells kept whole (see
/// ``PoissonCoarseLevel``): the standard 5-point stencil inside the region, and near its boundary
/// a Dirichlet condition where the fine cells put it, slightly stiff. Restriction sums the
/// children's residuals (the factor 4 of the coarser spacing folded in); prolongation is
/// cell-centred bilinear; the coarsest grid (≤ 256 cells) is relaxed to convergence. Smoother:
/// red-black Gauss–Seidel, `smoothingSweeps` (default 1) before and after each coarse-grid correction,
/// on the fine grid eight cells at a time (SIMD). The start (nested iteration) is the solution of
/// the coarse problems: the fine right side with the fixed values folded in is summed down the
/// hierarchy, the coarsest level solved, and each finer level started from the interpolation of
/// the one below and given one V-cycle; the unknowns' initial values are not used.
///
/// Banded solve (``fineBand``, default 16): the solution is smooth away from the fixed cells, the
/// grid's edge and a non-zero right side, so the fine grid's passes only visit the unknowns near
/// them (whole 2 × 2 blocks within `fineBand` cells, see ``PoissonBand``); the other unknowns are
/// level 1's bilinear interpolation, and level 1 computes their residual itself (−A·v of the
/// values they follow) where no fine cell does — a composite grid. When level 1's own band leaves
/// out most of its unknowns, level 1 is banded the same way over level 2. On a region with
/// boundary values far rougher than a photo's (independent noise), the banded solution is within
/// 0.05 of an 8-bit level of the whole-grid one; on the photos of the blend benchmark the results
/// are the same to within one code (about one sample in a thousand). Used when the band holds fewer
/// than half of the unknowns; mixed gradients, whose right side is non-zero almost everywhere,
/// solve the whole grid.
///
/// Stopping rule: after each V-cycle the solver measures the largest change the cycle made to any
/// unknown (coarse correction plus smoothing, bounded per pixel); it stops when that falls below
/// `tolerance` (in the units of the values, e.g. 1/1024 of full scale), or after `maxCycles`.
///
/// Determinism: every pass is a pure per-cell function of the previous state (red cells read
/// only black ones and vice versa), and the one reduction (a maximum) is exact, so any
/// ``Schedule`` gives bit-identical results.
///
/// Cost: one V-cycle over the whole grid is about 7 passes over the fine grid per channel (≈ 4/3
/// of that over all levels), the full-multigrid start about one V-cycle; banded, the fine and
/// level-1 passes cover only the bands, plus one pass to set the interior at the end. Memory: the
/// coarse levels take ≈ (2 × channels + 5) / 3 floats per fine cell (3.7 for RGB); banding adds
/// about 2 bytes and (channels + 1) / 4 floats per fine cell.
/// Measured (`meld blend`, default tolerance, the 1 MP and 4 MP elliptical regions of
/// `Benchmarks/peers/blend.sh`): 4 cycles for both, banded, with two V-cycles on level 2 per
/// cycle (5, or 6 with the region shrunk by 3 px, with one); the solve (with gathering and writing
/// the values) 1.8–2.2 × faster banded than on the whole grid. The earlier solver (coarse grids without
/// the cells that have a fixed child, V(2,2), started from the mean boundary value) took 8 and 9,
/// its change falling by only ≈ 0.45 a cycle. On a synthetic 2000 × 2000 ellipse the start leaves
/// a first change of ≈ 0.07 and the change then falls by ≈ 0.3–0.4 a cycle; V(2,2) needs one cycle
/// fewer but costs more. "Any child unknown" with the plain 5-point stencil, or with the links to
/// fixed cells halved like the couplings, diverges.
public struct PoissonSolver: Sendable {
    /// Largest change per cycle at which iteration stops, in value units.
    public var tolerance: Float
    /// Upper bound on V-cycles.
    public var maxCycles: Int
    /// Gauss–Seidel sweeps before and after each coarse-grid correction.
    public var smoothingSweeps: Int

    /// Width of the band, in cells, in which the fine grid (and level 1) are solved at their own
    /// resolution; 0 solves the whole fine grid. Default 16. See the type's "Banded solve".
    ///
    /// For cloning with normal gradients the correction is harmonic inside the region, so only
    /// the cells near the seam need the fine grid. Wider bands come closer to the whole-grid
    /// solution (on independent-noise boundaries: 0.16 of an 8-bit level at 8, 0.05 at 16,
    /// 0.016 at 24) and cost more.
    public var fineBand: Int

    /// Whether the fine grid's smoother runs eight cells at a time (same bits; tests compare).
    var vectorisedSmoothing = true

    /// Creates a solver stopping at `tolerance` (default 1/1024 of full scale) or `maxCycles` cycles.
    public init(tolerance: Float = 1.0 / 1024, maxCycles: Int = 40, smoothingSweeps: Int = 1, fineBand: Int = 16) {
        self.tolerance = tolerance
        self.maxCycles = maxCycles
        self.smoothingSweeps = smoothingSweeps
        self.fineBand = max(0, fineBand)
    }

    /// What a solve did.
    public struct Report: Sendable, Hashable {
        /// V-cycles run.
        public var cycles: Int
        /// The largest change made by the last cycle.
        public var lastChange: Float
        /// Whether `lastChange` fell below the tolerance.
        public var converged: Bool
    }

    /// Solves in place. `u` holds `channels` planes of `width × height` floats: fixed cells hold
    /// their Dirichlet values, unknown cells the initial guess. `rhs` (same shape) is the right
    /// side `b`, or nil for zero. `unknown[y * width + x] != 0` marks the unknowns.
    public func solve(u: UnsafeMutablePointer<Float>, rhs: UnsafePointer<Float>?, unknown: UnsafePointer<UInt8>,
                      width: Int, height: Int, channels: Int, schedule: Schedule = .default) -> Report {
        precondition(width > 0 && height > 0 && channels > 0)
        let prepared = prepare(unknown: unknown, rhs: rhs, width: width, height: height, channels: channels, threads: schedule.threads)
        return solve(u: u, rhs: rhs, prepared: prepared, schedule: schedule)
    }

    /// The parts of a solve that depend only on which cells are unknown (and on where the right
    /// side is non-zero): the coarse levels and the bands. Building them is about a fifth of a
    /// clone's solve; seamless cloning builds them while the destination is still being decoded.
    /// A preparation serves one solve (its levels hold that solve's working values), and holds on
    /// to `unknown` without copying it: keep it alive and unchanged until the solve is done.
    public final class Preparation: @unchecked Sendable {
        let unknown: UnsafePointer<UInt8>
        let width: Int, height: Int, channels: Int
        let levels: [PoissonCoarseLevel]
        /// The fine grid's band and level 1's band under it, when worthwhile.
        let band: PoissonBand?
        let levelOneBand: PoissonBand?
        /// Whether the bands were made for a zero right side.
        let zeroRightSide: Bool
        /// Set by the solve that used it.
        var used = false

        init(unknown: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int, levels: [PoissonCoarseLevel],
             band: PoissonBand?, levelOneBand: PoissonBand?, zeroRightSide: Bool) {
            self.unknown = unknown
            self.width = width; self.height = height; self.channels = channels
            self.levels = levels
            self.band = band
            self.levelOneBand = levelOneBand
            self.zeroRightSide = zeroRightSide
        }
    }

    /// Builds the levels and bands for solves on this grid; `rhs` (or nil for zero) only decides
    /// where the band must reach, its values are not kept. See ``Preparation``.
    public func prepare(unknown: UnsafePointer<UInt8>, rhs: UnsafePointer<Float>? = nil, width: Int, height: Int, channels: Int,
                        threads: Int = Schedule.defaultThreads) -> Preparation {
        precondition(width > 0 && height > 0 && channels > 0)
        let levels = hierarchy(unknown: unknown, width: width, height: height, channels: channels, threads: threads)
        var band: PoissonBand?, levelOne: PoissonBand?
        if fineBand > 0, let first = levels.first {
            let fine = PoissonBand.fine(unknown: unknown, rhs: rhs, width: width, height: height, channels: channels,
                                        distance: fineBand, threads: threads)
            if fine.isWorthwhile {
                band = fine
                if levels.count > 1 {
                    let b1 = PoissonBand.coarse(first, under: fine, distance: fineBand, threads: threads)
                    if b1.isWorthwhile { levelOne = b1 }
                }
            }
        }
        return Preparation(unknown: unknown, width: width, height: height, channels: channels, levels: levels, band: band,
                           levelOneBand: levelOne, zeroRightSide: rhs == nil)
    }

    /// Solves in place on a prepared grid (see ``solve(u:rhs:unknown:width:height:channels:schedule:)``).
    /// `rhs` must be nil when the preparation was made without a right side.
    public func solve(u: UnsafeMutablePointer<Float>, rhs: UnsafePointer<Float>?, prepared: Preparation,
                      schedule: Schedule = .default) -> Report {
        precondition(rhs == nil || !prepared.zeroRightSide || prepared.band == nil,
                     "a preparation made for a zero right side cannot solve with one (its band would miss it)")
        precondition(!prepared.used, "a PoissonSolver.Preparation serves one solve")
        prepared.used = true
        let fine = PoissonGrid(u: u, b: rhs, unknown: prepared.unknown, width: prepared.width, height: prepared.height,
                               channels: prepared.channels)
        let levels = prepared.levels
        if let band = prepared.band {
            return withExtendedLifetime(prepared) {
                solveBanded(fine, band: band, levels: levels, levelOneBand: prepared.levelOneBand, schedule: schedule)
            }
        }
        var report = Report(cycles: 0, lastChange: .infinity, converged: false)
        if !levels.isEmpty { fullMultigridStart(fine, levels: levels, schedule: schedule) }
        while report.cycles < maxCycles {
            let change = vCycle(fine, levels: levels, schedule: schedule)
            report.cycles += 1
            report.lastChange = change
            if change <= tolerance { report.converged = true; break }
        }
        return withExtendedLifetime(prepared) { report }
    }

    /// The coarse levels under `fine`, halving each side down to at most 256 cells.
    func hierarchy(_ fine: PoissonGrid, threads: Int = 1) -> [PoissonCoarseLevel] {
        hierarchy(unknown: fine.unknown, width: fine.width, height: fine.height, channels: fine.channels, threads: threads)
    }

    func hierarchy(unknown: UnsafePointer<UInt8>, width: Int, height: Int, channels: Int, threads: Int = 1) -> [PoissonCoarseLevel] {
        var levels: [PoissonCoarseLevel] = []
        guard width * height > 256 && max(width, height) > 2 else { return levels }
        var level = PoissonCoarseLevel(fine: MaskOperator(unknown: unknown, width: width, height: height),
                                       channels: channels, threads: threads)
        levels.append(level)
        while level.width * level.height > 256 && max(level.width, level.height) > 2 {
            level = level.coarsened(threads: threads)
            levels.append(level)
        }
        return levels
    }

    /// One V-cycle on the fine grid; returns the largest change made to an unknown (the coarse
    /// correction plus the last smoothing sweep's update).
    func vCycle(_ grid: PoissonGrid, levels: [PoissonCoarseLevel], schedule: Schedule) -> Float {
        guard let first = levels.first else {
            return Self.relaxToConvergence(tolerance: tolerance) { colour in
                grid.relax(colour: colour, schedule: .serial(covering: grid.bounds))
            }
        }
        for _ in 0..<smoothingSweeps {
            _ = grid.relax(colour: 0, schedule: schedule, vectorised: vectorisedSmoothing)
            _ = grid.relax(colour: 1, schedule: schedule, vectorised: vectorisedSmoothing)
        }
        first.zero(schedule: schedule)
        grid.restrictResidual(into: first, schedule: schedule)
        // Two V-cycles on level 1's problem (a W at level 1): level 1 has a quarter of the fine
        // cells, and the more accurate correction took mixed-gradient clones of the blend
        // benchmark's 1 MP and 4 MP regions from 6 cycles to 4 (solve 0.34 -> 0.29 s and
        // 1.15 -> 0.98 s).
        coarseCycle(levels, depth: 0, schedule: schedule)
        coarseCycle(levels, depth: 0, schedule: schedule)
        first.replicateEdges()
        let correction = grid.addProlongation(of: first, schedule: schedule)
        var last: Float = 0
        for _ in 0..<smoothingSweeps {
            let red = grid.relax(colour: 0, schedule: schedule, vectorised: vectorisedSmoothing)
            last = max(red, grid.relax(colour: 1, schedule: schedule, vectorised: vectorisedSmoothing))
        }
        return correction + last
    }

    /// Replaces the unknowns by the interpolated solution of the coarse problems (nested
    /// iteration): the fine right side with the fixed values folded in is summed onto level 1
    /// and down the hierarchy, the coarsest level solved, and each finer level started from the
    /// interpolation of the one below and given one V-cycle.
    func fullMultigridStart(_ grid: PoissonGrid, levels: [PoissonCoarseLevel], schedule: Schedule) {
        grid.zeroUnknowns(schedule: schedule)
        coarseStart(levels, schedule: schedule) { grid.restrictResidual(into: levels[0], schedule: schedule) }
        levels[0].replicateEdges()
        _ = grid.addProlongation(of: levels[0], schedule: schedule)
    }

    /// The coarse part of the full-multigrid start: `restrictFine` writes the fine right side
    /// (fixed values folded in) onto level 1; it is summed down the hierarchy, the coarsest level
    /// solved, and each level up to level 1 started from the interpolation of the one below and
    /// given one V-cycle.
    func coarseStart(_ levels: [PoissonCoarseLevel], schedule: Schedule, restrictFine: () -> Void) {
        levels[0].zero(schedule: schedule)
        restrictFine()
        coarseStart(levels, schedule: schedule, from: 0)
    }

    /// The rest of ``coarseStart(_:schedule:restrictFine:)`` once level 1 has its right side,
    /// stopping after level `top` (0: level 1 started and cycled; 1: level 2, level 1 untouched).
    func coarseStart(_ levels: [PoissonCoarseLevel], schedule: Schedule, from top: Int) {
        for d in 1..<levels.count {
            levels[d].zero(schedule: schedule)
            levels[d - 1].restrictRightSide(into: levels[d], schedule: schedule)
        }
        let last = levels[levels.count - 1]
        _ = Self.relaxToConvergence(tolerance: tolerance) { colour in
            last.relax(colour: colour, schedule: .serial(covering: last.bounds))
        }
        for d in Swift.stride(from: levels.count - 2, through: top, by: -1) {
            levels[d + 1].replicateEdges()
            _ = levels[d].addProlongation(of: levels[d + 1], schedule: schedule)
            coarseCycle(levels, depth: d, schedule: schedule)
        }
    }

    /// The V-cycle below the fine grid, for the error on `levels[depth]` (values start at zero).
    func coarseCycle(_ levels: [PoissonCoarseLevel], depth: Int, schedule: Schedule) {
        let level = levels[depth]
        guard depth + 1 < levels.count else {
            _ = Self.relaxToConvergence(tolerance: tolerance) { colour in
                level.relax(colour: colour, schedule: .serial(covering: level.bounds))
            }
            return
        }
        for _ in 0..<smoothingSweeps {
            _ = level.relax(colour: 0, schedule: schedule)
            _ = level.relax(colour: 1, schedule: schedule)
        }
        let coarse = levels[depth + 1]
        coarse.zero(schedule: schedule)
        level.restrictResidual(into: coarse, schedule: schedule)
        coarseCycle(levels, depth: depth + 1, schedule: schedule)
        coarse.replicateEdges()
        _ = level.addProlongation(of: coarse, schedule: schedule)
        for _ in 0..<smoothingSweeps {
            _ = level.relax(colour: 0, schedule: schedule)
            _ = level.relax(colour: 1, schedule: schedule)
        }
    }

    /// Red-black sweeps on a small grid until an update falls below `tolerance` × 10⁻³ (at most
    /// 1000 sweeps); returns the sum of the largest updates.
    static func relaxToConvergence(tolerance: Float, _ relax: (Int) -> Float) -> Float {
        var total: Float = 0
        for _ in 0..<1000 {
            let a = relax(0), b = relax(1)
            total += max(a, b)
            if max(a, b) <= tolerance * 1e-3 { break }
        }
        return total
    }
}

/// A view of one level: the unknowns, right side and mask. Passes over it are tiled.
struct PoissonGrid: @unchecked Sendable {
    let u: UnsafeMutablePointer<Float>
    let b: UnsafePointer<Float>?
    let unknown: UnsafePointer<UInt8>
    let width: Int, height: Int, channels: Int
    /// When set, passes visit only these runs of each row (the banded solve); nil: whole rows.
    var spans: PoissonSpans? = nil
    /// When set, residual restriction writes only these runs of each coarse row.
    var coarseSpans: PoissonSpans? = nil

    /// Calls `body(xa, xb)` for the runs of row `y` inside `tile`'s columns (the whole tile
    /// row when the grid has no spans).
    @inline(__always) func forEachSpan(row y: Int, in tile: Rect, _ body: (Int, Int) -> Void) {
        guard let spans else { body(tile.x, tile.maxX); return }
        spans.forEach(row: y, from: tile.x, to: tile.maxX, body)
    }

    var bounds: Rect { Rect(width: width, height: height) }
    var plane: Int { width * height }

    /// One red-black half sweep: updates unknown cells with (x + y + colour) even.
    /// Returns the largest absolute update.
    ///
    /// `vectorised` runs the rows with four neighbours eight cells at a time (every cell computed,
    /// the other colour's and fixed cells kept by a select): the same arithmetic in the same
    /// order as the scalar loop, so the same bits (tested).
    func relax(colour: Int, schedule: Schedule, vectorised: Bool = true) -> Float {
        let g = self
        return TileScheduler.mapReduce(in: bounds, schedule: schedule, initial: Float(0), partial: { tile in
            var largest: Float = 0
            let w = g.width, h = g.height
            for c in 0..<g.channels {
                let plane = g.u + c * g.plane
                let rhs = g.b.map { $0 + c * g.plane }
                /// Relaxes the cells of row y in xa..<xb.
                func relaxRow(_ y: Int, _ xa: Int, _ xb: Int) {
                    let mrow = g.unknown + y * w, row = plane + y * w
                    let brow = rhs.map { $0 + y * w }
                    let upOK = y > 0, downOK = y + 1 < h
                    let up = upOK ? row - w : row, down = downOK ? row + w : row
                    let verticalCount: Float = (upOK ? 1 : 0) + (downOK ? 1 : 0)
                    /// A cell in the first or last column: fewer neighbours.
                    func edgeCell(_ x: Int) {
                        guard mrow[x] != 0 else { return }
                        var s: Float = (brow?[x] ?? 0) + (upOK ? up[x] : 0) + (downOK ? down[x] : 0)
                        var n = verticalCount
                        if x > 0 { s += row[x - 1]; n += 1 }
                        if x + 1 < w { s += row[x + 1]; n += 1 }
                        let new = s / n
                        largest = max(largest, abs(new - row[x]))
                        row[x] = new
                    }
                    var x = xa + ((xa + y + colour) & 1)
                    // Edge columns have fewer neighbours; the interior runs the short loop.
                    while x < xb && (x == 0 || x + 1 >= w) {
                        edgeCell(x)
                        x += 2
                    }
                    let interiorEnd = min(xb, w - 1)
                    if upOK && downOK && vectorised {
                        x = Self.relaxInterior(from: x, to: interiorEnd, row: row, up: up, down: down, rhs: brow,
                                               unknown: mrow, largest: &largest)
                    } else if upOK && downOK {
                        if let brow {
                            while x < interiorEnd {
                                if mrow[x] != 0 {
                                    let new = (brow[x] + ((row[x - 1] + row[x + 1]) + (up[x] + down[x]))) * 0.25
                                    largest = max(largest, abs(new - row[x]))
                                    row[x] = new
                                }
                                x += 2
                            }
                        } else {
                            while x < interiorEnd {
                                if mrow[x] != 0 {
                                    let new = (0 + ((row[x - 1] + row[x + 1]) + (up[x] + down[x]))) * 0.25
                                    largest = max(largest, abs(new - row[x]))
                                    row[x] = new
                                }
                                x += 2
                            }
                        }
                    } else {
                        let inv = 1 / (verticalCount + 2)
                        while x < interiorEnd {
                            if mrow[x] != 0 {
                                let s = (brow?[x] ?? 0) + ((row[x - 1] + row[x + 1]) + ((upOK ? up[x] : 0) + (downOK ? down[x] : 0)))
                                let new = s * inv
                                largest = max(largest, abs(new - row[x]))
                                row[x] = new
                            }
                            x += 2
                        }
                    }
                    while x < xb {
                        edgeCell(x)
                        x += 2
                    }
                }
                for y in tile.y..<tile.maxY {
                    g.forEachSpan(row: y, in: tile) { xa, xb in relaxRow(y, xa, xb) }
                }
            }
            return largest
        }, combine: { max($0, $1) })
    }

    /// The interior part of a row with rows above and below: updates the cells x, x + 2, … below
    /// `end` (where `start` has the colour being relaxed), eight cells per step and the rest one
    /// by one; returns the first cell of the colour at or past `end`.
    @inline(__always)
    static func relaxInterior(from start: Int, to end: Int, row: UnsafeMutablePointer<Float>, up: UnsafeMutablePointer<Float>,
                              down: UnsafeMutablePointer<Float>, rhs: UnsafePointer<Float>?, unknown: UnsafePointer<UInt8>,
                              largest: inout Float) -> Int {
        typealias V = SIMD8<Float>
        var x = start
        var widest = SIMD4<Float>.zero
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        // Cells x, x + 2, x + 4, x + 6 at once (the even lanes of eight), when all eight are unknown.
        while x + 8 <= end {
            guard UnsafeRawPointer(unknown + x).loadUnaligned(as: UInt64.self) == 0x0101_0101_0101_0101 else {
                for k in Swift.stride(from: x, to: x + 8, by: 2) where unknown[k] != 0 {
                    let new = ((rhs?[k] ?? 0) + ((row[k - 1] + row[k + 1]) + (up[k] + down[k]))) * 0.25
                    let size = abs(new - row[k])
                    widest[0] = max(widest[0], size)
                    row[k] = new
                }
                x += 8
                continue
            }
            var here = load(row + x)
            let centre = here.evenHalf
            let sides = load(row + x - 1).evenHalf + here.oddHalf
            let vertical = load(up + x).evenHalf + load(down + x).evenHalf
            let b = rhs.map { load($0 + x).evenHalf } ?? SIMD4<Float>.zero
            let new = (b + (sides + vertical)) * 0.25
            let change = new - centre
            widest = widest.replacing(with: change, where: change .> widest)
            widest = widest.replacing(with: -change, where: -change .> widest)
            here.evenHalf = new
            UnsafeMutableRawPointer(row + x).storeBytes(of: here, as: V.self)
            x += 8
        }
        var scalarLargest = widest.max()
        while x < end {
            if unknown[x] != 0 {
                let new = ((rhs?[x] ?? 0) + ((row[x - 1] + row[x + 1]) + (up[x] + down[x]))) * 0.25
                scalarLargest = max(scalarLargest, abs(new - row[x]))
                row[x] = new
            }
            x += 2
        }
        largest = max(largest, scalarLargest)
        return x
    }

    /// Sets every unknown cell to zero (fixed cells keep their values).
    func zeroUnknowns(schedule: Schedule) {
        let g = self
        TileScheduler.forEachTile(in: bounds, schedule: schedule) { tile in
            for c in 0..<g.channels {
                for y in tile.y..<tile.maxY {
                    let row = g.u + c * g.plane + y * g.width, mrow = g.unknown + y * g.width
                    g.forEachSpan(row: y, in: tile) { xa, xb in
                        for x in xa..<xb where mrow[x] != 0 { row[x] = 0 }
                    }
                }
            }
        }
    }

    /// Writes the sum of the four children's residuals into the coarse right side (every coarse
    /// cell; fixed children contribute 0).
    func restrictResidual(into coarse: PoissonCoarseLevel, schedule: Schedule) {
        let f = self
        TileScheduler.forEachTile(in: coarse.bounds, schedule: schedule) { tile in
            let w = f.width, h = f.height
            for c in 0..<f.channels {
                let plane = f.u + c * f.plane, rhs = f.b.map { $0 + c * f.plane }
                let target = coarse.b + c * coarse.planeSize
                for y in tile.y..<tile.maxY {
                    let fy = 2 * y
                    // Children rows fy and fy + 1 are interior when both have rows above and below.
                    let interiorRows = fy > 0 && fy + 2 < h
                    let out = target + coarse.index(0, y)
                    func restrictRun(_ xa: Int, _ xb: Int) {
                    for x in xa..<xb {
                        let fx = 2 * x
                        let sum: Float
                        if interiorRows && fx > 0 && fx + 2 < w {
                            // Fast path: all four children have four neighbours.
                            let i0 = fy * w + fx, i1 = i0 + w
                            let r0 = plane + i0, r1 = plane + i1, m0 = f.unknown + i0, m1 = f.unknown + i1
                            let b0 = rhs.map { $0 + i0 }
                            let a: Float = m0[0] == 0 ? 0 : (b0?[0] ?? 0) + ((r0[-1] + r0[1]) + (r0[-w] + r1[0])) - 4 * r0[0]
                            let b: Float = m0[1] == 0 ? 0 : (b0?[1] ?? 0) + ((r0[0] + r0[2]) + (r0[1 - w] + r1[1])) - 4 * r0[1]
                            let d: Float = m1[0] == 0 ? 0 : (b0?[w] ?? 0) + ((r1[-1] + r1[1]) + (r0[0] + r1[w])) - 4 * r1[0]
                            let e: Float = m1[1] == 0 ? 0 : (b0?[w + 1] ?? 0) + ((r1[0] + r1[2]) + (r0[1] + r1[w + 1])) - 4 * r1[1]
                            sum = (a + b) + (d + e)
                        } else {
                            let a = f.residual(x: fx, y: fy, c: c)
                            let b = fx + 1 < w ? f.residual(x: fx + 1, y: fy, c: c) : 0
                            let d = fy + 1 < h ? f.residual(x: fx, y: fy + 1, c: c) : 0
                            let e = fx + 1 < w && fy + 1 < h ? f.residual(x: fx + 1, y: fy + 1, c: c) : 0
                            sum = (a + b) + (d + e)
                        }
                        out[x] = sum
                    }
                    }
                    // The coarse cells under the band, or every unknown coarse cell (the others
                    // keep a zero right side).
                    (f.coarseSpans ?? coarse.unknownSpans).forEach(row: y, from: tile.x, to: tile.maxX, restrictRun)
                }
            }
        }
    }

    /// The residual b − A·u of an unknown cell (0 for a fixed one), summed in the fast path's order.
    @inline(__always)
    func residual(x: Int, y: Int, c: Int) -> Float {
        let i = y * width + x
        guard unknown[i] != 0 else { return 0 }
        let p = u + c * plane + i
        let l: Float = x > 0 ? p[-1] : 0, r: Float = x + 1 < width ? p[1] : 0
        let t: Float = y > 0 ? p[-width] : 0, d: Float = y + 1 < height ? p[width] : 0
        let n = Float((x > 0 ? 1 : 0) + (x + 1 < width ? 1 : 0) + (y > 0 ? 1 : 0) + (y + 1 < height ? 1 : 0))
        return (b?[c * plane + i] ?? 0) + ((l + r) + (t + d)) - n * p[0]
    }

    /// Adds the cell-centred bilinear interpolation of the coarse values to every unknown cell.
    /// Returns the largest absolute correction. The coarse level's pad must hold its edge values
    /// (``PoissonCoarseLevel/replicateEdges()``), which makes the grid's own edge a zero-slope one.
    func addProlongation(of coarse: PoissonCoarseLevel, schedule: Schedule) -> Float {
        let f = self
        return TileScheduler.mapReduce(in: bounds, schedule: schedule, initial: Float(0), partial: { tile in
            var largest: Float = 0
            let w = f.width
            let tc0 = tile.x / 2 - 1, tc1 = (tile.maxX - 1) / 2 + 1
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * (tc1 - tc0 + 1)) { buffer in
                for c in 0..<f.channels {
                    let plane = f.u + c * f.plane
                    for y in tile.y..<tile.maxY {
                        let mrow = f.unknown + y * w, row = plane + y * w
                        f.forEachSpan(row: y, in: tile) { xa, xb in
                            largest = max(largest, coarse.addInterpolation(channel: c, fineRow: y, from: xa, to: xb, scratch: buffer.baseAddress!,
                                                                           to: row) { mrow[$0] != 0 })
                        }
                    }
                }
                return largest
            }
        }, combine: { max($0, $1) })
    }
}
