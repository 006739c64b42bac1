/// Minimum s-t cut on an 8-connected pixel grid by the Boykov–Kolmogorov max-flow algorithm
/// (search trees grown from both terminals and reused after each augmentation).
///
/// Node `i = y·width + x` is a pixel. Each pixel has a terminal capacity (positive: an edge from
/// the source, i.e. the cost of labelling it *sink*; negative: an edge to the sink, the cost of
/// labelling it *source*) and symmetric neighbour capacities to its right, lower, lower-right
/// and lower-left neighbours. Capacities are integers so that the flow is exact and the cut
/// does not depend on rounding.
///
/// A global stage: serial and deterministic (a FIFO of active nodes, arcs visited in a fixed
/// order). Cost: in practice near-linear on image grids; measured in the Benchmarks package
/// (Kernels suite, "GridGraphCut").
public struct GridGraphCut: Sendable {
    /// Grid width.
    public let width: Int
    /// Grid height.
    public let height: Int
    /// Terminal capacity per node: > 0 from the source, < 0 to the sink.
    public var terminal: [Int32]
    /// Neighbour capacities per node and direction (``directions``), both ways the same.
    public var neighbour: [Int32]

    /// The four forward directions stored per node: right, down, down-right, down-left.
    public static let directions: [(dx: Int, dy: Int)] = [(1, 0), (0, 1), (1, 1), (-1, 1)]

    /// A graph with no capacities.
    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0)
        self.width = width
        self.height = height
        terminal = [Int32](repeating: 0, count: width * height)
        neighbour = [Int32](repeating: 0, count: width * height * 4)
    }

    /// Sets the capacity between pixel (x, y) and its neighbour in forward direction `d`
    /// (0 right, 1 down, 2 down-right, 3 down-left). Edges leaving the grid are ignored.
    public mutating func setNeighbour(x: Int, y: Int, direction d: Int, capacity: Int32) {
        neighbour[(y * width + x) * 4 + d] = capacity
    }

    /// Solves the cut. Returns the flow value and, per pixel, whether it lies on the source side
    /// (reachable from the source in the residual graph).
    public func solve() -> (flow: Int64, source: [Bool]) {
        var solver = BKSolver(self)
        let flow = solver.run()
        return (flow, solver.sourceSide())
    }
}

/// The Boykov–Kolmogorov solver over a compressed-sparse-row copy of the grid.
struct BKSolver {
    let n: Int
    var first: [Int32]          // arcs of node i: first[i] ..< first[i+1]
    var head: [Int32]           // arc target
    var sister: [Int32]         // reverse arc
    var rcap: [Int32]           // residual capacity
    var tr: [Int64]             // terminal residual: > 0 source, < 0 sink
    var parent: [Int32]         // arc from node to its parent, or a mark below
    var isSink: [Bool]
    var ts: [Int32]
    var dist: [Int32]
    var active: [Int32]         // FIFO ring of active nodes
    var inQueue: [Bool]
    var qHead = 0
    var time: Int32 = 0

    static let none: Int32 = -1, terminalArc: Int32 = -2, orphan: Int32 = -3

    init(_ g: GridGraphCut) {
        let w = g.width, h = g.height
        n = w * h
        // Count arcs: every grid edge in both directions.
        var degree = [Int32](repeating: 0, count: n + 1)
        for y in 0..<h {
            for x in 0..<w {
                for (d, dir) in GridGraphCut.directions.enumerated() {
                    let nx = x + dir.dx, ny = y + dir.dy
                    guard nx >= 0, nx < w, ny < h, g.neighbour[(y * w + x) * 4 + d] > 0 else { continue }
                    degree[y * w + x] += 1
                    degree[ny * w + nx] += 1
                }
            }
        }
        first = [Int32](repeating: 0, count: n + 1)
        for i in 0..<n { first[i + 1] = first[i] + degree[i] }
        let arcs = Int(first[n])
        head = [Int32](repeating: 0, count: arcs)
        sister = [Int32](repeating: 0, count: arcs)
        rcap = [Int32](repeating: 0, count: arcs)
        var fill = Array(first[0..<n])
        for y in 0..<h {
            for x in 0..<w {
                for (d, dir) in GridGraphCut.directions.enumerated() {
                    let nx = x + dir.dx, ny = y + dir.dy
                    let c = nx >= 0 && nx < w && ny < h ? g.neighbour[(y * w + x) * 4 + d] : 0
                    guard c > 0 else { continue }
                    let i = y * w + x, j = ny * w + nx
                    let a = Int(fill[i]), b = Int(fill[j])
                    fill[i] += 1; fill[j] += 1
                    head[a] = Int32(j); head[b] = Int32(i)
                    sister[a] = Int32(b); sister[b] = Int32(a)
                    rcap[a] = c; rcap[b] = c
                }
            }
        }
        tr = g.terminal.map { Int64($0) }
        parent = [Int32](repeating: BKSolver.none, count: n)
        isSink = [Bool](repeating: false, count: n)
        ts = [Int32](repeating: 0, count: n)
        dist = [Int32](repeating: 0, count: n)
        active = []
        active.reserveCapacity(n)
        inQueue = [Bool](repeating: false, count: n)
        for i in 0..<n where tr[i] != 0 {
            parent[i] = BKSolver.terminalArc
            isSink[i] = tr[i] < 0
            dist[i] = 1
            activate(Int32(i))
        }
    }

    mutating func activate(_ i: Int32) {
        if inQueue[Int(i)] { return }
        inQueue[Int(i)] = true
        active.append(i)
    }

    mutating func nextActive() -> Int32? {
        while qHead < active.count {
            let i = active[qHead]
            qHead += 1
            inQueue[Int(i)] = false
            if parent[Int(i)] != BKSolver.none { return i }
        }
        active.removeAll(keepingCapacity: true)
        qHead = 0
        return nil
    }

    mutating func run() -> Int64 {
        var flow: Int64 = 0
        var orphans: [Int32] = []
        var current: Int32 = -1
        while true {
            // Growth: find an arc joining the two trees.
            var bridge: Int32 = -1
            if current >= 0, parent[Int(current)] == BKSolver.none { current = -1 }
            if current < 0 {
                guard let next = nextActive() else { break }
                current = next
            }
            let i = Int(current)
            for a in Int(first[i])..<Int(first[i + 1]) {
                let j = Int(head[a])
                if !isSink[i] {
                    guard rcap[a] > 0 else { continue }
                } else {
                    guard rcap[Int(sister[a])] > 0 else { continue }
                }
                if parent[j] == BKSolver.none {
                    isSink[j] = isSink[i]
                    parent[j] = sister[a]
                    ts[j] = ts[i]
                    dist[j] = dist[i] + 1
                    activate(Int32(j))
                } else if isSink[j] != isSink[i] {
                    bridge = isSink[i] ? sister[a] : Int32(a)
                    break
                } else if ts[j] <= ts[i] && dist[j] > dist[i] {
                    // A shorter path to the terminal through i.
                    parent[j] = sister[a]
                    ts[j] = ts[i]
                    dist[j] = dist[i] + 1
                }
            }
            time += 1
            if bridge < 0 {
                current = -1
                continue
            }
            // Keep i active: it may have more bridges.
            activate(current)
            flow += augment(bridge, orphans: &orphans)
            adopt(&orphans)
        }
        return flow
    }

    /// Pushes the bottleneck along source root … s → t … sink root; collects orphans.
    mutating func augment(_ middle: Int32, orphans: inout [Int32]) -> Int64 {
        let s = Int(head[Int(sister[Int(middle)])]), t = Int(head[Int(middle)])
        var bottleneck = Int64(rcap[Int(middle)])
        var i = s
        while parent[i] != BKSolver.terminalArc {
            let a = Int(parent[i])
            bottleneck = min(bottleneck, Int64(rcap[Int(sister[a])]))
            i = Int(head[a])
        }
        bottleneck = min(bottleneck, tr[i])
        i = t
        while parent[i] != BKSolver.terminalArc {
            let a = Int(parent[i])
            bottleneck = min(bottleneck, Int64(rcap[a]))
            i = Int(head[a])
        }
        bottleneck = min(bottleneck, -tr[i])
        let f = Int32(bottleneck)
        rcap[Int(middle)] -= f
        rcap[Int(sister[Int(middle)])] += f
        i = s
        while parent[i] != BKSolver.terminalArc {
            let a = Int(parent[i])
            rcap[a] += f
            rcap[Int(sister[a])] -= f
            let up = Int(head[a])
            if rcap[Int(sister[a])] == 0 { parent[i] = BKSolver.orphan; orphans.append(Int32(i)) }
            i = up
        }
        tr[i] -= bottleneck
        if tr[i] == 0 { parent[i] = BKSolver.orphan; orphans.append(Int32(i)) }
        i = t
        while parent[i] != BKSolver.terminalArc {
            let a = Int(parent[i])
            rcap[Int(sister[a])] += f
            rcap[a] -= f
            let up = Int(head[a])
            if rcap[a] == 0 { parent[i] = BKSolver.orphan; orphans.append(Int32(i)) }
            i = up
        }
        tr[i] += bottleneck
        if tr[i] == 0 { parent[i] = BKSolver.orphan; orphans.append(Int32(i)) }
        return bottleneck
    }

    /// Finds new parents for orphans or frees them (and orphans their children).
    mutating func adopt(_ orphans: inout [Int32]) {
        var k = 0
        while k < orphans.count {
            let i = Int(orphans[k])
            k += 1
            let sinkTree = isSink[i]
            var best: Int32 = BKSolver.none
            var bestDist = Int32.max
            for a in Int(first[i])..<Int(first[i + 1]) {
                let j = Int(head[a])
                // Residual capacity from j to i (source tree) or i to j (sink tree).
                let residual = sinkTree ? rcap[a] : rcap[Int(sister[a])]
                guard residual > 0, parent[j] != BKSolver.none, isSink[j] == sinkTree else { continue }
                // Walk to the root; valid if it reaches a terminal, not an orphan.
                var d: Int32 = 0
                var m = j
                var valid = false
                while true {
                    if ts[m] == time { d += dist[m]; valid = true; break }
                    d += 1
                    let p = parent[m]
                    if p == BKSolver.terminalArc { ts[m] = time; dist[m] = 1; valid = true; break }
                    if p == BKSolver.orphan || p == BKSolver.none { break }
                    m = Int(head[Int(p)])
                }
                guard valid else { continue }
                if d < bestDist { bestDist = d; best = Int32(a) }
                // Mark the path with distances for later walks.
                m = j
                while ts[m] != time {
                    ts[m] = time
                    dist[m] = d
                    d -= 1
                    m = Int(head[Int(parent[m])])
                }
            }
            if best != BKSolver.none {
                parent[i] = best
                ts[i] = time
                dist[i] = bestDist + 1
                continue
            }
            // No parent: free the node, wake its neighbours, orphan its children.
            parent[i] = BKSolver.none
            for a in Int(first[i])..<Int(first[i + 1]) {
                let j = Int(head[a])
                guard parent[j] != BKSolver.none, isSink[j] == sinkTree else { continue }
                let residual = sinkTree ? rcap[a] : rcap[Int(sister[a])]
                if residual > 0 { activate(Int32(j)) }
                let p = parent[j]
                if p >= 0, Int(head[Int(p)]) == i {
                    parent[j] = BKSolver.orphan
                    orphans.append(Int32(j))
                }
            }
        }
        orphans.removeAll(keepingCapacity: true)
    }

    /// Source side of the minimum cut: nodes in the source tree.
    func sourceSide() -> [Bool] {
        (0..<n).map { parent[$0] != BKSolver.none && !isSink[$0] }
    }
}
