#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Focus matching: how much to blur a region so that its fine detail matches its surroundings'
/// (a sharp studio cut-out placed in a softer photo), and the masked blur that does it.
///
/// Sharpness is the mean squared gradient of encoded luminance (`Y^(1/2.2)` of linear Rec. 709
/// luminance, central differences). The reference's is measured over its pixels (sampled); the
/// region's is measured on up to ``patchCount`` patches of ``patchSize``² pixels lying wholly
/// inside it, each blurred with a Gaussian of σ, and σ is found by bisection so that the two
/// agree (the gradient energy of a blurred signal falls monotonically with σ). A region that is
/// not sharper than its reference gets σ = 0. The estimate assumes both show similar kinds of
/// texture (a re-shot part of one scene; grass against grass): it compares detail, not content.
///
/// Cost: one sampled pass over the reference; each bisection step blurs only the patches
/// (about 55 000 pixels), so the estimate is independent of the image size.
public enum Focus {
    /// What was measured.
    public struct Estimate: Sendable, Hashable {
        /// The Gaussian σ (pixels) that makes the region as sharp as the reference; 0 when the
        /// region is not the sharper one.
        public var sigma: Double
        /// Mean squared luminance gradient of the region, unblurred.
        public var regionEnergy: Double
        /// Mean squared luminance gradient of the reference.
        public var referenceEnergy: Double
        /// Patches of the region measured.
        public var patches: Int
    }

    /// The largest σ considered (pixels).
    public static let maximumSigma: Float = 6
    /// Side of a measured patch.
    public static let patchSize = 48
    /// Patches used at most.
    public static let patchCount = 24
    /// Reference samples used at most.
    static let referenceSamples = 200_000

    /// Encoded luminance of a pixel (unpremultiplied).
    @inline(__always) static func luma(_ v: RasterView, _ i: Int, hasAlpha: Bool) -> Float {
        let a = hasAlpha ? v.plane(3)[i] : 1
        guard a > 0 else { return 0 }
        let y = (0.2126 * v.plane(0)[i] + 0.7152 * v.plane(1)[i] + 0.0722 * v.plane(2)[i]) / a
        return powf(max(y, 0), 1 / 2.2)
    }

    /// Estimates the blur for the region `region` (one channel 0…1; inside ≥ ½) of `raster`
    /// (linear RGB or RGBA, premultiplied) to match the reference pixels `reference` (one
    /// channel, weights > 0). Nil when the region holds no whole patch or the reference fewer
    /// than 100 usable pixels.
    public static func estimateBlur(_ raster: Raster, region: Raster, reference: Raster) -> Estimate? {
        precondition(raster.width == region.width && raster.height == region.height
                     && raster.width == reference.width && raster.height == reference.height, "masks must match the raster")
        precondition(raster.layout.colourChannels == 3, "RGB rasters only")
        let w = raster.width, h = raster.height
        let hasAlpha = raster.layout.hasAlpha
        let halo = Int((3 * maximumSigma).rounded(.up)) + 1
        let side = patchSize + 2 * halo
        guard w > side, h > side else { return nil }
        return raster.withView { v -> Estimate? in
            region.withView { rm -> Estimate? in
                reference.withView { fm -> Estimate? in
                    let inside = rm.plane(0), ref = fm.plane(0)
                    // Reference energy, on a sampling lattice.
                    let step = max(1, Int((Double(w * h) / Double(referenceSamples)).squareRoot().rounded(.up)))
                    var sum = 0.0, n = 0
                    for y in Swift.stride(from: 1, to: h - 1, by: step) {
                        for x in Swift.stride(from: 1, to: w - 1, by: step) {
                            let i = y * w + x
                            guard ref[i] > 0, ref[i - 1] > 0, ref[i + 1] > 0, ref[i - w] > 0, ref[i + w] > 0 else { continue }
                            let gx = luma(v, i + 1, hasAlpha: hasAlpha) - luma(v, i - 1, hasAlpha: hasAlpha)
                            let gy = luma(v, i + w, hasAlpha: hasAlpha) - luma(v, i - w, hasAlpha: hasAlpha)
                            sum += Double(gx * gx + gy * gy) / 4; n += 1
                        }
                    }
                    guard n >= 100 else { return nil }
                    let referenceEnergy = sum / Double(n)
                    // Patches wholly inside the region (checked on their border and a sparse
                    // lattice inside), taken evenly from the candidates in raster order.
                    var candidates: [SIMD2<Int>] = []
                    for y0 in Swift.stride(from: 0, through: h - side, by: patchSize) {
                        for x0 in Swift.stride(from: 0, through: w - side, by: patchSize) {
                            var ok = true
                            check: for yy in Swift.stride(from: y0, to: y0 + side, by: 4) {
                                for xx in Swift.stride(from: x0, to: x0 + side, by: 4) where inside[yy * w + xx] < 0.99 { ok = false; break check }
                            }
                            if ok {
                                for k in 0..<side where inside[y0 * w + x0 + k] < 0.99 || inside[(y0 + side - 1) * w + x0 + k] < 0.99
                                    || inside[(y0 + k) * w + x0] < 0.99 || inside[(y0 + k) * w + x0 + side - 1] < 0.99 { ok = false; break }
                            }
                            if ok { candidates.append(SIMD2(x0, y0)) }
                        }
                    }
                    guard !candidates.isEmpty else { return nil }
                    let every = max(1, (candidates.count + patchCount - 1) / patchCount)
                    var patches: [[Float]] = []
                    for c in Swift.stride(from: 0, to: candidates.count, by: every) {
                        let p = candidates[c]
                        var buffer = [Float](repeating: 0, count: side * side)
                        for yy in 0..<side { for xx in 0..<side { buffer[yy * side + xx] = luma(v, (p.y + yy) * w + p.x + xx, hasAlpha: hasAlpha) } }
                        patches.append(buffer)
                    }
                    func energy(_ sigma: Float) -> Double {
                        var total = 0.0
                        for p in patches { total += patchEnergy(p, side: side, halo: halo, sigma: sigma) }
                        return total / Double(patches.count)
                    }
                    let regionEnergy = energy(0)
                    var estimate = Estimate(sigma: 0, regionEnergy: regionEnergy, referenceEnergy: referenceEnergy, patches: patches.count)
                    guard regionEnergy > referenceEnergy else { return estimate }
                    if energy(maximumSigma) > referenceEnergy { estimate.sigma = Double(maximumSigma); return estimate }
                    var lo: Float = 0, hi = maximumSigma
                    for _ in 0..<14 {
                        let mid = (lo + hi) / 2
                        if energy(mid) > referenceEnergy { lo = mid } else { hi = mid }
                    }
                    estimate.sigma = Double((lo + hi) / 2)
                    return estimate
                }
            }
        }
    }

    /// Mean squared gradient over the central `patchSize`² pixels of a `side`² patch after a
    /// Gaussian blur of `sigma` (none when 0).
    static func patchEnergy(_ p: [Float], side: Int, halo: Int, sigma: Float) -> Double {
        var src = p
        if sigma > 0.05 {
            let weights = GaussianBlur(sigma: sigma).weights
            let r = (weights.count - 1) / 2
            var tmp = [Float](repeating: 0, count: side * side)
            // Rows, then columns, over the part the centre needs (r ≤ halo − 1).
            let lo = halo - 1 - r, hi = side - halo + 1 + r
            for y in lo..<hi {
                for x in (halo - 1)..<(side - halo + 1) {
                    var s: Float = 0
                    for k in -r...r { s += weights[k + r] * src[y * side + x + k] }
                    tmp[y * side + x] = s
                }
            }
            for y in (halo - 1)..<(side - halo + 1) {
                for x in (halo - 1)..<(side - halo + 1) {
                    var s: Float = 0
                    for k in -r...r { s += weights[k + r] * tmp[(y + k) * side + x] }
                    src[y * side + x] = s
                }
            }
        }
        var sum = 0.0
        for y in halo..<(side - halo) {
            for x in halo..<(side - halo) {
                let i = y * side + x
                let gx = src[i + 1] - src[i - 1], gy = src[i + side] - src[i - side]
                sum += Double(gx * gx + gy * gy) / 4
            }
        }
        return sum / Double((side - 2 * halo) * (side - 2 * halo))
    }

    /// Blurs `raster` (any layout, premultiplied) with a Gaussian of `sigma` where `mask` (one
    /// channel 0…1, same size) is set, in proportion to it: `out = in + (blurred − in)·mask`.
    /// Only the mask's bounding box (plus the blur's halo) is blurred. Any schedule gives the
    /// same bits.
    public static func blur(_ raster: inout Raster, sigma: Float, mask: Raster, schedule: Schedule = .default) {
        precondition(raster.width == mask.width && raster.height == mask.height, "mask must match the raster")
        guard sigma > 0.05 else { return }
        let w = raster.width, h = raster.height
        // Bounding box of the mask.
        var x0 = w, y0 = h, x1 = -1, y1 = -1
        mask.withView { m in
            for y in 0..<h {
                let row = m.row(y, channel: 0)
                for x in 0..<w where row[x] > 0 { x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y) }
            }
        }
        guard x1 >= x0 else { return }
        let blur = GaussianBlur(sigma: sigma)
        let r = blur.radius
        let cx0 = max(0, x0 - r), cy0 = max(0, y0 - r), cx1 = min(w, x1 + 1 + r), cy1 = min(h, y1 + 1 + r)
        let cw = cx1 - cx0, ch = cy1 - cy0, planes = raster.channels
        var crop = Raster(uninitializedWidth: cw, height: ch, layout: raster.layout)
        crop.isPremultiplied = raster.isPremultiplied
        raster.withView { v in
            crop.withMutableView { c in
                for p in 0..<planes { for y in 0..<ch { for x in 0..<cw { c.row(y, channel: p)[x] = v.row(cy0 + y, channel: p)[cx0 + x] } } }
            }
        }
        let blurred = blur.apply(to: crop, schedule: schedule)
        let box = Rect(x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1)
        blurred.withView { b in
            mask.withView { m in
                raster.withMutableView { v in
                    TileScheduler.forEachTile(in: box, schedule: schedule) { tile in
                        for p in 0..<planes {
                            for y in tile.y..<tile.maxY {
                                let out = v.row(y, channel: p), src = b.row(y - cy0, channel: p), t = m.row(y, channel: 0)
                                for x in tile.x..<tile.maxX where t[x] > 0 { out[x] += (src[x - cx0] - out[x]) * t[x] }
                            }
                        }
                    }
                }
            }
        }
    }
}
