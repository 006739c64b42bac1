@testable import MeldCore
import MeldTestSupport
import Testing

/// The multigrid solver on regions large enough for several coarse levels and for the vectorised
/// smoother's eight-cell steps (the clone tests use small scenes).
@Suite("Poisson solver")
struct PoissonSolverTests {
    static let dest = BlendScene.textured(width: 150, height: 120, seed: 5, tint: (1, 0.95, 0.9))
    static let source = BlendScene.textured(width: 130, height: 100, seed: 6, tint: (0.6, 0.9, 1.2))
    /// An ellipse with a hole and a separate square, touching the destination's left edge at the offset used.
    static let mask = BlendScene.mask(width: 130, height: 100) { x, y in
        let dx = Double(x - 60) / 55, dy = Double(y - 50) / 45
        let ellipse = dx * dx + dy * dy <= 1
        let hole = abs(x - 70) < 6 && abs(y - 45) < 8
        let square = x >= 112 && x < 126 && y >= 70 && y < 92
        return (ellipse && !hole) || square
    }
    static let offset = (x: -8, y: 10)

    static func solver(vectorised: Bool = true) -> PoissonSolver {
        var s = PoissonSolver()
        s.vectorisedSmoothing = vectorised
        return s
    }

    @Test("vectorised smoothing gives the scalar loop's bits", arguments: PoissonBlend.Guidance.allCases)
    func vectorisedMatchesScalar(_ g: PoissonBlend.Guidance) {
        var scalar = Self.dest, vector = Self.dest
        let a = PoissonBlend.apply(source: Self.source, mask: Self.mask, into: &scalar, offset: Self.offset, guidance: g,
                                   solver: Self.solver(vectorised: false), schedule: .serial(covering: Self.dest.bounds))
        let b = PoissonBlend.apply(source: Self.source, mask: Self.mask, into: &vector, offset: Self.offset, guidance: g,
                                   solver: Self.solver(vectorised: true), schedule: .serial(covering: Self.dest.bounds))
        #expect(a == b)
        #expect(scalar == vector, "\(ImageCompare.describe(vector, scalar))")
    }

    @Test("bit-identical on every schedule (several coarse levels)", arguments: NamedSchedule.all)
    func scheduleInvariance(_ s: NamedSchedule) {
        for g in [PoissonBlend.Guidance.normal, .mixed] {
            var reference = Self.dest, out = Self.dest
            PoissonBlend.apply(source: Self.source, mask: Self.mask, into: &reference, offset: Self.offset, guidance: g,
                               schedule: .serial(covering: Self.dest.bounds))
            PoissonBlend.apply(source: Self.source, mask: Self.mask, into: &out, offset: Self.offset, guidance: g,
                               schedule: s.schedule(for: Self.dest))
            #expect(out == reference, "\(g): \(ImageCompare.describe(out, reference))")
        }
    }

    @Test("matches a direct solve; default tolerance in few cycles", arguments: [PoissonBlend.Guidance.normal, .mixed])
    func matchesDirectSolve(_ g: PoissonBlend.Guidance) {
        var tight = Self.dest, loose = Self.dest
        let report = PoissonBlend.apply(source: Self.source, mask: Self.mask, into: &tight, offset: Self.offset, guidance: g,
                                        solver: PoissonSolver(tolerance: 1e-6, maxCycles: 100))
        #expect(report.converged, "\(report)")
        let expected = BlendReference.poissonClone(source: Self.source, mask: Self.mask, destination: Self.dest,
                                                   offset: Self.offset, guidance: g)
        #expect(ImageCompare.maxAbsDifference(tight, expected) < 2e-5, "\(ImageCompare.describe(tight, expected, tolerance: 2e-5))")
        let fast = PoissonBlend.apply(source: Self.source, mask: Self.mask, into: &loose, offset: Self.offset, guidance: g)
        #expect(fast.converged && fast.cycles <= 6, "\(fast)")
        var worst = 0.0
        for y in 0..<Self.dest.height { for x in 0..<Self.dest.width { for c in 0..<3 {
            worst = max(worst, abs(Double(SRGBTransfer.encode(loose[x, y, c]) - SRGBTransfer.encode(expected[x, y, c]))))
        } } }
        #expect(worst * 255 < 0.25, "worst \(worst * 255) 8-bit levels after \(fast.cycles) cycles")
    }

    /// The coarse operator is the aggregation Galerkin operator with halved couplings: the
    /// standard 5-point stencil inside, links to fixed cells kept whole.
    @Test func coarseOperator() {
        // 24 × 12 fine grid, unknowns everywhere but column 0 (fixed).
        let w = 24, h = 12
        let m = (0..<(w * h)).map { $0 % w == 0 ? UInt8(0) : 1 }
        var u = [Float](repeating: 0, count: w * h)
        let levels = m.withUnsafeBufferPointer { mp in
            u.withUnsafeMutableBufferPointer { up in
                PoissonSolver().hierarchy(PoissonGrid(u: up.baseAddress!, b: nil, unknown: mp.baseAddress!, width: w, height: h, channels: 1))
            }
        }
        let l = levels[0]
        #expect(l.width == 12 && l.height == 6)
        // An interior coarse cell (column 5, row 2): 4, and couplings 1.
        let i = l.index(5, 2)
        #expect(l.diag[i] == 4 && l.east[i] == 1 && l.south[i] == 1 && l.dirichlet[i] == 0)
        // Column 0 holds one fixed and one unknown child column: two links to fixed cells.
        let j = l.index(0, 2)
        #expect(l.dirichlet[j] == 2 && l.east[j] == 1 && l.diag[j] == 2 + 1 + 0.5 + 0.5)
        // A corner of the grid: no links outside (zero flux).
        let k = l.index(11, 0)
        #expect(l.east[k] == 0 && l.diag[k] == 1 + 1)
    }
}
