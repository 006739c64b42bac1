import Foundation
import Meld

/// Inputs shared by the benchmark suites: synthetic 24 MP rasters and the 24 MP JPEG that
/// `peers/run.sh` also uses, generated once into `Benchmarks/.cache/` (not committed).
public enum BenchmarkSupport {
    /// 24 MP, the size the suites measure at (a 6000 × 4000 camera frame).
    public static let width = 6000
    /// See ``width``.
    public static let height = 4000

    /// The `Benchmarks` folder (this file is `Benchmarks/Support/BenchmarkSupport.swift`).
    public static let benchmarksFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The repository root.
    public static let repositoryRoot = benchmarksFolder.deletingLastPathComponent()

    /// The cache folder for generated inputs (gitignored).
    public static let cacheFolder = benchmarksFolder.appendingPathComponent(".cache")

    /// The source photo the 24 MP JPEG is made from (5312 × 2988).
    public static let sourcePhoto = repositoryRoot.appendingPathComponent("Samples/dandelion_meadow_16mp.jpg").path

    /// The 24 MP JPEG: `Samples/dandelion_meadow_16mp.jpg` scaled to cover 6000 × 4000 (Lanczos 3)
    /// and centre-cropped, baseline JPEG, quality 90. `peers/run.sh` makes the same file with
    /// `meld resize … --fill 6000x4000 --quality 90` (the same code path, so the same bytes).
    public static let bigJPEGPath = cacheFolder.appendingPathComponent("dandelion_6000x4000_q90.jpg").path

    /// Returns ``bigJPEGPath``, generating the file first when it is missing.
    public static func bigJPEG() throws -> String {
        if FileManager.default.fileExists(atPath: bigJPEGPath) { return bigJPEGPath }
        try FileManager.default.createDirectory(at: cacheFolder, withIntermediateDirectories: true)
        let image = try Image(contentsOf: sourcePhoto, resizedWith: Resize(.fill(width: width, height: height)))
        // Meld writes to a temporary file and renames it, so a concurrent generator cannot leave half a file.
        try image.write(to: bigJPEGPath, options: SaveOptions(quality: 90, overwrite: true))
        return bigJPEGPath
    }

    /// A deterministic RGB raster in the working format (linear light): smooth gradients plus
    /// hashed noise, with shadows (values below the Lab ε knee) and highlights, so that every
    /// branch of the colour maths is taken. Filled in parallel.
    public static func syntheticRaster(width: Int = width, height: Int = height, layout: PixelLayout = .rgb) -> Raster {
        var raster = Raster(uninitializedWidth: width, height: height, layout: layout)
        raster.withMutableView { view in
            TileScheduler.forEachTile(in: Rect(width: width, height: height),
                                      schedule: Schedule(tileWidth: width, tileHeight: 64, threads: Schedule.defaultThreads)) { tile in
                for c in 0..<view.channels {
                    for y in tile.y..<tile.maxY {
                        let row = view.row(y, channel: c)
                        for x in 0..<width {
                            var h = UInt32(truncatingIfNeeded: x &* 73_856_093 ^ y &* 19_349_663 ^ c &* 83_492_791)
                            h ^= h >> 13
                            h = h &* 0x5BD1_E995
                            h ^= h >> 15
                            let noise = Float(h & 0xFFFF) / 65535
                            let gradient = Float(x) / Float(width) * 0.6 + Float(y) / Float(height) * 0.3
                            let v = 0.85 * gradient + 0.15 * noise
                            // Square it: linear light from a perceptual ramp, so a good share is dark.
                            row[x] = c == 3 ? 1 : v * v
                        }
                    }
                }
            }
        }
        return raster
    }
}
