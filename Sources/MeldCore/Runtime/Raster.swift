#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pixels Meld's kernels work on: **planar Float32, linear light, alpha premultiplied**.
///
/// Layout: one plane per channel (see ``PixelLayout``), each plane `width × height` floats,
/// row-major with no padding, planes back to back. Channel `c` of pixel (`x`, `y`) is at
/// `c * planeCount + y * width + x`. Colour values are linear-light sRGB (Rec. 709 primaries,
/// D65) with 0 = black and 1 = diffuse white; values outside 0…1 are allowed (wide-gamut and
/// HDR sources keep them until encoding). When the layout has alpha, colour planes hold
/// colour × alpha (premultiplied) unless ``isPremultiplied`` says otherwise.
///
/// Why planar: measured on this project's 2-core machines over a 24 MP RGBA float image
/// (one thread, `-O`), planar beat interleaved for every kernel family we tried — a 5-tap
/// blur 2.33 vs 4.30 ns/px (1.85×), linear RGB → Lab 6.95 vs 7.80 ns/px, premultiply 1.88 vs
/// 2.12 ns/px — because each loop walks contiguous floats the compiler vectorises, with no
/// lane shuffles. The price, deinterleaving on import, is ~2 ns/px and is folded into the
/// 8/16-bit → float conversion that import does anyway.
///
/// `Raster` has value semantics (copy-on-write storage). Kernels write through
/// ``MutableRasterView``, which a scheduler may share across threads for disjoint tiles.
public struct Raster: Sendable {
    /// The width in pixels.
    public private(set) var width: Int
    /// The height in pixels.
    public private(set) var height: Int
    /// The channels held, alpha last.
    public private(set) var layout: PixelLayout
    /// Whether colour planes are multiplied by alpha (always true for layouts without alpha).
    public var isPremultiplied: Bool
    @usableFromInline var storage: RasterStorage

    /// A raster filled with zeros (transparent black when it has alpha).
    ///
    /// - Complexity: O(width × height × channels); the memory is written once.
    public init(width: Int, height: Int, layout: PixelLayout) {
        precondition(width >= 0 && height >= 0, "negative raster size")
        self.width = width
        self.height = height
        self.layout = layout
        self.isPremultiplied = true
        self.storage = RasterStorage(capacity: width * height * layout.channels)
        storage.base.initialize(repeating: 0, count: width * height * layout.channels)
    }

    /// A raster whose pixel values are unspecified, for kernels that overwrite every pixel.
    public init(uninitializedWidth width: Int, height: Int, layout: PixelLayout) {
        precondition(width >= 0 && height >= 0, "negative raster size")
        self.width = width
        self.height = height
        self.layout = layout
        self.isPremultiplied = true
        self.storage = RasterStorage(capacity: width * height * layout.channels)
    }

    /// The number of planes.
    @inlinable public var channels: Int { layout.channels }
    /// Floats per plane (`width × height`).
    @inlinable public var planeCount: Int { width * height }
    /// The whole raster as a rectangle at the origin.
    public var bounds: Rect { Rect(width: width, height: height) }

    /// Changes size and layout, keeping the storage when it is large enough and not shared.
    /// Pixel values afterwards are unspecified. Use it to reuse one buffer across calls.
    public mutating func reshape(width: Int, height: Int, layout: PixelLayout) {
        let needed = width * height * layout.channels
        if !isKnownUniquelyReferenced(&storage) || storage.capacity < needed {
            storage = RasterStorage(capacity: needed)
        }
        self.width = width
        self.height = height
        self.layout = layout
        self.isPremultiplied = true
    }

    /// Adds an alpha plane (values unspecified) to a raster without one (grey → grey + alpha,
    /// RGB → RGBA), keeping the colour planes. The storage is reused when it has room for the
    /// extra plane and is not shared (see ``init(uninitializedWidth:height:layout:)``), else the
    /// colour planes are copied once.
    public mutating func addAlphaPlane() {
        guard !layout.hasAlpha else { return }
        let newLayout: PixelLayout = layout.colourChannels == 3 ? .rgba : .grayAlpha
        let needed = width * height * newLayout.channels
        if !isKnownUniquelyReferenced(&storage) || storage.capacity < needed {
            let copy = RasterStorage(capacity: needed)
            copy.base.initialize(from: storage.base, count: width * height * channels)
            storage = copy
        }
        layout = newLayout
    }

    /// The value of channel `c` at (`x`, `y`).
    @inlinable public subscript(x: Int, y: Int, c: Int) -> Float {
        get {
            precondition(x >= 0 && y >= 0 && x < width && y < height && c >= 0 && c < channels)
            return storage.base[c * planeCount + y * width + x]
        }
        set {
            precondition(x >= 0 && y >= 0 && x < width && y < height && c >= 0 && c < channels)
            makeUnique()
            storage.base[c * planeCount + y * width + x] = newValue
        }
    }

    /// Calls `body` with a read-only view of the pixels.
    @inlinable public func withView<R>(_ body: (RasterView) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(RasterView(base: storage.base, width: width, height: height, channels: channels))
        }
    }

    /// Calls `body` with a writable view of the pixels (copying shared storage first).
    @inlinable public mutating func withMutableView<R>(_ body: (MutableRasterView) throws -> R) rethrows -> R {
        makeUnique()
        return try withExtendedLifetime(storage) {
            try body(MutableRasterView(base: storage.base, width: width, height: height, channels: channels))
        }
    }

    @usableFromInline mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            let count = width * height * channels
            let copy = RasterStorage(capacity: count)
            copy.base.initialize(from: storage.base, count: count)
            storage = copy
        }
    }
}

extension Raster: Equatable {
    /// Bit-for-bit equality of size, layout, premultiplication and every float.
    public static func == (lhs: Raster, rhs: Raster) -> Bool {
        guard lhs.width == rhs.width, lhs.height == rhs.height, lhs.layout == rhs.layout,
              lhs.isPremultiplied == rhs.isPremultiplied else { return false }
        let n = lhs.width * lhs.height * lhs.channels
        if lhs.storage === rhs.storage { return true }
        for i in 0..<n where lhs.storage.base[i].bitPattern != rhs.storage.base[i].bitPattern { return false }
        return true
    }
}

/// Memory for large buffers (rasters, decoded images, solver arrays): 64-byte aligned, and from
/// 8 MB up on Linux in transparent huge pages. Free it with `free()`.
///
/// First touching fresh memory costs a page fault per 4 KB page: a fresh 288 MB raster took
/// 240-300 ms with 4 KB pages and ~50 ms with huge pages on this project's machines (Benchmarks,
/// Kernels suite). `meld blend` of a 1 MP region into a 20 MP JPEG faulted 34 400 times before
/// this and the streamed destination, 18 300 after. 2 MB alignment lets the kernel use huge
/// pages from the start.
public enum LargeMemory {
    /// Buffers of at least this many bytes use huge pages where the system has them.
    public static let hugePageThreshold = 8 << 20

    /// `bytes` (at least 1) of uninitialised memory, or nil when out of memory.
    public static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer? {
        let bytes = max(1, bytes)
        var raw: UnsafeMutableRawPointer?
        #if os(Linux)
        if bytes >= hugePageThreshold, posix_memalign(&raw, 2 << 20, bytes) == 0, let raw {
            _ = madvise(raw, bytes, MADV_HUGEPAGE)
            return raw
        }
        #endif
        // 64-byte alignment keeps every plane start cache-line aligned when width*height is a multiple of 16.
        if posix_memalign(&raw, 64, bytes) != 0 { return nil }
        return raw
    }
}

/// Heap storage for a raster; freed when the last raster using it goes away.
@usableFromInline final class RasterStorage: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<Float>
    @usableFromInline let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        let bytes = max(1, capacity) * MemoryLayout<Float>.stride
        guard let raw = LargeMemory.allocate(bytes) else { fatalError("out of memory allocating a raster of \(bytes) bytes") }
        self.base = raw.bindMemory(to: Float.self, capacity: max(1, capacity))
    }

    deinit { free(UnsafeMutableRawPointer(base)) }
}

/// A read-only view of raster pixels, valid only inside `Raster.withView`.
public struct RasterView: @unchecked Sendable {
    /// First float of plane 0.
    public let base: UnsafePointer<Float>
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Number of planes.
    public let channels: Int

    @inlinable init(base: UnsafeMutablePointer<Float>, width: Int, height: Int, channels: Int) {
        self.base = UnsafePointer(base)
        self.width = width
        self.height = height
        self.channels = channels
    }

    /// First float of plane `c`.
    @inlinable public func plane(_ c: Int) -> UnsafePointer<Float> { base + c &* (width &* height) }
    /// First float of row `y` of plane `c`.
    @inlinable public func row(_ y: Int, channel c: Int) -> UnsafePointer<Float> { plane(c) + y &* width }
}

/// A writable view of raster pixels, valid only inside `Raster.withMutableView`.
///
/// It is `Sendable` so that a scheduler can hand it to worker threads; each worker must
/// write only inside its own tile.
public struct MutableRasterView: @unchecked Sendable {
    /// First float of plane 0.
    public let base: UnsafeMutablePointer<Float>
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Number of planes.
    public let channels: Int

    @inlinable init(base: UnsafeMutablePointer<Float>, width: Int, height: Int, channels: Int) {
        self.base = base
        self.width = width
        self.height = height
        self.channels = channels
    }

    /// First float of plane `c`.
    @inlinable public func plane(_ c: Int) -> UnsafeMutablePointer<Float> { base + c &* (width &* height) }
    /// First float of row `y` of plane `c`.
    @inlinable public func row(_ y: Int, channel c: Int) -> UnsafeMutablePointer<Float> { plane(c) + y &* width }
    /// The same pixels, read-only.
    @inlinable public var readOnly: RasterView { RasterView(base: base, width: width, height: height, channels: channels) }
}
