import MeldCore
import MeldTestSupport
import Testing

/// A textured test picture: value noise smoothed a little, so masking has texture to follow.
private func texture(_ w: Int, _ h: Int, layout: PixelLayout = .rgb, seed: UInt64 = 11) -> Raster {
    var r = SyntheticScene.noise(width: w, height: h, layout: layout, seed: seed)
    let g = SyntheticScene.gradient(width: w, height: h, layout: layout)
    r.withMutableView { v in
        g.withView { gv in
            for c in 0..<layout.colourChannels {
                for i in 0..<(w * h) { v.plane(c)[i] = 0.15 + 0.5 * gv.plane(c)[i] + 0.06 * v.plane(c)[i] }
            }
        }
    }
    return r
}

@Suite("Watermark code")
struct WatermarkCodeTests {
    @Test("Round trip for every payload length, with soft values from the coded bits", arguments: [1, 4, 16, 33, 63, 64])
    func roundTrip(bits: Int) {
        let key = WatermarkKey("k")
        var rng = SplitMix64(seed: UInt64(bits))
        for _ in 0..<5 {
            let value = bits == 64 ? rng.next() : rng.next() & ((1 << UInt64(bits)) - 1)
            let coded = WatermarkCode.encode(payload: value, bitCount: bits, key: key)
            #expect(coded.count == WatermarkCode.codedBitCount)
            let soft = coded.map { Float($0 == 0 ? 1 : -1) }
            let d = WatermarkCode.decode(soft: soft, key: key)
            #expect(d.verified?.payload == value && d.verified?.bitCount == bits)
        }
    }

    @Test("Corrects 8 % of coded bits flipped, and noisy soft values")
    func corrects() {
        let key = WatermarkKey("secret")
        var rng = SplitMix64(seed: 5)
        var recovered = 0
        for trial in 0..<40 {
            let value = rng.next()
            let coded = WatermarkCode.encode(payload: value, bitCount: 64, key: key)
            var soft = coded.map { Float($0 == 0 ? 1 : -1) + 0.6 * (rng.nextUnitFloat() - 0.5) }
            // Flip 17 of 216 bits (8 %), spread out.
            for k in 0..<17 { soft[(k * 13 + trial) % soft.count] *= -1 }
            if WatermarkCode.decode(soft: soft, key: key).verified?.payload == value { recovered += 1 }
        }
        #expect(recovered >= 38, "recovered \(recovered) of 40")
    }

    @Test("Another key's codeword does not pass the keyed CRC")
    func wrongKey() {
        var rng = SplitMix64(seed: 9)
        for i in 0..<50 {
            let coded = WatermarkCode.encode(payload: rng.next(), bitCount: 64, key: WatermarkKey("a\(i)"))
            let soft = coded.map { Float($0 == 0 ? 1 : -1) }
            #expect(WatermarkCode.decode(soft: soft, key: WatermarkKey("b\(i)")).verified == nil)
        }
    }

    @Test("Random soft values do not pass (none in 3 000)")
    func randomNoise() {
        let key = WatermarkKey("k")
        var rng = SplitMix64(seed: 1)
        var passes = 0
        for _ in 0..<3_000 {
            let soft = (0..<WatermarkCode.codedBitCount).map { _ in rng.nextUnitFloat() - 0.5 }
            if WatermarkCode.decode(soft: soft, key: key).verified != nil { passes += 1 }
        }
        #expect(passes == 0)
    }

    @Test("Keys give different layouts; the same key the same one")
    func keys() {
        #expect(WatermarkKey("x") == WatermarkKey("x"))
        #expect(WatermarkKey("x").syncChips != WatermarkKey("y").syncChips)
        let k = WatermarkKey("z")
        #expect(k.syncChips.filter { $0 != 0 }.count == WatermarkKey.syncCellCount)
        #expect(k.codedBitIndex.filter { $0 >= 0 }.count == WatermarkKey.cellCount - WatermarkKey.syncCellCount)
        // Every coded bit is carried by at least two cells.
        var count = [Int](repeating: 0, count: WatermarkCode.codedBitCount)
        for j in k.codedBitIndex where j >= 0 { count[j] += 1 }
        #expect(count.min()! >= 2)
    }
}

@Suite("Watermark kernels")
struct WatermarkKernelTests {
    static let schedules: [Schedule] = [Schedule(tileSize: 7, threads: 1), Schedule(tileSize: 64, threads: 2),
                                        Schedule(tileSize: 256, threads: 4), .strips(rows: 8, threads: 3), .default]

    @Test("Embedding matches the plain reference, and is bit-identical for every schedule", arguments: [PixelLayout.rgb, .rgba, .gray])
    func embedMatchesReference(layout: PixelLayout) {
        let src = texture(131, 97, layout: layout)
        let key = WatermarkKey("kernel")
        let coded = WatermarkCode.encode(payload: 0xABCDEF, bitCount: 24, key: key)
        var serial = src
        SpreadSpectrumMark.embed(&serial, key: key, coded: coded, rms: 1.6, schedule: .serial(covering: src.bounds))
        let reference = Reference.watermarkEmbed(src, key: key, coded: coded, rms: 1.6)
        #expect(ImageCompare.maxAbsDifference(serial, reference) < 1e-5, "\(ImageCompare.describe(serial, reference, tolerance: 1e-5))")
        #expect(serial != src)
        for s in Self.schedules {
            var p = src
            SpreadSpectrumMark.embed(&p, key: key, coded: coded, rms: 1.6, schedule: s)
            #expect(p == serial, "schedule \(s)")
        }
    }

    @Test("The change has the requested RMS in encoded luma and leaves transparent pixels alone")
    func strength() {
        var src = texture(160, 128, layout: .rgba)
        src.withMutableView { v in for c in 0..<4 { for x in 0..<20 { v.row(5, channel: c)[x] = 0 } } }
        var marked = src
        let key = WatermarkKey("rms")
        SpreadSpectrumMark.embed(&marked, key: key, coded: WatermarkCode.encode(payload: 1, bitCount: 8, key: key), rms: 2)
        var sum = 0.0
        EncodedSRGB.withTables { enc, _ in
            for y in 0..<128 {
                for x in 0..<160 {
                    let a = src[x, y, 3], b = marked[x, y, 3]
                    #expect(a == b)
                    guard a > 0 else { continue }
                    let d = 255 * (EncodedSRGB.encode(marked[x, y, 1] / b, enc) - EncodedSRGB.encode(src[x, y, 1] / a, enc))
                    sum += Double(d * d)
                }
            }
        }
        let rms = (sum / Double(160 * 128 - 20)).squareRoot()
        #expect(abs(rms - 2) < 0.1, "rms \(rms)")
        for x in 0..<20 { #expect(marked[x, 5, 0] == 0 && marked[x, 5, 3] == 0) }
    }

    @Test("Folding matches the reference for every schedule", arguments: [0.0, 1.35, -2.7])
    func foldMatchesReference(angle: Double) {
        var rng = SplitMix64(seed: 3)
        let w = 203, h = 131
        let plane = (0..<(w * h)).map { _ in rng.nextUnitFloat() * 20 - 10 }
        let reference = Reference.watermarkFold(plane, width: w, height: h, angle: angle)
        let serial = SpreadSpectrumDetector.fold(plane, width: w, height: h, angle: angle, schedule: Schedule(tileSize: 1 << 20, threads: 1))
        // Bins agree; sums differ only by float rounding of the order.
        let worst = zip(serial, reference).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-2, "worst bin difference \(worst)")
        #expect(serial.reduce(0, +) != 0)
        for s in Self.schedules {
            #expect(SpreadSpectrumDetector.fold(plane, width: w, height: h, angle: angle, schedule: s) == serial, "schedule \(s)")
        }
    }

    @Test("FFT correlation equals the direct circular correlation")
    func fftCorrelation() {
        var rng = SplitMix64(seed: 4)
        let a = (0..<4096).map { _ in rng.nextUnitFloat() - 0.5 }
        let t = (0..<4096).map { _ in rng.nextUnitFloat() - 0.5 }
        let fft = FFT64()
        var re = t, im = [Float](repeating: 0, count: 4096)
        fft.transform(re: &re, im: &im)
        let c = fft.correlate(a, templateRe: re, templateIm: im)
        for (sy, sx) in [(0, 0), (5, 63), (31, 7), (63, 63)] {
            var direct: Float = 0
            for by in 0..<64 { for bx in 0..<64 { direct += a[((by + sy) & 63) * 64 + ((bx + sx) & 63)] * t[by * 64 + bx] } }
            #expect(abs(c[sy * 64 + sx] - direct) < 1e-3, "shift \(sx),\(sy)")
        }
    }

    @Test("Detection reads the payload, also after a crop (a phase shift) and a flip of the key")
    func detect() {
        let src = texture(384, 384)
        let key = WatermarkKey("detect")
        var marked = src
        SpreadSpectrumMark.embed(&marked, key: key, coded: WatermarkCode.encode(payload: 0x1234_5678_9ABC, bitCount: 48, key: key), rms: 1.6)
        let r = SpreadSpectrumDetector.detect(marked, key: key, angles: [0])
        #expect(r.accepted && r.payload == 0x1234_5678_9ABC && r.bitCount == 48)
        // Crop 37 px from the left and 21 from the top.
        var cropped = Raster(width: 347, height: 363, layout: .rgb)
        for c in 0..<3 { for y in 0..<363 { for x in 0..<347 { cropped[x, y, c] = marked[x + 37, y + 21, c] } } }
        let rc = SpreadSpectrumDetector.detect(cropped, key: key, angles: [0])
        #expect(rc.accepted && rc.payload == 0x1234_5678_9ABC)
        #expect(!SpreadSpectrumDetector.detect(marked, key: WatermarkKey("other"), angles: [0]).accepted)
        #expect(!SpreadSpectrumDetector.detect(src, key: key, angles: [0]).accepted)
        #expect(SpreadSpectrumDetector.detect(marked, key: key, expectedBits: 64, angles: [0]).accepted == false)
    }
}
