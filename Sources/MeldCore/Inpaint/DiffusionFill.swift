/// Fills a hole smoothly from its boundary: a push–pull pyramid (means of known pixels, coarse
/// to fine) as the first guess, then Jacobi relaxation of Laplace's equation on the hole pixels
/// at every level. Right for thin scratches, dust and small holes; larger holes come out smooth
/// (use ``PatchMatchFill`` for texture).
///
/// Colour is filled sRGB-encoded and straight, alpha as its own plane; pixels outside the hole
/// are never written. Deterministic (Jacobi updates read only the previous sweep); serial.
/// Cost: O(iterations × hole pixels) per level, ~30 sweeps per level.
public struct DiffusionFill: Sendable, Hashable {
    /// Jacobi sweeps per pyramid level (default 40).
    public var iterations: Int

    /// Creates a fill with `iterations` sweeps per level.
    public init(iterations: Int = 40) { self.iterations = max(0, iterations) }

    /// Fills the pixels where `mask` > 0 (a one-plane coverage of the same size) and returns
    /// the raster with only those pixels changed.
    public func fill(_ source: Raster, mask: Raster) -> Raster {
        precondition(mask.width == source.width && mask.height == source.height && mask.layout == .gray)
        let box = Coverage.support(mask)
        guard !box.isEmpty else { return source }
        let rect = box.outset(by: 2).intersection(source.bounds)
        let planes = InpaintPlanes(source: source, mask: mask, rect: rect)
        fill(planes)
        var out = source
        planes.writeHole(into: &out, rect: rect)
        return out
    }

    /// Fills `planes`' hole in place.
    func fill(_ planes: InpaintPlanes) {
        guard planes.hasHole else { return }
        // Pull: fill the coarse level first, then take it as the first guess here.
        if planes.width > 2 || planes.height > 2 {
            let coarse = planes.downsampled()
            if coarse.hasHole && (0..<coarse.count).contains(where: { coarse.hole[$0] == 0 }) {
                fill(coarse)
            }
            let n = planes.count, n2 = coarse.count
            for y in 0..<planes.height {
                for x in 0..<planes.width where planes.hole[y * planes.width + x] != 0 {
                    let i = (y / 2) * coarse.width + x / 2
                    for c in 0..<planes.channels { planes.data[c * n + y * planes.width + x] = coarse.data[c * n2 + i] }
                }
            }
        }
        relax(planes, sweeps: iterations)
    }

    /// Jacobi sweeps of the 4-neighbour Laplacian over the hole pixels.
    func relax(_ p: InpaintPlanes, sweeps: Int) {
        let w = p.width, h = p.height, n = p.count
        var holeIndex: [Int] = []
        for i in 0..<n where p.hole[i] != 0 { holeIndex.append(i) }
        var next = [Float](repeating: 0, count: holeIndex.count)
        for _ in 0..<sweeps {
            for c in 0..<p.channels {
                let d = p.data + c * n
                for (k, i) in holeIndex.enumerated() {
                    let x = i % w, y = i / w
                    var sum: Float = 0, count: Float = 0
                    if x > 0 { sum += d[i - 1]; count += 1 }
                    if x < w - 1 { sum += d[i + 1]; count += 1 }
                    if y > 0 { sum += d[i - w]; count += 1 }
                    if y < h - 1 { sum += d[i + w]; count += 1 }
                    next[k] = count > 0 ? sum / count : d[i]
                }
                for (k, i) in holeIndex.enumerated() { d[i] = next[k] }
            }
        }
    }
}
