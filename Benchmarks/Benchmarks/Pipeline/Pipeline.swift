// Decode + ¼ resize + JPEG encode (quality 85) of a 24 MP JPEG through the public Meld API —
// the work of `meld resize big.jpg -o out.jpg --scale 0.25`, without process start-up.
// `peers/run.sh` times the same work as whole processes against libvips and ImageMagick.
//
//   cd Benchmarks && swift package --scratch-path .build benchmark --target Pipeline
//
// The input (Benchmarks/.cache/dandelion_6000x4000_q90.jpg) is generated on first use.
import Benchmark
import BenchmarkSupport
import Foundation
import Meld

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal, .memoryLeakedBytes],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 15
    )
    let quarter = Resize(.scale(0.25))
    let streaming = LoadOptions(sequential: true)

    // Shrink-on-load: libjpeg decodes at 1/2 scale (3000 × 2000) and libvips' thumbnail finishes
    // with Lanczos 3. Sequential access, as `meld resize` loads: decoding, resampling and encoding
    // run as one streaming libvips pipeline.
    Benchmark("24MP JPEG -> 1/4 -> JPEG Q85 in memory (shrink-on-load, sequential)") { _, path in
        let image = try Image(contentsOf: path, resizedWith: quarter, options: streaming)
        blackHole(try image.encoded(as: .jpeg))
    } setup: {
        try BenchmarkSupport.bigJPEG()
    }

    // The same with the default LoadOptions (random access): the thumbnail is rendered to
    // memory when the image is made, so that it can be read more than once; encoding follows.
    Benchmark("24MP JPEG -> 1/4 -> JPEG Q85 in memory (shrink-on-load, default options)") { _, path in
        let image = try Image(contentsOf: path, resizedWith: quarter)
        blackHole(try image.encoded(as: .jpeg))
    } setup: {
        try BenchmarkSupport.bigJPEG()
    }

    // What `meld resize big.jpg -o out.jpg --scale 0.25 --overwrite` does, minus process start-up:
    // written to a temporary file that is renamed over the output.
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("meld-bench-pipeline-\(getpid()).jpg").path
    Benchmark("24MP JPEG -> 1/4 -> JPEG Q85 file (shrink-on-load, sequential; = meld resize)") { (_: Benchmark, input: String) throws in
        let image = try Image(contentsOf: input, resizedWith: quarter, options: streaming)
        try image.write(to: output, options: SaveOptions(overwrite: true))
    } setup: {
        try BenchmarkSupport.bigJPEG()
    } teardown: {
        try? FileManager.default.removeItem(atPath: output)
    }

    // Full-size decode, then Resize (what `meld resize` does for kernels other than Lanczos 3):
    // what shrink-on-load saves.
    Benchmark("24MP JPEG -> 1/4 -> JPEG Q85 in memory (full decode, then Resize)") { _, path in
        let image = try Image(contentsOf: path, options: streaming).applying(quarter)
        blackHole(try image.encoded(as: .jpeg))
    } setup: {
        try BenchmarkSupport.bigJPEG()
    }
}
