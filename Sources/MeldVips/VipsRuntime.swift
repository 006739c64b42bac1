import CMeldVips
import CMeldVipsShims
import MeldCore
import Synchronization

/// Process-wide libvips state: start-up (once), error capture, concurrency.
public enum VipsRuntime {
    /// Load only the libvips modules Meld reads (HEIF), not ImageMagick, PDF, OpenSlide or
    /// JPEG XL, which Meld refuses anyway. Saves ~25-30 ms of start-up per process; the `meld`
    /// command sets it. Set it before the first use of libvips; later changes have no effect.
    /// Off by default in the library, so a host that uses libvips itself keeps every module.
    public static var loadsOnlyNeededModules: Bool {
        get { onlyNeededModules.load(ordering: .relaxed) }
        set { onlyNeededModules.store(newValue, ordering: .relaxed) }
    }
    private static let onlyNeededModules = Atomic<Bool>(false)

    private static let started: Result<Void, MeldError> = {
        if cmeld_init("meld", onlyNeededModules.load(ordering: .relaxed) ? 1 : 0) != 0 {
            return .failure(MeldError(.processingFailed, operation: "init", "libvips failed to start",
                                      detail: takeError()))
        }
        return .success(())
    }()

    /// Starts libvips if it has not started yet. Safe to call from any thread, any number of times.
    public static func start() throws(MeldError) {
        try started.get()
    }

    /// libvips' version, e.g. "8.14.1".
    public static var version: String {
        "\(vips_version(0)).\(vips_version(1)).\(vips_version(2))"
    }

    /// Reads and clears libvips' process-wide error buffer (call right after the failing call).
    static func takeError() -> String? {
        guard let p = cmeld_error_take() else { return nil }
        defer { cmeld_free(p) }
        return String(cString: p)
    }

    /// Builds a MeldError from the error buffer right after a failed libvips call.
    static func failure(_ kind: MeldError.Kind, _ operation: String, _ message: String) -> MeldError {
        MeldError(kind, operation: operation, message, detail: takeError())
    }

    /// The number of worker threads libvips uses for evaluation (0 or less restores its default).
    public static var concurrency: Int {
        get { (try? start()) != nil ? Int(cmeld_get_concurrency()) : 0 }
        set { if (try? start()) != nil { cmeld_set_concurrency(Int32(newValue)) } }
    }

    /// Limits libvips' operation cache (results of recent operations kept for reuse; libvips'
    /// default is 100). 0 turns it off, so that a long batch over distinct files keeps a flat
    /// memory profile.
    public static func setOperationCacheLimit(_ operations: Int) {
        if (try? start()) != nil { cmeld_cache_set_max(Int32(max(0, operations))) }
    }

    /// See `Meld.returnLargeAllocationsToTheSystem(atLeast:)`.
    @discardableResult
    public static func setMmapThreshold(_ bytes: Int) -> Bool {
        cmeld_set_mmap_threshold(max(4096, min(bytes, 32 << 20))) == 1
    }
}
