extension ColourLUT {
    /// Reads a Hald CLUT from a working-format raster (linear light, as `Image.raster()`
    /// gives it): a square image of side L³ (L = 2…16) whose pixel number
    /// `r + N·g + N²·b` (row-major, N = L²) holds the graded colour of lattice point
    /// `(r, g, b) / (N − 1)`. Pixel values are converted back to encoded sRGB with the exact
    /// transfer function, so an 8- or 16-bit Hald file reads back to its stored codes / 255
    /// (or / 65535). Alpha is ignored.
    ///
    /// - Throws: `.invalidArgument` when the image is not square with a side that is a cube
    ///   of 2…16 (8, 27, 64, … 4096 pixels).
    public init(hald raster: Raster, title: String? = nil) throws(MeldError) {
        guard raster.width == raster.height, let level = (2...16).first(where: { $0 * $0 * $0 == raster.width }) else {
            throw MeldError(.invalidArgument, operation: "hald",
                            "a Hald CLUT image is square with a side of L³ pixels for L = 2…16 (8, 27, 64, 125, … 512, … 4096); this one is \(raster.width)x\(raster.height)")
        }
        let rgb = RasterLayouts.expandedToRGB(raster)
        let n = level * level
        var table = [Float](repeating: 0, count: 3 * n * n * n)
        let hasAlpha = rgb.layout.hasAlpha && rgb.isPremultiplied
        rgb.withView { v in
            for i in 0..<(n * n * n) {
                let a: Float = hasAlpha ? v.plane(3)[i] : 1
                let inv: Float = a > 0 ? 1 / a : 0
                for c in 0..<3 { table[3 * i + c] = SRGBTransfer.encode(v.plane(c)[i] * (hasAlpha ? inv : 1)) }
            }
        }
        try self.init(dimension: .threeD, size: n, table: table, title: title)
    }

    /// The table as a Hald CLUT raster of `level` (2…16; side `level³` pixels, lattice
    /// `level²` per axis), in the working format (linear light RGB), sampling this LUT at
    /// the Hald lattice (tetrahedral interpolation when the sizes differ). Level 8 (512×512,
    /// 64³) is the common choice; level 6 gives a 36³ lattice.
    public func haldRaster(level: Int) throws(MeldError) -> Raster {
        guard (2...16).contains(level) else {
            throw MeldError(.invalidArgument, operation: "hald", "level must be 2…16 (got \(level))")
        }
        let n = level * level, side = level * level * level
        var out = Raster(uninitializedWidth: side, height: side, layout: .rgb)
        let s = Float(n - 1)
        out.withMutableView { v in
            var i = 0
            for b in 0..<n {
                for g in 0..<n {
                    for r in 0..<n {
                        let c = evaluate(Float(r) / s, Float(g) / s, Float(b) / s)
                        v.plane(0)[i] = SRGBTransfer.decode(c.0)
                        v.plane(1)[i] = SRGBTransfer.decode(c.1)
                        v.plane(2)[i] = SRGBTransfer.decode(c.2)
                        i += 1
                    }
                }
            }
        }
        return out
    }
}
