// TileScheduler overhead, and the tile size behind `Schedule.default` (256 × 256 on every core).
//
//   cd Benchmarks && swift package --scratch-path .build benchmark --target TileScheduler
//
// 1. forEachTile with a body that does nothing but hand the tile to `blackHole`, over a 24 MP
//    region: the cost of cutting the grid, the worker hand-off (concurrentPerform + an atomic
//    counter) and one closure call per tile. Tiles 64…512 and full-width strips, 1 and 2 threads.
// 2. GaussianBlur σ = 2 (13 taps, 6 px halo) over a 24 MP RGB raster at tiles 64…512 and
//    full-width strips 256 rows high: the same halo overhead as 256 × 256 tiles, so the
//    difference between those two is the tile's shape alone (a scratch band too big for the
//    cache against per-row set-up for every 256-pixel segment).
//
// These run one after another, and on a shared machine the load drifts between them by more
// than the differences between tile sizes; `swift run -c release --scratch-path .build TileSweep`
// times the blur configurations side by side in rotation, which is the comparison to trust.
import Benchmark
import BenchmarkSupport
import Meld

let benchmarks: @Sendable () -> Void = {
    let w = BenchmarkSupport.width, h = BenchmarkSupport.height
    let region = Rect(width: w, height: h)
    let threadCounts = [1, 2]

    // (label, tile width, tile height)
    let shapes: [(String, Int, Int)] = [
        ("64x64", 64, 64), ("128x128", 128, 128), ("256x256", 256, 256), ("512x512", 512, 512),
        ("strips \(w)x32", w, 32), ("strips \(w)x256", w, 256),
    ]

    let overhead = Benchmark.Configuration(
        // cpuTotal is not listed: it is read in 10 ms clock ticks, far coarser than these runs.
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 10,
        maxDuration: .seconds(1),
        maxIterations: 2_000
    )
    for threads in threadCounts {
        for (label, tw, th) in shapes {
            let schedule = Schedule(tileWidth: tw, tileHeight: th, threads: threads)
            let tiles = TileGrid(region: region, tileWidth: tw, tileHeight: th).count
            Benchmark("forEachTile empty body 24MP tiles \(label) (\(tiles) tiles) threads=\(threads)",
                      configuration: overhead) { _ in
                TileScheduler.forEachTile(in: region, schedule: schedule) { tile in blackHole(tile) }
            }
        }
    }

    let blur = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(3),
        maxIterations: 8
    )
    // One thread gives each tile size's cost free of the other core's noise; two threads add
    // load balance and the shared last-level cache.
    let blurShapes = shapes.filter { $0.0 != "strips \(w)x32" }
    for threads in threadCounts {
        for (label, tw, th) in blurShapes {
            let schedule = Schedule(tileWidth: tw, tileHeight: th, threads: threads)
            Benchmark("GaussianBlur sigma=2 24MP RGB tiles \(label) threads=\(threads)", configuration: blur) { _, source in
                blackHole(GaussianBlur(sigma: 2).apply(to: source, schedule: schedule))
            } setup: {
                BenchmarkSupport.syntheticRaster()
            }
        }
    }
}
