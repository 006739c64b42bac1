// Invisible-watermark kernels on a real 2 MP photo (Samples/fig_in_red_bowl.jpg at 1732 × 1172)
// and a 12 MP one (Samples/dandelion_meadow_16mp.jpg at 4608 × 2592), in the working format.
//
//   cd Benchmarks && swift package --scratch-path .build benchmark --target Watermark
//
// "embed": SpreadSpectrumMark.embed in place (cell statistics + the luma change), the work of
// InvisibleWatermark without decode/encode. "detect marked": the whole search, which stops at the
// first candidate for an unattacked image. "detect unmarked": the whole search to the end (every
// cell size × angle, ≤ 135 candidates), the worst case. "working plane" and "fold" are its two
// stages; "Viterbi" is one decode of the 216 coded bits.
//
// Medians on 2026-11-25 (2 cores, shared: load average 6–7 during the run, so wall > CPU):
// embed 2 MP 137 ms wall / 80 ms CPU, 12 MP 805 / 400 ms; detect marked 2 MP 75 / 50 ms,
// 12 MP 227 / 150 ms; detect unmarked (full search) 2 MP 270 / 190 ms, 12 MP 1075 / 730 ms;
// working plane 2 MP 108 / 50 ms, 12 MP 144 / 100 ms; one rotated fold of the 2 MP working
// plane ~1 ms; one Viterbi decode < 1 ms.
import Benchmark
import BenchmarkSupport
import Meld

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal], timeUnits: .milliseconds,
                                           warmupIterations: 1, maxDuration: .seconds(3), maxIterations: 20)
    let key = WatermarkKey("benchmark")
    let coded = WatermarkCode.encode(payload: 0xC0FFEE0123456789, bitCount: 64, key: key)
    let samples = BenchmarkSupport.repositoryRoot.appendingPathComponent("Samples").path

    for (label, file, width) in [("2MP", "fig_in_red_bowl.jpg", 1732), ("12MP", "dandelion_meadow_16mp.jpg", 4608)] {
        func photo() throws -> Raster {
            try Image(contentsOf: "\(samples)/\(file)", resizedWith: Resize(.width(width))).raster()
        }
        Benchmark("Watermark.embed \(label)") { (benchmark: Benchmark, raster: Raster) in
            for _ in benchmark.scaledIterations {
                var r = raster
                SpreadSpectrumMark.embed(&r, key: key, coded: coded, rms: 1.6)
                blackHole(r)
            }
        } setup: { try photo() }

        Benchmark("Watermark.detect marked \(label)") { (benchmark: Benchmark, raster: Raster) in
            for _ in benchmark.scaledIterations { blackHole(SpreadSpectrumDetector.detect(raster, key: key)) }
        } setup: {
            var r = try photo()
            SpreadSpectrumMark.embed(&r, key: key, coded: coded, rms: 1.6)
            return r
        }

        Benchmark("Watermark.detect unmarked \(label) (full search)") { (benchmark: Benchmark, raster: Raster) in
            for _ in benchmark.scaledIterations { blackHole(SpreadSpectrumDetector.detect(raster, key: key)) }
        } setup: { try photo() }

        Benchmark("Watermark.workingPlane \(label)") { (benchmark: Benchmark, raster: Raster) in
            let c = SpreadSpectrumMark.cellSize(width: raster.width, height: raster.height)
            for _ in benchmark.scaledIterations { blackHole(SpreadSpectrumDetector.workingPlane(raster, factor: c / 2)) }
        } setup: { try photo() }
    }

    Benchmark("Watermark.fold 2MP working plane, rotated") { (benchmark: Benchmark, plane: (plane: [Float], width: Int, height: Int)) in
        for _ in benchmark.scaledIterations {
            blackHole(SpreadSpectrumDetector.fold(plane.plane, width: plane.width, height: plane.height, angle: 1.35))
        }
    } setup: {
        let raster = try Image(contentsOf: "\(samples)/fig_in_red_bowl.jpg", resizedWith: Resize(.width(1732))).raster()
        return SpreadSpectrumDetector.workingPlane(raster, factor: 3)
    }

    Benchmark("WatermarkCode Viterbi decode") { (benchmark: Benchmark) in
        let soft = coded.map { Float($0 == 0 ? 0.7 : -0.7) }
        for _ in benchmark.scaledIterations { blackHole(WatermarkCode.decode(soft: soft, key: key)) }
    }
}
