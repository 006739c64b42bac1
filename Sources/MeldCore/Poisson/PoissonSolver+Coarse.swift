#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// A coarse level of ``PoissonSolver``'s hierarchy: a variable-coefficient 5-point operator on a
/// grid padded by one zero cell on every side (so passes need no edge cases).
///
/// Operator (Galerkin for piecewise-constant aggregation of 2 × 2 cells, halved): a coarse cell is
/// unknown when *any* of its children is. With `P` the prolongation that copies a coarse value to
/// the cell's unknown children, the coarse operator is `Pᵀ A P / 2`: the coupling between two
/// coarse neighbours is half the sum of the couplings between their children across the shared
/// edge, the diagonal is half of the children's diagonals minus twice their internal couplings.
/// In the interior this is exactly the standard 5-point stencil (4, −1), so with the restriction
/// summing the four children's residuals the coarse problem is the usual rediscretisation; near
/// the boundary it places the Dirichlet condition where the fine cells put it (fine cells next to
/// a fixed cell pass on the extra diagonal weight), instead of dropping or adding a band of cells.
/// All coefficients are multiples of 2⁻ᵏ, exact in `Float`.
final class PoissonCoarseLevel: @unchecked Sendable {
    let width: Int, height: Int, channels: Int
    /// Row stride of the padded arrays (`width + 2`).
    let stride: Int
    /// Cells per padded plane.
    let planeSize: Int
    /// The one allocation holding the arrays below.
    private let storage: UnsafeMutableRawPointer
    let u: UnsafeMutablePointer<Float>
    let b: UnsafeMutablePointer<Float>
    /// Coupling between cell i and i + 1 (0 when either is not unknown or at the grid's edge).
    let east: UnsafeMutablePointer<Float>
    /// Coupling between cell i and i + stride.
    let south: UnsafeMutablePointer<Float>
    /// Weight of the cell's links to fixed cells (part of the diagonal).
    let dirichlet: UnsafeMutablePointer<Float>
    /// Diagonal; 0 for cells that are not unknown.
    let diag: UnsafeMutablePointer<Float>
    /// 1 / diagonal; 0 for cells that are not unknown (their update is then always 0).
    let invDiag: UnsafeMutablePointer<Float>
    /// Runs of unknown cells per row: what passes visit by default.
    private(set) var unknownSpans: PoissonSpans

    /// Builds the level coarsening a finer operator `fine` (see ``PoissonFineOperator``), its
    /// rows split over `threads` workers (each coarse cell depends only on its children).
    init<Fine: PoissonFineOperator>(fine: Fine, channels: Int, threads: Int = 1) {
        let fineWidth = fine.width, fineHeight = fine.height
        width = (fineWidth + 1) / 2
        height = (fineHeight + 1) / 2
        self.channels = channels
        stride = width + 2
        planeSize = stride * (height + 2)
        // One zeroed block for all seven arrays (each start 64-byte aligned): level 1 of a 1 MP
        // clone is 11 MB, which then comes in huge pages (see LargeMemory) instead of 2 800 faults.
        let floats = [planeSize * channels, planeSize * channels, planeSize, planeSize, planeSize, planeSize, planeSize]
        let padded = floats.map { ($0 * MemoryLayout<Float>.stride + 63) / 64 * 64 }
        let bytes = padded.reduce(0, +)
        guard let block = LargeMemory.allocate(bytes) else { fatalError("out of memory for a \(width)x\(height) solver level") }
        block.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        var offsets = [0]
        for p in padded.dropLast() { offsets.append(offsets.last! + p) }
        func array(_ i: Int) -> UnsafeMutablePointer<Float> { (block + offsets[i]).bindMemory(to: Float.self, capacity: floats[i]) }
        storage = block
        u = array(0); b = array(1); east = array(2); south = array(3); dirichlet = array(4); diag = array(5); invDiag = array(6)
        unknownSpans = PoissonSpans(emptyRows: height)
        let level = self
        let rows = Rect(width: width, height: height)
        let schedule = Schedule(tileWidth: width, tileHeight: 32, threads: threads)
        TileScheduler.forEachTile(in: rows, schedule: schedule) { tile in
            for y in tile.y..<tile.maxY {
                let fy = 2 * y, hasY1 = fy + 1 < fineHeight
                for x in 0..<level.width {
                    let fx = 2 * x, hasX1 = fx + 1 < fineWidth
                    var d = fine.dirichlet(fx, fy)
                    if hasX1 { d += fine.dirichlet(fx + 1, fy) }
                    if hasY1 { d += fine.dirichlet(fx, fy + 1) }
                    if hasX1 && hasY1 { d += fine.dirichlet(fx + 1, fy + 1) }
                    let i = level.index(x, y)
                    level.dirichlet[i] = d
                    if fx + 2 < fineWidth {
                        level.east[i] = (fine.east(fx + 1, fy) + (hasY1 ? fine.east(fx + 1, fy + 1) : 0)) * 0.5
                    }
                    if fy + 2 < fineHeight {
                        level.south[i] = (fine.south(fx, fy + 1) + (hasX1 ? fine.south(fx + 1, fy + 1) : 0)) * 0.5
                    }
                }
            }
        }
        TileScheduler.forEachTile(in: rows, schedule: schedule) { tile in
            for y in tile.y..<tile.maxY {
                for x in 0..<level.width {
                    let i = level.index(x, y), s = level.stride
                    let d = level.dirichlet[i] + ((level.east[i - 1] + level.east[i]) + (level.south[i - s] + level.south[i]))
                    if d > 0 {
                        level.diag[i] = d
                        level.invDiag[i] = 1 / d
                    }
                }
            }
        }
        let marks = UnsafeMutablePointer<UInt8>.allocate(capacity: width * height)
        defer { marks.deallocate() }
        for y in 0..<height {
            let row = invDiag + index(0, y), out = marks + y * width
            for x in 0..<width { out[x] = row[x] != 0 ? 1 : 0 }
        }
        unknownSpans = PoissonSpans(mask: marks, width: width, height: height)
    }

    deinit { free(storage) }

    var bounds: Rect { Rect(width: width, height: height) }

    @inline(__always) func index(_ x: Int, _ y: Int) -> Int { (y + 1) * stride + x + 1 }

    /// The next coarser level.
    func coarsened(threads: Int = 1) -> PoissonCoarseLevel {
        PoissonCoarseLevel(fine: CoarseOperator(level: self), channels: channels, threads: threads)
    }

    /// Sets every value to zero, or those in `spans` (the right side is overwritten by restriction).
    func zero(schedule: Schedule, spans: PoissonSpans? = nil) {
        let l = self
        TileScheduler.forEachTile(in: bounds, schedule: schedule) { tile in
            for c in 0..<l.channels {
                for y in tile.y..<tile.maxY {
                    l.forEachRun(row: y, in: tile, spans) { xa, xb in
                        (l.u + c * l.planeSize + l.index(xa, y)).update(repeating: 0, count: xb - xa)
                    }
                }
            }
        }
    }

    /// Calls `body(xa, xb)` for the runs of row `y` in `tile`'s columns: those of `spans`, or
    /// those of the level's unknown cells (the others keep a zero value and right side, so
    /// passes need not visit them).
    @inline(__always) func forEachRun(row y: Int, in tile: Rect, _ spans: PoissonSpans?, _ body: (Int, Int) -> Void) {
        (spans ?? unknownSpans).forEach(row: y, from: tile.x, to: tile.maxX, body)
    }

    /// One red-black half sweep over cells with (x + y) % 2 == colour (only those in `spans`,
    /// when given); returns the largest update.
    func relax(colour: Int, schedule: Schedule, spans: PoissonSpans? = nil) -> Float {
        let l = self
        return TileScheduler.mapReduce(in: bounds, schedule: schedule, initial: Float(0), partial: { tile in
            var largest: Float = 0
            let s = l.stride
            for c in 0..<l.channels {
                let u = l.u + c * l.planeSize, b = l.b + c * l.planeSize
                for y in tile.y..<tile.maxY { l.forEachRun(row: y, in: tile, spans) { xa, xb in
                    var i = l.index(xa + ((xa + y + colour) & 1), y)
                    let end = l.index(xb, y)
                    // Cells i, i + 2, i + 4, i + 6 at once (the even lanes of eight loads): the
                    // scalar loop's arithmetic in the same order, so the same bits.
                    var widest = SIMD4<Float>.zero
                    while i + 8 <= end {
                        typealias V = SIMD8<Float>
                        @inline(__always) func load(_ p: UnsafeMutablePointer<Float>) -> V {
                            UnsafeRawPointer(p).loadUnaligned(as: V.self)
                        }
                        var here = load(u + i)
                        let westEast = load(l.east + i - 1).evenHalf * load(u + i - 1).evenHalf + load(l.east + i).evenHalf * here.oddHalf
                        let northSouth = load(l.south + i - s).evenHalf * load(u + i - s).evenHalf
                            + load(l.south + i).evenHalf * load(u + i + s).evenHalf
                        let new = (load(b + i).evenHalf + (westEast + northSouth)) * load(l.invDiag + i).evenHalf
                        let change = new - here.evenHalf
                        widest = widest.replacing(with: change, where: change .> widest)
                        widest = widest.replacing(with: -change, where: -change .> widest)
                        here.evenHalf = new
                        UnsafeMutableRawPointer(u + i).storeBytes(of: here, as: V.self)
                        i += 8
                    }
                    largest = max(largest, widest.max())
                    while i < end {
                        let sum = b[i] + ((l.east[i - 1] * u[i - 1] + l.east[i] * u[i + 1])
                                          + (l.south[i - s] * u[i - s] + l.south[i] * u[i + s]))
                        let new = sum * l.invDiag[i]
                        largest = max(largest, abs(new - u[i]))
                        u[i] = new
                        i += 2
                    }
                } }
            }
            return largest
        }, combine: { max($0, $1) })
    }

    /// The residual b − A·u at padded index `i` (0 for cells that are not unknown).
    @inline(__always) func residual(_ u: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ i: Int) -> Float {
        let s = stride
        let neighbours = (east[i - 1] * u[i - 1] + east[i] * u[i + 1]) + (south[i - s] * u[i - s] + south[i] * u[i + s])
        return b[i] + (neighbours - diag[i] * u[i])
    }

    /// Writes the sum of the children's right sides into `coarse`'s right side (every cell).
    func restrictRightSide(into coarse: PoissonCoarseLevel, schedule: Schedule) {
        let f = self
        TileScheduler.forEachTile(in: coarse.bounds, schedule: schedule) { tile in
            for c in 0..<f.channels {
                let b = f.b + c * f.planeSize, target = coarse.b + c * coarse.planeSize
                for y in tile.y..<tile.maxY {
                    let hasY1 = 2 * y + 1 < f.height
                    for x in tile.x..<tile.maxX {
                        let hasX1 = 2 * x + 1 < f.width
                        let i = f.index(2 * x, 2 * y)
                        let r1 = hasX1 ? b[i + 1] : 0, r2 = hasY1 ? b[i + f.stride] : 0
                        let r3 = hasX1 && hasY1 ? b[i + f.stride + 1] : 0
                        target[coarse.index(x, y)] = (b[i] + r1) + (r2 + r3)
                    }
                }
            }
        }
    }

    /// Writes the sum of the children's residuals into `coarse`'s right side: every cell, or
    /// the cells of `spans` counting only the children that `mask` (this level's size, unpadded)
    /// marks.
    func restrictResidual(into coarse: PoissonCoarseLevel, schedule: Schedule, mask: UnsafePointer<UInt8>? = nil,
                          spans: PoissonSpans? = nil) {
        let f = self, maskBox = UnsafeSendableBox(mask)
        TileScheduler.forEachTile(in: coarse.bounds, schedule: schedule) { tile in
            let mask = maskBox.value
            for c in 0..<f.channels {
                let u = f.u + c * f.planeSize, b = f.b + c * f.planeSize
                let target = coarse.b + c * coarse.planeSize
                for y in tile.y..<tile.maxY {
                    let fy = 2 * y, hasY1 = fy + 1 < f.height
                    @inline(__always) func residual(_ fx: Int, _ fy: Int) -> Float {
                        if let mask, mask[fy * f.width + fx] == 0 { return 0 }
                        return f.residual(u, b, f.index(fx, fy))
                    }
                    coarse.forEachRun(row: y, in: tile, spans) { xa, xb in
                        for x in xa..<xb {
                            let fx = 2 * x, hasX1 = fx + 1 < f.width
                            let r0 = residual(fx, fy)
                            let r1 = hasX1 ? residual(fx + 1, fy) : 0
                            let r2 = hasY1 ? residual(fx, fy + 1) : 0
                            let r3 = hasX1 && hasY1 ? residual(fx + 1, fy + 1) : 0
                            target[coarse.index(x, y)] = (r0 + r1) + (r2 + r3)
                        }
                    }
                }
            }
        }
    }

    /// Copies the outermost values into the pad (per channel), so that interpolation next to the
    /// grid's edge extends the edge value instead of pulling towards zero.
    func replicateEdges() {
        for c in 0..<channels {
            let u = self.u + c * planeSize
            for y in 0..<height {
                u[index(-1, y)] = u[index(0, y)]
                u[index(width, y)] = u[index(width - 1, y)]
            }
            (u + index(-1, -1)).update(from: u + index(-1, 0), count: stride)
            (u + index(-1, height)).update(from: u + index(-1, height - 1), count: stride)
        }
    }

    /// Adds the cell-centred bilinear interpolation of `coarse`'s values (pad filled by
    /// ``replicateEdges()``) to every unknown cell, or to those in `spans`; returns the largest correction.
    func addProlongation(of coarse: PoissonCoarseLevel, schedule: Schedule, spans: PoissonSpans? = nil) -> Float {
        let f = self
        return TileScheduler.mapReduce(in: bounds, schedule: schedule, initial: Float(0), partial: { tile in
            var largest: Float = 0
            let tc0 = tile.x / 2 - 1, tc1 = (tile.maxX - 1) / 2 + 1
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * (tc1 - tc0 + 1)) { buffer in
                for c in 0..<f.channels {
                    let u = f.u + c * f.planeSize
                    for y in tile.y..<tile.maxY {
                        let row = u + f.index(0, y), unknownRow = f.invDiag + f.index(0, y)
                        f.forEachRun(row: y, in: tile, spans) { xa, xb in
                            largest = max(largest, coarse.addInterpolation(channel: c, fineRow: y, from: xa, to: xb, scratch: buffer.baseAddress!,
                                                                           to: row) { unknownRow[$0] != 0 })
                        }
                    }
                }
                return largest
            }
        }, combine: { max($0, $1) })
    }
}

extension PoissonCoarseLevel {
    /// Adds the interpolation of channel `c` at fine row `y` to `row[x]` for the columns `x` in
    /// `xa..<xb` where `isUnknown(x)`; returns the largest absolute value added. Shared by the
    /// prolongation onto the fine grid and onto a finer coarse level (their unknown marks differ).
    @inline(__always) func addInterpolation(channel c: Int, fineRow y: Int, from xa: Int, to xb: Int,
                                            scratch: UnsafeMutablePointer<Float>, to row: UnsafeMutablePointer<Float>,
                                            where isUnknown: (Int) -> Bool) -> Float {
        let values = interpolate(channel: c, fineRow: y, from: xa, to: xb, scratch: scratch)
        var largest: Float = 0
        for x in xa..<xb {
            let v = values[x], known = !isUnknown(x)
            row[x] = known ? row[x] : row[x] + v
            largest = known ? largest : max(largest, abs(v))
        }
        return largest
    }

    /// The interpolation of channel `c` at fine row `y` for fine columns `xa..<xb` (and the rest
    /// of their pairs): returns a pointer to index by fine column. `scratch` needs
    /// 3 · ((xb − 1) / 2 − xa / 2 + 3) floats.
    @inline(__always) func interpolate(channel c: Int, fineRow y: Int, from xa: Int, to xb: Int,
                                       scratch: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
        // Coarse columns under the run, one more on each side; fine columns rounded out to whole pairs.
        let c0 = xa / 2 - 1, c1 = (xb - 1) / 2 + 1
        let values = scratch + (c1 - c0 + 1) - 2 * (c0 + 1)
        interpolate(channel: c, fineRow: y, columns: c0, c1, blend: scratch - c0, into: values)
        return values
    }

    /// Writes to `values[x]`, for fine columns x in 2(c0 + 1) ..< 2·c1, the cell-centred bilinear
    /// interpolation of channel `c` of this level at fine row `y` (weights ¾ and ¼ each way);
    /// `blend[c0...c1]` is scratch. Shared by the prolongation onto the fine grid and onto a finer
    /// coarse level, so both add the same values.
    @inline(__always) func interpolate(channel c: Int, fineRow y: Int, columns c0: Int, _ c1: Int,
                                       blend: UnsafeMutablePointer<Float>, into values: UnsafeMutablePointer<Float>) {
        let e = u + c * planeSize
        let cy = y / 2, ny = (y & 1) == 1 ? cy + 1 : cy - 1
        let near = e + index(0, cy), far = e + index(0, ny)
        for j in c0...c1 { blend[j] = 0.75 * near[j] + 0.25 * far[j] }
        for cx in (c0 + 1)..<c1 {
            values[2 * cx] = 0.75 * blend[cx] + 0.25 * blend[cx - 1]
            values[2 * cx + 1] = 0.75 * blend[cx] + 0.25 * blend[cx + 1]
        }
    }
}

/// A finer level's operator, as ``PoissonCoarseLevel`` coarsens it: `dirichlet(x, y)` is the weight
/// of a cell's links to fixed cells (0 for cells that are not unknown), `east` and `south` the
/// couplings between unknown neighbours (0 otherwise).
protocol PoissonFineOperator: Sendable {
    var width: Int { get }
    var height: Int { get }
    func dirichlet(_ x: Int, _ y: Int) -> Float
    func east(_ x: Int, _ y: Int) -> Float
    func south(_ x: Int, _ y: Int) -> Float
}

/// The fine grid's operator: the 5-point stencil on the unknowns of a mask.
struct MaskOperator: PoissonFineOperator, @unchecked Sendable {
    let unknown: UnsafePointer<UInt8>
    let width: Int, height: Int

    @inline(__always) func dirichlet(_ x: Int, _ y: Int) -> Float {
        let w = width, i = y * w + x, m = unknown
        guard m[i] != 0 else { return 0 }
        return Float((x > 0 && m[i - 1] == 0 ? 1 : 0) + (x + 1 < w && m[i + 1] == 0 ? 1 : 0)
                     + (y > 0 && m[i - w] == 0 ? 1 : 0) + (y + 1 < height && m[i + w] == 0 ? 1 : 0))
    }
    @inline(__always) func east(_ x: Int, _ y: Int) -> Float {
        x + 1 < width && unknown[y * width + x] != 0 && unknown[y * width + x + 1] != 0 ? 1 : 0
    }
    @inline(__always) func south(_ x: Int, _ y: Int) -> Float {
        y + 1 < height && unknown[y * width + x] != 0 && unknown[(y + 1) * width + x] != 0 ? 1 : 0
    }
}

/// A coarse level's operator, read from its arrays.
struct CoarseOperator: PoissonFineOperator {
    let level: PoissonCoarseLevel
    var width: Int { level.width }
    var height: Int { level.height }
    @inline(__always) func dirichlet(_ x: Int, _ y: Int) -> Float { level.dirichlet[level.index(x, y)] }
    @inline(__always) func east(_ x: Int, _ y: Int) -> Float { level.east[level.index(x, y)] }
    @inline(__always) func south(_ x: Int, _ y: Int) -> Float { level.south[level.index(x, y)] }
}
