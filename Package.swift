// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Meld",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Meld", targets: ["Meld"]),
        .executable(name: "meld", targets: ["MeldCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // libvips through pkg-config. Only MeldVips (via CMeldVipsShims) may import it.
        .systemLibrary(
            name: "CMeldVips",
            pkgConfig: "vips",
            providers: [.apt(["libvips-dev"]), .brew(["vips"])]
        ),
        // zlib (a dependency of libvips-dev; part of the macOS SDK), for the parallel PNG writer.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // Small non-variadic C wrappers around the libvips calls Meld uses.
        .target(name: "CMeldVipsShims", dependencies: ["CMeldVips"]),
        // Pure Swift + Dispatch: rasters, tiles, scheduler, kernels. No libvips.
        .target(name: "MeldCore"),
        // The only Swift that touches libvips.
        .target(name: "MeldVips", dependencies: ["CMeldVipsShims", "CMeldVips", "CZlib", "MeldCore"]),
        // The public API.
        .target(name: "Meld", dependencies: ["MeldVips", "MeldCore", .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "MeldCLI",
            dependencies: ["Meld", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Synthetic scenes, scalar reference kernels and comparison helpers for tests and benchmarks.
        .target(name: "MeldTestSupport", dependencies: ["MeldCore"]),

        .testTarget(name: "MeldCoreTests", dependencies: ["MeldCore", "MeldTestSupport"]),
        .testTarget(name: "MeldVipsTests", dependencies: ["MeldVips", "MeldCore", "MeldTestSupport"]),
        .testTarget(name: "MeldTests", dependencies: ["Meld", "MeldTestSupport"]),
        .testTarget(name: "MeldCLITests", dependencies: ["Meld", "MeldTestSupport"]),

        // Examples: runnable programs that use only the public Meld API.
        .executableTarget(name: "Renditions", dependencies: ["Meld"], path: "Examples/Renditions"),
        .executableTarget(name: "ProductScene", dependencies: ["Meld"], path: "Examples/ProductScene"),
        .executableTarget(name: "SeamlessCloneDemo", dependencies: ["Meld"], path: "Examples/SeamlessClone"),
        .executableTarget(name: "Colourways", dependencies: ["Meld"], path: "Examples/Colourways"),
        .executableTarget(name: "TextureTransfer", dependencies: ["Meld"], path: "Examples/TextureTransfer",
                          exclude: ["make-mask.py", "bowl-mask.png"]),
        .executableTarget(name: "CatalogueLook", dependencies: ["Meld"], path: "Examples/CatalogueLook"),
        .executableTarget(name: "SessionReplay", dependencies: ["Meld"], path: "Examples/SessionReplay"),
        .executableTarget(name: "Watermarks", dependencies: ["Meld"], path: "Examples/Watermarks"),
        .executableTarget(name: "ProductShot", dependencies: ["Meld"], path: "Examples/ProductShot"),
    ]
)
