import Foundation

/// One step of a ``Session`` or ``Recipe``: a typed operation on the current image.
///
/// Recipes write a step as an object with one key, the step's name, holding its fields in the
/// command line's vocabulary:
///
/// ```yaml
/// - recolor: {region: "wand:420,310~12", to: "#3EB489"}
/// - adjust: {region: "ellipse:800,600,300,200", exposure: 0.5, feather: 20}
/// - remove: {mask: cup.png, seed: 7}
/// - compose: {recipe: props.yaml}
/// - resize: {width: 2000}
/// ```
///
/// The interactive session reads the same vocabulary from one line
/// (`recolor region=wand:420,310~12 to=#3EB489`; see ``init(commandLine:)``). File paths are
/// relative to the recipe (or the session's folder), and a path that is the name of one of the
/// session's inputs means that input's file. Region fields (`region`, `mask`, `grow`, `invert`,
/// `feather`) mean what the `meld edit` options of the same names mean.
public enum Step: Sendable, Hashable {
    /// Recolour a region keeping its texture (``Recolor``).
    case recolor(Recolor)
    /// Exposure, white balance, contrast, saturation or a curve in a region (``Adjust``).
    case adjust(Adjust)
    /// Remove a region and fill it from its surroundings (``Remove``).
    case remove(Remove)
    /// Keep the subject, put a new background behind it (``ReplaceBackground``).
    case background(ReplaceBackground)
    /// Match a masked region's colour and light to its surroundings (``Harmonize``).
    case harmonize(Harmonize)
    /// Compose layers over the current image (canvas `input`) or onto a new canvas.
    case compose(ComposeSource)
    /// Take the colour look of a reference image (``ColourTransfer``).
    case transfer(Transfer)
    /// Apply a 3D LUT from a `.cube` file or Hald CLUT image (``ApplyLUT``).
    case lut(LUT)
    /// Remap colours onto a palette (``PaletteRemap``).
    case remap(Remap)
    /// Lay a pattern onto a region keeping its shading (``TextureTransfer``).
    case texture(Texture)
    /// Resample (``Resize``).
    case resize(Resize)
    /// Cut out a rectangle (``Crop``).
    case crop(Crop)
    /// Rotate (``Rotate``).
    case rotate(Rotate)
    /// Mirror (``Flip``).
    case flip(Flip)
    /// Cut the subject out (or the object in a box) onto transparency (``Cutout``).
    case cutout(Cutout)
    /// A visible mark: text or a logo (``Watermark``).
    case watermark(Watermark)
    /// A keyed invisible mark carrying up to 64 bits (``InvisibleWatermark``). The key is in the
    /// recipe: pass it as a `${variable}` (`meld run --set key=…`) to keep it out of files.
    case invisibleWatermark(InvisibleWatermark)

    /// A composition given inline or by its recipe file.
    public enum ComposeSource: Sendable, Hashable {
        /// The composition itself.
        case inline(Compose)
        /// A compose recipe file (JSON or YAML), read when the step runs; its own relative paths
        /// are relative to its folder.
        case file(String)
    }

    /// A colour transfer from a reference image.
    public struct Transfer: Sendable, Hashable {
        /// The reference image (path or input name).
        public var reference: String
        /// Method, strength and the rest.
        public var transfer: ColourTransfer
        /// Restyle only here (nil: everywhere).
        public var region: Selection?
        /// Measure only this part of the reference.
        public var referenceRegion: Selection?
        /// Creates a transfer step.
        public init(reference: String, transfer: ColourTransfer = ColourTransfer(), region: Selection? = nil, referenceRegion: Selection? = nil) {
            self.reference = reference; self.transfer = transfer; self.region = region; self.referenceRegion = referenceRegion
        }
    }

    /// A 3D LUT from a file.
    public struct LUT: Sendable, Hashable {
        /// Where the LUT comes from.
        public enum Source: Sendable, Hashable {
            /// A `.cube` file.
            case cube(String)
            /// A Hald CLUT image.
            case hald(String)
        }
        /// The file.
        public var source: Source
        /// 0…1.
        public var strength: Double
        /// Grade only here (nil: everywhere).
        public var region: Selection?
        /// Creates a LUT step.
        public init(_ source: Source, strength: Double = 1, region: Selection? = nil) {
            self.source = source; self.strength = strength; self.region = region
        }
    }

    /// A palette remap.
    public struct Remap: Sendable, Hashable {
        /// Where the palette comes from.
        public enum Source: Sendable, Hashable {
            /// These colours, equally weighted.
            case colours([RGBA])
            /// The `count`-colour palette of an image (path or input name).
            case image(String, count: Int)
        }
        /// The target palette.
        public var palette: Source
        /// Keep each pixel's lightness.
        public var keepLightness: Bool
        /// 0…1.
        public var strength: Double
        /// Remap only here (nil: everywhere).
        public var region: Selection?
        /// Creates a remap step.
        public init(palette: Source, keepLightness: Bool = false, strength: Double = 1, region: Selection? = nil) {
            self.palette = palette; self.keepLightness = keepLightness; self.strength = strength; self.region = region
        }
    }

    /// A pattern laid onto a region.
    public struct Texture: Sendable, Hashable {
        /// The pattern image (path or input name).
        public var pattern: String
        /// Where to lay it.
        public var region: Selection
        /// Patch size, scale, shading and seed.
        public var transfer: TextureTransfer
        /// Creates a texture step.
        public init(pattern: String, region: Selection, transfer: TextureTransfer = TextureTransfer()) {
            self.pattern = pattern; self.region = region; self.transfer = transfer
        }
    }

    /// The step's name in recipes and the session (`recolor`, `compose`, …).
    public var name: String {
        switch self {
        case .recolor: "recolor"
        case .adjust: "adjust"
        case .remove: "remove"
        case .background: "background"
        case .harmonize: "harmonize"
        case .compose: "compose"
        case .transfer: "transfer"
        case .lut: "lut"
        case .remap: "remap"
        case .texture: "texture"
        case .resize: "resize"
        case .crop: "crop"
        case .rotate: "rotate"
        case .flip: "flip"
        case .cutout: "cutout"
        case .watermark: "watermark"
        case .invisibleWatermark: "invisible-watermark"
        }
    }

    /// Every step name, and `place` (which the session turns into a one-layer `compose`).
    public static let names = ["recolor", "adjust", "remove", "background", "harmonize", "compose", "place", "transfer",
                               "lut", "remap", "texture", "resize", "crop", "rotate", "flip", "cutout", "watermark", "invisible-watermark"]

    /// Checks every argument that does not need the image.
    public func validate() throws(MeldError) {
        switch self {
        case .recolor(let op): try op.validate()
        case .adjust(let op): try op.validate()
        case .remove(let op): try op.validate()
        case .background(let op): try op.validate()
        case .harmonize(let op): try op.validate()
        case .compose(.inline(let c)): try c.validate()
        case .compose(.file(let p)):
            if p.isEmpty { throw MeldError(.invalidArgument, operation: "compose", "recipe: the path is empty") }
        case .transfer(let t):
            if t.reference.isEmpty { throw MeldError(.invalidArgument, operation: "transfer", "reference: the path is empty") }
            try t.transfer.validate()
            try t.region?.validate(operation: "transfer")
            try t.referenceRegion?.validate(operation: "transfer")
        case .lut(let l):
            switch l.source {
            case .cube(let p), .hald(let p):
                if p.isEmpty { throw MeldError(.invalidArgument, operation: "lut", "the LUT path is empty") }
            }
            if !(l.strength.isFinite && (0...1).contains(l.strength)) {
                throw MeldError(.invalidArgument, operation: "lut", "strength must be 0–1 (got \(l.strength))")
            }
            try l.region?.validate(operation: "lut")
        case .remap(let r):
            switch r.palette {
            case .colours(let c) where c.isEmpty: throw MeldError(.invalidArgument, operation: "remap", "palette: no colours")
            case .colours(let c) where c.count > Palette.maxCount:
                throw MeldError(.invalidArgument, operation: "remap", "palette: at most \(Palette.maxCount) colours (got \(c.count))")
            case .image(let p, let k):
                if p.isEmpty { throw MeldError(.invalidArgument, operation: "remap", "palette: the image path is empty") }
                if !(1...Palette.maxCount).contains(k) {
                    throw MeldError(.invalidArgument, operation: "remap", "colors must be 1–\(Palette.maxCount) (got \(k))")
                }
            default: break
            }
            if !(r.strength.isFinite && (0...1).contains(r.strength)) {
                throw MeldError(.invalidArgument, operation: "remap", "strength must be 0–1 (got \(r.strength))")
            }
            try r.region?.validate(operation: "remap")
        case .texture(let t):
            if t.pattern.isEmpty { throw MeldError(.invalidArgument, operation: "texture", "pattern: the path is empty") }
            try t.region.validate(operation: "texture")
            try t.transfer.validate()
        case .resize(let op): try op.validate()
        case .crop(let op): try op.validate()
        case .rotate(let op): try op.validate()
        case .flip(let op): try op.validate()
        case .cutout(let op): try op.validate()
        case .watermark(let op): try op.validate()
        case .invisibleWatermark(let op): try op.validate()
        }
    }
}

// MARK: Running

extension Step {
    /// What a step needs besides the image: where relative paths start, and the named inputs.
    public struct Context: Sendable {
        /// The folder relative paths are resolved against (nil: the working directory).
        public var baseDirectory: String?
        /// Named input images and the files they came from.
        public var inputs: [String: (image: Image, path: String)]

        /// Creates a context.
        public init(baseDirectory: String? = nil, inputs: [String: (image: Image, path: String)] = [:]) {
            self.baseDirectory = baseDirectory
            self.inputs = inputs
        }

        /// An input's file for its name; relative paths under ``baseDirectory``.
        public func path(_ p: String) -> String {
            if let input = inputs[p] { return input.path }
            if p.hasPrefix("/") || baseDirectory == nil { return p }
            return URL(fileURLWithPath: baseDirectory!).appendingPathComponent(p).path
        }

        /// An input by name, or the image at a path.
        func image(_ p: String) throws(MeldError) -> Image {
            if let input = inputs[p] { return input.image }
            return try Image(contentsOf: path(p))
        }
    }

    /// Runs the step on `image`.
    public func apply(to image: Image, context: Context = Context()) throws(MeldError) -> Image {
        try validate()
        let resolve = { (p: String) in context.path(p) }
        switch self {
        case .recolor(var op):
            op.region = op.region.resolvingPaths(resolve)
            if case .swatch(let p) = op.target { op.target = .swatch(path: resolve(p)) }
            return try image.applying(op)
        case .adjust(var op):
            op.region = op.region.resolvingPaths(resolve)
            return try image.applying(op)
        case .remove(var op):
            op.region = op.region.resolvingPaths(resolve)
            return try image.applying(op)
        case .background(var op):
            op.subject = op.subject.resolvingPaths(resolve)
            if case .image(let p) = op.background { op.background = .image(path: resolve(p)) }
            return try image.applying(op)
        case .harmonize(var op):
            op.mask = resolve(op.mask)
            return try image.applying(op)
        case .compose(let source):
            let composition: Compose, base: String?
            switch source {
            case .inline(let c):
                composition = c
                base = context.baseDirectory
            case .file(let p):
                let file = resolve(p)
                composition = try Compose(recipeAt: file)
                base = (file as NSString).deletingLastPathComponent
            }
            var named: [String: Image] = [:]
            for (k, v) in context.inputs { named[k] = v.image }
            return try composition.render(canvasImage: image, inputs: named, baseDirectory: base, streaming: false)
        case .transfer(let t):
            let reference = try context.image(t.reference).applying(Resize(.fit(width: 1024, height: 1024)))
            let mask = try t.region.map { s throws(MeldError) in try s.resolvingPaths(resolve).mask(for: image, operation: "transfer") }
            let refMask = try t.referenceRegion.map { s throws(MeldError) in try s.resolvingPaths(resolve).mask(for: reference, operation: "transfer") }
            return try t.transfer.apply(to: image, reference: reference, mask: mask, referenceMask: refMask)
        case .lut(let l):
            let lut: ColourLUT = switch l.source {
            case .cube(let p): try ColourLUT(contentsOfCube: resolve(p))
            case .hald(let p): try ColourLUT(haldImage: context.image(p))
            }
            let mask = try l.region.map { s throws(MeldError) in try s.resolvingPaths(resolve).mask(for: image, operation: "lut") }
            return try ApplyLUT(lut: lut, strength: l.strength).apply(to: image, within: mask)
        case .remap(let r):
            let palette: Palette = switch r.palette {
            case .colours(let c): Palette(colours: c)
            case .image(let p, let k): try Palette.extract(from: context.image(p), count: k)
            }
            let mask = try r.region.map { s throws(MeldError) in try s.resolvingPaths(resolve).mask(for: image, operation: "remap") }
            return try PaletteRemap(palette: palette, keepLightness: r.keepLightness, strength: r.strength).apply(to: image, within: mask)
        case .texture(let t):
            let mask = try t.region.resolvingPaths(resolve).mask(for: image, operation: "texture")
            return try t.transfer.apply(to: image, pattern: context.image(t.pattern), region: mask)
        case .resize(let op): return try image.applying(op)
        case .crop(let op): return try image.applying(op)
        case .rotate(let op): return try image.applying(op)
        case .flip(let op): return try image.applying(op)
        case .watermark(var op):
            if case .logo(let p) = op.mark { op.mark = .logo(resolve(p)) }
            return try image.applying(op)
        case .invisibleWatermark(let op): return try image.applying(op)
        case .cutout(let op): return try image.applying(op)
        }
    }

    /// The files the step reads (paths as written, before resolving).
    public var paths: [String] {
        switch self {
        case .recolor(let op):
            if case .swatch(let p) = op.target { return op.region.paths + [p] }
            return op.region.paths
        case .adjust(let op): return op.region.paths
        case .remove(let op): return op.region.paths
        case .background(let op):
            if case .image(let p) = op.background { return op.subject.paths + [p] }
            return op.subject.paths
        case .harmonize(let op): return [op.mask]
        case .compose(.file(let p)): return [p]
        case .compose(.inline(let c)):
            var out: [String] = []
            if case .image(let p) = c.canvas { out.append(p) }
            for layer in c.layers {
                if case .image(let p) = layer.content { out.append(p) }
                if let m = layer.mask { out.append(m) }
            }
            if let r = c.look?.reference { out.append(r) }
            return out
        case .transfer(let t): return [t.reference] + (t.region?.paths ?? []) + (t.referenceRegion?.paths ?? [])
        case .lut(let l):
            switch l.source { case .cube(let p), .hald(let p): return [p] + (l.region?.paths ?? []) }
        case .remap(let r):
            if case .image(let p, _) = r.palette { return [p] + (r.region?.paths ?? []) }
            return r.region?.paths ?? []
        case .texture(let t): return [t.pattern] + t.region.paths
        case .watermark(let op):
            if case .logo(let p) = op.mark { return [p] }
            return []
        case .resize, .crop, .rotate, .flip, .invisibleWatermark, .cutout: return []
        }
    }
}
