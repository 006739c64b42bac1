/// Which channels a raster holds, in plane order. Alpha, when present, is always the last plane.
public enum PixelLayout: String, Sendable, Codable, CaseIterable {
    /// One luminance channel.
    case gray
    /// Luminance and alpha.
    case grayAlpha
    /// Red, green and blue.
    case rgb
    /// Red, green, blue and alpha.
    case rgba

    /// The number of planes.
    public var channels: Int {
        switch self {
        case .gray: 1
        case .grayAlpha: 2
        case .rgb: 3
        case .rgba: 4
        }
    }

    /// The number of colour (non-alpha) planes.
    public var colourChannels: Int { hasAlpha ? channels - 1 : channels }

    /// Whether the last plane is alpha.
    public var hasAlpha: Bool { self == .grayAlpha || self == .rgba }

    /// The layout with `channels` planes, or nil for other counts.
    public init?(channels: Int) {
        switch channels {
        case 1: self = .gray
        case 2: self = .grayAlpha
        case 3: self = .rgb
        case 4: self = .rgba
        default: return nil
        }
    }

    /// The same layout with an alpha plane added.
    public var addingAlpha: PixelLayout { self == .gray ? .grayAlpha : (self == .rgb ? .rgba : self) }
}
