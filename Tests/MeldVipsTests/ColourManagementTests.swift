import MeldCore
import MeldTestSupport
import MeldVips
import Testing

/// Import converts an embedded profile's colours to sRGB; these tests show that it does, and
/// that it matters: the same pixels read without their profile are far off.
@Suite("Colour management on import", .libvipsShared)
struct ColourManagementTests {
    static let reference = Files.fixture("colour/citrus-srgb.jpg")

    /// (file, bound on the mean |difference| in linear light with the profile, bound below
    /// which the difference without it must not fall).
    @Test(arguments: [
        // P3: only JPEG Q95 re-quantisation in another space (measured 0.0063); read as sRGB
        // codes, the desaturated P3 numbers are off by 0.02–0.03.
        ("colour/citrus-p3.jpg", 0.01, 0.015),
        // CMYK: the profile round-trips to 1e-4, the rest is JPEG Q95 on four planes (measured
        // 0.0033); libvips' default press profile in its place is off by 0.035.
        ("colour/citrus-cmyk.jpg", 0.006, 0.02),
    ])
    func profileIsHonoured(file: String, managedBound: Double, unmanagedAtLeast: Double) throws {
        let original = try PixelBridge.raster(from: load(Self.reference))
        let tagged = try load(Files.fixture(file))
        let managed = try PixelBridge.raster(from: tagged)
        try #require(managed.width == original.width && managed.height == original.height && managed.layout == .rgb)
        let managedError = meanAbsColourDifference(managed, original)
        #expect(managedError < managedBound, "with profile: \(managedError)")

        // The same pixels with the profile removed: P3 codes read as sRGB, CMYK through
        // libvips' default press profile instead of the embedded one.
        let stripped = try tagged.withICCProfile(nil)
        #expect(stripped.iccProfile == nil)
        let unmanaged = try PixelBridge.raster(from: stripped)
        let unmanagedError = meanAbsColourDifference(unmanaged, original)
        #expect(unmanagedError > unmanagedAtLeast, "without profile: \(unmanagedError)")
        #expect(unmanagedError > 4 * managedError)
    }

    @Test func cmykConvertsToThreeBandSRGB() throws {
        let cmyk = try load(Files.fixture("colour/citrus-cmyk.jpg"))
        #expect(cmyk.interpretation == .cmyk && cmyk.bands == 4 && !cmyk.hasAlpha)
        let rgb = try cmyk.convertedToSRGB(depth: 8)
        #expect(rgb.bands == 3 && rgb.interpretation == .srgb && rgb.sampleFormat == .uchar)
        let rgb16 = try cmyk.convertedToSRGB(depth: 16)
        #expect(rgb16.bands == 3 && rgb16.sampleFormat == .ushort)
    }

    /// An sRGB-tagged image is taken as is: the import equals that of the same pixels untagged.
    @Test func srgbProfileNeedsNoTransform() throws {
        let tagged = try load(Files.sample("citrus_fruits.jpg"))
        #expect(tagged.iccProfile != nil)
        let a = try PixelBridge.raster(from: tagged)
        let b = try PixelBridge.raster(from: tagged.withICCProfile(nil))
        #expect(a == b)
    }
}
