/// Multi-band (Laplacian pyramid) blending along a soft mask (Burt & Adelson 1983): each band of
/// detail is blended with the mask blurred to that band's scale, so fine detail meets at a sharp
/// seam and broad colour at a wide one.
///
/// Because the Laplacian pyramid is linear, the result is computed as
/// `destination + collapse(M_k · L_k(source − destination))` with `M_k` the Gaussian pyramid of
/// the mask: one pyramid of the difference instead of two. Pixels where every mask level is
/// exactly zero keep the destination's bits.
///
/// The work covers the mask's bounding box (coverage > 0) grown by `2^(bands+1)` pixels, clipped to
/// the destination. Values are sRGB-encoded for the blend when `values` is
/// ``PoissonBlend/ValueEncoding/srgbEncoded`` (the default), clamped to 0…1 and decoded. Colour
/// planes are processed as stored; an alpha plane of the destination is left alone. Bit-identical
/// on every ``Schedule``.
///
/// Cost: about 3 × |ROI| × channels × 30 flops; memory ≈ 4/3 × |ROI| × (channels + 1) floats.
public enum MultibandBlend {
    /// The automatic number of bands for a masked region of `width × height`: ⌊log₂ min(w, h)⌋ − 3,
    /// between 1 and 8 — the coarsest band then spans about an eighth of the region.
    public static func automaticBands(width: Int, height: Int) -> Int {
        let side = max(1, min(width, height))
        var log2 = 0
        while (1 << (log2 + 1)) <= side { log2 += 1 }
        return min(8, max(1, log2 - 3))
    }

    /// The destination rectangle the blend touches for `bands` bands (nil: automatic).
    public static func regionOfInterest(mask: Raster, offset: (x: Int, y: Int), destinationSize: (width: Int, height: Int),
                                        bands: Int? = nil) -> (rect: Rect, bands: Int) {
        let dest = Rect(width: destinationSize.width, height: destinationSize.height)
        let box = PoissonBlend.coverageBounds(mask: mask, offset: offset, destination: dest, threshold: .leastNonzeroMagnitude)
        guard !box.isEmpty else { return (box, bands ?? 1) }
        let k = bands ?? automaticBands(width: box.width, height: box.height)
        let rect = Rect(x: box.x + offset.x, y: box.y + offset.y, width: box.width, height: box.height)
            .outset(by: 1 << (k + 1)).intersection(dest)
        return (rect, k)
    }

    /// Blends `source` into `destination` through `mask` (coverage 0…1, the source's size), source
    /// pixel (x, y) landing on destination pixel (x + offset.x, y + offset.y).
    ///
    /// - Parameters:
    ///   - bands: pyramid levels, 1…12 (1 is a plain alpha blend); nil chooses ``automaticBands(width:height:)``.
    /// - Returns: the number of bands used.
    @discardableResult
    public static func apply(source: Raster, mask: Raster, into destination: inout Raster, offset: (x: Int, y: Int),
                             bands: Int? = nil, values: PoissonBlend.ValueEncoding = .srgbEncoded,
                             schedule: Schedule = .default) -> Int {
        precondition(mask.width == source.width && mask.height == source.height, "mask must have the source's size")
        precondition(source.layout.colourChannels == destination.layout.colourChannels, "source and destination colour planes differ")
        precondition(bands.map { (1...12).contains($0) } ?? true, "bands must be 1...12")
        let (roi, requested) = regionOfInterest(mask: mask, offset: offset, destinationSize: (destination.width, destination.height), bands: bands)
        guard !roi.isEmpty else { return requested }
        let channels = destination.layout.colourChannels
        // Level sizes; stop when a side would fall below 1 pixel's worth of halving.
        var sizes = [(roi.width, roi.height)]
        while sizes.count < requested, max(sizes.last!.0, sizes.last!.1) > 1 {
            sizes.append((Pyramid.reducedSize(sizes.last!.0), Pyramid.reducedSize(sizes.last!.1)))
        }
        let levels = sizes.count
        let delta = sizes.map { UnsafeMutablePointer<Float>.allocate(capacity: $0.0 * $0.1 * channels) }
        let weight = sizes.map { UnsafeMutablePointer<Float>.allocate(capacity: $0.0 * $0.1) }
        defer { delta.forEach { $0.deallocate() }; weight.forEach { $0.deallocate() } }
        let encode = values == .srgbEncoded
        let d0 = UnsafeSendableBox(delta[0]), m0 = UnsafeSendableBox(weight[0])
        let w = roi.width, h = roi.height, plane = w * h

        // Level 0: the difference source − destination and the mask, over the ROI.
        source.withView { src in
            mask.withView { m in
                destination.withView { dst in
                    TileScheduler.forEachTile(in: Rect(width: w, height: h), schedule: schedule) { tile in
                        for y in tile.y..<tile.maxY {
                            let dy = roi.y + y, sy = dy - offset.y, syc = min(max(sy, 0), src.height - 1)
                            for x in tile.x..<tile.maxX {
                                let dx = roi.x + x, sx = dx - offset.x, sxc = min(max(sx, 0), src.width - 1)
                                let inside = sx >= 0 && sy >= 0 && sx < src.width && sy < src.height
                                m0.value[y * w + x] = inside ? min(max(m.row(sy, channel: 0)[sx], 0), 1) : 0
                                for c in 0..<channels {
                                    let s = src.row(syc, channel: c)[sxc], t = dst.row(dy, channel: c)[dx]
                                    d0.value[c * plane + y * w + x] = encode ? SRGBTransfer.encode(s) - SRGBTransfer.encode(t) : s - t
                                }
                            }
                        }
                    }
                }
            }
        }
        // Gaussian pyramids of the difference and the mask.
        for k in 1..<levels {
            let (pw, ph) = sizes[k - 1]
            Pyramid.reduce(delta[k - 1], width: pw, height: ph, channels: channels, into: delta[k], schedule: schedule)
            Pyramid.reduce(weight[k - 1], width: pw, height: ph, channels: 1, into: weight[k], schedule: schedule)
        }
        // Laplacian in place (fine to coarse, each level reads the next, still Gaussian).
        for k in 0..<(levels - 1) {
            Pyramid.expand(delta[k + 1], coarseWidth: sizes[k + 1].0, coarseHeight: sizes[k + 1].1, channels: channels,
                           into: delta[k], width: sizes[k].0, height: sizes[k].1, schedule: schedule, subtract: true)
        }
        // Weight every band by its mask level.
        for k in 0..<levels {
            let (lw, lh) = sizes[k]
            let dk = UnsafeSendableBox(delta[k]), mk = UnsafeSendableBox(weight[k])
            TileScheduler.forEachTile(in: Rect(width: lw, height: lh), schedule: schedule) { tile in
                for c in 0..<channels {
                    for y in tile.y..<tile.maxY {
                        let row = dk.value + c * lw * lh + y * lw, mrow = mk.value + y * lw
                        for x in tile.x..<tile.maxX { row[x] *= mrow[x] }
                    }
                }
            }
        }
        // Collapse, coarse to fine.
        for k in stride(from: levels - 2, through: 0, by: -1) {
            Pyramid.expand(delta[k + 1], coarseWidth: sizes[k + 1].0, coarseHeight: sizes[k + 1].1, channels: channels,
                           into: delta[k], width: sizes[k].0, height: sizes[k].1, schedule: schedule, subtract: false)
        }
        // destination += collapsed difference, where it is not exactly zero.
        destination.withMutableView { dst in
            TileScheduler.forEachTile(in: Rect(width: w, height: h), schedule: schedule) { tile in
                for c in 0..<channels {
                    for y in tile.y..<tile.maxY {
                        let row = dst.row(roi.y + y, channel: c) + roi.x, r = d0.value + c * plane + y * w
                        for x in tile.x..<tile.maxX where r[x] != 0 {
                            row[x] = encode ? SRGBTransfer.decode(min(max(SRGBTransfer.encode(row[x]) + r[x], 0), 1)) : row[x] + r[x]
                        }
                    }
                }
            }
        }
        return levels
    }
}
