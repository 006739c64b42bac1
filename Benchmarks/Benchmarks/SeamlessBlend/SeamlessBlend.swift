// Seamless blending kernels (MeldCore): Poisson cloning on the multigrid solver and multi-band
// blending, a 2000 × 2000 (4 MP) source with an elliptical mask cloned into a 6000 × 4000 RGB
// raster, on one thread and on every core.
//
//   cd Benchmarks && swift package --scratch-path .build benchmark --target SeamlessBlend
//
// Only the mask's bounding box (+1 px; + 2^(bands+1) px for multiband) is touched, so the cost
// follows the region, not the destination. Whole-process timings against OpenCV are in
// peers/blend_peers.py (run with peers/blend.sh).
//
// First run, 2026-11-25, on the 2-core machine while other builds kept its load average at ~8-9
// (so wall times are mostly waiting, and 2 threads did not beat 1; one sample each, as one
// iteration outlasts maxDuration). Wall / total CPU, ms:
//   PoissonBlend normal       1 thread 7229 / 3350   2 threads 6190 / 2840
//   PoissonBlend mixed        1 thread 7366 / 3630   2 threads 7252 / 4350
//   PoissonBlend monochrome   1 thread 5724 / 3210   2 threads 7056 / 3110
//   MultibandBlend auto bands 1 thread 1826 / 1620   2 threads 5606 / 2780
// Rerun on a quiet machine before quoting these as kernel speeds.
//
// 2026-12-02: the solver changed (full multigrid start, coarse levels with the aggregation
// Galerkin operator, SIMD V(1,1): 5 cycles instead of 9 on a 4 MP region) and PoissonBlend no
// longer stores g; these entries exercise it unchanged but were not rerun (the Benchmarks package
// was not built on the shared machine that day). Whole-process CPU time of a 4 MP clone fell from
// 2.9 s to 2.2 s (peers/results/2026-12-02-blend.md).
//
// 2026-12-02, 10:55 UTC, quiet machine (load average ≈ 1), after the banded solve
// (PoissonSolver.fineBand) and the "whole grid" entry were added. Median wall / total CPU, ms:
//   PoissonBlend normal             1 thread  692 / 690    2 threads 467 / 740
//   PoissonBlend normal whole grid  1 thread 1276 / 1280   2 threads 879 / 1501
//   PoissonBlend mixed              1 thread 3142 / 3142   2 threads 2093 / 3322   (whole grid: the
//                                                                                 right side is non-zero almost everywhere)
//   PoissonBlend monochrome         1 thread  983 / 980    2 threads 607 / 1010
//   MultibandBlend auto bands       1 thread  915 / 910    2 threads 524 / 930
//
// 2026-12-02, 13:35 UTC, added "SeamlessClone normal 1MP region into 24MP JPEG, JPEG out" (the
// library's whole job: streamed decode of the 24 MP JPEG, planned solve, strip-parallel JPEG
// encode), on a machine slowed by hypervisor steal time that afternoon. Median of 6:
//   wall 361 ms, total CPU 580 ms (p0-p100 wall 341-412 ms)
import Benchmark
import BenchmarkSupport
import Meld

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 6
    )
    let side = 2000
    func scene() -> (source: Raster, mask: Raster, destination: Raster) {
        let destination = BenchmarkSupport.syntheticRaster()
        var source = Raster(uninitializedWidth: side, height: side, layout: .rgb)
        var mask = Raster(width: side, height: side, layout: .gray)
        mask.isPremultiplied = false
        destination.withView { d in
            source.withMutableView { s in
                mask.withMutableView { m in
                    let r = Float(side / 2 - 2)
                    for y in 0..<side {
                        for x in 0..<side {
                            for c in 0..<3 { s.row(y, channel: c)[x] = min(1, d.row(y + 100, channel: (c + 1) % 3)[x + 300] * 1.2) }
                            let dx = Float(x - side / 2), dy = Float(y - side / 2)
                            m.row(y, channel: 0)[x] = dx * dx + dy * dy <= r * r ? 1 : 0
                        }
                    }
                }
            }
        }
        return (source, mask, destination)
    }
    let offset = (x: 2000, y: 1000)
    for (label, schedule) in [("1 thread", Schedule(tileWidth: Schedule.fullWidth, tileHeight: 256, threads: 1)),
                              ("\(Schedule.defaultThreads) threads", Schedule.default)] {
        for guidance in PoissonBlend.Guidance.allCases {
            Benchmark("PoissonBlend \(guidance) 4MP region into 24MP (\(label))") { benchmark, state in
                var destination = state.destination
                benchmark.startMeasurement()
                blackHole(PoissonBlend.apply(source: state.source, mask: state.mask, into: &destination, offset: offset,
                                             guidance: guidance, schedule: schedule))
                benchmark.stopMeasurement()
                blackHole(destination)
            } setup: { scene() }
        }
        // The same normal clone solved on the whole grid (fineBand 0), beside the banded default.
        Benchmark("PoissonBlend normal whole grid 4MP region into 24MP (\(label))") { benchmark, state in
            var destination = state.destination
            benchmark.startMeasurement()
            blackHole(PoissonBlend.apply(source: state.source, mask: state.mask, into: &destination, offset: offset,
                                         guidance: .normal, solver: PoissonSolver(fineBand: 0), schedule: schedule))
            benchmark.stopMeasurement()
            blackHole(destination)
        } setup: { scene() }
        Benchmark("MultibandBlend auto bands 4MP region into 24MP (\(label))") { benchmark, state in
            var destination = state.destination
            benchmark.startMeasurement()
            blackHole(MultibandBlend.apply(source: state.source, mask: state.mask, into: &destination, offset: offset, schedule: schedule))
            benchmark.stopMeasurement()
            blackHole(destination)
        } setup: { scene() }
    }

    // The library's whole job, as `meld blend` does it: a 1 MP region (ellipse) of the source photo
    // cloned into the 24 MP JPEG opened for one sequential pass (decoded on its own thread while
    // the mask and source are read and the solve planned), then encoded as JPEG (quality 85, one
    // strip per core). Every core.
    Benchmark("SeamlessClone normal 1MP region into 24MP JPEG, JPEG out") { benchmark, state in
        let destination = try Image(contentsOf: state.path, options: LoadOptions(sequential: true))
        benchmark.startMeasurement()
        let out = try SeamlessClone(center: .init(x: 3000, y: 2000)).apply(source: state.source, mask: state.mask, into: destination)
        blackHole(try out.encoded(as: .jpeg, options: SaveOptions(quality: 85)))
        benchmark.stopMeasurement()
    } setup: { () throws -> (path: String, source: Image, mask: Mask) in
        let source = try Image(raster: Image(contentsOf: BenchmarkSupport.sourcePhoto, resizedWith: Resize(.width(1000))).raster())
        var m = Raster(width: source.width, height: source.height, layout: .gray)
        m.isPremultiplied = false
        let rx = Float(source.width) / 2 - 2, ry = Float(source.height) / 2 - 2
        for y in 0..<source.height {
            for x in 0..<source.width {
                let dx = (Float(x) - Float(source.width) / 2) / rx, dy = (Float(y) - Float(source.height) / 2) / ry
                m[x, y, 0] = dx * dx + dy * dy <= 1 ? 1 : 0
            }
        }
        return (try BenchmarkSupport.bigJPEG(), source, Mask(raster: m))
    }
}
