import MeldCore

/// What every Edit shares: render the image, render the selection, write the result with the
/// source's bit depth and provenance (so writing over the input is still refused).
enum EditSupport {
    /// The working raster of `image` and the coverage of `region` on it.
    static func prepare(_ image: Image, region: Selection, operation: String,
                        schedule: Schedule) throws(MeldError) -> (raster: Raster, coverage: Raster) {
        let raster = try image.raster(schedule: schedule)
        let mask = try region.mask(for: raster, operation: operation, schedule: schedule)
        return (raster, mask.raster)
    }

    /// An image of `raster` at the source's bit depth (16 stays 16, else 8), keeping its sources.
    static func finish(_ raster: Raster, like image: Image, schedule: Schedule) throws(MeldError) -> Image {
        try image.replacingPixels(with: raster, schedule: schedule)
    }

    static func fail(_ operation: String, _ message: String) -> MeldError {
        MeldError(.invalidArgument, operation: operation, message)
    }
}
