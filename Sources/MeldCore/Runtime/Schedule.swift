import Dispatch

/// How a tiled stage is run: tile size and thread count. Separate from the algorithm:
/// every schedule gives bit-identical output (see ``TileScheduler``).
public struct Schedule: Hashable, Sendable, Codable {
    /// Tile width in pixels (at least 1).
    public var tileWidth: Int
    /// Tile height in pixels (at least 1).
    public var tileHeight: Int
    /// Worker threads (at least 1). 1 runs on the calling thread.
    public var threads: Int

    /// Creates a schedule; values below 1 are raised to 1.
    public init(tileWidth: Int, tileHeight: Int, threads: Int) {
        self.tileWidth = max(1, tileWidth)
        self.tileHeight = max(1, tileHeight)
        self.threads = max(1, threads)
    }

    /// Square tiles of `tileSize` on `threads` threads.
    public init(tileSize: Int, threads: Int = Schedule.defaultThreads) {
        self.init(tileWidth: tileSize, tileHeight: tileSize, threads: threads)
    }

    /// One thread per active core, or the `MELD_THREADS` environment variable when it holds a
    /// positive number (results are the same on any count; this only changes the speed).
    public static var defaultThreads: Int {
        if let text = getenv("MELD_THREADS"), let n = Int(String(cString: text)), n > 0 { return min(n, 1024) }
        return max(1, ProcessInfoCores.active)
    }

    /// A tile width meaning "the whole row": tiles become full-width strips.
    public static let fullWidth = 1 << 40

    /// Full-width strips of `rows` rows on `threads` threads.
    public static func strips(rows: Int = 256, threads: Int = Schedule.defaultThreads) -> Schedule {
        Schedule(tileWidth: fullWidth, tileHeight: rows, threads: threads)
    }

    /// Full-width strips 256 rows high on every core. Chosen by measurement
    /// (`Benchmarks/Tools/TileSweep`: a Gaussian blur, σ = 2, over 24 MP, tile sizes timed side by
    /// side in rotation, 2-core machine): relative to 256×256 tiles, strips took 0.77 of the time
    /// on one thread and 0.83 on two; 512×512 took 0.87 / 1.01, 128×128 0.99 / 1.14, 64×64
    /// 1.02 / 1.09. Strips read whole rows (long contiguous runs, no horizontal halo to
    /// recompute); point kernels such as colour conversion are indifferent to the shape.
    public static var `default`: Schedule { strips() }

    /// One tile on one thread: the plain loop, used as the reference schedule in tests.
    public static func serial(covering rect: Rect) -> Schedule {
        Schedule(tileWidth: max(1, rect.width), tileHeight: max(1, rect.height), threads: 1)
    }
}

/// The active processor count without Foundation.
enum ProcessInfoCores {
    static var active: Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return Int(sysconf(_SC_NPROCESSORS_ONLN))
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
