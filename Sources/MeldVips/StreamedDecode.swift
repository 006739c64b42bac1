import CMeldVips
import CMeldVipsShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MeldCore

/// An image decoded into memory, top to bottom, on a thread of its own, so that work on the rows
/// already decoded can start before the last row is.
///
/// Seamless cloning into a 20 MP JPEG needs only the rows down to the pasted region before it
/// can solve; the decoder goes on with the rows below while the solver runs. The pixels are
/// libvips' own (interleaved, the image's sample format), in one buffer that ``finish()`` hands
/// to a libvips image without copying.
///
/// Reads the image once, in order, so it works on images opened for one sequential pass.
public final class StreamedDecode: @unchecked Sendable {
    /// The image being decoded (its header: size, bands, format, metadata).
    public let image: VipsImageRef
    /// Bytes per row and per pixel.
    public let rowBytes: Int
    public let pixelBytes: Int
    /// The pixels; rows below ``decodedRows`` are being written by the decoder.
    public let base: UnsafeMutableRawPointer

    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `lock`.
    private var decoded = 0
    private var done = false
    private var failure: MeldError?
    private var cancelled = false
    private var handedOver = false

    /// Starts decoding `image` on a new thread.
    ///
    /// - Throws: `.processingFailed` when the buffer cannot be allocated or the thread started.
    public init(_ image: VipsImageRef) throws(MeldError) {
        try VipsRuntime.start()
        self.image = image
        pixelBytes = image.bands * image.sampleFormat.bits / 8
        rowBytes = image.width * pixelBytes
        let bytes = rowBytes * image.height
        guard bytes > 0, let memory = LargeMemory.allocate(bytes) else {
            throw MeldError(.processingFailed, operation: "load", "out of memory for a \(image.width)x\(image.height) image")
        }
        base = memory
        pthread_mutex_init(lock, nil)
        pthread_cond_init(changed, nil)
        #if canImport(Darwin)
        var thread: pthread_t?
        #else
        var thread = pthread_t()
        #endif
        let context = Unmanaged.passRetained(self).toOpaque()
        guard pthread_create(&thread, nil, streamedDecodeMain, context) == 0 else {
            Unmanaged<StreamedDecode>.fromOpaque(context).release()
            throw MeldError(.processingFailed, operation: "load", "could not start a decoding thread")
        }
        #if canImport(Darwin)
        if let thread { pthread_detach(thread) }
        #else
        pthread_detach(thread)
        #endif
    }

    deinit {
        if !handedOver { free(base) }
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(lock)
        changed.deallocate()
        lock.deallocate()
    }

    /// The number of rows decoded so far.
    public var decodedRows: Int { locked { decoded } }

    /// Waits until rows `0 ..< rows` are decoded.
    ///
    /// - Throws: `.corruptImage` when decoding failed before reaching them.
    public func waitForRows(_ rows: Int) throws(MeldError) {
        let result: MeldError? = locked {
            while decoded < rows && !done { pthread_cond_wait(changed, lock) }
            return decoded >= rows ? nil : (failure ?? MeldError(.processingFailed, operation: "load", "decoding was stopped"))
        }
        if let result { throw result }
    }

    /// Stops decoding early (the rows are no longer wanted); waits for nothing.
    public func cancel() { locked { cancelled = true } }

    /// Waits for the last row and returns the pixels as a libvips image in memory, carrying the
    /// decoded image's metadata (ICC profile included). The buffer now belongs to that image.
    ///
    /// - Throws: `.corruptImage` when decoding failed.
    public func finish() throws(MeldError) -> VipsImageRef {
        try waitForRows(image.height)
        let taken: Bool = locked { let was = handedOver; handedOver = true; return was }
        precondition(!taken, "StreamedDecode.finish() called twice")
        guard let out = cmeld_image_from_owned_memory(base, rowBytes * image.height, Int32(image.width), Int32(image.height),
                                                      Int32(image.bands), image.pointer.pointee.BandFmt,
                                                      image.pointer.pointee.Type) else {
            locked { handedOver = false }
            throw VipsRuntime.failure(.processingFailed, "load", "could not wrap the decoded pixels")
        }
        cmeld_copy_metadata(image.pointer, out)
        let ref = VipsImageRef(owning: out)
        if let profile = image.iccProfile { return try ref.withICCProfile(profile) }
        return ref
    }

    /// A copy of the pixels in `rect`, as a libvips image in memory with the decoded image's
    /// interpretation and no metadata. Waits for the rows it needs.
    ///
    /// - Throws: `.invalidArgument` when `rect` is not inside the image; `.corruptImage` when
    ///   decoding failed before reaching it.
    public func copy(_ rect: Rect) throws(MeldError) -> VipsImageRef {
        guard !rect.isEmpty, Rect(width: image.width, height: image.height).contains(rect) else {
            throw MeldError(.invalidArgument, operation: "crop", "crop \(rect) does not lie inside the \(image.width)x\(image.height) image")
        }
        try waitForRows(rect.maxY)
        let lineBytes = rect.width * pixelBytes
        guard let memory = LargeMemory.allocate(lineBytes * rect.height) else {
            throw MeldError(.processingFailed, operation: "load", "out of memory for a \(rect.width)x\(rect.height) region")
        }
        for y in 0..<rect.height {
            (memory + y * lineBytes).copyMemory(from: base + (rect.y + y) * rowBytes + rect.x * pixelBytes, byteCount: lineBytes)
        }
        guard let out = cmeld_image_from_owned_memory(memory, lineBytes * rect.height, Int32(rect.width), Int32(rect.height),
                                                      Int32(image.bands), image.pointer.pointee.BandFmt,
                                                      image.pointer.pointee.Type) else {
            free(memory)
            throw VipsRuntime.failure(.processingFailed, "load", "could not wrap the copied pixels")
        }
        return VipsImageRef(owning: out)
    }

    /// Writes `patch`'s pixels over the rectangle at (`x`, `y`) of its size. The patch must have
    /// this image's bands and sample format and its rows must be decoded already.
    ///
    /// - Throws: `.invalidArgument` when the patch does not fit or its pixel layout differs.
    public func overwrite(with patch: VipsImageRef, x: Int, y: Int) throws(MeldError) {
        let rect = Rect(x: x, y: y, width: patch.width, height: patch.height)
        guard Rect(width: image.width, height: image.height).contains(rect), patch.bands == image.bands,
              patch.sampleFormat == image.sampleFormat else {
            throw MeldError(.invalidArgument, operation: "insert",
                            "a \(patch.width)x\(patch.height) patch of \(patch.bands) bands does not fit at (\(x), \(y))")
        }
        try waitForRows(rect.maxY)
        let memory = try patch.materialized()
        guard let data = vips_image_get_data(memory.pointer) else {
            throw VipsRuntime.failure(.processingFailed, "insert", "the patch's pixels are not in memory")
        }
        let lineBytes = rect.width * pixelBytes
        let source = UnsafeRawPointer(data)
        for row in 0..<rect.height {
            (base + (y + row) * rowBytes + x * pixelBytes).copyMemory(from: source + row * lineBytes, byteCount: lineBytes)
        }
        withExtendedLifetime(memory) {}
    }

    // MARK: - The decoding thread

    fileprivate func run() {
        let context = Unmanaged.passUnretained(self).toOpaque()
        let status = cmeld_sink_rows(image.pointer, { user, pixels, stride, top, height in
            let me = Unmanaged<StreamedDecode>.fromOpaque(user!).takeUnretainedValue()
            return me.received(pixels!, stride: stride, top: Int(top), height: Int(height))
        }, context)
        let error: MeldError? = status == 0 ? nil
            : VipsRuntime.failure(.corruptImage, "load", "the image could not be decoded (truncated or damaged data)")
        locked {
            if let error, !cancelled { failure = error }
            done = true
            pthread_cond_broadcast(changed)
        }
        cmeld_thread_shutdown()
    }

    private func received(_ pixels: UnsafePointer<UInt8>, stride: Int, top: Int, height: Int) -> Int32 {
        if locked({ cancelled }) {
            return -1
        }
        for y in 0..<height {
            (base + (top + y) * rowBytes).copyMemory(from: pixels + y * stride, byteCount: rowBytes)
        }
        locked {
            decoded = top + height
            pthread_cond_broadcast(changed)
        }
        return 0
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }
}

#if canImport(Darwin)
private func streamedDecodeMain(_ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
    let decode = Unmanaged<StreamedDecode>.fromOpaque(context).takeRetainedValue()
    decode.run()
    return nil
}
#else
private func streamedDecodeMain(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let decode = Unmanaged<StreamedDecode>.fromOpaque(context!).takeRetainedValue()
    decode.run()
    return nil
}
#endif
