import CMeldVips
import CMeldVipsShims
import MeldCore

/// A baseline JPEG encoder that encodes horizontal strips of the image on several threads.
///
/// libjpeg's Huffman coder is serial, so libvips writes a JPEG on one thread: for a 20 MP
/// photograph that is about 0.1 s after everything else is done. This writer has libvips encode
/// one strip of rows per thread as a JPEG of its own, each with a restart marker after every row
/// of MCUs (blocks), and joins them. A restart marker resets the coder's state, so a strip's coded
/// data is exactly what a single pass with the same restart interval writes for those rows: the
/// joined file is byte-identical to libvips' own output with that restart interval, whatever the
/// number of strips, and so for every thread count. Strips hold a multiple of 8 rows of MCUs, so
/// the markers' numbers (which cycle through 8) continue across strips unchanged and the strips
/// join by concatenation with the marker `RST7` between them.
///
/// One strip per thread, not many small ones: each libvips save costs 2–3 ms to set up, which
/// ate the gain of 14 strips of 256 rows on a 20 MP image (measured: 93 ms against 91 ms for one
/// pass, on 2 threads, alternating runs; two halves on 2 threads took 57–58 ms against 71–100 ms for
/// one pass, libvips' saver called from pyvips in one process, alternating).
///
/// The cost in size is two bytes and a partial byte per row of MCUs (about 0.03 % of a 20 MP
/// file at quality 85). Restart markers are part of baseline JPEG; every decoder reads them.
///
/// Used for baseline output (not progressive, standard Huffman tables) of 8-bit grey or RGB
/// images of at least 2 MP, whose pixels can be read in any order: an image streamed from a
/// file opened for one sequential pass goes to libvips' saver as it is, which already overlaps
/// decoding with encoding.
public enum JPEGWriter {
    /// Strips are a multiple of this many rows: 8 rows of MCUs at any chroma subsampling.
    static let rowQuantum = 128
    /// Smallest image (pixels) the writer takes.
    static let minimumPixels = 1 << 21

    /// The quality and chroma subsampling of `settings` when this writer handles `image` with
    /// them, else nil (libvips' saver writes the file).
    static func handles(_ image: VipsImageRef, _ settings: EncoderSettings) -> (quality: Int, subsampling: ChromaSubsampling)? {
        guard case let .jpeg(quality, progressive, subsampling, optimize) = settings, !progressive, !optimize else { return nil }
        guard image.sampleFormat == .uchar, image.bands == 1 || image.bands == 3,
              [.srgb, .rgb, .bw].contains(image.interpretation),
              image.width * image.height >= minimumPixels, image.height <= 0xFFFF, image.width <= 0xFFFF,
              !image.isSequential else { return nil }
        return (quality, subsampling)
    }

    /// The strips' first rows for `threads` threads: equal strips of whole multiples of
    /// ``rowQuantum`` rows (the last takes the rest), at most one per thread.
    static func stripStarts(height: Int, threads: Int) -> [Int] {
        let quanta = (height + rowQuantum - 1) / rowQuantum
        let count = max(1, min(threads, quanta))
        let per = (quanta + count - 1) / count
        return stride(from: 0, to: quanta, by: per).map { $0 * rowQuantum }
    }

    /// The MCU's size in pixels: 16 × 16 with 4:2:0 chroma, else 8 × 8 (libvips subsamples
    /// colour below quality 90 unless told otherwise, and never grey).
    static func mcuSize(bands: Int, quality: Int, subsampling: ChromaSubsampling) -> Int {
        guard bands == 3 else { return 8 }
        switch subsampling {
        case .on: return 16
        case .off: return 8
        case .auto: return quality < 90 ? 16 : 8
        }
    }

    /// The whole file, or nil when a strip's encoding is not laid out as expected (then the
    /// caller should use libvips' saver).
    ///
    /// - Parameter encode: encodes an image with libvips' JPEG saver with the given restart
    ///   interval (in MCUs), to memory.
    static func encode(_ image: VipsImageRef, quality: Int, subsampling: ChromaSubsampling, threads: Int,
                       encode: @Sendable (VipsImageRef, Int) throws(MeldError) -> [UInt8]) throws(MeldError) -> [UInt8]? {
        let width = image.width, height = image.height
        let mcu = mcuSize(bands: image.bands, quality: quality, subsampling: subsampling)
        let interval = (width + mcu - 1) / mcu
        let starts = stripStarts(height: height, threads: threads)
        if starts.count == 1 {
            let whole = try encode(image, interval)
            guard let l = layout(whole), l.restartInterval == interval, l.samplingH * 8 == mcu, l.samplingV * 8 == mcu else { return nil }
            return whole
        }
        let results = TileScheduler.mapIndexed(count: starts.count, threads: threads) { k -> Result<[UInt8], MeldError> in
            let top = starts[k], bottom = k + 1 < starts.count ? starts[k + 1] : height
            do throws(MeldError) {
                return .success(try encode(try image.cropped(to: Rect(x: 0, y: top, width: width, height: bottom - top)), interval))
            } catch {
                return .failure(error)
            }
        }
        var parts: [[UInt8]] = []
        parts.reserveCapacity(results.count)
        for result in results {
            switch result {
            case .success(let bytes): parts.append(bytes)
            case .failure(let error): throw error
            }
        }
        return join(parts, width: width, height: height, mcu: mcu, interval: interval)
    }

    // MARK: - Joining

    /// Where the parts of one strip's file are.
    struct Layout {
        /// Offset of the first quantisation table (DQT): from here to `dataStart` are the
        /// coding tables and frame and scan headers, which every strip must share.
        var tables: Int
        /// Offset of the frame header's height field.
        var heightField: Int
        /// The TIFF block inside an `Exif` APP1 segment, if any.
        var exif: Range<Int>?
        /// First byte of the entropy-coded data, after the scan header.
        var dataStart: Int
        /// The end-of-image marker's offset (the data ends here).
        var dataEnd: Int
        /// The frame header's sampling factors (maximum horizontal and vertical), width,
        /// height, and the restart interval.
        var samplingH: Int, samplingV: Int
        var width: Int, height: Int
        var restartInterval: Int
    }

    /// The layout of a baseline JPEG as libjpeg writes it, or nil for anything else.
    static func layout(_ b: [UInt8]) -> Layout? {
        let n = b.count
        guard n >= 4, b[0] == 0xFF, b[1] == 0xD8, b[n - 2] == 0xFF, b[n - 1] == 0xD9 else { return nil }
        func u16(_ at: Int) -> Int { Int(b[at]) << 8 | Int(b[at + 1]) }
        var i = 2
        var tables: Int?, heightField: Int?, exif: Range<Int>?
        var samplingH = 0, samplingV = 0, width = 0, height = 0, restart = 0
        while i + 4 <= n {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            let length = u16(i + 2)
            guard length >= 2, i + 2 + length <= n else { return nil }
            let body = i + 4, end = i + 2 + length
            switch marker {
            case 0xDB:
                if tables == nil { tables = i }
            case 0xC0:
                guard length >= 8 else { return nil }
                heightField = body + 1
                height = u16(body + 1)
                width = u16(body + 3)
                let components = Int(b[body + 5])
                guard length == 8 + 3 * components else { return nil }
                for c in 0..<components {
                    let factors = b[body + 6 + 3 * c + 1]
                    samplingH = max(samplingH, Int(factors >> 4))
                    samplingV = max(samplingV, Int(factors & 0x0F))
                }
            case 0xC1...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                return nil  // not baseline
            case 0xDD:
                guard length == 4 else { return nil }
                restart = u16(body)
            case 0xE1:
                let signature: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]  // "Exif\0\0"
                if length >= 8, Array(b[body..<body + 6]) == signature { exif = (body + 6)..<end }
            case 0xDA:
                guard let tables, let heightField, tables < i else { return nil }
                return Layout(tables: tables, heightField: heightField, exif: exif, dataStart: end, dataEnd: n - 2,
                              samplingH: samplingH, samplingV: samplingV, width: width, height: height,
                              restartInterval: restart)
            default:
                break
            }
            i = end
        }
        return nil
    }

    /// The strips joined into one file, or nil when they do not fit together: headers that
    /// differ, an MCU or restart interval other than the one planned, or a frame size off.
    static func join(_ parts: [[UInt8]], width: Int, height: Int, mcu: Int, interval: Int) -> [UInt8]? {
        guard let first = parts.first, let head = layout(first), height <= 0xFFFF else { return nil }
        guard head.samplingH * 8 == mcu, head.samplingV * 8 == mcu, head.restartInterval == interval,
              head.width == width else { return nil }
        let shared = first[head.tables..<head.dataStart]
        var out = [UInt8]()
        out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        out += first[0..<head.dataEnd]
        out[head.heightField] = UInt8(height >> 8)
        out[head.heightField + 1] = UInt8(truncatingIfNeeded: height)
        if let exif = head.exif {
            var tiff = Array(out[exif])
            guard PNGWriter.patchPixelDimensions(&tiff, width: width, height: height) else { return nil }
            out.replaceSubrange(exif, with: tiff)
        }
        var rows = head.height
        for part in parts.dropFirst() {
            guard let l = layout(part), l.dataStart - l.tables == shared.count, l.width == width else { return nil }
            // The same tables and headers, but for the frame's height.
            let hf = l.heightField - l.tables, sf = head.heightField - head.tables
            guard hf == sf else { return nil }
            var same = true
            part.withUnsafeBufferPointer { p in
                for (j, byte) in shared.enumerated() where j != hf && j != hf + 1 {
                    if p[l.tables + j] != byte { same = false; break }
                }
            }
            guard same else { return nil }
            out += [0xFF, 0xD7]
            out += part[l.dataStart..<l.dataEnd]
            rows += l.height
        }
        guard rows == height else { return nil }
        out += [0xFF, 0xD9]
        return out
    }
}
