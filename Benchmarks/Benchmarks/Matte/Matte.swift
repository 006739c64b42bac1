// Cut-out kernels (MeldCore/Matte) on a synthetic 12 MP (4000 × 3000) product shot: a shaded
// disc with a hole on a graded backdrop, with noise.
//
//   cd Benchmarks && swift package --scratch-path .build benchmark --target Matte
//
// The whole `meld cutout` process against OpenCV's grabCut is Benchmarks/peers/cutout.sh.
import Benchmark
import Meld

/// The 12 MP scene (linear RGB), its 250 000-pixel working copy and that copy's Lab.
struct MatteScene: @unchecked Sendable {
    let image: Raster
    let working: Raster
    let lab: Raster

    static func make() -> MatteScene {
        let w = 4000, h = 3000
        var image = Raster(uninitializedWidth: w, height: h, layout: .rgb)
        image.withMutableView { v in
            var state: UInt64 = 1
            for y in 0..<h {
                for x in 0..<w {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    let noise = Float(state >> 40) / Float(1 << 24) * 0.01 - 0.005
                    let dx = Float(x - 2000), dy = Float(y - 1600)
                    let d = (dx * dx + dy * dy).squareRoot()
                    let a = max(0, min(1, 1000 - d)) * (abs(dx) < 150 && abs(dy) < 150 ? 0 : 1)
                    let bg = 0.8 - 0.3 * Float(y) / Float(h)
                    let fg: [Float] = [0.5, 0.08, 0.05]
                    for c in 0..<3 { v.plane(c)[y * w + x] = a * fg[c] * (0.8 + 0.2 * Float(x) / Float(w)) + (1 - a) * bg + noise }
                }
            }
        }
        let working = AreaDownscale.apply(image, width: 577, height: 433)
        return MatteScene(image: image, working: working, lab: ColourConversion.convert(working, from: .linearSRGB, to: .lab))
    }
}

let benchmarks: @Sendable () -> Void = {
    let timing: [BenchmarkMetric] = [.wallClock, .cpuTotal]
    Benchmark.defaultConfiguration = .init(metrics: timing, timeUnits: .milliseconds, warmupIterations: 1,
                                           maxDuration: .seconds(3), maxIterations: 8)
    let threads = Schedule.defaultThreads
    for (label, threadCount) in [("1 thread", 1), ("\(threads) threads", threads)] {
        Benchmark("AreaDownscale 12MP -> 250k (\(label))") { _, scene in
            blackHole(AreaDownscale.apply(scene.image, width: 577, height: 433, schedule: .strips(threads: threadCount)))
        } setup: { MatteScene.make() }

        Benchmark("SubjectSegmenter border guide 250k, 3 rounds (\(label))") { _, scene in
            blackHole(SubjectSegmenter.segment(lab: scene.lab, guide: .border, schedule: .strips(threads: threadCount)))
        } setup: { MatteScene.make() }

        Benchmark("GuidedMatte 12MP, radius 4, despill (\(label))") { _, state in
            blackHole(GuidedMatte.cutout(image: state.0.image, coarse: state.1, coarseWidth: 577, coarseHeight: 433, working: state.0.working,
                                         parameters: GuidedMatte.Parameters(radius: 4), schedule: Schedule(tileSize: 64, threads: threadCount)))
        } setup: {
            let scene = MatteScene.make()
            return (scene, SubjectSegmenter.segment(lab: scene.lab, guide: .border)!.mask)
        }
    }

    Benchmark("GridGraphCut 577x433 8-connected (segmentation graph)") { _, graph in
        blackHole(graph.solve())
    } setup: {
        // The first round's graph of the scene: data costs from colour distance, contrast smoothness.
        let scene = MatteScene.make()
        var g = GridGraphCut(width: 577, height: 433)
        for y in 0..<433 {
            for x in 0..<577 {
                let l = scene.lab[x, y, 1]
                g.terminal[y * 577 + x] = Int32((l - 10) * 8)
                for d in 0..<4 { g.setNeighbour(x: x, y: y, direction: d, capacity: 200) }
            }
        }
        return g
    }

    // Ground shadows of a cut-out bottle-sized object (600 × 1800 px alpha) standing on its
    // bottom row: contact, cast (three blur levels + the projection) and reflection.
    Benchmark("GroundShadow contact + cast 45° + reflection, 600x1800 layer") { _, layer in
        let f = GroundShadow.footing(of: layer, channel: 3)!
        blackHole(GroundShadow.contact(f))
        blackHole(GroundShadow.cast(alpha: layer, channel: 3, footing: f, angle: 45, length: 0.6))
        blackHole(GroundShadow.reflection(layer, footing: f, opacity: 0.4, fade: 0.3))
    } setup: {
        var layer = Raster(width: 600, height: 1800, layout: .rgba)
        for y in 100..<1790 {
            let half = y < 600 ? 80 + (y - 100) / 10 : 250
            for x in (300 - half)..<(300 + half) { for c in 0..<4 { layer[x, y, c] = c == 3 ? 1 : 0.3 } }
        }
        return layer
    }

    Benchmark("Cutout 12MP in process (segment + matte)") { _, scene in
        blackHole(try Cutout().cutout(scene.image))
    } setup: { MatteScene.make() }
}
