#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds and reads the watermark of ``SpreadSpectrumMark``.
///
/// For each candidate cell size (the one the image's size implies, then the next larger and
/// smaller, which cropping can cause) the luma is box-averaged so that a cell is 2 working
/// pixels, whitened (minus its 3 × 3 mean, clipped to ±10 levels so edges do not dominate, then
/// divided by its local RMS over 5 × 5 so busy areas weigh less than quiet ones) and
/// **folded**: every working pixel is added into bin `(x mod 64, y mod 64)` of one 64 × 64 tile
/// — after rotating its coordinates by a candidate angle (0, ±0.15°, … ±3°). Folding averages
/// every repetition of the tile, which is what makes detection work on crops and get stronger
/// on large images. The folded tile is circularly cross-correlated (FFT) with the keyed sync
/// template; the peak gives the shift (cropping only shifts the phase) and its z-score (peak
/// minus mean over the standard deviation of all 4096 shifts) says how sure the sync is. The
/// message cells at that shift give soft bits for the Viterbi decoder; a candidate is accepted
/// when the keyed CRC checks and the sync z-score is at least ``acceptScore``. Candidates are
/// tried in order and the first accepted one wins.
///
/// False positives: each candidate passes the CRC by chance with probability 2⁻³², so the
/// probability of a false detection is at most `attempts × 2⁻³²` (≤ 135 attempts: ≤ 3.2·10⁻⁸),
/// and smaller still by the z-score requirement.
public enum SpreadSpectrumDetector {
    /// The smallest sync z-score accepted (with a checking CRC).
    public static let acceptScore: Float = 4
    /// Candidates that synchronise at least this well but do not decode are retried at angles
    /// ±0.05° and ±0.1° around theirs (the best three).
    public static let refineScore: Float = 6
    /// The angles searched, in degrees, in the order they are tried.
    public static let angles: [Double] = {
        var a: [Double] = [0]
        for i in 1...20 {
            let d = Double(i) * 0.15
            a.append(d); a.append(-d)
        }
        return a
    }()

    /// What detection found.
    public struct Result: Sendable, Hashable {
        /// The payload and its bit count when a candidate was accepted.
        public var verified: (payload: UInt64, bitCount: Int)? {
            accepted ? (payload, bitCount) : nil
        }
        /// Whether a candidate passed the CRC and the sync threshold.
        public var accepted: Bool
        /// The decoded payload of the accepted candidate, or of the best-synchronised one.
        public var payload: UInt64
        /// Its bit count (as decoded).
        public var bitCount: Int
        /// The sync z-score of that candidate.
        public var syncScore: Float
        /// Fraction of demodulated coded bits that agree with the decoded codeword (0.5 is chance).
        public var agreement: Float
        /// The rotation found, degrees.
        public var angle: Double
        /// The cell size found, pixels.
        public var cellSize: Int
        /// The tile shift found, working pixels (x, y).
        public var shift: [Int]
        /// Candidates examined.
        public var attempts: Int
    }

    /// Box-averages the luma of `raster` by `k` and whitens it; returns the working plane.
    public static func workingPlane(_ raster: Raster, factor k: Int, schedule: Schedule = .default) -> (plane: [Float], width: Int, height: Int) {
        let w = raster.width, h = raster.height
        let ww = w / k, wh = h / k
        guard ww >= 3, wh >= 3 else { return ([], 0, 0) }
        var small = [Float](repeating: 0, count: ww * wh)
        let layout = raster.layout
        let strips = Schedule(tileWidth: Schedule.fullWidth, tileHeight: 16, threads: schedule.threads)
        raster.withView { view in
            WatermarkLuma.withTables { enc, slope in
                let luma = WatermarkLuma(view, layout: layout, encode: enc, slope: slope)
                small.withUnsafeMutableBufferPointer { s in
                    let out = UnsafeSendableBox(s.baseAddress!)
                    let inv = 1 / Float(k * k)
                    // Row by row: a pixel row's luma at once, added into the working pixels'
                    // sums (each still sums its block row by row, left to right).
                    TileScheduler.forEachTile(in: Rect(width: ww, height: wh), schedule: strips,
                                              makeScratch: { CellRowScratch() }) { tile, scratch in
                        let x0 = tile.x * k, count = tile.width * k
                        scratch.reserve(pixels: count, cells: 0)
                        scratch.row.withUnsafeMutableBufferPointer { row in
                            let lr = row.baseAddress!
                            for y in tile.y..<tile.maxY {
                                let o = out.value + y * ww + tile.x
                                for j in 0..<tile.width { o[j] = 0 }
                                for yy in (y * k)..<(y * k + k) {
                                    luma.lumaRow(from: yy * w + x0, count: count, into: lr)
                                    for j in 0..<tile.width {
                                        var acc = o[j]
                                        for xx in 0..<k { acc += lr[j * k + xx] }
                                        o[j] = acc
                                    }
                                }
                                for j in 0..<tile.width { o[j] *= inv }
                            }
                        }
                    }
                }
            }
        }
        var white = [Float](repeating: 0, count: ww * wh)
        small.withUnsafeBufferPointer { s in
            white.withUnsafeMutableBufferPointer { o in
                let io = UnsafeSendableBox((s.baseAddress!, o.baseAddress!))
                TileScheduler.forEachTile(in: Rect(width: ww, height: wh), schedule: strips) { tile in
                    let (src, dst) = io.value
                    for y in tile.y..<tile.maxY {
                        let y0 = max(0, y - 1), y1 = min(wh - 1, y + 1)
                        for x in tile.x..<tile.maxX {
                            let x0 = max(0, x - 1), x1 = min(ww - 1, x + 1)
                            var acc: Float = 0
                            for yy in y0...y1 { for xx in x0...x1 { acc += src[yy * ww + xx] } }
                            let mean = acc / Float((y1 - y0 + 1) * (x1 - x0 + 1))
                            dst[y * ww + x] = min(10, max(-10, src[y * ww + x] - mean))
                        }
                    }
                }
            }
        }
        // Local normalisation: divide by the RMS of the whitened luma over 5 × 5, so busy areas
        // (strong host "noise") weigh less than quiet ones and every region votes alike.
        var normalised = [Float](repeating: 0, count: ww * wh)
        white.withUnsafeBufferPointer { s in
            normalised.withUnsafeMutableBufferPointer { o in
                let io = UnsafeSendableBox((s.baseAddress!, o.baseAddress!))
                TileScheduler.forEachTile(in: Rect(width: ww, height: wh), schedule: strips) { tile in
                    let (src, dst) = io.value
                    for y in tile.y..<tile.maxY {
                        let y0 = max(0, y - 2), y1 = min(wh - 1, y + 2)
                        for x in tile.x..<tile.maxX {
                            let x0 = max(0, x - 2), x1 = min(ww - 1, x + 2)
                            var acc: Float = 0
                            for yy in y0...y1 { for xx in x0...x1 { let v = src[yy * ww + xx]; acc += v * v } }
                            let energy = acc / Float((y1 - y0 + 1) * (x1 - x0 + 1))
                            dst[y * ww + x] = src[y * ww + x] / (energy + 1).squareRoot()
                        }
                    }
                }
            }
        }
        return (normalised, ww, wh)
    }

    /// Folds a working plane into a 64 × 64 tile after rotating by `angle` degrees about its
    /// centre. Row bands are summed in order, so any schedule gives the same bits.
    public static func fold(_ plane: [Float], width: Int, height: Int, angle: Double, schedule: Schedule = .default) -> [Float] {
        let cs = cos(angle * Double.pi / 180), sn = sin(angle * Double.pi / 180)
        let cx = Double(width) / 2, cy = Double(height) / 2
        return plane.withUnsafeBufferPointer { p in
            let src = UnsafeSendableBox(p.baseAddress!)
            return TileScheduler.reduceRows(Rect(width: width, height: height), rowsPerBand: 64, schedule: schedule,
                                            initial: [Float](repeating: 0, count: 4096),
                                            partial: { band in
                var acc = [Float](repeating: 0, count: 4096)
                let s = src.value
                for y in band.y..<band.maxY {
                    let row = s + y * width
                    if angle == 0 {
                        let by = (y & 63) * 64
                        for x in 0..<width { acc[by + (x & 63)] += row[x] }
                    } else {
                        let dy = Double(y) + 0.5 - cy
                        var u = cx - sn * dy + cs * (0.5 - cx) + 65536
                        var v = cy + cs * dy + sn * (0.5 - cx) + 65536
                        for x in 0..<width {
                            acc[(Int(v) & 63) * 64 + (Int(u) & 63)] += row[x]
                            u += cs; v += sn
                        }
                    }
                }
                return acc
            }, combine: { a, b in
                var r = a
                for i in 0..<4096 { r[i] += b[i] }
                return r
            })
        }
    }

    /// The sync template: each sync cell's chip over its 2 × 2 bins, 0 elsewhere.
    public static func syncTemplate(_ key: WatermarkKey) -> [Float] {
        var t = [Float](repeating: 0, count: 4096)
        for by in 0..<64 { for bx in 0..<64 { t[by * 64 + bx] = key.syncChips[(by / 2) * 32 + bx / 2] } }
        return t
    }

    /// Reads one folded tile: sync peak, z-score, soft bits, Viterbi.
    public static func read(fold: [Float], key: WatermarkKey, templateRe: [Float], templateIm: [Float], fft: FFT64) -> (result: (payload: UInt64, bitCount: Int)?, guess: UInt64, guessBits: Int, score: Float, agreement: Float, shift: [Int]) {
        let corr = fft.correlate(fold, templateRe: templateRe, templateIm: templateIm)
        var best = 0
        var mean = 0.0
        for i in 0..<4096 {
            mean += Double(corr[i])
            if corr[i] > corr[best] { best = i }
        }
        mean /= 4096
        var variance = 0.0
        for i in 0..<4096 { let d = Double(corr[i]) - mean; variance += d * d }
        let sd = (variance / 4096).squareRoot()
        let score = sd > 0 ? Float((Double(corr[best]) - mean) / sd) : 0
        let sy = best / 64, sx = best % 64
        var soft = [Float](repeating: 0, count: WatermarkCode.codedBitCount)
        for cy in 0..<32 {
            for cx in 0..<32 {
                let cell = cy * 32 + cx
                let j = key.codedBitIndex[cell]
                if j < 0 { continue }
                var v: Float = 0
                for dy in 0..<2 {
                    let row = ((2 * cy + dy + sy) & 63) * 64
                    for dx in 0..<2 { v += fold[row + ((2 * cx + dx + sx) & 63)] }
                }
                soft[j] += key.messageChips[cell] * v
            }
        }
        let decoded = WatermarkCode.decode(soft: soft, key: key)
        let expected = WatermarkCode.encode(payload: decoded.bestGuess, bitCount: decoded.bestBitCount, key: key)
        var agree = 0
        for j in 0..<soft.count where (soft[j] >= 0) == (expected[j] == 0) { agree += 1 }
        return (decoded.verified, decoded.bestGuess, decoded.bestBitCount, score,
                Float(agree) / Float(soft.count), [sx, sy])
    }

    /// Searches `raster` for a mark made with `key`.
    ///
    /// - Parameter expectedBits: when set, a mark of another payload length is not accepted.
    /// - Complexity: one box-average pass over the pixels per cell size tried, and one fold of
    ///   the (k²-times smaller) working plane per angle; it stops at the first accepted candidate.
    public static func detect(_ raster: Raster, key: WatermarkKey, expectedBits: Int? = nil,
                              angles: [Double] = SpreadSpectrumDetector.angles, schedule: Schedule = .default) -> Result {
        let c0 = SpreadSpectrumMark.cellSize(width: raster.width, height: raster.height)
        let sizes = [c0, c0 + 2, c0 - 2].filter { $0 >= 4 }
        let fft = FFT64()
        var tRe = syncTemplate(key), tIm = [Float](repeating: 0, count: 4096)
        fft.transform(re: &tRe, im: &tIm)
        var planes: [Int: (plane: [Float], width: Int, height: Int)] = [:]
        var best = Result(accepted: false, payload: 0, bitCount: 0, syncScore: -.infinity, agreement: 0, angle: 0, cellSize: c0, shift: [0, 0], attempts: 0)
        var attempts = 0
        var synced: [(score: Float, angle: Double, cell: Int)] = []
        for angle in angles {
            for c in sizes {
                if planes[c] == nil { planes[c] = workingPlane(raster, factor: c / 2, schedule: schedule) }
                let wp = planes[c]!
                if wp.width < 16 || wp.height < 16 { continue }
                attempts += 1
                let f = fold(wp.plane, width: wp.width, height: wp.height, angle: angle, schedule: schedule)
                let r = read(fold: f, key: key, templateRe: tRe, templateIm: tIm, fft: fft)
                let lengthOK = expectedBits.map { $0 == r.result?.bitCount } ?? true
                if let v = r.result, r.score >= acceptScore, lengthOK {
                    return Result(accepted: true, payload: v.payload, bitCount: v.bitCount, syncScore: r.score,
                                  agreement: r.agreement, angle: angle, cellSize: c, shift: r.shift, attempts: attempts)
                }
                synced.append((r.score, angle, c))
                if r.score > best.syncScore {
                    best = Result(accepted: false, payload: r.guess, bitCount: r.guessBits, syncScore: r.score,
                                  agreement: r.agreement, angle: angle, cellSize: c, shift: r.shift, attempts: 0)
                }
            }
        }
        // Refine: the candidates that synchronised well but did not decode are retried at angles
        // between the search steps (a 2° rotation falls between 1.95° and 2.1°).
        let strong = synced.filter { $0.score >= refineScore }.sorted { $0.score > $1.score }.prefix(3)
        for candidate in strong {
            for delta in [-0.1, -0.05, 0.05, 0.1] {
                let angle = candidate.angle + delta
                let wp = planes[candidate.cell]!
                attempts += 1
                let f = fold(wp.plane, width: wp.width, height: wp.height, angle: angle, schedule: schedule)
                let r = read(fold: f, key: key, templateRe: tRe, templateIm: tIm, fft: fft)
                let lengthOK = expectedBits.map { $0 == r.result?.bitCount } ?? true
                if let v = r.result, r.score >= acceptScore, lengthOK {
                    return Result(accepted: true, payload: v.payload, bitCount: v.bitCount, syncScore: r.score,
                                  agreement: r.agreement, angle: angle, cellSize: candidate.cell, shift: r.shift, attempts: attempts)
                }
            }
        }
        best.attempts = attempts
        if best.syncScore == -.infinity { best.syncScore = 0 }
        return best
    }
}
