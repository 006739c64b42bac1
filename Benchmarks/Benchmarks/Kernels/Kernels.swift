// MeldCore kernels on a 24 MP (6000 × 4000) RGB raster in the working format (planar Float32,
// linear light): colour conversion, Gaussian blur, and the working-format import/export that
// every kernel stage pays for (8-bit sRGB <-> Float32 linear, through the public Image API).
//
//   cd Benchmarks && swift package --scratch-path .build benchmark --target Kernels
//
// Every kernel returns a freshly allocated output raster (288 MB for 24 MP RGB), and glibc
// serves allocations that large with a fresh mmap, so each iteration also pays first-touch page
// faults. "Raster zero-fill" measures that tax on its own, to subtract when reading the others.
import Benchmark
import BenchmarkSupport
import Meld

let benchmarks: @Sendable () -> Void = {
    // Memory metrics sample the process from a background thread every 5 ms; they are kept to
    // the single-threaded kernel runs (memory use does not depend on the thread count) and to the
    // two imports, whose point is the memory difference, so that nothing else competes for the
    // two cores in the multi-threaded timings.
    let timing: [BenchmarkMetric] = [.wallClock, .cpuTotal]
    let withMemory: [BenchmarkMetric] = timing + [.peakMemoryResident, .peakMemoryResidentDelta, .mallocCountTotal, .memoryLeakedBytes]
    Benchmark.defaultConfiguration = .init(
        metrics: withMemory,
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(3),
        maxIterations: 8
    )
    let w = BenchmarkSupport.width, h = BenchmarkSupport.height
    let threads = Schedule.defaultThreads
    let serial = Schedule(tileSize: 256, threads: 1)
    let parallel = Benchmark.Configuration(metrics: timing, timeUnits: .milliseconds, warmupIterations: 1,
                                           maxDuration: .seconds(3), maxIterations: 8)

    // MARK: allocation tax

    Benchmark("Raster zero-fill 24MP RGB (allocation + first touch)") { _ in
        blackHole(Raster(width: w, height: h, layout: .rgb))
    }

    for (label, schedule, configuration) in [("1 thread", serial, Benchmark.defaultConfiguration),
                                             ("\(threads) threads", Schedule.default, parallel)] {
        // MARK: joint harmonization (Compose `harmonize: {joint: true}`): 8 overlapping layers
        // over a 24 MP background, measured on the ~1 MP grid Compose uses (step 5, band 18).

        Benchmark("JointHarmonizer measure 24MP, 8 layers, step 5 (\(label))", configuration: configuration) { _, input in
            blackHole(JointHarmonizer.measure(background: input.background, layers: input.layers, band: 18, step: 5, schedule: schedule))
        } setup: {
            let layer = BenchmarkSupport.syntheticRaster(width: 1500, height: 1100, layout: .rgba)
            let layers = (0..<8).map { i in JointHarmonizer.Element(raster: layer, x: 300 + (i % 4) * 1300, y: 400 + (i / 4) * 1500) }
            return (background: BenchmarkSupport.syntheticRaster(), layers: layers)
        }

        // MARK: colour conversion

        Benchmark("ColourConversion linearSRGB->lab 24MP (\(label))", configuration: configuration) { _, source in
            blackHole(ColourConversion.convert(source, from: .linearSRGB, to: .lab, schedule: schedule))
        } setup: {
            BenchmarkSupport.syntheticRaster()
        }

        Benchmark("ColourConversion lab->linearSRGB 24MP (\(label))", configuration: configuration) { _, lab in
            blackHole(ColourConversion.convert(lab, from: .lab, to: .linearSRGB, schedule: schedule))
        } setup: {
            ColourConversion.convert(BenchmarkSupport.syntheticRaster(), from: .linearSRGB, to: .lab)
        }

        // MARK: Gaussian blur

        Benchmark("GaussianBlur sigma=2 24MP RGB (\(label))", configuration: configuration) { _, state in
            blackHole(state.blur.apply(to: state.source, schedule: schedule))
        } setup: {
            (source: BenchmarkSupport.syntheticRaster(), blur: GaussianBlur(sigma: 2))
        }
    }

    // MARK: working-format import / export (8-bit sRGB <-> planar Float32 linear)

    // Export: encode linear floats to 8-bit sRGB codes (exact nearest code) into a buffer libvips owns.
    Benchmark("Export Image(raster:) 24MP RGB -> 8-bit sRGB", configuration: parallel) { _, source in
        blackHole(try Image(raster: source))
    } setup: {
        BenchmarkSupport.syntheticRaster()
    }

    // Import: libvips renders the (in-memory) 8-bit image into Meld's reused staging buffer, then
    // a lookup table decodes to planar linear floats in a freshly allocated raster.
    Benchmark("Import Image.raster() 24MP RGB 8-bit sRGB -> linear (new raster)") { _, image in
        blackHole(try image.raster())
    } setup: {
        try Image(raster: BenchmarkSupport.syntheticRaster())
    }

    // The same into a raster reused across calls: no allocation, no page faults.
    Benchmark("Import Image.read(into:) 24MP RGB (reused raster)") { (_: Benchmark, state: ReusedImport) throws in
        var raster = state.raster
        state.raster = Raster(uninitializedWidth: 0, height: 0, layout: .rgb) // keep the storage unique
        try state.image.read(into: &raster)
        state.raster = raster
    } setup: {
        let image = try Image(raster: BenchmarkSupport.syntheticRaster())
        return ReusedImport(image: image, raster: try image.raster())
    }

    Benchmark("Round trip Image(raster:).raster() 24MP RGB", configuration: parallel) { _, source in
        blackHole(try Image(raster: source).raster())
    } setup: {
        BenchmarkSupport.syntheticRaster()
    }
}

/// An image and the raster its pixels are read back into, call after call.
final class ReusedImport: @unchecked Sendable {
    let image: Image
    var raster: Raster
    init(image: Image, raster: Raster) {
        self.image = image
        self.raster = raster
    }
}
