/// Shrinks a raster by averaging the source pixels each output pixel covers (box filter over
/// whole source pixels: output x covers source columns ⌊x·W/w⌋ ..< ⌈(x+1)·W/w⌉). Used to make
/// the working image of a segmentation. Row-parallel; each output pixel is the same sum in the
/// same order whatever the schedule, so every schedule gives the same bits.
///
/// Cost: one read of every source pixel per plane.
public enum AreaDownscale {
    /// The raster shrunk to `width × height` (each at most the source's, at least 1).
    public static func apply(_ source: Raster, width: Int, height: Int, schedule: Schedule = .default) -> Raster {
        precondition(width >= 1 && height >= 1 && width <= source.width && height <= source.height)
        var out = Raster(uninitializedWidth: width, height: height, layout: source.layout)
        out.isPremultiplied = source.isPremultiplied
        let sw = source.width, sh = source.height, channels = source.channels
        source.withView { src in
            out.withMutableView { dst in
                TileScheduler.forEachTile(in: Rect(width: width, height: height), schedule: schedule) { tile in
                    for y in tile.y..<tile.maxY {
                        let y0 = y * sh / height, y1 = max(y0 + 1, ((y + 1) * sh + height - 1) / height)
                        for x in tile.x..<tile.maxX {
                            let x0 = x * sw / width, x1 = max(x0 + 1, ((x + 1) * sw + width - 1) / width)
                            let inv = 1 / Float((x1 - x0) * (y1 - y0))
                            for c in 0..<channels {
                                var s: Float = 0
                                for yy in y0..<y1 {
                                    let row = src.row(yy, channel: c)
                                    for xx in x0..<x1 { s += row[xx] }
                                }
                                dst.row(y, channel: c)[x] = s * inv
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
