#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MeldCore

/// Recolours a selection to a target colour, keeping its texture and shading; every pixel
/// outside the selection (grown by its feather) keeps its exact value.
///
/// Works in CIE LCh (D65) on straight colour: the selection's lightness structure moves to the
/// target's lightness (deviations from the mean kept, compressed only where a near-white or
/// near-black target leaves no room), hue becomes the target's, and chroma follows the target
/// scaled by each pixel's relative chroma (see ``LocalEdit/recolourFunction(stats:target:)``).
/// Results outside sRGB lose chroma rather than shift hue. Alpha is kept; grey images become RGB.
/// Cost: two Lab conversions per selected pixel plus one statistics pass (~60 ns/px scalar).
public struct Recolor: ImageOperation {
    /// What to recolour.
    public var region: Selection
    /// The colour to move to.
    public var target: Target

    /// Where the target colour comes from.
    public enum Target: Sendable, Hashable, Codable {
        /// An sRGB colour (its alpha is ignored).
        case colour(RGBA)
        /// The mean colour of a swatch image (weighted by its alpha): its mean lightness and
        /// chroma, with the hue of its mean a\*, b\*.
        case swatch(path: String)
    }

    /// Creates a recolour of `region` to `target`.
    public init(region: Selection, to target: Target) {
        self.region = region
        self.target = target
    }

    public func validate() throws(MeldError) {
        try region.validate(operation: "recolor")
        if case .swatch(let path) = target, path.isEmpty { throw EditSupport.fail("recolor", "to: swatch path is empty") }
    }

    /// The target in Lab (loading and measuring a swatch image).
    public func targetLab(schedule: Schedule = .default) throws(MeldError) -> (Float, Float, Float) {
        switch target {
        case .colour(let c):
            return Colour.convert((Float(c.red), Float(c.green), Float(c.blue)), from: .sRGB, to: .lab)
        case .swatch(let path):
            let swatch = try Image(contentsOf: path).raster(schedule: schedule)
            let stats = LocalEdit.statistics(swatch, coverage: Mask(width: swatch.width, height: swatch.height).raster, schedule: schedule)
            guard stats.weight > 0 else { throw EditSupport.fail("recolor", "to: swatch \(path) has no opaque pixels") }
            let hue = atan2(stats.meanB, stats.meanA)
            return (Float(stats.meanL), Float(stats.meanC * cos(hue)), Float(stats.meanC * sin(hue)))
        }
    }

    public func apply(to image: Image) throws(MeldError) -> Image {
        try EditSupport.finish(apply(to: image.raster(), schedule: .default), like: image, schedule: .default)
    }

    /// Recolours a working-format raster (grey rasters become RGB).
    public func apply(to raster: Raster, schedule: Schedule = .default) throws(MeldError) -> Raster {
        let rgb = raster.expandedToRGB()
        let coverage = try region.mask(for: rgb, operation: "recolor", schedule: schedule).raster
        let stats = LocalEdit.statistics(rgb, coverage: coverage, schedule: schedule)
        let f = LocalEdit.recolourFunction(stats: stats, target: try targetLab(schedule: schedule))
        return LocalEdit.apply(rgb, coverage: coverage, schedule: schedule, f)
    }
}

extension Image {
    /// The image with `region` recoloured to `colour` (see ``Recolor``).
    public func recolored(_ region: Selection, to colour: RGBA) throws(MeldError) -> Image {
        try applying(Recolor(region: region, to: .colour(colour)))
    }
}
