import MeldCore

/// Hides a keyed payload of up to 64 bits in an image's luminance, invisibly (PSNR ≈ 43 dB at
/// the default strength) and robustly: it survives JPEG down to quality 50, resizing to half
/// and back, cropping 10 % from a side, rotation by up to 3°, brightness and contrast changes,
/// mild blur and noise. Read it back with ``detect(in:key:bits:schedule:)``.
///
/// How: a keyed 32 × 32-cell spread-spectrum tile (sync cells plus message cells carrying a
/// convolutionally coded payload with a keyed CRC-32) is repeated over the image and added to
/// the gamma-encoded luma, each cell weighted by the local texture (perceptual masking). The
/// cell size follows the image size (4 px per cell below 1200 px on the shorter side, 6 px
/// from 1200, 12 px at 3000). Colour: the same luma change goes to R, G and B, so hue is kept;
/// alpha is kept and fully transparent pixels are not touched; 16-bit images stay 16-bit.
/// Deterministic: the same image, key, payload and strength give identical bytes.
/// Cost: two passes over the pixels (~6 ns per pixel per core) plus decode and encode.
public struct InvisibleWatermark: ImageOperation {
    /// The secret key; anyone with it can read (and remove) the mark. Not empty.
    public var key: String
    /// The data carried.
    public var payload: WatermarkPayload
    /// 0.25…4, the pattern's RMS in units of 1.6 8-bit levels (1: PSNR ≈ 43 dB; 2: ≈ 38 dB,
    /// more robust; 0.5: ≈ 49 dB, less robust).
    public var strength: Double

    /// The RMS, in 8-bit levels of encoded luma, of strength 1.
    public static let unitRMS = 1.6

    /// A mark carrying `payload` under `key`.
    public init(key: String, payload: WatermarkPayload, strength: Double = 1) {
        self.key = key; self.payload = payload; self.strength = strength
    }

    /// Checks the key and the strength.
    public func validate() throws(MeldError) {
        if key.isEmpty { throw MeldError(.invalidArgument, operation: "watermark", "key is empty") }
        if !(0.25...4).contains(strength) {
            throw MeldError(.invalidArgument, operation: "watermark", "strength must be between 0.25 and 4 (got \(strength))")
        }
    }

    /// Marks `image`.
    ///
    /// - Throws: `.invalidArgument` for a bad key or strength, or when the image is smaller
    ///   than 64 × 64 pixels (too small to carry a tile).
    public func apply(to image: Image) throws(MeldError) -> Image {
        try validate()
        try Self.checkSize(image.width, image.height)
        var raster = try image.raster()
        embed(in: &raster)
        return try image.replacingPixels(with: raster)
    }

    /// Marks a working-format raster in place (no validation; see ``validate()``).
    public func embed(in raster: inout Raster, schedule: Schedule = .default) {
        let k = WatermarkKey(key)
        let coded = WatermarkCode.encode(payload: payload.value, bitCount: payload.bitCount, key: k)
        SpreadSpectrumMark.embed(&raster, key: k, coded: coded, rms: Float(strength * Self.unitRMS), schedule: schedule)
    }

    static func checkSize(_ w: Int, _ h: Int) throws(MeldError) {
        if w < 64 || h < 64 {
            throw MeldError(.invalidArgument, operation: "watermark", "image is \(w)x\(h); invisible marks need at least 64x64 pixels")
        }
    }

    /// Looks for a mark made with `key` in `image`.
    ///
    /// - Parameters:
    ///   - bits: the payload length expected; a mark of another length is reported as not found.
    /// - Returns: the detection; ``WatermarkDetection/found`` is false for unmarked images and
    ///   for other keys (false-positive probability ≤ attempts × 2⁻³², see
    ///   ``WatermarkDetection/falsePositiveBound``).
    /// - Throws: `.invalidArgument` for an empty key, a `bits` outside 1…64 or an image smaller
    ///   than 64 × 64; decoding errors of the image.
    public static func detect(in image: Image, key: String, bits: Int? = nil, schedule: Schedule = .default) throws(MeldError) -> WatermarkDetection {
        if key.isEmpty { throw MeldError(.invalidArgument, operation: "watermark", "key is empty") }
        if let bits, !(1...64).contains(bits) {
            throw MeldError(.invalidArgument, operation: "watermark", "bits must be 1…64 (got \(bits))")
        }
        try checkSize(image.width, image.height)
        return detect(in: try image.raster(schedule: schedule), key: key, bits: bits, schedule: schedule)
    }

    /// Looks for a mark in a working-format raster (arguments as in ``detect(in:key:bits:schedule:)``,
    /// unchecked).
    public static func detect(in raster: Raster, key: String, bits: Int? = nil, schedule: Schedule = .default) -> WatermarkDetection {
        let r = SpreadSpectrumDetector.detect(raster, key: WatermarkKey(key), expectedBits: bits, schedule: schedule)
        let bits = min(64, max(1, r.bitCount))
        let payload = try? WatermarkPayload(value: bits == 64 ? r.payload : r.payload & ((1 << UInt64(bits)) - 1), bitCount: bits)
        return WatermarkDetection(found: r.accepted, payload: r.accepted ? payload : nil,
                                  confidence: r.accepted ? Double(r.agreement) : 0,
                                  syncScore: Double(r.syncScore), rotation: r.angle, cellSize: r.cellSize,
                                  attempts: r.attempts, bestGuess: payload)
    }
}

/// The outcome of ``InvisibleWatermark/detect(in:key:bits:schedule:)``.
public struct WatermarkDetection: Sendable, Hashable, Codable {
    /// Whether a mark made with the key was found (the keyed CRC checked and the sync was strong).
    public var found: Bool
    /// The payload read, when found.
    public var payload: WatermarkPayload?
    /// 0…1 when found: the fraction of demodulated coded bits that agree with the decoded
    /// codeword (1: every one agreed; marks are still read at ~0.8, chance is 0.5). 0 when not found.
    public var confidence: Double
    /// The synchronisation peak's z-score. Measured without a mark (unmarked crops, other keys):
    /// median 4.5–5, at most 7.5; marked photos: 8–60. The CRC, not this score, decides.
    public var syncScore: Double
    /// The rotation the mark was found at, degrees.
    public var rotation: Double
    /// The cell size the mark was found at, pixels.
    public var cellSize: Int
    /// Candidates (cell size × angle) examined.
    public var attempts: Int
    /// The most likely payload of the best-synchronised candidate even when it did not verify
    /// (for measuring bit accuracy); equal to ``payload`` when found.
    public var bestGuess: WatermarkPayload?

    /// Upper bound on the probability that this search reports a mark in an unmarked image (or
    /// under another key): each candidate passes the 32-bit keyed CRC by chance with
    /// probability 2⁻³².
    public var falsePositiveBound: Double { Double(max(1, attempts)) * 0x1p-32 }
}
