#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shadows and reflections that ground a cut-out object on a floor, derived from its alpha.
///
/// Coordinates are those of the object's layer (pixel (x, y) covers x…x+1 × y…y+1). The ground
/// line is the lowest row where the object's alpha reaches ½; the footprint is the span of
/// columns whose own lowest opaque pixel lies within 8 % of the object's height of it (a
/// rounded base counts whole). Every
/// result is a density raster (0…1, one grey plane) with its offset from the layer's origin;
/// the caller colours it. Each output pixel is a pure function of its position (per-pixel
/// sampling after a ``GaussianBlur``, which is itself schedule-invariant), so every schedule
/// gives the same bits.
public enum GroundShadow {
    /// Where an object meets the ground.
    public struct Footing: Sendable, Hashable {
        /// Top of the object (first row with alpha ≥ ½).
        public var top: Int
        /// The ground line (one past the last row with alpha ≥ ½).
        public var ground: Int
        /// Footprint span: first column …
        public var left: Int
        /// … and one past the last.
        public var right: Int
        /// Object height in pixels.
        public var height: Int { ground - top }
        /// A footing from its rows and columns.
        public init(top: Int, ground: Int, left: Int, right: Int) {
            self.top = top; self.ground = ground; self.left = left; self.right = right
        }
    }

    /// The footing of an alpha plane (channel `channel` of `layer`), or nil when nothing is opaque.
    public static func footing(of layer: Raster, channel: Int) -> Footing? {
        let w = layer.width, h = layer.height
        var bottoms = [Int](repeating: -1, count: w)
        var top = Int.max
        layer.withView { v in
            let a = v.plane(channel)
            for y in 0..<h {
                for x in 0..<w where a[y * w + x] >= 0.5 {
                    bottoms[x] = y
                    top = min(top, y)
                }
            }
        }
        guard let lowest = bottoms.max(), lowest >= 0 else { return nil }
        let ground = lowest + 1
        let tolerance = max(1, (ground - top) * 8 / 100)
        let near = bottoms.indices.filter { bottoms[$0] >= 0 && ground - 1 - bottoms[$0] <= tolerance }
        return Footing(top: top, ground: ground, left: near.first ?? 0, right: (near.last ?? 0) + 1)
    }

    /// A soft, dark elliptical blob under the footprint: a wide soft part and a tight core, both
    /// Gaussian falloffs of an ellipse centred a fifth of its half-height below the ground line
    /// (so it peeks out in front of the base and at its sides) whose half-width is 0.6 × the
    /// footprint width (+ 2 % of the height) and whose half-height is 12 % of the footprint width
    /// + 1.5 % of the object's height, × `softness` (at least 2 pixels).
    public static func contact(_ f: Footing, softness: Double = 1) -> (density: Raster, x: Int, y: Int) {
        let cx = Double(f.left + f.right) / 2, cy = Double(f.ground) - 0.5
        let ax = max(2, 0.6 * Double(f.right - f.left) + 0.02 * Double(f.height))
        let ay = max(2, (0.12 * Double(f.right - f.left) + 0.015 * Double(f.height)) * softness)
        let x0 = Int((cx - 1.6 * ax).rounded(.down)), x1 = Int((cx + 1.6 * ax).rounded(.up))
        let y0 = Int((cy - 2.2 * ay).rounded(.down)), y1 = Int((cy + 2.8 * ay).rounded(.up))
        var out = Raster(width: x1 - x0, height: y1 - y0, layout: .gray)
        out.isPremultiplied = false
        out.withMutableView { v in
            for y in 0..<(y1 - y0) {
                for x in 0..<(x1 - x0) {
                    let dx = (Double(x + x0) + 0.5 - cx) / ax, dy = (Double(y + y0) + 0.5 - cy - 0.2 * ay) / ay
                    let wide = exp(-2 * (dx * dx + dy * dy))
                    let core = exp(-6 * (dx * dx / 0.7 + dy * dy * 3))
                    v.plane(0)[y * (x1 - x0) + x] = Float(min(1, 0.75 * wide + 0.7 * core))
                }
            }
        }
        return (out, x0, y0)
    }

    /// The silhouette (its footprint columns filled down to the ground line, so a rounded base
    /// stands flat) projected on the ground plane by a light: a point at height H above the
    /// ground line lands `length × H` away along `angle` (degrees clockwise from straight up the
    /// picture: 0 falls behind the object, 90 to the right, 180 toward the viewer). The shadow
    /// blurs with distance (σ from `softness` px at the contact to 6 % of the object's height ×
    /// `softness` at the tip) and fades (to 40 % at the tip).
    public static func cast(alpha layer: Raster, channel: Int, footing f: Footing, angle: Double, length: Double,
                            softness: Double = 1, schedule: Schedule = .default) -> (density: Raster, x: Int, y: Int) {
        let w = layer.width, objectHeight = Double(max(1, f.height))
        let theta = angle * .pi / 180
        var c = length * cos(theta)
        let t = length * sin(theta)
        if abs(c) < 0.08 { c = c < 0 ? -0.08 : 0.08 }
        // Blurred silhouettes at increasing σ, padded so the blur is not clipped.
        let sigmas = [max(0.5, softness), max(0.5, 0.02 * objectHeight * softness), max(0.5, 0.06 * objectHeight * softness)]
        let pad = Int((3 * sigmas[2]).rounded(.up)) + 1
        var silhouette = Raster(width: w + 2 * pad, height: layer.height + 2 * pad, layout: .gray)
        silhouette.isPremultiplied = false
        layer.withView { v in
            silhouette.withMutableView { s in
                for y in 0..<layer.height {
                    for x in 0..<w { s.plane(0)[(y + pad) * (w + 2 * pad) + x + pad] = max(0, min(1, v.plane(channel)[y * w + x])) }
                }
                // A rounded base (a bottle's bottom seen from above) stands on its whole footprint:
                // fill each footprint column from its lowest opaque pixel down to the ground line.
                let tolerance = max(1, f.height * 8 / 100)
                for x in max(0, f.left)..<min(w, f.right) {
                    var bottom = -1
                    for y in stride(from: min(layer.height, f.ground) - 1, through: max(0, f.ground - 1 - tolerance), by: -1)
                        where v.plane(channel)[y * w + x] >= 0.5 { bottom = y; break }
                    guard bottom >= 0 else { continue }
                    for y in bottom..<min(layer.height, f.ground) { s.plane(0)[(y + pad) * (w + 2 * pad) + x + pad] = 1 }
                }
            }
        }
        let levels = sigmas.map { GaussianBlur(sigma: Float($0)).apply(to: silhouette, schedule: schedule) }
        // Extent: the projected corners of the object's box, plus the blur.
        let g = Double(f.ground)
        var xs: [Double] = [], ys: [Double] = []
        for (x, y) in [(0.0, Double(f.top)), (Double(w), Double(f.top)), (0.0, g), (Double(w), g)] {
            let hgt = g - y
            xs.append(x + t * hgt); ys.append(g - c * hgt)
        }
        let x0 = Int((xs.min()! - Double(pad)).rounded(.down)), x1 = Int((xs.max()! + Double(pad)).rounded(.up))
        let y0 = Int((ys.min()! - Double(pad)).rounded(.down)), y1 = Int((ys.max()! + Double(pad)).rounded(.up))
        let ow = max(1, x1 - x0), oh = max(1, y1 - y0)
        var out = Raster(width: ow, height: oh, layout: .gray)
        out.isPremultiplied = false
        let sw = w + 2 * pad, sh = layer.height + 2 * pad
        func sample(_ r: RasterView, _ x: Double, _ y: Double) -> Double {
            // Bilinear, zero outside.
            let fx = x - 0.5 + Double(pad), fy = y - 0.5 + Double(pad)
            let ix = Int(fx.rounded(.down)), iy = Int(fy.rounded(.down))
            let ax = fx - Double(ix), ay = fy - Double(iy)
            func at(_ x: Int, _ y: Int) -> Double { x < 0 || y < 0 || x >= sw || y >= sh ? 0 : Double(r.plane(0)[y * sw + x]) }
            return (at(ix, iy) * (1 - ax) + at(ix + 1, iy) * ax) * (1 - ay) + (at(ix, iy + 1) * (1 - ax) + at(ix + 1, iy + 1) * ax) * ay
        }
        let views = levels
        views[0].withView { l0 in views[1].withView { l1 in views[2].withView { l2 in
            out.withMutableView { o in
                for y in 0..<oh {
                    for x in 0..<ow {
                        let u = Double(x + x0) + 0.5, v = Double(y + y0) + 0.5
                        let hgt = (g - v) / c
                        guard hgt >= 0 else { continue }
                        let sx = u - t * hgt, sy = g - hgt
                        let d = min(1, hgt / objectHeight)
                        // Blend the blur levels by distance: 0 → level 0, ½ → level 1, 1 → level 2.
                        let value: Double
                        if d < 0.5 {
                            let k = d / 0.5
                            value = sample(l0, sx, sy) * (1 - k) + sample(l1, sx, sy) * k
                        } else {
                            let k = (d - 0.5) / 0.5
                            value = sample(l1, sx, sy) * (1 - k) + sample(l2, sx, sy) * k
                        }
                        o.plane(0)[y * ow + x] = Float(max(0, min(1, value * (1 - 0.6 * d))))
                    }
                }
            }
        } } }
        return (out, x0, y0)
    }

    /// The object mirrored about the ground line (premultiplied RGBA in, premultiplied RGBA
    /// out), its opacity falling from `opacity` at the ground line to 0 at `fade` × the object's
    /// height below it (quadratically). Offset (0, ground).
    public static func reflection(_ layer: Raster, footing f: Footing, opacity: Double, fade: Double) -> (image: Raster, x: Int, y: Int) {
        precondition(layer.layout == .rgba)
        let w = layer.width
        let depth = max(1, min(f.ground, Int((fade * Double(f.height)).rounded())))
        var out = Raster(width: w, height: depth, layout: .rgba)
        layer.withView { src in
            out.withMutableView { dst in
                for k in 0..<depth {
                    let sy = f.ground - 1 - k
                    let falloff = 1 - Double(k) / Double(depth)
                    let weight = Float(opacity * falloff * falloff)
                    for c in 0..<4 {
                        let s = src.row(sy, channel: c), d = dst.row(k, channel: c)
                        for x in 0..<w { d[x] = s[x] * weight }
                    }
                }
            }
        }
        return (out, 0, f.ground)
    }
}
