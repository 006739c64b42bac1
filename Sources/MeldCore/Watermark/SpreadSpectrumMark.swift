#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The invisible watermark's embedding: a keyed ±1 pattern of 32 × 32 cells (a tile), repeated
/// across the image, added to the gamma-encoded luma.
///
/// - Cells are `c × c` pixels with `c = 2·max(2, round(shorter side / 480))`: 4 px below 1200 px,
///   6 px from 1200, 12 px at 3000 (2 px cells did not survive halving and re-enlarging). So the
///   pattern has the same size relative to the picture at every resolution above ~1000 px and its energy sits in low-middle frequencies that survive
///   JPEG, resizing and blur. Each cell is shaped by a half-sine bump (zero at its edges), so
///   there are no block edges to see.
/// - 384 keyed cells of the tile carry a synchronisation pattern; the other 640 carry the 216
///   coded message bits (2–3 cells each, keyed chips), see ``WatermarkCode`` and ``WatermarkKey``.
/// - Perceptual masking: each cell's amplitude follows the luma's standard deviation over its
///   3 × 3 cell neighbourhood — strong in texture, ~4× weaker in flat areas — and the whole
///   pattern is scaled so that its RMS is `rms` 8-bit levels (1.6 gives PSNR ≈ 43.5 dB after
///   8-bit rounding).
///
/// Determinism: every pixel's change depends only on its cell's statistics, which are summed
/// in a fixed order, so any schedule gives bit-identical output.
public enum SpreadSpectrumMark {
    /// Cell side in pixels for an image of this size.
    public static func cellSize(width: Int, height: Int) -> Int {
        2 * max(2, Int((Double(min(width, height)) / 480).rounded()))
    }

    /// The tile's cell values under `key` for a coded message: sync chips and signed message chips.
    public static func tilePattern(key: WatermarkKey, coded: [UInt8]) -> [Float] {
        precondition(coded.count == WatermarkCode.codedBitCount)
        return (0..<WatermarkKey.cellCount).map { cell in
            let j = key.codedBitIndex[cell]
            return j < 0 ? key.syncChips[cell] : key.messageChips[cell] * (coded[j] == 0 ? 1 : -1)
        }
    }

    /// The half-sine bump across a cell of `c` pixels.
    public static func bump(_ c: Int) -> [Float] {
        (0..<c).map { Float(sin(Double.pi * (Double($0) + 0.5) / Double(c))) }
    }

    /// Masking amplitude from a local standard deviation of luma (8-bit levels).
    @inline(__always) static func masking(_ sigma: Float) -> Float {
        min(1.6, max(0.3, sigma / 10))
    }

    /// Per-cell luma sums (Σy, Σy², count) over a grid of `c`-pixel cells.
    static func cellSums(_ raster: Raster, cell c: Int, schedule: Schedule) -> (sums: [Double], squares: [Double], gw: Int, gh: Int) {
        let w = raster.width, h = raster.height
        let gw = (w + c - 1) / c, gh = (h + c - 1) / c
        var sums = [Double](repeating: 0, count: gw * gh), squares = sums
        let layout = raster.layout
        raster.withView { view in
            WatermarkLuma.withTables { enc, slope in
                let luma = WatermarkLuma(view, layout: layout, encode: enc, slope: slope)
                sums.withUnsafeMutableBufferPointer { s in
                    squares.withUnsafeMutableBufferPointer { q in
                        let out = UnsafeSendableBox((s.baseAddress!, q.baseAddress!))
                        // Row by row: a pixel row's luma at once, added into its cells' sums
                        // (each cell still sums its pixels row by row, left to right).
                        TileScheduler.forEachTile(in: Rect(width: gw, height: gh), schedule: Schedule(tileWidth: Schedule.fullWidth, tileHeight: 4, threads: schedule.threads),
                                                  makeScratch: { CellRowScratch() }) { tile, scratch in
                            let x0 = tile.x * c, x1 = min(w, tile.maxX * c)
                            scratch.reserve(pixels: x1 - x0, cells: tile.width)
                            scratch.row.withUnsafeMutableBufferPointer { row in
                                for gy in tile.y..<tile.maxY {
                                    for j in 0..<tile.width { scratch.s1[j] = 0; scratch.s2[j] = 0 }
                                    for y in (gy * c)..<min(h, gy * c + c) {
                                        luma.lumaRow(from: y * w + x0, count: x1 - x0, into: row.baseAddress!)
                                        for j in 0..<tile.width {
                                            var s1 = scratch.s1[j], s2 = scratch.s2[j]
                                            for x in (j * c)..<min(x1 - x0, j * c + c) {
                                                let v = Double(row[x])
                                                s1 += v; s2 += v * v
                                            }
                                            scratch.s1[j] = s1; scratch.s2[j] = s2
                                        }
                                    }
                                    for j in 0..<tile.width {
                                        out.value.0[gy * gw + tile.x + j] = scratch.s1[j]
                                        out.value.1[gy * gw + tile.x + j] = scratch.s2[j]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (sums, squares, gw, gh)
    }

    /// The per-cell amplitude (masking × global scale) for `raster`, and the global scale.
    public static func cellAmplitudes(_ raster: Raster, cell c: Int, rms: Float, schedule: Schedule) -> (amplitude: [Float], gw: Int, gh: Int) {
        let w = raster.width, h = raster.height
        let (sums, squares, gw, gh) = cellSums(raster, cell: c, schedule: schedule)
        var mask = [Float](repeating: 0, count: gw * gh)
        let b2 = bump(c).map { $0 * $0 }
        var prefix = [Float](repeating: 0, count: c + 1)
        for i in 0..<c { prefix[i + 1] = prefix[i] + b2[i] }
        var energy = 0.0
        for gy in 0..<gh {
            for gx in 0..<gw {
                var s1 = 0.0, s2 = 0.0, n = 0.0
                for ny in max(0, gy - 1)...min(gh - 1, gy + 1) {
                    let ch = Double(min(h, ny * c + c) - ny * c)
                    for nx in max(0, gx - 1)...min(gw - 1, gx + 1) {
                        s1 += sums[ny * gw + nx]; s2 += squares[ny * gw + nx]
                        n += ch * Double(min(w, nx * c + c) - nx * c)
                    }
                }
                let mean = s1 / n
                let m = masking(Float(max(0, s2 / n - mean * mean).squareRoot()))
                mask[gy * gw + gx] = m
                let cw = min(w, gx * c + c) - gx * c, ch = min(h, gy * c + c) - gy * c
                energy += Double(m * m) * Double(prefix[cw]) * Double(prefix[ch])
            }
        }
        let scale = energy > 0 ? Float(Double(rms) / (energy / Double(w * h)).squareRoot()) : 0
        return (mask.map { $0 * scale }, gw, gh)
    }

    /// Adds the watermark carrying `coded` (216 bits, from ``WatermarkCode/encode(payload:bitCount:key:)``)
    /// to `raster` in place, with RMS `rms` in 8-bit levels of encoded luma.
    ///
    /// - Complexity: two passes over the pixels (cell statistics, then the change); ~6 ns per
    ///   pixel on one thread.
    public static func embed(_ raster: inout Raster, key: WatermarkKey, coded: [UInt8], rms: Float, schedule: Schedule = .default) {
        let w = raster.width, h = raster.height
        guard w > 0, h > 0 else { return }
        let c = cellSize(width: w, height: h)
        let (amplitude, gw, _) = cellAmplitudes(raster, cell: c, rms: rms, schedule: schedule)
        let pattern = tilePattern(key: key, coded: coded)
        let shape = bump(c)
        let layout = raster.layout
        let side = WatermarkKey.cellsPerSide
        raster.withMutableView { view in
            WatermarkLuma.withTables { enc, slope in
                let luma = WatermarkLuma(view.readOnly, layout: layout, encode: enc, slope: slope)
                amplitude.withUnsafeBufferPointer { amp in
                    pattern.withUnsafeBufferPointer { pat in
                        shape.withUnsafeBufferPointer { sh in
                            let ptrs = UnsafeSendableBox((amp.baseAddress!, pat.baseAddress!, sh.baseAddress!))
                            TileScheduler.forEachTile(in: Rect(width: w, height: h), schedule: schedule,
                                                      makeScratch: { [Float](repeating: 0, count: 0) }) { tile, deltas in
                                let (amp, pat, sh) = ptrs.value
                                if deltas.count < tile.width { deltas = [Float](repeating: 0, count: tile.width) }
                                deltas.withUnsafeMutableBufferPointer { d in
                                    for y in tile.y..<tile.maxY {
                                        let gy = y / c, uy = y - gy * c
                                        let prow = (gy % side) * side
                                        let sy = sh[uy]
                                        // The row's changes cell by cell (one coefficient per
                                        // cell), then one pass over the pixels.
                                        var gx = tile.x / c, x = tile.x
                                        while x < tile.maxX {
                                            let end = min(tile.maxX, gx * c + c)
                                            let coefficient = amp[gy * gw + gx] * pat[prow + gx % side] * sy
                                            var u = x - gx * c
                                            while x < end {
                                                d[x - tile.x] = (coefficient * sh[u]) / 255
                                                x += 1; u += 1
                                            }
                                            gx += 1
                                        }
                                        luma.add(encodedChanges: d.baseAddress!, count: tile.width, at: y * w + tile.x, to: view)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A worker's buffers for the cell statistics: one row of luma and the running sums of a row
/// of cells.
struct CellRowScratch {
    var row: [Float] = []
    var s1: [Double] = []
    var s2: [Double] = []

    mutating func reserve(pixels: Int, cells: Int) {
        if row.count < pixels { row = [Float](repeating: 0, count: pixels) }
        if s1.count < cells { s1 = [Double](repeating: 0, count: cells); s2 = s1 }
    }
}
