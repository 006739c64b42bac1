import MeldCore
import MeldTestSupport
import Synchronization
import Testing

/// A worker's scratch space that counts the tiles it served.
final class CountingScratch: @unchecked Sendable {
    var tiles = 0
}

/// Values spread over many binades so that a Float sum depends on its grouping.
private let wideValues: Raster = {
    var rng = SplitMix64(seed: 0x5EED_0001)
    var r = Raster(width: 97, height: 61, layout: .gray)
    for y in 0..<61 {
        for x in 0..<97 {
            let scale = Float(1 << rng.nextInt(in: 0...24)) / Float(1 << 12)
            r[x, y, 0] = (rng.nextUnitFloat() - 0.3) * scale
        }
    }
    return r
}()

/// Sums the values of `rect` in row-major order, in Float.
private func floatSum(_ rect: Rect) -> Float {
    wideValues.withView { v in
        var s: Float = 0
        for y in rect.y..<rect.maxY {
            let row = v.row(y, channel: 0)
            for x in rect.x..<rect.maxX { s += row[x] }
        }
        return s
    }
}

@Suite("TileScheduler")
struct TileSchedulerTests {
    static let regions: [Rect] = [Rect(width: 97, height: 61), Rect(x: 3, y: -4, width: 29, height: 17)]
    static let tileSizes: [(Int, Int)] = [(7, 5), (16, 16), (1, 1), (64, 64)]

    @Test(arguments: [1, 2, 4])
    func forEachTileVisitsEveryTileExactlyOnce(threads: Int) {
        for region in Self.regions {
            for (tw, th) in Self.tileSizes {
                let grid = TileGrid(region: region, tileWidth: tw, tileHeight: th)
                let visits = Mutex([Int](repeating: 0, count: grid.count))
                let pixels = Mutex([Int](repeating: 0, count: region.area))
                TileScheduler.forEachTile(in: region, schedule: Schedule(tileWidth: tw, tileHeight: th, threads: threads)) { tile in
                    let index = ((tile.y - region.y) / th) * grid.columns + (tile.x - region.x) / tw
                    let expected = index < grid.count ? grid.tile(at: index) : Rect(width: 0, height: 0)
                    visits.withLock { $0[index] += tile == expected ? 1 : 1000 }
                    pixels.withLock { p in
                        for y in tile.y..<tile.maxY {
                            for x in tile.x..<tile.maxX { p[(y - region.y) * region.width + (x - region.x)] += 1 }
                        }
                    }
                }
                let counts = visits.withLock { $0 }
                let bad = counts.enumerated().filter { $0.element != 1 }
                #expect(bad.isEmpty, "\(region) \(tw)x\(th) threads \(threads): tiles visited wrongly \(bad.prefix(5))")
                let covered = pixels.withLock { $0 }
                #expect(covered.allSatisfy { $0 == 1 }, "\(region) \(tw)x\(th) threads \(threads): pixels not covered once")
            }
        }
    }

    @Test(arguments: [1, 2, 4])
    func scratchIsCreatedAtMostOncePerThreadAndReused(threads: Int) {
        let region = Rect(width: 97, height: 61)
        for (tw, th) in Self.tileSizes {
            let grid = TileGrid(region: region, tileWidth: tw, tileHeight: th)
            let made = Mutex([CountingScratch]())
            TileScheduler.forEachTile(in: region, schedule: Schedule(tileWidth: tw, tileHeight: th, threads: threads),
                                      makeScratch: { () -> CountingScratch in
                                          let s = CountingScratch()
                                          made.withLock { $0.append(s) }
                                          return s
                                      }) { _, scratch in
                scratch.tiles += 1
            }
            let scratches = made.withLock { $0 }
            #expect(scratches.count >= 1 && scratches.count <= min(threads, grid.count),
                    "\(tw)x\(th) threads \(threads): \(scratches.count) scratch values")
            #expect(scratches.reduce(0) { $0 + $1.tiles } == grid.count, "every tile got a worker's scratch")
            if threads == 1 { #expect(scratches.count == 1 && scratches[0].tiles == grid.count) }
        }
    }

    @Test func scratchIsPassedInout() {
        // A value-type scratch: mutations must persist from one tile to the next on the same worker.
        let seen = Mutex([Int]())
        TileScheduler.forEachTile(in: Rect(width: 20, height: 20), schedule: Schedule(tileSize: 5, threads: 1),
                                  makeScratch: { 0 }) { _, n in
            n += 1
            let value = n
            seen.withLock { $0.append(value) }
        }
        #expect(seen.withLock { $0 } == Array(1...16))
    }

    @Test func emptyRegionRunsNothing() {
        let calls = Mutex(0)
        for threads in [1, 4] {
            TileScheduler.forEachTile(in: Rect(width: 0, height: 30), schedule: Schedule(tileSize: 8, threads: threads),
                                      makeScratch: { calls.withLock { $0 += 1 } }) { _, _ in calls.withLock { $0 += 100 } }
        }
        #expect(calls.withLock { $0 } == 0)
        let sum = TileScheduler.mapReduce(in: Rect(width: 5, height: 0), schedule: Schedule(tileSize: 8, threads: 2),
                                          initial: Float(7), partial: { _ in Float(1) }, combine: +)
        #expect(sum == 7)
    }

    @Test func theSumsBelowDependOnGrouping() {
        // Guards the tests below: if this data summed to the same bits in any order, bit-identical
        // results would prove nothing.
        let region = wideValues.bounds
        let tiles = TileGrid(region: region, tileWidth: 7, tileHeight: 5).tiles
        let forward = tiles.map(floatSum).reduce(0, +)
        let backward = tiles.reversed().map(floatSum).reduce(0, +)
        let rowMajor = floatSum(region)
        #expect(forward.bitPattern != backward.bitPattern)
        #expect(forward.bitPattern != rowMajor.bitPattern)
    }

    @Test(arguments: [(7, 5), (16, 16), (64, 64), (97, 61)])
    func mapReduceIsBitIdenticalForEveryThreadCount(tile: (Int, Int)) {
        let region = wideValues.bounds
        let grid = TileGrid(region: region, tileWidth: tile.0, tileHeight: tile.1)
        // The definition: partials per tile, folded in tile order from the initial value.
        let expected = grid.tiles.map(floatSum).reduce(Float(0.25), +)
        for threads in [1, 2, 3, 8] {
            let sum = TileScheduler.mapReduce(in: region, schedule: Schedule(tileWidth: tile.0, tileHeight: tile.1, threads: threads),
                                              initial: Float(0.25), partial: floatSum, combine: +)
            #expect(sum.bitPattern == expected.bitPattern, "threads \(threads): \(sum) vs \(expected)")
        }
    }

    @Test(arguments: [1, 2, 3, 8])
    func mapReduceFoldsInTileOrder(threads: Int) {
        let region = Rect(x: 2, y: 1, width: 45, height: 23)
        let schedule = Schedule(tileWidth: 4, tileHeight: 3, threads: threads)
        let order = TileScheduler.mapReduce(in: region, schedule: schedule, initial: [Rect](),
                                            partial: { [$0] }, combine: +)
        #expect(order == TileGrid(region: region, tileWidth: 4, tileHeight: 3).tiles)
    }

    @Test(arguments: [64, 5, 1, 1000])
    func reduceRowsIsIdenticalForEverySchedule(rowsPerBand: Int) {
        let region = wideValues.bounds
        // The definition: full-width bands of `rowsPerBand` rows, folded in row order.
        var expected: Float = 0
        var y = 0
        while y < region.height {
            expected = expected + floatSum(Rect(x: 0, y: y, width: region.width, height: min(rowsPerBand, region.height - y)))
            y += rowsPerBand
        }
        for (tw, th) in [(7, 5), (16, 16), (64, 64), (256, 256), (97, 61), (1, 1)] {
            for threads in [1, 2, 3, 8] {
                let sum = TileScheduler.reduceRows(region, rowsPerBand: rowsPerBand,
                                                   schedule: Schedule(tileWidth: tw, tileHeight: th, threads: threads),
                                                   initial: Float(0), partial: floatSum, combine: +)
                #expect(sum.bitPattern == expected.bitPattern,
                        "bands of \(rowsPerBand), tiles \(tw)x\(th), threads \(threads): \(sum) vs \(expected)")
            }
        }
    }

    @Test func defaultScheduleIsSane() {
        #expect(Schedule.defaultThreads >= 1)
        // The measured default: full-width strips 256 rows high (see Schedule.default).
        #expect(Schedule.default.tileWidth == Schedule.fullWidth && Schedule.default.tileHeight == 256)
        let grid = TileGrid(region: Rect(width: 6000, height: 4000), tileWidth: Schedule.default.tileWidth,
                            tileHeight: Schedule.default.tileHeight)
        #expect(grid.columns == 1 && grid.rows == 16)
        #expect(grid.tile(at: 15) == Rect(x: 0, y: 3840, width: 6000, height: 160))
        let s = Schedule(tileWidth: 0, tileHeight: -3, threads: 0)
        #expect(s.tileWidth == 1 && s.tileHeight == 1 && s.threads == 1)
        let serial = Schedule.serial(covering: Rect(width: 97, height: 61))
        #expect(serial.tileWidth == 97 && serial.tileHeight == 61 && serial.threads == 1)
        #expect(Schedule.serial(covering: Rect(width: 0, height: 0)).tileWidth == 1)
    }
}
