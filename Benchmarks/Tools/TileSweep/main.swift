// Tile sizes for GaussianBlur (σ = 2) over 24 MP RGB, measured side by side: every round runs
// every configuration once, in an order rotated from round to round, so that all of them share
// the machine's noise (package-benchmark runs one benchmark after another, and on a shared
// 2-core machine the load drifts between them by more than the differences being measured).
//
//   cd Benchmarks && swift run -c release --scratch-path .build TileSweep [rounds]
//
// Each GaussianBlur.apply allocates its 288 MB output, and first-touch page faults are a large,
// tile-independent share of every run; "allocation tax" (a zero-filled raster of the same size)
// is timed in the same rotation so that it can be subtracted.
import BenchmarkSupport
import Dispatch
import Meld
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

struct Configuration {
    let label: String
    let run: () -> Void
    var wall: [Double] = []
    var cpu: [Double] = []
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

let rounds = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 7
let w = BenchmarkSupport.width, h = BenchmarkSupport.height
let source = BenchmarkSupport.syntheticRaster()
let blur = GaussianBlur(sigma: 2)
let shapes: [(String, Int, Int)] = [("64x64", 64, 64), ("128x128", 128, 128), ("256x256", 256, 256),
                                    ("512x512", 512, 512), ("strips \(w)x256", w, 256)]
var configurations: [Configuration] = [Configuration(label: "allocation tax (zero-filled 24 MP RGB raster)") {
    _ = Raster(width: w, height: h, layout: .rgb)
}]
for threads in [1, Schedule.defaultThreads] {
    for (label, tw, th) in shapes {
        let schedule = Schedule(tileWidth: tw, tileHeight: th, threads: threads)
        configurations.append(Configuration(label: "tiles \(label), \(threads) thread\(threads == 1 ? "" : "s")") {
            _ = blur.apply(to: source, schedule: schedule)
        })
    }
}

print("GaussianBlur σ=2, 24 MP RGB: \(configurations.count) configurations × \(rounds) rounds (+1 warm-up), rotated order")
for round in -1..<rounds {
    let n = configurations.count
    for k in 0..<n {
        let i = (max(round, 0) + k) % n
        let c0 = processCPUSeconds(), t0 = DispatchTime.now().uptimeNanoseconds
        configurations[i].run()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6, cpu = (processCPUSeconds() - c0) * 1e3
        if round >= 0 {
            configurations[i].wall.append(wall)
            configurations[i].cpu.append(cpu)
        }
    }
}

let tax = median(configurations[0].wall)
print("")
print("| configuration | median ms | min ms | CPU ms (median) | vs 256×256, same threads | 1 thread, net of the tax: vs 256×256 |")
print("|---|---:|---:|---:|---:|---:|")
for c in configurations {
    let m = median(c.wall)
    var raw = "", net = ""
    if c.label.hasPrefix("tiles"), let threads = c.label.split(separator: ",").last {
        let reference = median(configurations.first { $0.label.hasPrefix("tiles 256x256") && $0.label.hasSuffix(String(threads)) }!.wall)
        raw = String(format: "%.2f", m / reference)
        // With several threads the page faults are themselves spread over the threads, so the
        // single-threaded tax cannot simply be subtracted there.
        if c.label.hasSuffix(" 1 thread") { net = String(format: "%.2f (%.0f ms)", (m - tax) / (reference - tax), m - tax) }
    }
    print("| \(c.label) | \(String(format: "%.0f", m)) | \(String(format: "%.0f", c.wall.min()!)) | \(String(format: "%.0f", median(c.cpu))) | \(raw) | \(net) |")
}
