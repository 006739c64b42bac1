// Edit kernels: selection coverage (feather, grow, colour range), the masked recolour, and the
// two hole fills on a 1 MP photo with an 8 % hole (the removal benchmark's case size).
//
//   cd Benchmarks && swift package --scratch-path .build benchmark --target Edit
//
// Quality and the side-by-side comparison with OpenCV and pypatchmatch are in
// peers/removal.sh; these are the in-process kernel timings.
import Benchmark
import BenchmarkSupport
import Foundation
import Meld

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal], timeUnits: .milliseconds,
                                           warmupIterations: 1, maxDuration: .seconds(5), maxIterations: 10)
    let photoPath = BenchmarkSupport.repositoryRoot.appendingPathComponent("Samples/fig_in_red_bowl.jpg").path

    /// fig_in_red_bowl at ~1 MP and a blob hole of ~8 % around the fig.
    @Sendable func photoAndHole() -> (Raster, Raster) {
        let raster = (try? Image(contentsOf: photoPath, resizedWith: Resize(.width(1216))).raster()) ?? BenchmarkSupport.syntheticRaster(width: 1216, height: 823)
        let hole = Coverage.ellipse(cx: 676, cy: 452, rx: 190, ry: 170, width: raster.width, height: raster.height)
        return (raster, hole)
    }

    Benchmark("Coverage feather r=8, 1 MP") { _, state in
        blackHole(Coverage.feather(state.1, radius: 8))
    } setup: { photoAndHole() }

    Benchmark("Coverage grow r=8, 1 MP") { _, state in
        blackHole(Coverage.morphology(state.1, radius: 8))
    } setup: { photoAndHole() }

    Benchmark("Recolor (wand + LCh mapping), 1 MP") { _, state in
        blackHole(try Recolor(region: .magicWand(x: 980, y: 380, tolerance: 22), to: .colour(.white)).apply(to: state.0))
    } setup: { photoAndHole() }

    Benchmark("DiffusionFill 8 % hole, 1 MP") { _, state in
        blackHole(DiffusionFill().fill(state.0, mask: state.1))
    } setup: { photoAndHole() }

    Benchmark("PatchMatchFill 8 % hole, 1 MP") { _, state in
        blackHole(PatchMatchFill(seed: 1).fill(state.0, mask: state.1))
    } setup: { photoAndHole() }
}
