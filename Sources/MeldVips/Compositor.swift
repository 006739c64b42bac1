import CMeldVips
import CMeldVipsShims
import MeldCore

/// A canvas colour ramp: straight (not premultiplied) gamma-encoded sRGBA end colours, blended in
/// encoded sRGB as CSS gradients are. A solid colour is a ramp with equal ends.
public struct CanvasFill: Sendable, Hashable {
    /// Shape of the ramp.
    public enum Geometry: Sendable, Hashable {
        /// From `from` at (x0, y0) to `to` at (x1, y1), constant across.
        case linear(x0: Double, y0: Double, x1: Double, y1: Double)
        /// From `from` at the centre to `to` at `radius` and beyond.
        case radial(cx: Double, cy: Double, radius: Double)
    }
    /// Colour at the start (r, g, b, a in 0…1, encoded sRGB, straight).
    public var from: SIMD4<Float>
    /// Colour at the end.
    public var to: SIMD4<Float>
    /// The ramp's shape.
    public var geometry: Geometry

    /// A ramp.
    public init(from: SIMD4<Float>, to: SIMD4<Float>, geometry: Geometry) {
        self.from = from; self.to = to; self.geometry = geometry
    }

    /// A solid colour.
    public init(solid: SIMD4<Float>) { self.init(from: solid, to: solid, geometry: .linear(x0: 0, y0: 0, x1: 1, y1: 0)) }

    var isOpaque: Bool { from.w >= 1 && to.w >= 1 }
}

/// One layer, already brought to its final size, orientation and alpha (straight alpha, encoded
/// sRGB, 3 or 4 bands of 8 or 16 bits), placed with its top-left corner at (x, y) on the canvas.
public struct CompositorLayer: Sendable {
    /// The pixels.
    public var image: VipsImageRef
    /// Left edge on the canvas (may be negative).
    public var x: Int
    /// Top edge on the canvas (may be negative).
    public var y: Int
    /// How it combines with what is beneath.
    public var mode: BlendMode
    /// 0…1, applied after the blend.
    public var opacity: Float

    /// A placed layer.
    public init(image: VipsImageRef, x: Int, y: Int, mode: BlendMode = .normal, opacity: Float = 1) {
        self.image = image; self.x = x; self.y = y; self.mode = mode; self.opacity = opacity
    }

    var rect: Rect { Rect(x: x, y: y, width: image.width, height: image.height) }
}

/// Composites layers onto a canvas lazily: the result is a libvips image whose pixels are
/// computed on demand in strips by libvips' worker threads. Each strip decodes the canvas and
/// only the layers that intersect it, blends them in order (``Blend``), and encodes the result,
/// so peak memory is a few strips per thread plus the inputs' own pipelines — not layers ×
/// canvas. When inputs are loaded for sequential access the whole compose streams from the
/// input files to the output file.
///
/// Pixels are computed independently of how libvips cuts the canvas into regions and threads,
/// so any schedule gives bit-identical output.
public enum Compositor {
    /// Background of a composite.
    public enum Canvas: Sendable {
        /// An image (any colour space; brought to sRGB). Its size is the canvas size.
        case image(VipsImageRef)
        /// A colour ramp of the given size.
        case fill(width: Int, height: Int, CanvasFill)
    }

    /// Builds the composite. 16-bit canvases give 16-bit output, others 8-bit; the output has an
    /// alpha band when the canvas is not opaque or a layer's mode can clear it.
    public static func composite(canvas: Canvas, layers: [CompositorLayer], space: CompositingSpace) throws(MeldError) -> VipsImageRef {
        try VipsRuntime.start()
        var background: VipsImageRef?
        let width: Int, height: Int
        var opaque: Bool, sixteen: Bool
        var fill: CanvasFill?
        switch canvas {
        case .image(let ref):
            let rgb = try ref.rgbForCompositing()
            background = rgb
            (width, height, opaque, sixteen) = (rgb.width, rgb.height, !rgb.hasAlpha, rgb.sampleFormat == .ushort)
        case .fill(let w, let h, let f):
            guard w > 0, h > 0 else { throw MeldError(.invalidArgument, operation: "compose", "canvas size must be positive (got \(w)x\(h))") }
            (width, height, opaque, sixteen) = (w, h, f.isOpaque, false)
            fill = f
        }
        var prepared: [CompositorLayer] = []
        for layer in layers {
            var l = layer
            l.image = try layer.image.rgbForCompositing()
            if l.mode.canClearBackdrop { opaque = false }
            prepared.append(l)
        }
        let plan = CompositorPlan(width: width, height: height, background: background, fill: fill, layers: prepared,
                                  space: space, outBands: opaque ? 3 : 4, sixteen: sixteen)
        var inputs: [UnsafeMutablePointer<VipsImage>?] = (background.map { [$0.pointer] } ?? []) + prepared.map { $0.image.pointer }
        let user = Unmanaged.passRetained(plan).toOpaque()
        let image = inputs.withUnsafeMutableBufferPointer { buf in
            cmeld_generated_image(buf.baseAddress, Int32(buf.count), Int32(width), Int32(height), Int32(plan.outBands),
                                  sixteen ? VIPS_FORMAT_USHORT : VIPS_FORMAT_UCHAR,
                                  sixteen ? VIPS_INTERPRETATION_RGB16 : VIPS_INTERPRETATION_sRGB,
                                  compositorStart, compositorGenerate, compositorStop, compositorRelease, user)
        }
        guard let image else {
            Unmanaged<CompositorPlan>.fromOpaque(user).release()
            throw VipsRuntime.failure(.processingFailed, "compose", "libvips could not set up the composite")
        }
        return VipsImageRef(owning: image)
    }
}

extension VipsImageRef {
    /// The image as 8- or 16-bit sRGB with 3 or 4 bands (straight alpha), colour managed: the
    /// form the compositor reads.
    public func rgbForCompositing() throws(MeldError) -> VipsImageRef {
        var s = try inSRGB()
        if s.bands <= 2 {
            let sixteen = s.sampleFormat == .ushort
            s = try s.derive("colour", "conversion of grey to RGB failed") {
                cmeld_colourspace(s.pointer, &$0, sixteen ? VIPS_INTERPRETATION_RGB16 : VIPS_INTERPRETATION_sRGB)
            }
            if s.sampleFormat != (sixteen ? .ushort : .uchar) { s = try s.cast(to: sixteen ? .ushort : .uchar) }
        }
        guard s.bands == 3 || s.bands == 4 else {
            throw MeldError(.unsupportedFormat, operation: "compose", "images with \(s.bands) bands cannot be composed (1–4: grey, grey+alpha, RGB, RGBA)")
        }
        return s
    }

    /// Colour managed to sRGB or grey, 8 or 16 bits per sample (the decode step of the working format).
    func inSRGB() throws(MeldError) -> VipsImageRef {
        var source = self
        let sixteen = source.sampleFormat.bits > 8
        let needsTransform = source.interpretation == .cmyk || (source.iccProfile.map { !ICCProfile.isSRGB($0) } ?? false)
            || !(source.sampleFormat == .uchar || source.sampleFormat == .ushort)
            || ![.srgb, .rgb, .bw, .rgb16, .grey16].contains(source.interpretation)
        if needsTransform {
            source = try source.convertedToSRGB(depth: sixteen || source.interpretation == .cmyk ? 16 : 8)
            if source.sampleFormat != .uchar && source.sampleFormat != .ushort {
                source = try source.cast(to: sixteen ? .ushort : .uchar)
            }
        }
        return source
    }
}

// MARK: - plan and per-thread state

/// Everything the generator needs; immutable once built, shared by all threads.
final class CompositorPlan: @unchecked Sendable {
    struct Entry {
        let image: VipsImageRef
        let rect: Rect
        let bands: Int
        let sixteen: Bool
        let mode: BlendMode
        let opacity: Float
    }
    let width: Int, height: Int
    let background: VipsImageRef?
    let backgroundBands: Int, backgroundSixteen: Bool
    let fill: CanvasFill?
    let entries: [Entry]
    let space: CompositingSpace
    let outBands: Int
    let sixteen: Bool
    /// code → working-space value, for 8-bit and (when needed) 16-bit samples.
    let decode8: UnsafeMutableBufferPointer<Float>
    let decode16: UnsafeMutableBufferPointer<Float>?
    /// The fill's ramp: `rampSize` premultiplied working-space RGBA entries.
    let ramp: UnsafeMutableBufferPointer<Float>?
    static let rampSize = 4097

    init(width: Int, height: Int, background: VipsImageRef?, fill: CanvasFill?, layers: [CompositorLayer],
         space: CompositingSpace, outBands: Int, sixteen: Bool) {
        self.width = width; self.height = height
        self.background = background
        self.backgroundBands = background?.bands ?? 4
        self.backgroundSixteen = background?.sampleFormat == .ushort
        self.fill = fill
        self.entries = layers.map {
            Entry(image: $0.image, rect: $0.rect, bands: $0.image.bands, sixteen: $0.image.sampleFormat == .ushort,
                  mode: $0.mode, opacity: min(max($0.opacity, 0), 1))
        }
        self.space = space; self.outBands = outBands; self.sixteen = sixteen
        decode8 = .allocate(capacity: 256)
        for c in 0..<256 { decode8[c] = space == .linear ? SRGBTransfer.decode8[c] : Float(c) / 255 }
        if backgroundSixteen || entries.contains(where: \.sixteen) {
            let t = UnsafeMutableBufferPointer<Float>.allocate(capacity: 65536)
            for c in 0..<65536 { t[c] = space == .linear ? SRGBTransfer.decode16[c] : Float(c) / 65535 }
            decode16 = t
        } else {
            decode16 = nil
        }
        if let fill {
            let n = Self.rampSize
            let t = UnsafeMutableBufferPointer<Float>.allocate(capacity: 4 * n)
            for i in 0..<n {
                let f = Float(i) / Float(n - 1)
                let c = fill.from + (fill.to - fill.from) * f
                let a = min(max(c.w, 0), 1)
                for k in 0..<3 {
                    let v = min(max(c[k], 0), 1)
                    t[4 * i + k] = (space == .linear ? SRGBTransfer.decode(v) : v) * a
                }
                t[4 * i + 3] = a
            }
            ramp = t
        } else {
            ramp = nil
        }
    }

    deinit {
        decode8.deallocate()
        decode16?.deallocate()
        ramp?.deallocate()
    }
}

/// One libvips worker thread's regions and scratch memory.
final class CompositorSequence {
    let background: UnsafeMutablePointer<VipsRegion>?
    let layers: [UnsafeMutablePointer<VipsRegion>]
    var accumulator: UnsafeMutablePointer<Float>
    var capacity: Int
    var source: UnsafeMutablePointer<Float>
    var sourceCapacity: Int

    init?(plan: CompositorPlan) {
        var made: [UnsafeMutablePointer<VipsRegion>] = []
        func region(_ image: VipsImageRef) -> UnsafeMutablePointer<VipsRegion>? { cmeld_region_new(image.pointer) }
        var bg: UnsafeMutablePointer<VipsRegion>?
        if let b = plan.background {
            guard let r = region(b) else { return nil }
            bg = r
        }
        for e in plan.entries {
            guard let r = region(e.image) else {
                for m in made { cmeld_object_unref(UnsafeMutableRawPointer(m)) }
                if let bg { cmeld_object_unref(UnsafeMutableRawPointer(bg)) }
                return nil
            }
            made.append(r)
        }
        background = bg
        layers = made
        capacity = 0
        accumulator = .allocate(capacity: 1)
        sourceCapacity = 0
        source = .allocate(capacity: 1)
    }

    func reserve(pixels: Int, row: Int) {
        if pixels > capacity {
            accumulator.deallocate()
            accumulator = .allocate(capacity: 4 * pixels)
            capacity = pixels
        }
        if row > sourceCapacity {
            source.deallocate()
            source = .allocate(capacity: 4 * row)
            sourceCapacity = row
        }
    }

    deinit {
        for m in layers { cmeld_object_unref(UnsafeMutableRawPointer(m)) }
        if let background { cmeld_object_unref(UnsafeMutableRawPointer(background)) }
        accumulator.deallocate()
        source.deallocate()
    }
}

// MARK: - callbacks (C function pointers; no captures)

private let compositorStart: cmeld_start_fn = { user in
    let plan = Unmanaged<CompositorPlan>.fromOpaque(user!).takeUnretainedValue()
    guard let seq = CompositorSequence(plan: plan) else { return nil }
    return Unmanaged.passRetained(seq).toOpaque()
}

private let compositorStop: cmeld_stop_fn = { seq, _ in
    if let seq { Unmanaged<CompositorSequence>.fromOpaque(seq).release() }
}

private let compositorRelease: cmeld_release_fn = { user in
    Unmanaged<CompositorPlan>.fromOpaque(user!).release()
}

private let compositorGenerate: cmeld_generate_fn = { seq, user, left, top, width, height, pixels, stride in
    let plan = Unmanaged<CompositorPlan>.fromOpaque(user!).takeUnretainedValue()
    let sequence = Unmanaged<CompositorSequence>.fromOpaque(seq!).takeUnretainedValue()
    let region = Rect(x: Int(left), y: Int(top), width: Int(width), height: Int(height))
    return CompositorKernel.generate(plan: plan, sequence: sequence, region: region, out: pixels!, stride: stride) ? 0 : -1
}

// MARK: - the per-region work

enum CompositorKernel {
    static func generate(plan: CompositorPlan, sequence: CompositorSequence, region: Rect,
                         out: UnsafeMutableRawPointer, stride: Int) -> Bool {
        let w = region.width, h = region.height, n = w * h
        sequence.reserve(pixels: n, row: w)
        let acc = sequence.accumulator
        let planes = Blend.Row(r: acc, g: acc + n, b: acc + 2 * n, a: acc + 3 * n)

        // 1. The canvas.
        if let bg = sequence.background {
            var p: UnsafePointer<UInt8>?
            var rowStride = 0
            guard cmeld_region_fetch(bg, Int32(region.x), Int32(region.y), Int32(w), Int32(h), &p, &rowStride) == 0,
                  let p else { return false }
            for y in 0..<h {
                decodeRow(p + y * rowStride, bands: plan.backgroundBands, sixteen: plan.backgroundSixteen, plan: plan,
                          into: planes.advanced(by: y * w), count: w)
            }
        } else if let fill = plan.fill, let ramp = plan.ramp {
            fillRows(fill, ramp: ramp, region: region, into: planes)
        }

        // 2. Layers in order, each only where it intersects the region.
        let src = sequence.source
        let srcRow = Blend.Row(r: src, g: src + w, b: src + 2 * w, a: src + 3 * w)
        for (index, e) in plan.entries.enumerated() {
            let hit = e.rect.intersection(region)
            if hit.isEmpty {
                if !e.mode.isLocal { Blend.clearOutside(opacity: e.opacity, backdrop: planes, count: n) }
                continue
            }
            var p: UnsafePointer<UInt8>?
            var rowStride = 0
            guard cmeld_region_fetch(sequence.layers[index], Int32(hit.x - e.rect.x), Int32(hit.y - e.rect.y),
                                     Int32(hit.width), Int32(hit.height), &p, &rowStride) == 0, let p else { return false }
            for y in 0..<h {
                let cy = region.y + y
                let row = planes.advanced(by: y * w)
                guard cy >= hit.y && cy < hit.maxY else {
                    if !e.mode.isLocal { Blend.clearOutside(opacity: e.opacity, backdrop: row, count: w) }
                    continue
                }
                decodeRow(p + (cy - hit.y) * rowStride, bands: e.bands, sixteen: e.sixteen, plan: plan, into: srcRow, count: hit.width)
                Blend.compositeRow(e.mode, opacity: e.opacity, source: srcRow, backdrop: row.advanced(by: hit.x - region.x), count: hit.width)
                if !e.mode.isLocal {
                    Blend.clearOutside(opacity: e.opacity, backdrop: row, count: hit.x - region.x)
                    Blend.clearOutside(opacity: e.opacity, backdrop: row.advanced(by: hit.maxX - region.x), count: region.maxX - hit.maxX)
                }
            }
        }

        // 3. Encode.
        let linear = plan.space == .linear
        switch (plan.sixteen, linear) {
        case (false, true): encode(planes, region: region, bands: plan.outBands, out: out, stride: stride, Encode8.self)
        case (true, true): encode(planes, region: region, bands: plan.outBands, out: out, stride: stride, Encode16.self)
        case (false, false): encode(planes, region: region, bands: plan.outBands, out: out, stride: stride, EncodeGamma8.self)
        case (true, false): encode(planes, region: region, bands: plan.outBands, out: out, stride: stride, EncodeGamma16.self)
        }
        return true
    }

    /// Interleaved straight-alpha codes → planar premultiplied working values.
    @inline(__always)
    static func decodeRow(_ p: UnsafePointer<UInt8>, bands: Int, sixteen: Bool, plan: CompositorPlan, into row: Blend.Row, count: Int) {
        if sixteen {
            let t = plan.decode16!.baseAddress!
            p.withMemoryRebound(to: UInt16.self, capacity: count * bands) { q in
                if bands == 4 {
                    for x in 0..<count {
                        let a = Float(q[4 &* x &+ 3]) * (1 / 65535)
                        row.r[x] = t[Int(q[4 &* x])] * a; row.g[x] = t[Int(q[4 &* x &+ 1])] * a
                        row.b[x] = t[Int(q[4 &* x &+ 2])] * a; row.a[x] = a
                    }
                } else {
                    for x in 0..<count {
                        row.r[x] = t[Int(q[3 &* x])]; row.g[x] = t[Int(q[3 &* x &+ 1])]; row.b[x] = t[Int(q[3 &* x &+ 2])]; row.a[x] = 1
                    }
                }
            }
        } else {
            let t = plan.decode8.baseAddress!
            if bands == 4 {
                for x in 0..<count {
                    let a = Float(p[4 &* x &+ 3]) * (1 / 255)
                    row.r[x] = t[Int(p[4 &* x])] * a; row.g[x] = t[Int(p[4 &* x &+ 1])] * a
                    row.b[x] = t[Int(p[4 &* x &+ 2])] * a; row.a[x] = a
                }
            } else {
                for x in 0..<count {
                    row.r[x] = t[Int(p[3 &* x])]; row.g[x] = t[Int(p[3 &* x &+ 1])]; row.b[x] = t[Int(p[3 &* x &+ 2])]; row.a[x] = 1
                }
            }
        }
    }

    static func fillRows(_ fill: CanvasFill, ramp: UnsafeMutableBufferPointer<Float>, region: Rect, into planes: Blend.Row) {
        let w = region.width, last = Float(CompositorPlan.rampSize - 1)
        let t0 = ramp.baseAddress!
        for y in 0..<region.height {
            let py = Double(region.y + y) + 0.5
            for x in 0..<w {
                let px = Double(region.x + x) + 0.5
                let t: Double
                switch fill.geometry {
                case .linear(let x0, let y0, let x1, let y1):
                    let dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy
                    t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0
                case .radial(let cx, let cy, let r):
                    t = r > 0 ? ((px - cx) * (px - cx) + (py - cy) * (py - cy)).squareRoot() / r : 0
                }
                let f = Float(min(max(t, 0), 1)) * last
                let i = min(Int(f), CompositorPlan.rampSize - 2)
                let k = f - Float(i)
                let e = t0 + 4 * i
                let o = y * w + x
                planes.r[o] = e[0] + (e[4] - e[0]) * k
                planes.g[o] = e[1] + (e[5] - e[1]) * k
                planes.b[o] = e[2] + (e[6] - e[2]) * k
                planes.a[o] = e[3] + (e[7] - e[3]) * k
            }
        }
    }

    /// Planar premultiplied → interleaved codes (straight alpha when the output has alpha).
    static func encode<E: SampleEncoder>(_ planes: Blend.Row, region: Rect, bands: Int, out: UnsafeMutableRawPointer, stride: Int, _: E.Type) {
        let w = region.width
        let tables = E.makeTables()
        for y in 0..<region.height {
            let row = (out + y * stride).assumingMemoryBound(to: E.Sample.self)
            let o = y * w
            if bands == 4 {
                for x in 0..<w {
                    let a = planes.a[o + x]
                    let inv: Float = a > 0 ? 1 / a : 0
                    row[4 &* x] = E.colour(planes.r[o + x] * inv, tables)
                    row[4 &* x &+ 1] = E.colour(planes.g[o + x] * inv, tables)
                    row[4 &* x &+ 2] = E.colour(planes.b[o + x] * inv, tables)
                    row[4 &* x &+ 3] = E.alpha(a)
                }
            } else {
                for x in 0..<w {
                    row[3 &* x] = E.colour(planes.r[o + x], tables)
                    row[3 &* x &+ 1] = E.colour(planes.g[o + x], tables)
                    row[3 &* x &+ 2] = E.colour(planes.b[o + x], tables)
                }
            }
        }
    }
}

/// Gamma-encoded values to 8-bit codes (compositing in sRGB).
enum EncodeGamma8: SampleEncoder {
    static func makeTables() {}
    @inline(__always) static func colour(_ v: Float, _: Void) -> UInt8 { Encode8.alpha(v) }
    @inline(__always) static func alpha(_ value: Float) -> UInt8 { Encode8.alpha(value) }
}

/// Gamma-encoded values to 16-bit codes (compositing in sRGB).
enum EncodeGamma16: SampleEncoder {
    static func makeTables() {}
    @inline(__always) static func colour(_ v: Float, _: Void) -> UInt16 { Encode16.alpha(v) }
    @inline(__always) static func alpha(_ value: Float) -> UInt16 { Encode16.alpha(value) }
}
