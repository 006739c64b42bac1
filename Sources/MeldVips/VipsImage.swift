import CMeldVips
import CMeldVipsShims
import MeldCore

/// An owned reference to a libvips image (a GObject). libvips images are immutable once
/// built and safe to read from several threads, so the wrapper is `Sendable`.
public final class VipsImageRef: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<VipsImage>

    /// Takes ownership of one reference.
    init(owning pointer: UnsafeMutablePointer<VipsImage>) { self.pointer = pointer }

    deinit { cmeld_image_unref(pointer) }

    /// Width in pixels.
    public var width: Int { Int(vips_image_get_width(pointer)) }
    /// Height in pixels.
    public var height: Int { Int(vips_image_get_height(pointer)) }
    /// Number of bands (channels).
    public var bands: Int { Int(vips_image_get_bands(pointer)) }
    /// The band format.
    public var sampleFormat: SampleFormat { SampleFormat(vips_image_get_format(pointer)) }
    /// What the bands mean.
    public var interpretation: Interpretation { Interpretation(vips_image_get_interpretation(pointer)) }
    /// Whether the last band is alpha (libvips' rule: 2 bands of grey, 4 of sRGB, 5 of CMYK).
    public var hasAlpha: Bool { vips_image_hasalpha(pointer) != 0 }
    /// EXIF orientation 1…8 (1 when absent).
    public var orientation: Int { Int(vips_image_get_orientation(pointer)) }
    /// Pages or frames in the file (1 when not recorded).
    public var pageCount: Int { Int(cmeld_image_n_pages(pointer)) }
    /// The libvips loader that read this image ("jpegload", ...), if any.
    public var loader: String? { stringField("vips-loader") }

    /// A string metadata field, if present ("heif-compression" is "av1" for AVIF, "hevc" for HEIC).
    public func stringField(_ name: String) -> String? {
        cmeld_image_get_string(pointer, name).map { String(cString: $0) }
    }

    /// Whether the pixels come from a file opened for one sequential pass (somewhere in the
    /// pipeline): such an image can be read once, top to bottom, and not again.
    public var isSequential: Bool { cmeld_image_is_sequential(pointer) != 0 }

    /// The embedded ICC profile's bytes, if any.
    public var iccProfile: [UInt8]? {
        var data: UnsafeMutableRawPointer?
        let n = cmeld_icc_profile_copy(pointer, &data)
        guard n > 0, let data else { return nil }
        defer { cmeld_free(data) }
        return Array(UnsafeRawBufferPointer(start: data, count: n))
    }
}

/// How samples are stored, as libvips names band formats.
public enum SampleFormat: String, Sendable, Codable {
    case uchar, char, ushort, short, uint, int, float, complex, double, dpcomplex, unknown

    init(_ f: VipsBandFormat) {
        switch f {
        case VIPS_FORMAT_UCHAR: self = .uchar
        case VIPS_FORMAT_CHAR: self = .char
        case VIPS_FORMAT_USHORT: self = .ushort
        case VIPS_FORMAT_SHORT: self = .short
        case VIPS_FORMAT_UINT: self = .uint
        case VIPS_FORMAT_INT: self = .int
        case VIPS_FORMAT_FLOAT: self = .float
        case VIPS_FORMAT_COMPLEX: self = .complex
        case VIPS_FORMAT_DOUBLE: self = .double
        case VIPS_FORMAT_DPCOMPLEX: self = .dpcomplex
        default: self = .unknown
        }
    }

    /// Bits per sample.
    public var bits: Int {
        switch self {
        case .uchar, .char: 8
        case .ushort, .short: 16
        case .uint, .int, .float: 32
        case .double, .complex: 64
        case .dpcomplex: 128
        case .unknown: 0
        }
    }

    var vips: VipsBandFormat {
        switch self {
        case .uchar: VIPS_FORMAT_UCHAR
        case .char: VIPS_FORMAT_CHAR
        case .ushort: VIPS_FORMAT_USHORT
        case .short: VIPS_FORMAT_SHORT
        case .uint: VIPS_FORMAT_UINT
        case .int: VIPS_FORMAT_INT
        case .float: VIPS_FORMAT_FLOAT
        case .complex: VIPS_FORMAT_COMPLEX
        case .double: VIPS_FORMAT_DOUBLE
        case .dpcomplex: VIPS_FORMAT_DPCOMPLEX
        case .unknown: VIPS_FORMAT_NOTSET
        }
    }
}

/// What an image's bands mean, as libvips names interpretations.
public enum Interpretation: String, Sendable, Codable {
    case multiband, bw, histogram, xyz, lab, cmyk, labq, rgb, cmc, lch, labs, srgb, yxy, fourier, rgb16, grey16, matrix, scrgb, hsv, unknown

    init(_ i: VipsInterpretation) {
        switch i {
        case VIPS_INTERPRETATION_MULTIBAND: self = .multiband
        case VIPS_INTERPRETATION_B_W: self = .bw
        case VIPS_INTERPRETATION_HISTOGRAM: self = .histogram
        case VIPS_INTERPRETATION_XYZ: self = .xyz
        case VIPS_INTERPRETATION_LAB: self = .lab
        case VIPS_INTERPRETATION_CMYK: self = .cmyk
        case VIPS_INTERPRETATION_LABQ: self = .labq
        case VIPS_INTERPRETATION_RGB: self = .rgb
        case VIPS_INTERPRETATION_CMC: self = .cmc
        case VIPS_INTERPRETATION_LCH: self = .lch
        case VIPS_INTERPRETATION_LABS: self = .labs
        case VIPS_INTERPRETATION_sRGB: self = .srgb
        case VIPS_INTERPRETATION_YXY: self = .yxy
        case VIPS_INTERPRETATION_FOURIER: self = .fourier
        case VIPS_INTERPRETATION_RGB16: self = .rgb16
        case VIPS_INTERPRETATION_GREY16: self = .grey16
        case VIPS_INTERPRETATION_MATRIX: self = .matrix
        case VIPS_INTERPRETATION_scRGB: self = .scrgb
        case VIPS_INTERPRETATION_HSV: self = .hsv
        default: self = .unknown
        }
    }
}
