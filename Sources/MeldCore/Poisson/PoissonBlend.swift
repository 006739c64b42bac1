#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gradient-domain ("Poisson") cloning: pastes a masked region of a source into a destination so
/// that it keeps the source's detail but takes on the destination's colour and light at the seam
/// (Pérez, Gangnet & Blake 2003).
///
/// The region Ω is the set of destination pixels whose source pixel has mask coverage ≥ 0.5. Inside
/// Ω the result `f` solves `Δf = div v` with `f` equal to the destination on Ω's outer boundary;
/// the guidance field `v` is, per channel:
/// - ``Guidance/normal``: the source's gradients;
/// - ``Guidance/mixed``: for each pixel pair, whichever of the source's and the destination's
///   differences is larger in magnitude (keeps destination texture showing through);
/// - ``Guidance/monochrome``: the gradients of the source's luma (Rec. 709 weights) in every
///   channel — the source's texture with the destination's colour.
///
/// Only Ω's bounding box (plus one pixel) is touched, whatever the destination's size. Pixels of
/// Ω on the destination's border have no neighbour outside it (zero flux there), so masks
/// touching the border work; holes in the mask are fixed pixels like the outside; disconnected
/// regions are solved together. A source pixel's missing neighbour (Ω touching the source's
/// border) counts as equal to it.
///
/// The solve runs on ``PoissonSolver`` (multigrid) for `u = f − g` (the correction to the plain
/// paste `g`), which is smooth for normal cloning. Values are solved on sRGB-encoded values when
/// `values` is ``ValueEncoding/srgbEncoded`` (as OpenCV does on 8-bit codes: gradients then
/// match perceived edges and a colour offset in the encoded values is removed exactly), then
/// clamped to 0…1 and decoded back to linear light.
///
/// Colour planes are processed as stored; an alpha plane of the destination is left alone.
/// Deterministic and bit-identical on every ``Schedule``.
public enum PoissonBlend {
    /// Which gradients guide the cloned region.
    public enum Guidance: String, Sendable, Codable, CaseIterable {
        /// The source's gradients.
        case normal
        /// The stronger of the source's and the destination's gradients.
        case mixed
        /// The gradients of the source's luma, in every channel.
        case monochrome
    }

    /// How stored values are read for the solve.
    public enum ValueEncoding: String, Sendable, Codable, CaseIterable {
        /// Values are used as stored.
        case asStored
        /// Linear-light values are sRGB-encoded for the solve and decoded after.
        case srgbEncoded
    }

    /// The destination rectangle a clone touches: Ω's bounding box grown by one pixel, clipped to
    /// the destination. Empty when no mask pixel lands inside the destination.
    public static func regionOfInterest(mask: Raster, offset: (x: Int, y: Int), destinationSize: (width: Int, height: Int),
                                        threshold: Float = 0.5) -> Rect {
        let bbox = coverageBounds(mask: mask, offset: offset, destination: Rect(width: destinationSize.width, height: destinationSize.height), threshold: threshold)
        if bbox.isEmpty { return bbox }
        return Rect(x: bbox.x + offset.x, y: bbox.y + offset.y, width: bbox.width, height: bbox.height)
            .outset(by: 1).intersection(Rect(width: destinationSize.width, height: destinationSize.height))
    }

    /// The bounding box, in mask (source) coordinates, of mask pixels ≥ `threshold` that land
    /// inside `destination` when moved by `offset`; empty when there are none.
    public static func coverageBounds(mask: Raster, offset: (x: Int, y: Int), destination: Rect, threshold: Float) -> Rect {
        let valid = mask.bounds.intersection(Rect(x: destination.x - offset.x, y: destination.y - offset.y,
                                                   width: destination.width, height: destination.height))
        guard !valid.isEmpty else { return Rect(width: 0, height: 0) }
        var x0 = Int.max, y0 = Int.max, x1 = Int.min, y1 = Int.min
        mask.withView { m in
            for y in valid.y..<valid.maxY {
                let row = m.row(y, channel: 0)
                var first = -1, last = -1
                for x in valid.x..<valid.maxX where row[x] >= threshold {
                    if first < 0 { first = x }
                    last = x
                }
                if first >= 0 {
                    x0 = min(x0, first); x1 = max(x1, last)
                    y0 = min(y0, y); y1 = max(y1, y)
                }
            }
        }
        guard x0 <= x1 else { return Rect(width: 0, height: 0) }
        return Rect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1)
    }

    /// Clones the masked part of `source` into `destination`, source pixel (x, y) landing on
    /// destination pixel (x + offset.x, y + offset.y).
    ///
    /// - Parameters:
    ///   - source: the pixels to paste; same number of colour planes as `destination`.
    ///   - mask: one plane the size of `source`; coverage ≥ 0.5 selects Ω.
    ///   - destination: changed only inside ``regionOfInterest(mask:offset:destinationSize:threshold:)``.
    ///   - offset: where the source's origin lands in the destination (may be negative).
    ///   - guidance: which gradients to keep.
    ///   - values: whether to solve on sRGB-encoded values (default) or as stored.
    ///   - solver: tolerance and cycle limits of the multigrid solve.
    ///   - schedule: tiles and threads (never changes the result).
    /// - Returns: the solver's report (cycles, last change, whether it converged).
    /// - Complexity: O(|ROI| × channels × cycles); memory ≈ |ROI| × (channels + (2 × channels + 5) / 3)
    ///   floats (6.7 for RGB; `channels` more for mixed guidance) and |ROI| bytes.
    @discardableResult
    public static func apply(source: Raster, mask: Raster, into destination: inout Raster, offset: (x: Int, y: Int),
                             guidance: Guidance = .normal, values: ValueEncoding = .srgbEncoded,
                             solver: PoissonSolver = PoissonSolver(), schedule: Schedule = .default) -> PoissonSolver.Report {
        precondition(mask.width == source.width && mask.height == source.height, "mask must have the source's size")
        let plan = plan(mask: mask, offset: offset, destinationSize: (destination.width, destination.height),
                        channels: destination.layout.colourChannels, guidance: guidance, solver: solver, schedule: schedule)
        return apply(plan, source: source, into: &destination, values: values, schedule: schedule)
    }

    /// What a clone needs that depends on the mask and the placement only: the region, its
    /// unknown cells and the solver's levels and bands (see ``PoissonSolver/Preparation``). Made
    /// before the destination's pixels are at hand, it takes that part off the time a clone waits
    /// for them. It serves one ``apply(_:source:into:values:schedule:)``.
    public final class Plan: @unchecked Sendable {
        /// The region of interest in the destination (see ``regionOfInterest(mask:offset:destinationSize:)``).
        public let roi: Rect
        let unknown: UnsafeMutablePointer<UInt8>
        let destinationSize: (width: Int, height: Int)
        let offset: (x: Int, y: Int)
        let channels: Int
        let guidance: Guidance
        let solver: PoissonSolver
        /// nil for mixed guidance, whose band depends on its right side (made from the destination).
        let preparation: PoissonSolver.Preparation?

        init(roi: Rect, unknown: UnsafeMutablePointer<UInt8>, destinationSize: (width: Int, height: Int), offset: (x: Int, y: Int),
             channels: Int, guidance: Guidance, solver: PoissonSolver, preparation: PoissonSolver.Preparation?) {
            self.roi = roi; self.unknown = unknown; self.destinationSize = destinationSize; self.offset = offset
            self.channels = channels; self.guidance = guidance; self.solver = solver; self.preparation = preparation
        }

        deinit { unknown.deallocate() }
    }

    /// The plan for cloning through `mask` (the source's size) into a destination of
    /// `destinationSize` with `channels` colour planes; see ``Plan``.
    public static func plan(mask: Raster, offset: (x: Int, y: Int), destinationSize: (width: Int, height: Int), channels: Int,
                            guidance: Guidance = .normal, solver: PoissonSolver = PoissonSolver(),
                            schedule: Schedule = .default) -> Plan {
        let roi = regionOfInterest(mask: mask, offset: offset, destinationSize: destinationSize)
        let n = max(1, roi.width * roi.height)
        let unknown = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
        var preparation: PoissonSolver.Preparation?
        if !roi.isEmpty {
            // Ω: the cells whose source pixel exists and is covered by at least half.
            let marks = UnsafeSendableBox(unknown), w = roi.width
            mask.withView { m in
                TileScheduler.forEachTile(in: Rect(width: roi.width, height: roi.height), schedule: schedule) { tile in
                    for y in tile.y..<tile.maxY {
                        let known = marks.value + y * w, sy = roi.y + y - offset.y
                        guard sy >= 0 && sy < m.height else { (known + tile.x).update(repeating: 0, count: tile.width); continue }
                        let mrow = m.row(sy, channel: 0)
                        for x in tile.x..<tile.maxX {
                            let sx = roi.x + x - offset.x
                            known[x] = sx >= 0 && sx < m.width && mrow[sx] >= 0.5 ? 1 : 0
                        }
                    }
                }
            }
            if guidance != .mixed {
                preparation = solver.prepare(unknown: unknown, width: roi.width, height: roi.height, channels: channels,
                                             threads: schedule.threads)
            }
        }
        return Plan(roi: roi, unknown: unknown, destinationSize: destinationSize, offset: offset, channels: channels,
                    guidance: guidance, solver: solver, preparation: preparation)
    }

    /// Clones `source` into `destination` as `plan` was made for: `destination` must have the
    /// planned size and colour planes, `source` the mask's size.
    @discardableResult
    public static func apply(_ plan: Plan, source: Raster, into destination: inout Raster, values: ValueEncoding = .srgbEncoded,
                             schedule: Schedule = .default) -> PoissonSolver.Report {
        precondition(destination.width == plan.destinationSize.width && destination.height == plan.destinationSize.height,
                     "the destination is not the size the plan was made for")
        precondition(source.layout.colourChannels == plan.channels && destination.layout.colourChannels == plan.channels,
                     "source and destination colour planes differ from the plan's")
        let roi = plan.roi, guidance = plan.guidance
        guard !roi.isEmpty else { return PoissonSolver.Report(cycles: 0, lastChange: 0, converged: true) }
        let w = roi.width, h = roi.height, n = w * h, channels = plan.channels
        func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
            guard let raw = LargeMemory.allocate(count * MemoryLayout<Float>.stride) else {
                fatalError("out of memory for a \(w)x\(h) clone")
            }
            return raw.bindMemory(to: Float.self, capacity: count)
        }
        let u = floats(n * channels)
        let rhs: UnsafeMutablePointer<Float>? = guidance == .mixed ? floats(n * channels) : nil
        defer { free(u); free(rhs) }
        let buffers = PoissonBuffers(unknown: plan.unknown, u: u, rhs: rhs, width: w, height: h, channels: channels, roi: roi,
                                     offset: plan.offset, monochrome: guidance == .monochrome && channels == 3,
                                     encode: values == .srgbEncoded)
        let grid = Rect(width: w, height: h)

        return source.withView { src in
            // 1. Gather the fixed values u = f* − g (g: the source aligned to the grid, read
            //    again where needed rather than stored).
            destination.withView { dst in
                TileScheduler.forEachTile(in: grid, schedule: schedule) { tile in
                    buffers.gather(tile: tile, source: src, destination: dst)
                }
                // 2. Mixed gradients: the right side for u.
                if guidance == .mixed {
                    TileScheduler.forEachTile(in: grid, schedule: schedule) { tile in
                        buffers.mixedRightSide(tile: tile, source: src, destination: dst)
                    }
                }
            }
            // 3. Solve for u on Ω (the solver makes its own start).
            let report = if let preparation = plan.preparation {
                plan.solver.solve(u: u, rhs: rhs.map { UnsafePointer($0) }, prepared: preparation, schedule: schedule)
            } else {
                plan.solver.solve(u: u, rhs: rhs.map { UnsafePointer($0) }, unknown: plan.unknown,
                                  width: w, height: h, channels: channels, schedule: schedule)
            }
            // 4. Write f = g + u into Ω.
            destination.withMutableView { dst in
                TileScheduler.forEachTile(in: grid, schedule: schedule) { tile in
                    buffers.write(tile: tile, source: src, destination: dst)
                }
            }
            return withExtendedLifetime(plan) { report }
        }
    }
}

/// The per-clone working arrays, shared read/write across tiles (each tile writes its own cells).
struct PoissonBuffers: @unchecked Sendable {
    let unknown: UnsafeMutablePointer<UInt8>
    let u: UnsafeMutablePointer<Float>
    let rhs: UnsafeMutablePointer<Float>?
    let width: Int, height: Int, channels: Int
    let roi: Rect
    let offset: (x: Int, y: Int)
    let monochrome: Bool
    let encode: Bool

    @inline(__always) func load(_ v: Float) -> Float { encode ? SRGBTransfer.encode(v) : v }

    /// g at grid cell (x, y), channel c: the source pixel landing there (the nearest one where
    /// the grid reaches past the source), or its luma for monochrome guidance.
    @inline(__always) func guide(_ src: RasterView, x: Int, y: Int, c: Int) -> Float {
        let sx = min(max(roi.x + x - offset.x, 0), src.width - 1)
        let sy = min(max(roi.y + y - offset.y, 0), src.height - 1)
        guard monochrome else { return load(src.row(sy, channel: c)[sx]) }
        let r = load(src.row(sy, channel: 0)[sx]), g = load(src.row(sy, channel: 1)[sx]), b = load(src.row(sy, channel: 2)[sx])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    }

    /// The fixed values u = f* − g of `tile` (zero on the unknowns, marked by the plan).
    func gather(tile: Rect, source src: RasterView, destination dst: RasterView) {
        let plane = width * height
        for y in tile.y..<tile.maxY {
            let dy = roi.y + y, sy = dy - offset.y
            let known = unknown + y * width
            for c in 0..<channels {
                let out = u + c * plane + y * width, d = dst.row(dy, channel: c) + roi.x
                if monochrome {
                    for x in tile.x..<tile.maxX { out[x] = known[x] != 0 ? 0 : load(d[x]) - guide(src, x: x, y: y, c: c) }
                } else {
                    // g: the source pixel landing there, the nearest one where the grid reaches past the source.
                    let s = src.row(min(max(sy, 0), src.height - 1), channel: c)
                    for x in tile.x..<tile.maxX {
                        let sx = min(max(roi.x + x - offset.x, 0), src.width - 1)
                        out[x] = known[x] != 0 ? 0 : load(d[x]) - load(s[sx])
                    }
                }
            }
        }
    }

    /// b_p = Σ_q (v_pq − (g_p − g_q)) with v_pq the larger-magnitude of the destination's and the
    /// source's difference.
    func mixedRightSide(tile: Rect, source src: RasterView, destination dst: RasterView) {
        guard let rhs else { return }
        let plane = width * height
        for y in tile.y..<tile.maxY {
            for x in tile.x..<tile.maxX {
                let i = y * width + x
                for c in 0..<channels {
                    guard unknown[i] != 0 else { rhs[c * plane + i] = 0; continue }
                    let gp = guide(src, x: x, y: y, c: c)
                    let fp = load(dst.row(roi.y + y, channel: c)[roi.x + x])
                    var s: Float = 0
                    @inline(__always) func add(_ nx: Int, _ ny: Int) {
                        let dg = gp - guide(src, x: nx, y: ny, c: c)
                        let df = fp - load(dst.row(roi.y + ny, channel: c)[roi.x + nx])
                        s += (abs(df) > abs(dg) ? df : dg) - dg
                    }
                    // Fixed order: left, right, up, down.
                    if x > 0 { add(x - 1, y) }
                    if x + 1 < width { add(x + 1, y) }
                    if y > 0 { add(x, y - 1) }
                    if y + 1 < height { add(x, y + 1) }
                    rhs[c * plane + i] = s
                }
            }
        }
    }

    func write(tile: Rect, source src: RasterView, destination dst: MutableRasterView) {
        let plane = width * height
        for y in tile.y..<tile.maxY {
            let known = unknown + y * width
            guard (tile.x..<tile.maxX).contains(where: { known[$0] != 0 }) else { continue }
            let sy = min(max(roi.y + y - offset.y, 0), src.height - 1)
            for c in 0..<channels {
                let solved = u + c * plane + y * width, d = dst.row(roi.y + y, channel: c) + roi.x
                let s = src.row(sy, channel: c)
                for x in tile.x..<tile.maxX where known[x] != 0 {
                    let g = monochrome ? guide(src, x: x, y: y, c: c) : load(s[min(max(roi.x + x - offset.x, 0), src.width - 1)])
                    let f = g + solved[x]
                    d[x] = encode ? SRGBTransfer.decode(min(max(f, 0), 1)) : f
                }
            }
        }
    }
}
