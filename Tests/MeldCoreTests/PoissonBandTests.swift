@testable import MeldCore
import MeldTestSupport
import Testing

/// The banded solve (``PoissonSolver/fineBand``): where the band lies, that it solves the same
/// problem as the whole-grid solve, and that it is bit-identical on every schedule.
@Suite("Poisson solver, banded")
struct PoissonBandTests {
    /// A 200 × 180 clone region: a disc with a hole and a separate square, so that with a band of
    /// 4 both the fine grid and level 1 are banded.
    static let dest = BlendScene.textured(width: 220, height: 200, seed: 11, tint: (1, 0.9, 0.85))
    static let source = BlendScene.textured(width: 200, height: 180, seed: 12, tint: (0.55, 0.85, 1.2))
    static let mask = BlendScene.mask(width: 200, height: 180) { x, y in
        let dx = Double(x - 90), dy = Double(y - 90)
        let r2 = dx * dx + dy * dy
        return (r2 <= 85 * 85 && r2 >= 12 * 12) || (x >= 180 && x < 196 && y >= 10 && y < 40)
    }
    static let offset = (x: 10, y: 10)

    /// A 600 × 560 region (a disc with a hole) where the default band of 16 bands both levels.
    /// Source and destination are independent noise over ramps: boundary values far rougher than
    /// a photo's, the hard case for a band.
    static let bigDest = BlendScene.textured(width: 620, height: 580, seed: 13, tint: (1, 0.9, 0.85))
    static let bigSource = BlendScene.textured(width: 600, height: 560, seed: 14, tint: (0.55, 0.85, 1.2))
    static let bigMask = BlendScene.mask(width: 600, height: 560) { x, y in
        let dx = Double(x - 300), dy = Double(y - 280)
        let r2 = dx * dx + dy * dy
        return r2 <= 270 * 270 && r2 >= 12 * 12
    }

    static func solver(band: Int, tolerance: Float = 1.0 / 1024) -> PoissonSolver {
        PoissonSolver(tolerance: tolerance, maxCycles: 200, fineBand: band)
    }

    /// The band's cells, by brute force: the unknowns within Chebyshev distance d of a seed
    /// ("near"), every unknown child of a 2 × 2 block holding a near cell (active), and the
    /// active cells with their unknown 4-neighbours (touched).
    static func band(_ d: Int, unknown: [UInt8], seeds: [UInt8], width w: Int, height h: Int)
        -> (active: [UInt8], touched: [UInt8], blocks: [UInt8]) {
        let near: [Bool] = (0..<(w * h)).map { i in
            let x = i % w, y = i / w
            guard unknown[i] != 0 else { return false }
            for sy in max(0, y - d)...min(h - 1, y + d) {
                for sx in max(0, x - d)...min(w - 1, x + d) where seeds[sy * w + sx] != 0 { return true }
            }
            return false
        }
        let cw = (w + 1) / 2, ch = (h + 1) / 2
        let blocks: [UInt8] = (0..<(cw * ch)).map { j in
            let cx = j % cw, cy = j / cw
            return [(0, 0), (1, 0), (0, 1), (1, 1)].contains { dx, dy in
                let x = 2 * cx + dx, y = 2 * cy + dy
                return x < w && y < h && near[y * w + x]
            } ? 1 : 0
        }
        let active: [UInt8] = (0..<(w * h)).map { i in unknown[i] != 0 && blocks[(i / w / 2) * cw + (i % w) / 2] != 0 ? 1 : 0 }
        let touched: [UInt8] = (0..<(w * h)).map { i in
            let x = i % w, y = i / w
            guard unknown[i] != 0 else { return 0 }
            return [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)].contains { dx, dy in
                let nx = x + dx, ny = y + dy
                return nx >= 0 && ny >= 0 && nx < w && ny < h && active[ny * w + nx] != 0
            } ? 1 : 0
        }
        return (active, touched, blocks)
    }

    @Test("active and touched cells match a brute-force construction", arguments: [1, 3])
    func bandMatchesBruteForce(threads: Int) {
        let w = 61, h = 47, d = 3
        // Unknowns: a blob with holes; seeds: the fixed cells, the edge and a few right-side cells.
        var generator = SplitMix64(seed: 7)
        let unknown: [UInt8] = (0..<(w * h)).map { i in
            let x = i % w, y = i / w
            let dx = Double(x - 30) / 26, dy = Double(y - 23) / 20
            return dx * dx + dy * dy < 1 && generator.next() % 40 != 0 ? 1 : 0
        }
        let rhs: Set<Int> = [20 * w + 30, 35 * w + 12]
        let seeds: [UInt8] = (0..<(w * h)).map { i in
            let x = i % w, y = i / w
            return unknown[i] == 0 || x == 0 || y == 0 || x == w - 1 || y == h - 1 || rhs.contains(i) ? 1 : 0
        }
        let band = unknown.withUnsafeBufferPointer { m in
            PoissonBand(unknown: m.baseAddress!, width: w, height: h, distance: d, threads: threads) { y, out in
                for x in 0..<w { out[x] = seeds[y * w + x] }
            }
        }
        let expected = Self.band(d, unknown: unknown, seeds: seeds, width: w, height: h)
        let active = Array(UnsafeBufferPointer(start: band.active, count: w * h))
        #expect(active == expected.active)
        #expect(Array(UnsafeBufferPointer(start: band.touched, count: w * h)) == expected.touched)
        #expect(Array(UnsafeBufferPointer(start: band.coarse, count: expected.blocks.count)) == expected.blocks)
        #expect(band.unknowns == unknown.reduce(0) { $0 + Int($1) })
        #expect(band.activeSpans.cells == active.reduce(0) { $0 + Int($1) })
        // Next-level cells that an untouched unknown's interpolation reads: its parent and the
        // parent's 8 neighbours.
        let cw = (w + 1) / 2, ch = (h + 1) / 2
        var followed = [UInt8](repeating: 0, count: cw * ch)
        for i in 0..<(w * h) where unknown[i] != 0 && expected.touched[i] == 0 {
            let px = (i % w) / 2, py = (i / w) / 2
            for y in max(0, py - 1)...min(ch - 1, py + 1) { for x in max(0, px - 1)...min(cw - 1, px + 1) { followed[y * cw + x] = 1 } }
        }
        #expect(Array(UnsafeBufferPointer(start: band.followed, count: cw * ch)) == followed)
        #expect(followed.contains(1))
        // The scene leaves cells out of the band, and has some in it.
        #expect(band.activeSpans.cells > 100 && band.activeSpans.cells < band.unknowns)
    }

    /// Whether the fine grid and level 1 are banded for a clone region.
    static func bands(mask: Raster, offset: (x: Int, y: Int), dest: Raster, band d: Int) -> (fine: Bool, levelOne: Bool) {
        let roi = PoissonBlend.regionOfInterest(mask: mask, offset: offset, destinationSize: (dest.width, dest.height))
        var unknown = [UInt8](repeating: 0, count: roi.width * roi.height)
        for y in 0..<roi.height {
            for x in 0..<roi.width {
                let sx = roi.x + x - offset.x, sy = roi.y + y - offset.y
                if sx >= 0, sy >= 0, sx < mask.width, sy < mask.height, mask[sx, sy, 0] >= 0.5 { unknown[y * roi.width + x] = 1 }
            }
        }
        var u = [Float](repeating: 0, count: roi.width * roi.height)
        return unknown.withUnsafeBufferPointer { m in
            u.withUnsafeMutableBufferPointer { up in
                let grid = PoissonGrid(u: up.baseAddress!, b: nil, unknown: m.baseAddress!, width: roi.width, height: roi.height, channels: 1)
                let levels = PoissonSolver().hierarchy(grid)
                let fine = PoissonBand.fine(grid, distance: d)
                return (fine.isWorthwhile, PoissonBand.coarse(levels[0], under: fine, distance: d).isWorthwhile)
            }
        }
    }

    @Test func scenesAreBanded() {
        let small = Self.bands(mask: Self.mask, offset: Self.offset, dest: Self.dest, band: 4)
        #expect(small.fine && small.levelOne)
        let big = Self.bands(mask: Self.bigMask, offset: Self.offset, dest: Self.bigDest, band: PoissonSolver().fineBand)
        #expect(big.fine && big.levelOne)
        // A band as wide as the region is not used.
        #expect(!Self.bands(mask: Self.mask, offset: Self.offset, dest: Self.dest, band: 40).fine)
    }

    /// (Normal guidance: with mixed gradients the right side is non-zero almost everywhere, so
    /// the band is not used.)
    @Test("the default band converges to the whole-grid solution")
    func matchesWholeGridSolve() {
        let g = PoissonBlend.Guidance.normal
        var banded = Self.bigDest, whole = Self.bigDest, loose = Self.bigDest
        let a = PoissonBlend.apply(source: Self.bigSource, mask: Self.bigMask, into: &banded, offset: Self.offset, guidance: g,
                                   solver: Self.solver(band: PoissonSolver().fineBand, tolerance: 1e-5))
        let b = PoissonBlend.apply(source: Self.bigSource, mask: Self.bigMask, into: &whole, offset: Self.offset, guidance: g,
                                   solver: Self.solver(band: 0, tolerance: 1e-5))
        #expect(a.converged && b.converged, "\(a) \(b)")
        // Away from the band the solution is level 1's interpolation and the fine residual
        // there is taken as level 1's: the two solutions differ by a small part of an 8-bit level
        // (0.05 measured on this scene).
        let gap = Self.encodedGap(banded, whole)
        #expect(gap * 255 < 0.1, "banded vs whole grid: \(gap * 255) 8-bit levels")
        // At the default tolerance, within a quarter level of the whole-grid solution.
        let c = PoissonBlend.apply(source: Self.bigSource, mask: Self.bigMask, into: &loose, offset: Self.offset, guidance: g,
                                   solver: PoissonSolver())
        #expect(c.converged && c.cycles <= 6, "\(c)")
        #expect(Self.encodedGap(loose, whole) * 255 < 0.25, "default tolerance: \(Self.encodedGap(loose, whole) * 255) levels")
    }

    /// Schedules of every shape (tiny tiles, square tiles, strips, the whole image) and thread count.
    static let schedules: [NamedSchedule] = [NamedSchedule.tiles(7, 5)[0], NamedSchedule.tiles(7, 5)[2], NamedSchedule.tiles(64, 64)[1],
                                             NamedSchedule.tiles(Schedule.fullWidth, 8)[1], NamedSchedule.all.last!]

    @Test("bit-identical on every schedule", arguments: Self.schedules)
    func scheduleInvariance(_ s: NamedSchedule) {
        var reference = Self.dest, out = Self.dest
        PoissonBlend.apply(source: Self.source, mask: Self.mask, into: &reference, offset: Self.offset,
                           solver: Self.solver(band: 4), schedule: .serial(covering: Self.dest.bounds))
        PoissonBlend.apply(source: Self.source, mask: Self.mask, into: &out, offset: Self.offset,
                           solver: Self.solver(band: 4), schedule: s.schedule(for: Self.dest))
        #expect(out == reference, "\(ImageCompare.describe(out, reference))")
    }

    /// Largest difference of the sRGB-encoded values.
    static func encodedGap(_ a: Raster, _ b: Raster) -> Double {
        var worst = 0.0
        for y in 0..<a.height { for x in 0..<a.width { for c in 0..<3 {
            worst = max(worst, abs(Double(SRGBTransfer.encode(a[x, y, c]) - SRGBTransfer.encode(b[x, y, c]))))
        } } }
        return worst
    }
}
