import Dispatch
import Synchronization

/// Runs per-tile work over a region with `DispatchQueue.concurrentPerform`.
///
/// The per-tile closures are `@Sendable`: they run on worker threads, so they must not be
/// isolated to an actor (a closure written in main-actor code would otherwise trap at run time
/// when a worker calls it).
///
/// Determinism: tiles are disjoint, so the order in which workers finish cannot change what
/// they write. Reductions keep one partial result per tile, indexed by tile, and combine them
/// in tile order afterwards — never in thread-arrival order — so a floating-point reduction
/// gives the same bits for any thread count. (Changing the *tile size* changes how a reduction
/// is grouped; reductions that must also be tile-size invariant use ``reduceRows(_:schedule:partial:combine:)``,
/// whose grouping is fixed by the data.)
public enum TileScheduler {
    /// Calls `body` once per tile of `region`, each worker with its own scratch value made by
    /// `makeScratch` (at most one per thread, reused across that worker's tiles).
    ///
    /// - Parameters:
    ///   - region: the output region to cover.
    ///   - schedule: tile size and thread count.
    ///   - makeScratch: creates a worker's scratch space (buffers for a kernel's halo, say).
    ///   - body: the tile kernel; it must write only inside the tile it is given.
    public static func forEachTile<Scratch>(
        in region: Rect,
        schedule: Schedule,
        makeScratch: @Sendable () -> Scratch,
        _ body: @Sendable (Rect, inout Scratch) -> Void
    ) {
        let grid = TileGrid(region: region, tileWidth: schedule.tileWidth, tileHeight: schedule.tileHeight)
        let count = grid.count
        guard count > 0 else { return }
        let workers = min(schedule.threads, count)
        if workers == 1 {
            var scratch = makeScratch()
            for i in 0..<count { body(grid.tile(at: i), &scratch) }
            return
        }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var scratch = makeScratch()
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { break }
                body(grid.tile(at: i), &scratch)
            }
        }
    }

    /// Calls `body` once per tile, without scratch space.
    public static func forEachTile(in region: Rect, schedule: Schedule, _ body: @Sendable (Rect) -> Void) {
        forEachTile(in: region, schedule: schedule, makeScratch: { () }) { tile, _ in body(tile) }
    }

    /// Maps every tile to a partial result in parallel, then folds the partials in tile order.
    /// The result is identical for every thread count (for a fixed tile size).
    public static func mapReduce<T>(
        in region: Rect,
        schedule: Schedule,
        initial: T,
        partial: @Sendable (Rect) -> T,
        combine: (T, T) -> T
    ) -> T {
        let grid = TileGrid(region: region, tileWidth: schedule.tileWidth, tileHeight: schedule.tileHeight)
        var partials = [T?](repeating: nil, count: grid.count)
        partials.withUnsafeMutableBufferPointer { slots in
            let out = UnsafeSendableBox(slots)
            // Tiles are numbered by the grid, so write slot i for tile i.
            let tiles = grid
            forEachTileIndexed(grid: tiles, threads: schedule.threads) { i in
                out.value[i] = partial(tiles.tile(at: i))
            }
        }
        return partials.reduce(initial) { combine($0, $1!) }
    }

    /// Reduces over rows: `partial` sees one full-width row band of `rowsPerBand` rows at a
    /// time and the results are folded in row order. Because the bands depend only on the data
    /// size, the result is identical for every schedule (tile size and thread count alike).
    public static func reduceRows<T>(
        _ region: Rect,
        rowsPerBand: Int = 64,
        schedule: Schedule,
        initial: T,
        partial: @Sendable (Rect) -> T,
        combine: (T, T) -> T
    ) -> T {
        mapReduce(in: region,
                  schedule: Schedule(tileWidth: max(1, region.width), tileHeight: max(1, rowsPerBand), threads: schedule.threads),
                  initial: initial, partial: partial, combine: combine)
    }

    /// `body(i)` for every `i` in `0 ..< count`, on up to `threads` threads; the results in
    /// index order.
    public static func mapIndexed<T>(count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { slots in
            let out = UnsafeSendableBox(slots)
            forEachIndex(count: count, threads: threads) { i in out.value[i] = body(i) }
        }
        return results.map { $0! }
    }

    static func forEachTileIndexed(grid: TileGrid, threads: Int, _ body: @Sendable (Int) -> Void) {
        forEachIndex(count: grid.count, threads: threads, body)
    }

    /// `body(i)` for every `i` in `0 ..< count`, handed out in order to up to `threads` threads.
    static func forEachIndex(count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let workers = min(max(1, threads), count)
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { break }
                body(i)
            }
        }
    }
}

/// Carries a non-Sendable value into `concurrentPerform`; the scheduler guarantees the
/// closures it wraps only touch disjoint memory.
struct UnsafeSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
