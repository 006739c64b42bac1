// Blend row kernels and the strip compositor.
//
//   cd Benchmarks && swift package --scratch-path .build benchmark --target Blend
//
// "Blend.compositeRow <mode> 4MP": one layer of 4 M premultiplied pixels (planar, 70 % of them
// partly transparent) onto a backdrop, per mode family: source-over (the fast path), a separable
// mode (multiply), a separable mode with branches and a square root (soft-light), a
// non-separable mode (hue) and a Porter-Duff operator (destination-in).
// "Compose 12 layers over 24MP": the whole compositor (decode of in-memory 8-bit layers, blend,
// exact sRGB encode) rendering to memory, without file decoding: what Compose adds on top of the
// decoders in `meld compose`.
//
// Medians on 2026-11-25 (2 cores, quiet): normal 16 ms, destination-in 12 ms, multiply 41 ms,
// soft-light 149 ms, hue 212 ms (per 4 MP, one thread); Compose 12 layers over 24 MP 665 ms wall,
// 1.30 s CPU.
import Benchmark
import BenchmarkSupport
import Meld

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal], timeUnits: .milliseconds,
                                           warmupIterations: 1, maxDuration: .seconds(3), maxIterations: 10)
    let n = 4_000_000
    for mode in [BlendMode.normal, .multiply, .softLight, .hue, .destinationIn] {
        Benchmark("Blend.compositeRow \(mode.rawValue) 4MP") { (benchmark: Benchmark, planes: Planes) in
            for _ in benchmark.scaledIterations {
                let b = planes.base
                Blend.compositeRow(mode, opacity: 0.8, source: .init(r: b, g: b + n, b: b + 2 * n, a: b + 3 * n),
                                   backdrop: .init(r: b + 4 * n, g: b + 5 * n, b: b + 6 * n, a: b + 7 * n), count: n)
                blackHole(b[4 * n])
            }
        } setup: {
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            func next() -> Float {  // xorshift64*, top 24 bits
                state ^= state >> 12; state ^= state << 25; state ^= state >> 27
                return Float((state &* 0x2545_F491_4F6C_DD1D) >> 40) * 0x1p-24
            }
            var p = [Float](repeating: 0, count: 8 * n)
            for i in 0..<n {
                let sa: Float = i % 10 < 3 ? 1 : next()
                for k in 0..<3 { p[k * n + i] = next() * sa; p[(4 + k) * n + i] = next() }
                p[3 * n + i] = sa; p[7 * n + i] = 1
            }
            return Planes(p)
        }
    }

    Benchmark("Compose 12 layers over 24MP (render to memory)", configuration: .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds, warmupIterations: 1,
        maxDuration: .seconds(10), maxIterations: 5)) { _, state in
        blackHole(try state.compose.render(inputs: state.inputs).raster())
    } setup: {
        let w = BenchmarkSupport.width, h = BenchmarkSupport.height
        var inputs: [String: Image] = ["canvas": try Image(raster: BenchmarkSupport.syntheticRaster())]
        var layers: [Layer] = []
        for i in 0..<12 {
            let f = 0.25 + 0.0625 * Double(i)
            let lw = Int(Double(w) * f.squareRoot()), lh = Int(Double(h) * f.squareRoot())
            var r = Raster(width: lw, height: lh, layout: .rgba)
            r.withMutableView { v in
                for y in 0..<lh {
                    for x in 0..<lw {
                        let a = Float(min(1, max(0, 1.2 - 2 * abs(Double(x) / Double(lw) - 0.5) - 0.4 * Double(y) / Double(lh))))
                        for c in 0..<3 { v.row(y, channel: c)[x] = Float((x * (c + 1) + y * (3 - c)) % 256) / 255 * a }
                        v.row(y, channel: 3)[x] = a
                    }
                }
            }
            inputs["l\(i)"] = try Image(raster: r)
            layers.append(Layer(.image("l\(i)"), anchor: Anchor.allCases[i % 9]))
        }
        return (compose: Compose(canvas: .image("canvas"), layers: layers), inputs: inputs)
    }
}

/// Eight planes of `n` floats (source r, g, b, a, backdrop r, g, b, a), owned for a benchmark.
final class Planes: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    init(_ values: [Float]) {
        base = .allocate(capacity: values.count)
        base.initialize(from: values, count: values.count)
    }
    deinit { base.deallocate() }
}
