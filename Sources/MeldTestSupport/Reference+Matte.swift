import MeldCore

extension Reference {
    /// Maximum flow of a ``GridGraphCut`` by Edmonds–Karp (shortest augmenting paths found by
    /// breadth-first search over an explicit residual matrix with source and sink nodes): the
    /// textbook algorithm, slow and obviously right, for small grids.
    public static func maxFlow(_ g: GridGraphCut) -> Int64 {
        let n = g.width * g.height, s = n, t = n + 1, size = n + 2
        var cap = [[Int64]](repeating: [Int64](repeating: 0, count: size), count: size)
        for i in 0..<n {
            let v = Int64(g.terminal[i])
            if v > 0 { cap[s][i] += v } else { cap[i][t] += -v }
        }
        for y in 0..<g.height {
            for x in 0..<g.width {
                for (d, dir) in GridGraphCut.directions.enumerated() {
                    let nx = x + dir.dx, ny = y + dir.dy
                    guard nx >= 0, nx < g.width, ny < g.height else { continue }
                    let c = Int64(g.neighbour[(y * g.width + x) * 4 + d])
                    cap[y * g.width + x][ny * g.width + nx] += c
                    cap[ny * g.width + nx][y * g.width + x] += c
                }
            }
        }
        var flow: Int64 = 0
        while true {
            var parent = [Int](repeating: -1, count: size)
            parent[s] = s
            var queue = [s], head = 0
            while head < queue.count, parent[t] < 0 {
                let u = queue[head]; head += 1
                for v in 0..<size where parent[v] < 0 && cap[u][v] > 0 { parent[v] = u; queue.append(v) }
            }
            guard parent[t] >= 0 else { return flow }
            var bottleneck = Int64.max, v = t
            while v != s { bottleneck = min(bottleneck, cap[parent[v]][v]); v = parent[v] }
            v = t
            while v != s { cap[parent[v]][v] -= bottleneck; cap[v][parent[v]] += bottleneck; v = parent[v] }
            flow += bottleneck
        }
    }

    /// The capacity of the cut that puts `source` pixels on the source side.
    public static func cutCapacity(_ g: GridGraphCut, source: [Bool]) -> Int64 {
        var total: Int64 = 0
        for i in 0..<(g.width * g.height) {
            let v = Int64(g.terminal[i])
            if v > 0 && !source[i] { total += v }
            if v < 0 && source[i] { total += -v }
        }
        for y in 0..<g.height {
            for x in 0..<g.width {
                for (d, dir) in GridGraphCut.directions.enumerated() {
                    let nx = x + dir.dx, ny = y + dir.dy
                    guard nx >= 0, nx < g.width, ny < g.height else { continue }
                    if source[y * g.width + x] != source[ny * g.width + nx] { total += Int64(g.neighbour[(y * g.width + x) * 4 + d]) }
                }
            }
        }
        return total
    }

    /// ``AreaDownscale/apply(_:width:height:schedule:)`` written plainly in Double: each output
    /// pixel is the mean of the whole source pixels its footprint touches (columns
    /// ⌊x·W/w⌋ ..< ⌈(x+1)·W/w⌉, rows likewise).
    public static func areaDownscale(_ source: Raster, width: Int, height: Int) -> Raster {
        var out = Raster(width: width, height: height, layout: source.layout)
        out.isPremultiplied = source.isPremultiplied
        let sw = source.width, sh = source.height
        for y in 0..<height {
            let y0 = y * sh / height, y1 = Swift.max(y0 + 1, Int((Double((y + 1) * sh) / Double(height)).rounded(.up)))
            for x in 0..<width {
                let x0 = x * sw / width, x1 = Swift.max(x0 + 1, Int((Double((x + 1) * sw) / Double(width)).rounded(.up)))
                for c in 0..<source.channels {
                    var sum = 0.0
                    for yy in y0..<y1 { for xx in x0..<x1 { sum += Double(source[xx, yy, c]) } }
                    out[x, y, c] = Float(sum / Double((x1 - x0) * (y1 - y0)))
                }
            }
        }
        return out
    }
}
