// Restyle kernels on a 24 MP (6000 × 4000) RGB raster in the working format: a 33³ LUT
// (tetrahedral, on encoded sRGB), the fused Reinhard transfer, the guided-filter regrain, and
// the sampling + k-means behind palette extraction.
//
//   cd Benchmarks && swift package --scratch-path .build benchmark --target Restyle
import Benchmark
import BenchmarkSupport
import Meld

let benchmarks: @Sendable () -> Void = {
    let timing: [BenchmarkMetric] = [.wallClock, .cpuTotal]
    Benchmark.defaultConfiguration = .init(metrics: timing, timeUnits: .milliseconds, warmupIterations: 1,
                                           maxDuration: .seconds(3), maxIterations: 6)
    let image = BenchmarkSupport.syntheticRaster()
    let serial = Schedule(tileSize: 256, threads: 1)
    let lut = try! ColourLUT(size: 33) { r, g, b in (r * r * (3 - 2 * r), g, b * 0.9 + 0.05) }
    let samples = LabSamples(of: image)
    let reference = LabStatistics(LabSamples(of: BenchmarkSupport.syntheticRaster(width: 600, height: 400)))
    let statistics = LabStatistics(samples)

    for (label, schedule) in [("1 thread", serial), ("default", Schedule.default)] {
        Benchmark("LUTApplication 33³ 24MP RGB (\(label))") { _ in
            blackHole(LUTApplication.apply(lut, to: image, schedule: schedule))
        }
        Benchmark("Reinhard transfer 24MP RGB (\(label))") { _ in
            blackHole(ColourTransferKernels.reinhard(image, from: statistics, to: reference, schedule: schedule))
        }
    }
    Benchmark("Regrain σ3 24MP RGB (default)") { _ in
        blackHole(ColourTransferKernels.regrain(original: image, transferred: image, sigma: 3, epsilon: 2e-4))
    }
    Benchmark("LabSamples 2^15 + k-means k=8") { _ in
        blackHole(PaletteKernels.kMeans(LabSamples(of: image, maxCount: 1 << 15), k: 8))
    }
}
