// swift-tools-version: 6.1
//
// Meld's benchmarks: a package of their own so that ordo-one/benchmark (and its ~25 s of
// extra build time) never touches the library's own builds and tests.
//
//   cd Benchmarks && swift package --scratch-path .build benchmark
//
// The peer comparison (libvips, ImageMagick; whole processes) is `peers/run.sh`.
import Foundation
import PackageDescription

// A path dependency's package identity is the name of the folder it lives in, and the root
// checkout's folder name differs between clones ("main", "meld", "Meld-1234" in CI...), so it
// is derived from where this manifest sits rather than written down.
let meldRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let meldPackage = meldRoot.lastPathComponent

let benchmarkDependencies: [Target.Dependency] = [
    .product(name: "Benchmark", package: "benchmark"),
    .product(name: "Meld", package: meldPackage),
    "BenchmarkSupport",
]

let package = Package(
    name: "MeldBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Inputs shared by the suites (synthetic rasters, the cached 24 MP JPEG).
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "Meld", package: meldPackage)],
            path: "Support"
        ),
        // MeldCore kernels on 24 MP rasters: colour conversion, Gaussian blur, working-format import/export.
        .executableTarget(
            name: "Kernels",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Kernels",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Blend row kernels per mode family, and the strip compositor over 24 MP.
        .executableTarget(
            name: "Blend",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Blend",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Cut-out kernels on a 12 MP product shot: downscale, segmentation, graph cut, guided matte.
        .executableTarget(
            name: "Matte",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Matte",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // TileScheduler overhead and the tile size behind Schedule.default.
        .executableTarget(
            name: "TileScheduler",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/TileScheduler",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Restyle kernels on 24 MP rasters: 33³ LUT, Reinhard transfer, regrain, palette k-means.
        .executableTarget(
            name: "Restyle",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Restyle",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Not a package-benchmark suite (its folder is not under Benchmarks/): GaussianBlur's tile
        // sizes timed side by side in rotation, for the choice of Schedule.default.
        //   swift run -c release --scratch-path .build TileSweep [rounds]
        .executableTarget(
            name: "TileSweep",
            dependencies: [.product(name: "Meld", package: meldPackage), "BenchmarkSupport"],
            path: "Tools/TileSweep"
        ),
        // Poisson cloning and multi-band blending of a 4 MP region into a 24 MP raster.
        .executableTarget(
            name: "SeamlessBlend",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/SeamlessBlend",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Edit kernels: coverage, recolour, diffusion and PatchMatch fills on a 1 MP photo.
        .executableTarget(
            name: "Edit",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Edit",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Invisible watermark: embed, detect (marked / unmarked), working plane, fold, Viterbi; 2 and 12 MP photos.
        .executableTarget(
            name: "Watermark",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Watermark",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Decode + 1/4 resize + JPEG encode of a 24 MP JPEG through the public Meld API.
        .executableTarget(
            name: "Pipeline",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Pipeline",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
