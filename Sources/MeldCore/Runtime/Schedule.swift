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

    /// One thread per active core.
    public static var defaultThreads: Int { max(1, ProcessInfoCores.active) }

    /// 256×256 tiles on every core. The default was chosen in `Benchmarks` (TileScheduler
    /// suite): a Gaussian blur (σ = 2) over 24 MP ran within 3 % for 128…512 tiles on 2 cores;
    /// 64 px tiles paid ~8 % for halo recomputation, full-width strips lost cache locality.
    public static var `default`: Schedule { Schedule(tileSize: 256) }

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
