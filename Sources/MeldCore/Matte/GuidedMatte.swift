/// Turns a coarse binary segmentation (made at a reduced working resolution) into a full-
/// resolution cut-out: a soft alpha refined by a colour guided filter (He, Sun and Tang 2010) in a
/// narrow band around the boundary, and foreground colours with the old background's spill
/// removed.
///
/// Per output pixel (x, y):
/// 1. The coarse mask is upsampled bilinearly to p ∈ 0…255. Where p is undecided and a working
///    image is given, the filter's input is the pixel's colour projected on the line from the
///    local background mean to the local subject mean (colour-line estimate, see `estimate`).
/// 2. Outside the band (working pixels farther than `radius / scale + 2` from a label change)
///    α = [p ≥ 128]. Inside it, α is the guided filter of p with the pixel's sRGB-encoded colour
///    I (0…255) as guide: for each window of radius `radius`, a = (Σ_I + ε·255²·U)⁻¹ cov(I, p),
///    b = mean(p) − aᵀ mean(I), and q = mean(a)ᵀ I + mean(b); α = clamp(q / 255) with values
///    within 5/255 of 0 or 1 snapped.
/// 3. Despill (when asked) for 0 < α < 1: B is the mean linear colour of definite background
///    (p = 0) within 2 × `radius`, and F = (I − (1 − α) B) / α, clamped to 0…1; below α = 0.35 F is
///    pulled toward the local mean of definite foreground (p = 255). Colour out = F·α (premultiplied).
///
/// Determinism: window sums are exact integers (colours quantised to 8 bits, a and b to fixed
/// point), so a tile's result never depends on where the tile starts: every schedule gives the
/// same bits as the scalar reference ``reference(image:coarse:coarseWidth:coarseHeight:parameters:)``.
/// Cost: only tiles touching the band do filter work (~17 window sums per pixel via integral
/// images over the tile plus a 2·radius halo); the rest is one pass that copies colour.
public enum GuidedMatte {
    /// Refinement settings.
    public struct Parameters: Sendable, Hashable {
        /// Guided filter window radius in full-resolution pixels (1…64).
        public var radius: Int
        /// Regularisation ε (in squared 0…1 colour units; larger is smoother).
        public var epsilon: Double
        /// Remove the old background's colour from edge pixels.
        public var despill: Bool
        /// Refine the edge at all (false: the upsampled binary mask).
        public var refine: Bool
        /// Creates settings.
        public init(radius: Int = 4, epsilon: Double = 1e-3, despill: Bool = true, refine: Bool = true) {
            self.radius = radius; self.epsilon = epsilon; self.despill = despill; self.refine = refine
        }
    }

    /// The geometry shared by the kernel and the reference.
    struct Plan: @unchecked Sendable {
        let w: Int, h: Int, cw: Int, ch: Int
        let coarse: [UInt8]
        let band: [Bool]
        let r: Int
        let eps: Double
        let despill: Bool
        let refine: Bool

        /// Per coarse pixel: local subject and background mean colours (linear), and whether
        /// they differ enough to project colours between them.
        let fgMean: [SIMD3<Float>], bgMean: [SIMD3<Float>], projectable: [Bool]

        init(width: Int, height: Int, coarse: [UInt8], cw: Int, ch: Int, parameters: Parameters, small: Raster?) {
            w = width; h = height; self.cw = cw; self.ch = ch; self.coarse = coarse
            r = max(1, min(64, parameters.radius))
            eps = parameters.epsilon * 255 * 255
            despill = parameters.despill
            refine = parameters.refine
            // Band at working resolution: pixels within k of a label change.
            let scale = max(Double(width) / Double(cw), Double(height) / Double(ch))
            let k = Int((Double(r) / scale).rounded(.up)) + 2
            var edge = [Bool](repeating: false, count: cw * ch)
            for y in 0..<ch {
                for x in 0..<cw {
                    let v = coarse[y * cw + x]
                    if (x + 1 < cw && coarse[y * cw + x + 1] != v) || (y + 1 < ch && coarse[(y + 1) * cw + x] != v) {
                        edge[y * cw + x] = true
                    }
                }
            }
            var band = [Bool](repeating: false, count: cw * ch)
            if parameters.refine {
                // Dilate the edges by k (separably: rows, then columns).
                var rows = [Bool](repeating: false, count: cw * ch)
                for y in 0..<ch {
                    var last = -1_000_000
                    for x in 0..<cw { if edge[y * cw + x] { last = x }; if x - last <= k { rows[y * cw + x] = true } }
                    last = 1_000_000
                    for x in stride(from: cw - 1, through: 0, by: -1) { if edge[y * cw + x] { last = x }; if last - x <= k { rows[y * cw + x] = true } }
                }
                for x in 0..<cw {
                    var last = -1_000_000
                    for y in 0..<ch { if rows[y * cw + x] { last = y }; if y - last <= k { band[y * cw + x] = true } }
                    last = 1_000_000
                    for y in stride(from: ch - 1, through: 0, by: -1) { if rows[y * cw + x] { last = y }; if last - y <= k { band[y * cw + x] = true } }
                }
            }
            self.band = band
            // Local colour means at working resolution (radius 3), for the colour-line estimate.
            var fgMean = [SIMD3<Float>](), bgMean = [SIMD3<Float>](), projectable = [Bool]()
            if parameters.refine, let small, small.width == cw, small.height == ch, small.layout.colourChannels == 3 {
                fgMean = [SIMD3<Float>](repeating: .zero, count: cw * ch)
                bgMean = fgMean
                projectable = [Bool](repeating: false, count: cw * ch)
                let iw = cw + 1
                var sums = [SIMD8<Double>](repeating: .zero, count: iw * (ch + 1))
                small.withView { v in
                    for y in 0..<ch {
                        var row = SIMD8<Double>.zero
                        for x in 0..<cw {
                            let i = y * cw + x
                            let c = SIMD3<Double>(Double(v.plane(0)[i]), Double(v.plane(1)[i]), Double(v.plane(2)[i]))
                            let f: Double = coarse[i] == 1 ? 1 : 0, b = 1 - f
                            row += SIMD8(c.x * f, c.y * f, c.z * f, f, c.x * b, c.y * b, c.z * b, b)
                            sums[(y + 1) * iw + x + 1] = sums[y * iw + x + 1] + row
                        }
                    }
                }
                let k = 3
                for y in 0..<ch {
                    for x in 0..<cw where band[y * cw + x] {
                        let x0 = max(0, x - k), x1 = min(cw, x + k + 1), y0 = max(0, y - k), y1 = min(ch, y + k + 1)
                        let s = sums[y1 * iw + x1] - sums[y0 * iw + x1] - sums[y1 * iw + x0] + sums[y0 * iw + x0]
                        guard s[3] > 0, s[7] > 0 else { continue }
                        let f = SIMD3<Float>(Float(s[0] / s[3]), Float(s[1] / s[3]), Float(s[2] / s[3]))
                        let b = SIMD3<Float>(Float(s[4] / s[7]), Float(s[5] / s[7]), Float(s[6] / s[7]))
                        fgMean[y * cw + x] = f; bgMean[y * cw + x] = b
                        let d = f - b
                        projectable[y * cw + x] = (d * d).sum() > 0.0004
                    }
                }
            }
            self.fgMean = fgMean; self.bgMean = bgMean; self.projectable = projectable
        }

        /// The guided filter's input at a pixel, 0…255: where the upsampled coarse mask is
        /// undecided (0 < p < 255), the colour's position on the line from the local background
        /// mean to the local subject mean (when they differ); elsewhere p.
        @inline(__always) func estimate(_ x: Int, _ y: Int, colour: SIMD3<Float>) -> Int {
            let q = p(x, y)
            guard q > 0, q < 255, !projectable.isEmpty else { return q }
            let cell = coarseY(y) * cw + coarseX(x)
            guard projectable[cell] else { return q }
            let f = fgMean[cell], b = bgMean[cell], d = f - b
            let t = ((colour - b) * d).sum() / (d * d).sum()
            return Int((max(0, min(1, t)) * 255).rounded())
        }

        @inline(__always) func coarseX(_ x: Int) -> Int { min(cw - 1, x * cw / w) }
        @inline(__always) func coarseY(_ y: Int) -> Int { min(ch - 1, y * ch / h) }
        @inline(__always) func inBand(_ x: Int, _ y: Int) -> Bool { band[coarseY(y) * cw + coarseX(x)] }

        /// The upsampled coarse mask, 0…255.
        @inline(__always) func p(_ x: Int, _ y: Int) -> Int {
            let u = max(0, min(Double(cw - 1), (Double(x) + 0.5) * Double(cw) / Double(w) - 0.5))
            let v = max(0, min(Double(ch - 1), (Double(y) + 0.5) * Double(ch) / Double(h) - 0.5))
            let x0 = Int(u), y0 = Int(v)
            let x1 = min(cw - 1, x0 + 1), y1 = min(ch - 1, y0 + 1)
            let fx = u - Double(x0), fy = v - Double(y0)
            let a = Double(coarse[y0 * cw + x0]), b = Double(coarse[y0 * cw + x1])
            let c = Double(coarse[y1 * cw + x0]), d = Double(coarse[y1 * cw + x1])
            let value = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy
            return Int((value * 255).rounded())
        }

        func tileTouchesBand(_ t: Rect) -> Bool {
            guard refine else { return false }
            for cy in coarseY(t.y)...coarseY(t.maxY - 1) {
                for cx in coarseX(t.x)...coarseX(t.maxX - 1) where band[cy * cw + cx] { return true }
            }
            return false
        }

        /// Filter coefficients a (×2¹⁶) and b (×2⁸) from exact window sums.
        @inline(__always) func coefficients(n: Int64, sI: SIMD3<Int64>, sII: [Int64], sP: Int64, sIP: SIMD3<Int64>) -> (SIMD3<Int64>, Int64) {
            let inv = 1 / Double(n)
            let mI = SIMD3<Double>(Double(sI.x), Double(sI.y), Double(sI.z)) * inv
            let mP = Double(sP) * inv
            let cov = SIMD3<Double>(Double(sIP.x), Double(sIP.y), Double(sIP.z)) * inv - mI * mP
            // Σ + εU (symmetric: rr rg rb gg gb bb).
            let s00 = Double(sII[0]) * inv - mI.x * mI.x + eps, s01 = Double(sII[1]) * inv - mI.x * mI.y
            let s02 = Double(sII[2]) * inv - mI.x * mI.z, s11 = Double(sII[3]) * inv - mI.y * mI.y + eps
            let s12 = Double(sII[4]) * inv - mI.y * mI.z, s22 = Double(sII[5]) * inv - mI.z * mI.z + eps
            let c00 = s11 * s22 - s12 * s12, c01 = s02 * s12 - s01 * s22, c02 = s01 * s12 - s02 * s11
            let c11 = s00 * s22 - s02 * s02, c12 = s01 * s02 - s00 * s12, c22 = s00 * s11 - s01 * s01
            let det = s00 * c00 + s01 * c01 + s02 * c02
            let id = 1 / det
            let a = SIMD3<Double>((c00 * cov.x + c01 * cov.y + c02 * cov.z) * id,
                                  (c01 * cov.x + c11 * cov.y + c12 * cov.z) * id,
                                  (c02 * cov.x + c12 * cov.y + c22 * cov.z) * id)
            let b = mP - (a * mI).sum()
            let qa = SIMD3<Int64>(Int64((a.x * 65536).rounded()), Int64((a.y * 65536).rounded()), Int64((a.z * 65536).rounded()))
            return (qa, Int64((b * 256).rounded()))
        }

        /// α from the window sums of a and b and the pixel's guide colour.
        @inline(__always) func alpha(n: Int64, sa: SIMD3<Int64>, sb: Int64, guide: SIMD3<Int64>) -> Float {
            let q = (Double(sa.x) * Double(guide.x) + Double(sa.y) * Double(guide.y) + Double(sa.z) * Double(guide.z)) / (65536 * Double(n))
                + Double(sb) / (256 * Double(n))
            var a = Float(max(0, min(1, q / 255)))
            if a < 5 / 255 { a = 0 } else if a > 1 - 5 / 255 { a = 1 }
            return a
        }

        /// Foreground colour of an edge pixel with despill.
        @inline(__always) func foreground(_ i: SIMD3<Float>, alpha a: Float, bgSum: SIMD3<Int64>, bgCount: Int64,
                                          fgSum: SIMD3<Int64>, fgCount: Int64) -> SIMD3<Float> {
            guard despill, a > 0, a < 1, bgCount > 0 else { return i }
            let b = SIMD3<Float>(Float(Double(bgSum.x) / Double(bgCount) / 65535), Float(Double(bgSum.y) / Double(bgCount) / 65535),
                                 Float(Double(bgSum.z) / Double(bgCount) / 65535))
            var f = (i - (1 - a) * b) / a
            f = simd_clamp01(f)
            if a < 0.35, fgCount > 0 {
                let m = SIMD3<Float>(Float(Double(fgSum.x) / Double(fgCount) / 65535), Float(Double(fgSum.y) / Double(fgCount) / 65535),
                                     Float(Double(fgSum.z) / Double(fgCount) / 65535))
                let t = a / 0.35
                f = m + (f - m) * t
            }
            return f
        }
    }

    @inline(__always) static func quantise(_ v: Float) -> Int64 { Int64(SRGBTransfer.encode8(v)) }
    @inline(__always) static func linear16(_ v: Float) -> Int64 { Int64((max(0, min(1, v)) * 65535).rounded()) }

    /// The cut-out (RGBA, premultiplied linear) of `image` (linear RGB) from a coarse mask of
    /// `coarseWidth × coarseHeight` labels (1 subject, 0 background).
    public static func cutout(image: Raster, coarse: [UInt8], coarseWidth: Int, coarseHeight: Int, working: Raster? = nil,
                              parameters: Parameters = Parameters(), schedule: Schedule = Schedule(tileSize: 64)) -> Raster {
        var out = image
        cutout(&out, coarse: coarse, coarseWidth: coarseWidth, coarseHeight: coarseHeight, working: working,
               parameters: parameters, schedule: schedule)
        return out
    }

    /// Turns a linear RGB raster into its cut-out in place (RGBA, premultiplied). The storage is
    /// reused when it has room for the alpha plane (``Raster/addAlphaPlane()``), so a 12 MP photo
    /// needs no second full-size buffer.
    ///
    /// Two tiled passes: the first writes α (and, for band tiles, keeps the despilled colours of
    /// edge pixels aside, since neighbouring tiles still read the original colours); the second
    /// applies those colours and premultiplies.
    public static func cutout(_ image: inout Raster, coarse: [UInt8], coarseWidth: Int, coarseHeight: Int, working: Raster? = nil,
                              parameters: Parameters = Parameters(), schedule: Schedule = Schedule(tileSize: 64)) {
        precondition(coarse.count == coarseWidth * coarseHeight && image.layout == .rgb)
        let w = image.width, h = image.height
        let plan = Plan(width: w, height: h, coarse: coarse, cw: coarseWidth, ch: coarseHeight, parameters: parameters, small: working)
        image.addAlphaPlane()
        let grid = TileGrid(region: image.bounds, tileWidth: schedule.tileWidth, tileHeight: schedule.tileHeight)
        var side = [[(Int, SIMD3<Float>)]](repeating: [], count: grid.count)
        side.withUnsafeMutableBufferPointer { buffers in
            let slots = UnsafeSendableBox(buffers)
            image.withMutableView { view in
                TileScheduler.forEachTileIndexed(grid: grid, threads: schedule.threads) { t in
                    let tile = grid.tile(at: t)
                    if plan.tileTouchesBand(tile) {
                        slots.value[t] = filterTile(tile, plan: plan, view: view)
                    } else if plan.refine {
                        // Away from the band every coarse neighbour has the same label.
                        let alpha = view.plane(3)
                        for y in tile.y..<tile.maxY {
                            let crow = plan.coarseY(y) * plan.cw
                            for x in tile.x..<tile.maxX { alpha[y * w + x] = Float(plan.coarse[crow + plan.coarseX(x)]) }
                        }
                    } else {
                        let alpha = view.plane(3)
                        for y in tile.y..<tile.maxY {
                            for x in tile.x..<tile.maxX { alpha[y * w + x] = plan.p(x, y) >= 128 ? 1 : 0 }
                        }
                    }
                }
                TileScheduler.forEachTileIndexed(grid: grid, threads: schedule.threads) { t in
                    let tile = grid.tile(at: t)
                    for (i, f) in slots.value[t] {
                        for c in 0..<3 { view.plane(c)[i] = f[c] }
                    }
                    let alpha = view.plane(3)
                    for c in 0..<3 {
                        let plane = view.plane(c)
                        for y in tile.y..<tile.maxY {
                            for x in tile.x..<tile.maxX { plane[y * w + x] *= alpha[y * w + x] }
                        }
                    }
                }
            }
        }
        image.isPremultiplied = true
    }

    @inline(__always) static func pixel(_ src: RasterView, _ i: Int, unpremultiply: Bool) -> SIMD3<Float> {
        var v = SIMD3<Float>(src.plane(0)[i], src.plane(1)[i], src.plane(2)[i])
        if unpremultiply { let a = src.plane(3)[i]; v = a > 0 ? v / a : .zero }
        return v
    }

    /// One band tile through integral images over the tile plus a 2r halo.
    static func filterTile(_ t: Rect, plan: Plan, view: MutableRasterView) -> [(Int, SIMD3<Float>)] {
        let src = view.readOnly
        var side: [(Int, SIMD3<Float>)] = []
        let r = plan.r, w = plan.w, h = plan.h
        let outer = t.outset(by: 2 * r).intersection(Rect(width: w, height: h))
        let ow = outer.width, oh = outer.height
        let iw = ow + 1
        // Channels: I(3), II(6), p, Ip(3), bg(3), bgCount, fg(3), fgCount = 21.
        let channels = 21
        let integral = UnsafeMutablePointer<Int64>.allocate(capacity: iw * (oh + 1) * channels)
        integral.initialize(repeating: 0, count: iw * (oh + 1) * channels)
        let guideQ = UnsafeMutablePointer<SIMD3<Int64>>.allocate(capacity: ow * oh)
        let linear = UnsafeMutablePointer<SIMD3<Float>>.allocate(capacity: ow * oh)
        let pv = UnsafeMutablePointer<Int64>.allocate(capacity: ow * oh)
        let ev = UnsafeMutablePointer<Int64>.allocate(capacity: ow * oh)
        let values = UnsafeMutablePointer<Int64>.allocate(capacity: channels)
        let rowSum = UnsafeMutablePointer<Int64>.allocate(capacity: channels)
        defer { integral.deallocate(); guideQ.deallocate(); linear.deallocate(); pv.deallocate(); values.deallocate(); rowSum.deallocate(); ev.deallocate() }
        for y in 0..<oh {
            for x in 0..<ow {
                let gx = outer.x + x, gy = outer.y + y
                let c = pixel(src, gy * w + gx, unpremultiply: false)
                linear[y * ow + x] = c
                guideQ[y * ow + x] = SIMD3(quantise(c.x), quantise(c.y), quantise(c.z))
                pv[y * ow + x] = Int64(plan.p(gx, gy))
                ev[y * ow + x] = Int64(plan.estimate(gx, gy, colour: c))
            }
        }
        for y in 0..<oh {
            rowSum.initialize(repeating: 0, count: channels)
            for x in 0..<ow {
                let g = guideQ[y * ow + x], e = ev[y * ow + x], p = pv[y * ow + x], l = linear[y * ow + x]
                values[0] = g.x; values[1] = g.y; values[2] = g.z
                values[3] = g.x * g.x; values[4] = g.x * g.y; values[5] = g.x * g.z
                values[6] = g.y * g.y; values[7] = g.y * g.z; values[8] = g.z * g.z
                values[9] = e; values[10] = g.x * e; values[11] = g.y * e; values[12] = g.z * e
                let isBg: Int64 = p == 0 ? 1 : 0, isFg: Int64 = p == 255 ? 1 : 0
                let l16 = SIMD3(linear16(l.x), linear16(l.y), linear16(l.z))
                values[13] = l16.x * isBg; values[14] = l16.y * isBg; values[15] = l16.z * isBg; values[16] = isBg
                values[17] = l16.x * isFg; values[18] = l16.y * isFg; values[19] = l16.z * isFg; values[20] = isFg
                let base = ((y + 1) * iw + (x + 1)) * channels, above = (y * iw + (x + 1)) * channels
                for c in 0..<channels {
                    rowSum[c] += values[c]
                    integral[base + c] = integral[above + c] + rowSum[c]
                }
            }
        }
        func box(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: Int) -> Int64 {
            // Sum over outer-local [x0, x1) × [y0, y1).
            integral[(y1 * iw + x1) * channels + c] - integral[(y0 * iw + x1) * channels + c]
                - integral[(y1 * iw + x0) * channels + c] + integral[(y0 * iw + x0) * channels + c]
        }
        // Coefficients over the tile plus r (clipped), each from its clipped window.
        let mid = t.outset(by: r).intersection(Rect(width: w, height: h))
        let mw = mid.width, mh = mid.height, mwI = mw + 1
        let abIntegral = UnsafeMutablePointer<Int64>.allocate(capacity: mwI * (mh + 1) * 4)
        abIntegral.initialize(repeating: 0, count: mwI * (mh + 1) * 4)
        defer { abIntegral.deallocate() }
        var sII = [Int64](repeating: 0, count: 6)
        for y in 0..<mh {
            var rowSum = SIMD4<Int64>(0, 0, 0, 0)
            for x in 0..<mw {
                let gx = mid.x + x, gy = mid.y + y
                let x0 = max(0, gx - r) - outer.x, x1 = min(w, gx + r + 1) - outer.x
                let y0 = max(0, gy - r) - outer.y, y1 = min(h, gy + r + 1) - outer.y
                let n = Int64((x1 - x0) * (y1 - y0))
                let sI = SIMD3(box(x0, y0, x1, y1, 0), box(x0, y0, x1, y1, 1), box(x0, y0, x1, y1, 2))
                for k in 0..<6 { sII[k] = box(x0, y0, x1, y1, 3 + k) }
                let sP = box(x0, y0, x1, y1, 9)
                let sIP = SIMD3(box(x0, y0, x1, y1, 10), box(x0, y0, x1, y1, 11), box(x0, y0, x1, y1, 12))
                let (a, b) = plan.coefficients(n: n, sI: sI, sII: sII, sP: sP, sIP: sIP)
                rowSum &+= SIMD4(a.x, a.y, a.z, b)
                let base = ((y + 1) * mwI + (x + 1)) * 4, above = (y * mwI + (x + 1)) * 4
                for c in 0..<4 { abIntegral[base + c] = abIntegral[above + c] + rowSum[c] }
            }
        }
        func abBox(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: Int) -> Int64 {
            abIntegral[(y1 * mwI + x1) * 4 + c] - abIntegral[(y0 * mwI + x1) * 4 + c]
                - abIntegral[(y1 * mwI + x0) * 4 + c] + abIntegral[(y0 * mwI + x0) * 4 + c]
        }
        let rd = 2 * r
        for gy in t.y..<t.maxY {
            for gx in t.x..<t.maxX {
                let i = gy * w + gx
                let lx = gx - outer.x, ly = gy - outer.y
                let p = pv[ly * ow + lx]
                let colour = linear[ly * ow + lx]
                var a: Float
                var f = colour
                if plan.inBand(gx, gy) {
                    let x0 = max(0, gx - r) - mid.x, x1 = min(w, gx + r + 1) - mid.x
                    let y0 = max(0, gy - r) - mid.y, y1 = min(h, gy + r + 1) - mid.y
                    let n = Int64((x1 - x0) * (y1 - y0))
                    let sa = SIMD3(abBox(x0, y0, x1, y1, 0), abBox(x0, y0, x1, y1, 1), abBox(x0, y0, x1, y1, 2))
                    a = plan.alpha(n: n, sa: sa, sb: abBox(x0, y0, x1, y1, 3), guide: guideQ[ly * ow + lx])
                    if a > 0 && a < 1 && plan.despill {
                        let dx0 = max(0, gx - rd) - outer.x, dx1 = min(w, gx + rd + 1) - outer.x
                        let dy0 = max(0, gy - rd) - outer.y, dy1 = min(h, gy + rd + 1) - outer.y
                        f = plan.foreground(colour, alpha: a,
                                            bgSum: SIMD3(box(dx0, dy0, dx1, dy1, 13), box(dx0, dy0, dx1, dy1, 14), box(dx0, dy0, dx1, dy1, 15)),
                                            bgCount: box(dx0, dy0, dx1, dy1, 16),
                                            fgSum: SIMD3(box(dx0, dy0, dx1, dy1, 17), box(dx0, dy0, dx1, dy1, 18), box(dx0, dy0, dx1, dy1, 19)),
                                            fgCount: box(dx0, dy0, dx1, dy1, 20))
                    }
                } else {
                    a = p >= 128 ? 1 : 0
                }
                if f != colour { side.append((i, f)) }
                view.plane(3)[i] = a
            }
        }
        return side
    }

    /// The scalar reference: every window sum computed directly, one pixel at a time.
    public static func reference(image: Raster, coarse: [UInt8], coarseWidth: Int, coarseHeight: Int, working: Raster? = nil,
                                 parameters: Parameters = Parameters()) -> Raster {
        let w = image.width, h = image.height
        let plan = Plan(width: w, height: h, coarse: coarse, cw: coarseWidth, ch: coarseHeight, parameters: parameters, small: working)
        let alphaIn = image.layout.hasAlpha && image.isPremultiplied
        var out = Raster(width: w, height: h, layout: .rgba)
        let r = plan.r
        image.withView { src in
            func colour(_ x: Int, _ y: Int) -> SIMD3<Float> { pixel(src, y * w + x, unpremultiply: alphaIn) }
            func guide(_ x: Int, _ y: Int) -> SIMD3<Int64> { let c = colour(x, y); return SIMD3(quantise(c.x), quantise(c.y), quantise(c.z)) }
            func coefficients(_ x: Int, _ y: Int) -> (SIMD3<Int64>, Int64) {
                var n: Int64 = 0, sI = SIMD3<Int64>.zero, sII = [Int64](repeating: 0, count: 6), sP: Int64 = 0, sIP = SIMD3<Int64>.zero
                for yy in max(0, y - r)..<min(h, y + r + 1) {
                    for xx in max(0, x - r)..<min(w, x + r + 1) {
                        let g = guide(xx, yy), p = Int64(plan.estimate(xx, yy, colour: colour(xx, yy)))
                        n += 1; sI &+= g; sP += p; sIP &+= g &* p
                        sII[0] += g.x * g.x; sII[1] += g.x * g.y; sII[2] += g.x * g.z
                        sII[3] += g.y * g.y; sII[4] += g.y * g.z; sII[5] += g.z * g.z
                    }
                }
                return plan.coefficients(n: n, sI: sI, sII: sII, sP: sP, sIP: sIP)
            }
            out.withMutableView { dst in
                for y in 0..<h {
                    for x in 0..<w {
                        let i = y * w + x
                        var a: Float = plan.p(x, y) >= 128 ? 1 : 0
                        let c = colour(x, y)
                        var f = c
                        if plan.refine && plan.inBand(x, y) {
                            var n: Int64 = 0, sa = SIMD3<Int64>.zero, sb: Int64 = 0
                            for yy in max(0, y - r)..<min(h, y + r + 1) {
                                for xx in max(0, x - r)..<min(w, x + r + 1) {
                                    let (ca, cb) = coefficients(xx, yy)
                                    n += 1; sa &+= ca; sb += cb
                                }
                            }
                            a = plan.alpha(n: n, sa: sa, sb: sb, guide: guide(x, y))
                            if a > 0 && a < 1 && plan.despill {
                                var bg = SIMD3<Int64>.zero, bgN: Int64 = 0, fg = SIMD3<Int64>.zero, fgN: Int64 = 0
                                for yy in max(0, y - 2 * r)..<min(h, y + 2 * r + 1) {
                                    for xx in max(0, x - 2 * r)..<min(w, x + 2 * r + 1) {
                                        let p = plan.p(xx, yy), l = colour(xx, yy)
                                        let l16 = SIMD3(linear16(l.x), linear16(l.y), linear16(l.z))
                                        if p == 0 { bg &+= l16; bgN += 1 }
                                        if p == 255 { fg &+= l16; fgN += 1 }
                                    }
                                }
                                f = plan.foreground(c, alpha: a, bgSum: bg, bgCount: bgN, fgSum: fg, fgCount: fgN)
                            }
                        }
                        for k in 0..<3 { dst.plane(k)[i] = f[k] * a }
                        dst.plane(3)[i] = a
                    }
                }
            }
        }
        return out
    }
}

@inline(__always) func simd_clamp01(_ v: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(max(0, min(1, v.x)), max(0, min(1, v.y)), max(0, min(1, v.z)))
}
