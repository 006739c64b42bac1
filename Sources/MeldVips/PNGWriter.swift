import CMeldVips
import CMeldVipsShims
import CZlib
import MeldCore

/// A PNG encoder that filters and deflates in parallel.
///
/// libvips writes PNG on one thread, and at its default (zlib level 6, no row filter) that one
/// thread was most of the time of a whole `meld` run with PNG output: 1.1 of 1.4 s for a 12 MP
/// photo. This writer cuts the rows into strips of about 2 MB, gives every row the *Up* filter
/// and deflates each strip on its own thread, seeding it with the previous strip's last 32 KB
/// as the dictionary (the scheme of `pigz`), so the strips join into one zlib stream and
/// compress almost as well as a single pass. The strips depend only on the image's size, so
/// the file is byte-identical for every thread count.
///
/// Why *Up* and not libvips' no filter: on photographs it is the best size per unit of time
/// measured (a 12 MP JPEG's pixels, zlib level 3: 11.3 MB against 18.7 MB unfiltered at level 6,
/// in under half the deflate time; Paeth and per-row adaptive choice were larger at every
/// level below 6 and slower to filter).
///
/// The image's metadata chunks (ICC profile, EXIF, XMP, resolution, comments) are made by
/// libvips itself, by encoding a 1 × 1 crop that carries the same metadata, and spliced in,
/// so they are exactly what libvips' own saver writes. Images this writer does not cover
/// (interlaced output, samples other than 8-bit `uchar` or 16-bit `ushort`, more than four
/// bands, non-RGB interpretations) go to libvips' saver.
public enum PNGWriter {
    /// Raw (filtered) bytes per strip. Fixed, so the output does not depend on the thread count.
    static let stripBytes = 1 << 21
    /// The deflate window: the dictionary a strip is seeded with.
    static let window = 1 << 15

    /// Whether this writer handles `image` at `bitDepth`; otherwise libvips' saver is used.
    public static func handles(_ image: VipsImageRef, bitDepth: Int, interlace: Bool) -> Bool {
        guard !interlace, (1...4).contains(image.bands) else { return false }
        switch (image.sampleFormat, bitDepth, image.interpretation) {
        case (.uchar, 8, .srgb), (.uchar, 8, .bw), (.uchar, 8, .rgb),
             (.ushort, 16, .rgb16), (.ushort, 16, .grey16):
            return true
        default:
            return false
        }
    }

    /// The PNG file as a sequence of byte runs (signature and header, metadata chunks, the
    /// image data's chunks, end), to be written in order; nil when the metadata cannot be
    /// carried over exactly (then libvips' saver should write the file).
    ///
    /// - Parameters:
    ///   - compression: zlib level 0…9.
    ///   - threads: worker threads for filtering and deflating.
    ///   - libvipsPNG: encodes a 1 × 1 image with libvips' saver; its metadata chunks are reused.
    static func encode(_ image: VipsImageRef, compression: Int, bitDepth: Int, threads: Int,
                       libvipsPNG: (VipsImageRef) throws(MeldError) -> [UInt8]) throws(MeldError) -> [[UInt8]]? {
        precondition(handles(image, bitDepth: bitDepth, interlace: false), "PNGWriter.encode: unsupported image")
        let memory = try image.materialized()  // a new reference when already in memory
        guard let data = vips_image_get_data(memory.pointer) else {
            throw VipsRuntime.failure(.processingFailed, "save", "the image's pixels are not in memory")
        }
        let width = memory.width, height = memory.height, channels = memory.bands
        let sampleBytes = bitDepth / 8
        // libvips records the pixel size in EXIF (PixelXDimension/PixelYDimension); the 1 × 1
        // stand-in's values are replaced by the real ones.
        let stand = ancillaryChunks(inPNG: try libvipsPNG(try memory.cropped(to: Rect(width: 1, height: 1))))
        guard let metadata = withPixelDimensions(stand, width: width, height: height) else { return nil }
        var head = signature
        head += chunk("IHDR", header(width: width, height: height, bitDepth: bitDepth, channels: channels))
        var runs = [head]
        runs += metadata
        runs += imageData(UnsafeRawPointer(data), width: width, height: height, channels: channels,
                          sampleBytes: sampleBytes, level: compression, threads: threads)
        runs.append(chunk("IEND", []))
        withExtendedLifetime(memory) {}
        return runs
    }

    // MARK: - The image data

    /// The IDAT chunks for interleaved pixels (host byte order for 16-bit samples): every row
    /// Up-filtered, deflated in strips on `threads` threads, as one zlib stream.
    static func imageData(_ pixels: UnsafeRawPointer, width: Int, height: Int, channels: Int, sampleBytes: Int,
                          level: Int, threads: Int) -> [[UInt8]] {
        let rowBytes = width * channels * sampleBytes
        let rows = max(1, stripBytes / (rowBytes + 1))
        let source = RowSource(base: pixels, rowBytes: rowBytes, sixteen: sampleBytes == 2)
        let strips = TileScheduler.reduceRows(Rect(width: 1, height: height), rowsPerBand: rows,
                                              schedule: Schedule(tileWidth: 1, tileHeight: rows, threads: threads),
                                              initial: [Strip](),
                                              partial: { band in
                                                  [deflateStrip(source, rows: band.y..<band.maxY, level: level,
                                                                first: band.y == 0, last: band.maxY == height)]
                                              },
                                              combine: { $0 + $1 })
        var adler = adler32(0, nil, 0)
        for strip in strips { adler = adler32_combine(adler, strip.adler, numericCast(strip.length)) }
        let check = UInt32(truncatingIfNeeded: adler)
        return strips.map(\.chunk) + [chunk("IDAT", bigEndian(check))]
    }

    /// One strip's IDAT chunk, the Adler-32 of its filtered bytes and their count.
    struct Strip: Sendable {
        var chunk: [UInt8]
        var adler: UInt
        var length: Int
    }

    /// Rows of interleaved pixels, read-only, shared by the workers.
    struct RowSource: @unchecked Sendable {
        let base: UnsafeRawPointer
        let rowBytes: Int
        let sixteen: Bool

        /// Writes row `y` with the Up filter (type byte 2, then each byte minus the byte above;
        /// 16-bit samples in PNG's big-endian order) to `out`, which holds `rowBytes + 1` bytes.
        func filter(row y: Int, into out: UnsafeMutablePointer<UInt8>) {
            out[0] = 2
            let o = out + 1
            if sixteen {
                let n = rowBytes / 2
                let cur = (base + y * rowBytes).assumingMemoryBound(to: UInt16.self)
                if y == 0 {
                    for i in 0..<n { let v = cur[i]; o[2 * i] = UInt8(v >> 8); o[2 * i + 1] = UInt8(truncatingIfNeeded: v) }
                } else {
                    let up = (base + (y - 1) * rowBytes).assumingMemoryBound(to: UInt16.self)
                    for i in 0..<n {
                        let v = cur[i], u = up[i]
                        o[2 * i] = UInt8(v >> 8) &- UInt8(u >> 8)
                        o[2 * i + 1] = UInt8(truncatingIfNeeded: v) &- UInt8(truncatingIfNeeded: u)
                    }
                }
            } else {
                let cur = (base + y * rowBytes).assumingMemoryBound(to: UInt8.self)
                if y == 0 {
                    o.update(from: cur, count: rowBytes)
                } else {
                    let up = (base + (y - 1) * rowBytes).assumingMemoryBound(to: UInt8.self)
                    for i in 0..<rowBytes { o[i] = cur[i] &- up[i] }
                }
            }
        }
    }

    /// Filters and deflates `rows` as raw deflate blocks: seeded with the filtered bytes before
    /// the strip, ended by a sync flush (a byte-aligned boundary) or, for the last strip, the
    /// final block. The first strip's chunk starts with the two-byte zlib header.
    static func deflateStrip(_ source: RowSource, rows: Range<Int>, level: Int, first: Bool, last: Bool) -> Strip {
        let stride = source.rowBytes + 1
        let count = rows.count * stride
        let filtered = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
        defer { filtered.deallocate() }
        for (i, y) in rows.enumerated() { source.filter(row: y, into: filtered + i * stride) }

        var stream = z_stream()
        guard deflateInit2_(&stream, Int32(level), Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            fatalError("zlib: deflateInit2 failed (out of memory)")
        }
        defer { deflateEnd(&stream) }
        if !first {
            // The last `window` bytes before the strip, filtered the same way.
            let before = min(rows.lowerBound, (window + stride - 1) / stride)
            let dictionary = UnsafeMutablePointer<UInt8>.allocate(capacity: before * stride)
            defer { dictionary.deallocate() }
            for i in 0..<before { source.filter(row: rows.lowerBound - before + i, into: dictionary + i * stride) }
            let used = min(window, before * stride)
            _ = deflateSetDictionary(&stream, dictionary + before * stride - used, UInt32(used))
        }

        // Chunk layout: length, "IDAT", [zlib header], deflate data, CRC.
        let prefix = first ? zlibHeader(level: level) : []
        var capacity = 8 + prefix.count + Int(deflateBound(&stream, UInt(count))) + 64 + 4
        var out = [UInt8](repeating: 0, count: capacity)
        out.replaceSubrange(4..<8, with: Array("IDAT".utf8))
        out.replaceSubrange(8..<8 + prefix.count, with: prefix)
        var written = 8 + prefix.count
        stream.next_in = filtered
        stream.avail_in = UInt32(count)
        while true {
            let room = capacity - 4 - written
            let status: Int32 = out.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress! + written
                stream.avail_out = UInt32(room)
                let status = deflate(&stream, last ? Z_FINISH : Z_SYNC_FLUSH)
                written += room - Int(stream.avail_out)
                return status
            }
            let done = last ? status == Z_STREAM_END : (status == Z_OK && stream.avail_out > 0 && stream.avail_in == 0)
            if done { break }
            precondition(status == Z_OK || status == Z_BUF_ERROR, "zlib: deflate failed (\(status))")
            capacity += capacity / 2
            out.append(contentsOf: repeatElement(0, count: capacity - out.count))
        }
        out.removeSubrange((written + 4)...)
        out.replaceSubrange(0..<4, with: bigEndian(UInt32(written - 8)))
        let crc = out.withUnsafeBufferPointer { crc32(0, $0.baseAddress! + 4, UInt32(written - 4)) }
        out.replaceSubrange(written..<written + 4, with: bigEndian(UInt32(truncatingIfNeeded: crc)))
        let adler = adler32(adler32(0, nil, 0), filtered, UInt32(count))
        return Strip(chunk: out, adler: adler, length: count)
    }

    /// The zlib stream header: deflate with a 32 KB window, the level class, no dictionary.
    static func zlibHeader(level: Int) -> [UInt8] {
        let cmf: UInt8 = 0x78
        let levelClass: UInt8 = level <= 1 ? 0 : level <= 5 ? 1 : level == 6 ? 2 : 3
        var flg = levelClass << 6
        flg += UInt8(31 - (Int(cmf) * 256 + Int(flg)) % 31) % 31
        return [cmf, flg]
    }

    // MARK: - Chunks

    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// IHDR's 13 bytes: size, bit depth, colour type (grey, grey+alpha, RGB, RGBA), deflate,
    /// adaptive filtering, no interlace.
    static func header(width: Int, height: Int, bitDepth: Int, channels: Int) -> [UInt8] {
        let colourType: UInt8 = [0, 4, 2, 6][channels - 1]
        return bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [UInt8(bitDepth), colourType, 0, 0, 0]
    }

    /// A whole chunk: length, type, data, CRC of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
        return bigEndian(UInt32(data.count)) + body + bigEndian(UInt32(truncatingIfNeeded: crc))
    }

    /// The chunks of a PNG file other than IHDR, IDAT and IEND, in order, whole (length, type,
    /// data, CRC). A chunk type repeated after the image data (libpng writes eXIf twice) is kept once.
    static func ancillaryChunks(inPNG file: [UInt8]) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var seen = Set<String>()
        var offset = signature.count
        var afterData = false
        while offset + 12 <= file.count {
            let length = Int(file[offset]) << 24 | Int(file[offset + 1]) << 16 | Int(file[offset + 2]) << 8 | Int(file[offset + 3])
            let end = offset + 12 + length
            guard end <= file.count else { break }
            let type = String(decoding: file[offset + 4..<offset + 8], as: UTF8.self)
            switch type {
            case "IHDR", "IEND": break
            case "IDAT": afterData = true
            default:
                if !(afterData && seen.contains(type)) { chunks.append(Array(file[offset..<end])) }
                seen.insert(type)
            }
            offset = end
        }
        return chunks
    }

    /// `chunks` with the EXIF pixel dimensions (tags 0xA002, 0xA003 of the Exif IFD) set to
    /// `width` × `height`; nil if an eXIf chunk is there but cannot be patched in place.
    static func withPixelDimensions(_ chunks: [[UInt8]], width: Int, height: Int) -> [[UInt8]]? {
        var out: [[UInt8]] = []
        for chunk in chunks {
            guard String(decoding: chunk[4..<8], as: UTF8.self) == "eXIf" else { out.append(chunk); continue }
            var tiff = Array(chunk[8..<(chunk.count - 4)])
            guard patchPixelDimensions(&tiff, width: width, height: height) else { return nil }
            out.append(Self.chunk("eXIf", tiff))
        }
        return out
    }

    /// Sets PixelXDimension and PixelYDimension in a TIFF-structured EXIF block, in place.
    /// False when the block is malformed or a value does not fit its field.
    static func patchPixelDimensions(_ tiff: inout [UInt8], width: Int, height: Int) -> Bool {
        guard tiff.count >= 8 else { return false }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return false
        }
        func read(_ at: Int, _ size: Int) -> Int? {
            guard at >= 0, at + size <= tiff.count else { return nil }
            var v = 0
            for i in 0..<size { v |= Int(tiff[at + (little ? i : size - 1 - i)]) << (8 * i) }
            return v
        }
        func write(_ at: Int, _ size: Int, _ value: Int) {
            for i in 0..<size { tiff[at + (little ? i : size - 1 - i)] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
        }
        /// The offset of the 12-byte entry with `tag` in the IFD at `ifd`.
        func entry(_ tag: Int, in ifd: Int) -> Int? {
            guard let count = read(ifd, 2) else { return nil }
            for i in 0..<count {
                let at = ifd + 2 + 12 * i
                guard let t = read(at, 2) else { return nil }
                if t == tag { return at }
            }
            return nil
        }
        guard read(2, 2) == 42, let ifd0 = read(4, 4) else { return false }
        guard let pointer = entry(0x8769, in: ifd0) else { return true }  // no Exif IFD: nothing recorded
        guard let exif = read(pointer + 8, 4) else { return false }
        for (tag, value) in [(0xA002, width), (0xA003, height)] {
            guard let at = entry(tag, in: exif) else { continue }
            guard let type = read(at + 2, 2), read(at + 4, 4) == 1 else { return false }
            switch type {
            case 3 where value <= 0xFFFF: write(at + 8, 2, value)
            case 4: write(at + 8, 4, value)
            default: return false
            }
        }
        return true
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }
}
