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

    /// Worker threads libvips uses for decoding, resampling and encoding.
    public static var libvipsThreads: Int {
        get { VipsRuntime.concurrency }
        set { VipsRuntime.concurrency = newValue }
    }
}

/// Resampling kernels (nearest, linear, cubic, mitchell, lanczos2, lanczos3).
public typealias ResampleKernel = MeldVips.ResampleKernel
/// JPEG chroma subsampling (auto, on, off).
public typealias ChromaSubsampling = MeldVips.ChromaSubsampling
/// TIFF compression schemes.
public typealias TIFFCompression = MeldVips.TIFFCompression
