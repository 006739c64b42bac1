#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Colours sampled in pairs across the boundary of a region: for points along the edge of the
/// mask, the mean colour of three pixels along the edge just inside it and of three just
/// outside, at the same distance from the edge along its normal (½, 1½ and 2½ pixels: close, so
/// that the two sides of a pair see nearly the same surface).
///
/// When the region shows the same scene as its surroundings (a part of one photo re-lit, as in
/// iHarmony4-style composites), each pair sees nearly the same surface on both sides, so the pairs
/// pin down the colour change precisely; when the boundary is an object's edge they disagree,
/// which ``BoundaryFit`` turns into a low confidence.
///
/// Cost: one pass over the mask to find its edge (parallel, in row bands), then work in
/// proportion to the boundary length (at most ``maximumPoints`` edge points).
public struct BoundaryPairs: Sendable {
    /// Unpremultiplied linear RGB inside the region, one per pair.
    public var inner: [SIMD3<Float>] = []
    /// Unpremultiplied linear RGB outside the region, across the edge from ``inner``.
    public var outer: [SIMD3<Float>] = []
    /// The stretch of the boundary each pair comes from, `0..<segmentCount` (sectors of angle
    /// around the centre of the boundary).
    public var segment: [Int] = []
    /// How many stretches the boundary was divided into.
    public var segmentCount: Int = 0

    /// The number of pairs.
    public var count: Int { inner.count }

    /// Distances from the edge (pixels) at which pairs are taken, each inside and outside.
    public static let distances = [1, 2, 3]
    /// Edge points used at most (evenly subsampled beyond that).
    public static let maximumPoints = 12_000
    /// Radius of the window whose inside-pixel centroid gives the edge normal.
    static let normalRadius = 3

    /// Creates an empty set of pairs.
    public init() {}

    /// Samples pairs across the edge of `mask` (one channel, 0…1, same size as `raster`; inside
    /// is ≥ ½) in `raster` (linear RGB or RGBA, premultiplied). A sample is used only when each
    /// of its pixels is clearly on its side (mask ≥ 0.99 inside, ≤ 0.01 outside) and opaque enough
    /// (alpha ≥ ½), so soft edges and transparent areas are skipped. Deterministic for every
    /// schedule.
    public static func sample(_ raster: Raster, mask: Raster, segments: Int = 12, schedule: Schedule = .default) -> BoundaryPairs {
        precondition(raster.width == mask.width && raster.height == mask.height, "mask must match the raster")
        precondition(raster.layout.colourChannels == 3, "RGB rasters only")
        let w = raster.width, h = raster.height
        var pairs = BoundaryPairs()
        pairs.segmentCount = max(1, segments)
        guard w > 8, h > 8 else { return pairs }
        // Edge points: outside pixels with a 4-neighbour inside, in row order.
        let points: [SIMD2<Int32>] = mask.withView { m in
            TileScheduler.reduceRows(mask.bounds, schedule: schedule, initial: [], partial: { band in
                var found: [SIMD2<Int32>] = []
                for y in band.y..<band.maxY {
                    let row = m.row(y, channel: 0)
                    let up = y > 0 ? m.row(y - 1, channel: 0) : nil, down = y + 1 < h ? m.row(y + 1, channel: 0) : nil
                    for x in 0..<w where row[x] < 0.5 {
                        let edge = (x > 0 && row[x - 1] >= 0.5) || (x + 1 < w && row[x + 1] >= 0.5)
                            || (up.map { $0[x] >= 0.5 } ?? false) || (down.map { $0[x] >= 0.5 } ?? false)
                        if edge { found.append(SIMD2(Int32(x), Int32(y))) }
                    }
                }
                return found
            }, combine: { $0 + $1 })
        }
        guard !points.isEmpty else { return pairs }
        let stride = max(1, (points.count + maximumPoints - 1) / maximumPoints)
        var centre = SIMD2<Double>.zero
        var used = 0
        for i in Swift.stride(from: 0, to: points.count, by: stride) { centre += SIMD2(Double(points[i].x), Double(points[i].y)); used += 1 }
        centre /= Double(used)
        let hasAlpha = raster.layout.hasAlpha
        let r = normalRadius
        raster.withView { v in
            mask.withView { m in
                let mp = m.plane(0)
                /// Mean colour of three pixels along the edge (the tangent `(tx, ty)`) centred at
                /// (cx, cy), if every one is on the wanted side.
                func taps(_ cx: Double, _ cy: Double, _ tx: Double, _ ty: Double, inside: Bool) -> SIMD3<Float>? {
                    var sum = SIMD3<Float>.zero
                    for k in -1...1 {
                        let xx = Int((cx + Double(k) * tx).rounded()), yy = Int((cy + Double(k) * ty).rounded())
                        guard xx >= 0, yy >= 0, xx < w, yy < h else { return nil }
                        let i = yy * w + xx
                        let mv = mp[i]
                        if inside ? mv < 0.99 : mv > 0.01 { return nil }
                        let alpha = hasAlpha ? v.plane(3)[i] : 1
                        if alpha < 0.5 { return nil }
                        sum += SIMD3(v.plane(0)[i], v.plane(1)[i], v.plane(2)[i]) / alpha
                    }
                    return sum / 3
                }
                for i in Swift.stride(from: 0, to: points.count, by: stride) {
                    let px = Int(points[i].x), py = Int(points[i].y)
                    // Outward normal: away from the centroid of the inside pixels nearby.
                    var nx = 0.0, ny = 0.0
                    for dy in -r...r where py + dy >= 0 && py + dy < h {
                        let row = py + dy
                        for dx in -r...r where px + dx >= 0 && px + dx < w && mp[row * w + px + dx] >= 0.5 {
                            nx -= Double(dx); ny -= Double(dy)
                        }
                    }
                    let length = (nx * nx + ny * ny).squareRoot()
                    guard length >= 1 else { continue }
                    nx /= length; ny /= length
                    let angle = atan2(Double(py) - centre.y, Double(px) - centre.x)
                    let sector = min(pairs.segmentCount - 1, max(0, Int((angle + .pi) / (2 * .pi) * Double(pairs.segmentCount))))
                    for d in distances {
                        let din = Double(d), dout = Double(d - 1)
                        guard let a = taps(Double(px) - nx * din, Double(py) - ny * din, -ny, nx, inside: true),
                              let b = taps(Double(px) + nx * dout, Double(py) + ny * dout, -ny, nx, inside: false) else { continue }
                        pairs.inner.append(a); pairs.outer.append(b); pairs.segment.append(sector)
                    }
                }
            }
        }
        return pairs
    }

    /// Pairs across the edge of a layer placed with its top-left corner at `origin` on
    /// `background` (both linear RGB or RGBA, premultiplied): inside is where the layer is opaque,
    /// outside where the background shows (the layer's alpha is the mask). Costs one
    /// background-sized RGB raster and mask.
    public static func sample(layer: Raster, at origin: SIMD2<Int>, on background: Raster, segments: Int = 12,
                              schedule: Schedule = .default) -> BoundaryPairs {
        let (composite, mask) = pasted(layer: layer, at: origin, on: background)
        return sample(composite, mask: mask, segments: segments, schedule: schedule)
    }

    /// `layer` pasted (where its alpha is ≥ ½) at `origin` on `background`: an unpremultiplied
    /// RGB raster of the background's size, and the layer's alpha there as a mask.
    public static func pasted(layer: Raster, at origin: SIMD2<Int>, on background: Raster) -> (composite: Raster, mask: Raster) {
        precondition(layer.layout.colourChannels == 3 && background.layout.colourChannels == 3, "RGB rasters only")
        let w = background.width, h = background.height
        var composite = Raster(width: w, height: h, layout: .rgb)
        var mask = Raster(width: w, height: h, layout: .gray)
        mask.isPremultiplied = false
        let layerAlpha = layer.layout.hasAlpha, backgroundAlpha = background.layout.hasAlpha
        background.withView { b in
            layer.withView { l in
                composite.withMutableView { c in
                    mask.withMutableView { m in
                        for y in 0..<h {
                            let ly = y - origin.y
                            for x in 0..<w {
                                let i = y * w + x
                                let ba = backgroundAlpha ? b.plane(3)[i] : 1
                                var colour = ba > 0 ? SIMD3(b.plane(0)[i], b.plane(1)[i], b.plane(2)[i]) / ba : .zero
                                let lx = x - origin.x
                                if ly >= 0, ly < l.height, lx >= 0, lx < l.width {
                                    let j = ly * l.width + lx
                                    let la = layerAlpha ? l.plane(3)[j] : 1
                                    m.plane(0)[i] = la
                                    if la >= 0.5 { colour = SIMD3(l.plane(0)[j], l.plane(1)[j], l.plane(2)[j]) / la }
                                }
                                c.plane(0)[i] = colour.x; c.plane(1)[i] = colour.y; c.plane(2)[i] = colour.z
                            }
                        }
                    }
                }
            }
        }
        return (composite, mask)
    }
}
