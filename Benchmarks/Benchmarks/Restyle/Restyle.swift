// Restyle kernels on a 24 MP (6000 × 4000) RGB raster in the working format: a 33³ LUT
// (tetrahedral, on encoded sRGB), the fused Reinhard transfer, the guided-filter regrain, and
// the sampling + k-means behind palette extraction; and harmonization's boundary-pair estimate
// (edge search over the mask, pairs, robust fit with jackknife) and the apply of its
// per-channel curve over an elliptical region of about a fifth of the image.
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
    var ellipse = Raster(width: image.width, height: image.height, layout: .gray)
    ellipse.isPremultiplied = false
    ellipse.withMutableView { v in
        for y in 0..<v.height { for x in 0..<v.width {
            let dx = (Double(x) - 0.5 * Double(v.width)) / (0.3 * Double(v.width)), dy = (Double(y) - 0.5 * Double(v.height)) / (0.25 * Double(v.height))
            v.row(y, channel: 0)[x] = dx * dx + dy * dy <= 1 ? 1 : 0
        } }
    }
    let region = ellipse
    let curve = BoundaryFit.fit(BoundaryPairs.sample(image, mask: region))?.match ?? {
        var m = ColourMatch.identity
        m.usesCurve = true; m.curveGain = SIMD3(1.2, 1, 0.8); m.curveExponent = SIMD3(0.9, 1, 1.1)
        return m
    }()
    for (label, schedule) in [("1 thread", serial), ("default", Schedule.default)] {
        Benchmark("BoundaryPairs + BoundaryFit 24MP RGB, ellipse (\(label))") { _ in
            blackHole(BoundaryFit.fit(BoundaryPairs.sample(image, mask: region, schedule: schedule)))
        }
        Benchmark("Harmonizer.apply boundary curve 24MP RGB, ellipse (\(label))") { _ in
            var out = image
            Harmonizer.apply(curve, strength: 1, to: &out, mask: region, schedule: schedule)
            blackHole(out)
        }
    }
    Benchmark("Regrain σ3 24MP RGB (default)") { _ in
        blackHole(ColourTransferKernels.regrain(original: image, transferred: image, sigma: 3, epsilon: 2e-4))
    }
    Benchmark("LabSamples 2^15 + k-means k=8") { _ in
        blackHole(PaletteKernels.kMeans(LabSamples(of: image, maxCount: 1 << 15), k: 8))
    }
}
