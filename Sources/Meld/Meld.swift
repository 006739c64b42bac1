@_exported import MeldCore
import MeldVips
import Synchronization

/// Process-wide settings and facts about this build of Meld.
public enum Meld {
    private static let settings = Mutex<Settings>(Settings())

    struct Settings {
        var pixelLimit = Meld.defaultPixelLimit
    }

    /// The default decode limit: 268 MP (16384 × 16384), comfortably above 100 MP photos.
    public static let defaultPixelLimit = 16384 * 16384

    /// Images with more pixels than this are refused on load, before any pixel is decoded
    /// (a guard against decompression bombs). Applies to loads that do not set their own limit.
    public static var pixelLimit: Int {
        get { settings.withLock { $0.pixelLimit } }
        set { settings.withLock { $0.pixelLimit = max(1, newValue) } }
    }

    /// The libvips version Meld runs on.
    public static var libvipsVersion: String { VipsRuntime.version }

    /// Whether libvips loads only the optional modules Meld reads (HEIF), skipping ImageMagick,
    /// PDF, OpenSlide and JPEG XL, which Meld refuses anyway: ~25-30 ms less start-up per
    /// process. Set before the first image is opened; the `meld` command turns it on. Default
    /// false, so that an application that also uses libvips directly keeps every module.
    public static var loadsOnlyNeededLibvipsModules: Bool {
        get { VipsRuntime.loadsOnlyNeededModules }
        set { VipsRuntime.loadsOnlyNeededModules = newValue }
    }

    /// Worker threads libvips uses for decoding, resampling and encoding.
    public static var libvipsThreads: Int {
        get { VipsRuntime.concurrency }
        set { VipsRuntime.concurrency = newValue }
    }

    /// Limits how many recent libvips operation results are cached for reuse (libvips'
    /// default: 100). 0 turns the cache off: a batch over many distinct files then holds no
    /// memory from one item to the next (`meld batch` does this).
    public static func setLibvipsOperationCacheLimit(_ operations: Int) {
        VipsRuntime.setOperationCacheLimit(operations)
    }

    /// Makes the C allocator (glibc) give every freed block of at least `bytes` (4 KiB…32 MiB,
    /// default 1 MiB) straight back to the system. By default glibc raises that threshold as
    /// large blocks are freed and then keeps such blocks for reuse, so a long run over images
    /// of changing sizes grows its resident memory: measured on a 200-item `meld batch`, RSS
    /// rose from 253 MiB at item 20 to 393 MiB at item 80 by default and stayed at 79 MiB with
    /// this. `meld batch` calls it. Returns false where it does not apply (not glibc).
    @discardableResult
    public static func returnLargeAllocationsToTheSystem(atLeast bytes: Int = 1 << 20) -> Bool {
        VipsRuntime.setMmapThreshold(bytes)
    }
}

/// Resampling kernels (nearest, linear, cubic, mitchell, lanczos2, lanczos3).
public typealias ResampleKernel = MeldVips.ResampleKernel
/// JPEG chroma subsampling (auto, on, off).
public typealias ChromaSubsampling = MeldVips.ChromaSubsampling
/// TIFF compression schemes.
public typealias TIFFCompression = MeldVips.TIFFCompression
