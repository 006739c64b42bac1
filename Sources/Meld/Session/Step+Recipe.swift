import Foundation

// Steps to and from the recipe vocabulary: `{recolor: {region: …, to: …}}`.

extension Step: Codable {
    /// Decodes `{"recolor": {"region": "…", "to": "#3EB489"}}` (see the type's discussion).
    public init(from decoder: any Decoder) throws {
        let value = try RecipeValue(from: decoder)
        var path = RecipePath()
        path.parts = decoder.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
        if path.parts.first?.hasPrefix(".") == true { path.parts[0].removeFirst() }
        self = try Step(RecipeValue.Located(value), path: path)
    }

    /// Encodes in the recipe vocabulary.
    public func encode(to encoder: any Encoder) throws {
        try recipeValue().encode(to: encoder)
    }
}

extension Step {
    /// Reads a step from its recipe form.
    init(_ located: RecipeValue.Located, path: RecipePath) throws(MeldError) {
        guard case .object(let pairs) = located.value, pairs.count == 1 else {
            throw path.error(line: located.line, "a step is an object with one key, the step's name (\(Step.names.joined(separator: ", ")))")
        }
        let name = pairs[0].key, body = pairs[0].value
        let here = path.key(name)
        var f = try RecipeFields(body, path: here)
        if let known = Self.fields[name] {
            // Unknown fields first: a misspelt field is the likelier story than a missing one.
            try f.rejectUnknown(known: known)
        }
        let op = Self.operationName(name)
        do throws(MeldError) {
            switch name {
            case "recolor":
                let region = try Self.region(&f, required: true)!
                let to = try f.string("to"), swatch = try f.string("swatch")
                let target: Recolor.Target
                switch (to, swatch) {
                case (let t?, nil):
                    guard let c = RGBA(t) else { throw here.key("to").error(line: f.line, "unknown colour '\(t)'; use #RRGGBB or a CSS colour name") }
                    target = .colour(c)
                case (nil, let s?): target = .swatch(path: s)
                default: throw here.error(line: f.line, "give exactly one of to (a colour) or swatch (an image)")
                }
                self = .recolor(Recolor(region: region, to: target))
            case "adjust":
                let region = try Self.region(&f, required: false) ?? .all
                var curve: [ToneCurve.Point]?
                if let raw = f.raw("curve") { curve = try Self.curve(raw, path: here.key("curve")) }
                self = .adjust(Adjust(region: region, exposure: try f.double("exposure") ?? 0, temperature: try f.double("temperature") ?? 0,
                                      tint: try f.double("tint") ?? 0, contrast: try f.double("contrast") ?? 0,
                                      saturation: try f.double("saturation") ?? 0, curve: curve))
            case "remove":
                let region = try Self.region(&f, required: true)!
                let method: Remove.Method
                switch try f.string("method")?.lowercased() ?? "auto" {
                case "auto": method = .automatic
                case "patchmatch": method = .patchMatch
                case "diffusion": method = .diffusion
                case let m: throw here.key("method").error(line: f.line, "'\(m)' is not auto, patchmatch or diffusion")
                }
                self = .remove(Remove(region: region, method: method, seed: try f.uint64("seed") ?? 0, patchSize: try f.int("patch-size") ?? 7))
            case "background":
                let subject = try Self.region(&f, required: false) ?? .subject
                let with = try f.requiredString("with")
                self = .background(ReplaceBackground(subject: subject, background: try Self.background(with, path: here.key("with"), line: f.line),
                                                     harmonization: try f.double("harmonize") ?? 0))
            case "harmonize":
                let mask = try f.requiredString("mask")
                let methodName = try f.string("method") ?? "auto"
                guard let method = HarmonizeMethod(rawValue: methodName) else {
                    throw here.key("method").error(line: f.line, "'\(methodName)' is not one of \(HarmonizeMethod.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                var reference = Harmonize.defaultRing
                if let ring = try f.string("ring") {
                    guard let l = Length(ring) else { throw here.key("ring").error(line: f.line, "takes pixels (80) or a percentage (10%), got '\(ring)'") }
                    reference = .ring(l)
                }
                switch try f.string("reference") {
                case nil, "ring": break
                case "whole": reference = .whole
                case let other?: throw here.key("reference").error(line: f.line, "'\(other)' is not ring or whole")
                }
                self = .harmonize(Harmonize(mask: mask, method: method, strength: try f.double("strength") ?? 1, reference: reference,
                                            focus: try f.bool("focus") ?? false))
            case "compose":
                if let recipe = try f.string("recipe") {
                    self = .compose(.file(recipe))
                } else {
                    let c = try body.value.decode(Compose.self, path: here, line: body.line)
                    for k in Compose.CodingKeys.allCases.map(\.rawValue) { _ = f.raw(k) }
                    self = .compose(.inline(c))
                }
            case "place":
                self = .compose(.inline(try Self.place(&f, path: here)))
            case "transfer":
                let reference = try f.requiredString("reference")
                let methodName = try f.string("method") ?? "reinhard"
                guard let method = ColourTransfer.Method(rawValue: methodName) else {
                    throw here.key("method").error(line: f.line, "'\(methodName)' is not reinhard or ot")
                }
                let d = ColourTransfer()
                let t = ColourTransfer(method: method, strength: try f.double("strength") ?? 1, regrain: try f.bool("regrain") ?? d.regrain,
                                       iterations: try f.int("iterations") ?? d.iterations, seed: try f.uint64("seed") ?? d.seed)
                let referenceRegion = try f.string("reference-region").map { s throws(MeldError) in try Selection(spec: s, operation: op) }
                self = .transfer(Transfer(reference: reference, transfer: t, region: try Self.region(&f, required: false), referenceRegion: referenceRegion))
            case "lut":
                let cube = try f.string("cube"), hald = try f.string("hald")
                let source: LUT.Source
                switch (cube, hald) {
                case (let c?, nil): source = .cube(c)
                case (nil, let h?): source = .hald(h)
                default: throw here.error(line: f.line, "give exactly one of cube (a .cube file) or hald (a Hald CLUT image)")
                }
                self = .lut(LUT(source, strength: try f.double("strength") ?? 1, region: try Self.region(&f, required: false)))
            case "remap":
                let paletteText = try f.requiredString("palette")
                let palette: Remap.Source
                if paletteText.hasPrefix("image:") {
                    palette = .image(String(paletteText.dropFirst(6)), count: try f.int("colors") ?? 6)
                } else {
                    _ = f.raw("colors")
                    var colours: [RGBA] = []
                    for part in paletteText.split(separator: ",") {
                        let t = part.trimmingCharacters(in: .whitespaces)
                        guard let c = RGBA(t) else { throw here.key("palette").error(line: f.line, "'\(t)' is not a colour") }
                        colours.append(c)
                    }
                    palette = .colours(colours)
                }
                self = .remap(Remap(palette: palette, keepLightness: try f.bool("keep-lightness") ?? false,
                                    strength: try f.double("strength") ?? 1, region: try Self.region(&f, required: false)))
            case "texture":
                let pattern = try f.requiredString("pattern")
                let d = TextureTransfer()
                let t = TextureTransfer(patchSize: try f.int("patch"), patternScale: try f.double("pattern-scale") ?? d.patternScale,
                                        shading: try f.double("shading") ?? d.shading, seed: try f.uint64("seed") ?? d.seed)
                self = .texture(Texture(pattern: pattern, region: try Self.region(&f, required: true)!, transfer: t))
            case "resize":
                self = .resize(try Self.resize(&f, path: here))
            case "crop":
                let r: Rect
                if let rect = try f.string("rect") {
                    r = try Self.rect(rect, path: here.key("rect"), line: f.line)
                } else {
                    guard let w = try f.int("width"), let h = try f.int("height") else {
                        throw here.error(line: f.line, "give rect: x,y,w,h (or x, y, width and height)")
                    }
                    r = Rect(x: try f.int("x") ?? 0, y: try f.int("y") ?? 0, width: w, height: h)
                }
                self = .crop(Crop(r))
            case "rotate":
                guard let degrees = try f.double("degrees") else { throw here.key("degrees").error(line: f.line, "missing") }
                var background = RGBA.clear
                if let b = try f.string("background") {
                    guard let c = RGBA(b) else { throw here.key("background").error(line: f.line, "unknown colour '\(b)'") }
                    background = c
                }
                self = .rotate(Rotate(degrees: degrees, background: background))
            case "flip":
                switch try f.string("axis")?.lowercased() ?? "horizontal" {
                case "horizontal", "h": self = .flip(Flip(.horizontal))
                case "vertical", "v": self = .flip(Flip(.vertical))
                case let a: throw here.key("axis").error(line: f.line, "'\(a)' is not horizontal or vertical")
                }
            case "cutout":
                var box: Rect?
                if let text = try f.string("box") { box = try Self.rect(text, path: here.key("box"), line: f.line) }
                let d = Cutout()
                self = .cutout(Cutout(box: box, edgeRadius: try f.int("edge-radius"), despill: try f.bool("despill") ?? d.despill,
                                      refineEdges: try f.bool("refine-edges") ?? d.refineEdges))
            case "watermark":
                for k in Self.fields["watermark"]! { _ = f.raw(k) }
                self = .watermark(try body.value.decode(Watermark.self, path: here, line: body.line))
            case "invisible-watermark":
                let key = try f.requiredString("key")
                let payload = try WatermarkPayload(hex: try f.requiredString("payload"))
                self = .invisibleWatermark(InvisibleWatermark(key: key, payload: payload, strength: try f.double("strength") ?? 1))
            default:
                throw path.key(name).error(line: located.line, "unknown step '\(name)'; steps are \(Step.names.joined(separator: ", "))")
            }
            try f.rejectUnknown()
            try validate()
        } catch let e where e.operation == "recipe" {
            throw e
        } catch {
            // A validation message ("region: …") gets the step's place in front.
            throw here.error(line: f.line, error.message, kind: error.kind)
        }
    }

    static func operationName(_ step: String) -> String { step }

    static let regionFields = ["region", "mask", "grow", "invert", "feather"]
    static let resizeFields = ["scale", "width", "height", "fit", "fill", "exact", "kernel"]

    /// The fields each step reads.
    public static let fields: [String: [String]] = [
        "recolor": regionFields + ["to", "swatch"],
        "adjust": regionFields + ["exposure", "temperature", "tint", "contrast", "saturation", "curve"],
        "remove": regionFields + ["method", "seed", "patch-size"],
        "background": regionFields + ["with", "harmonize"],
        "harmonize": ["mask", "method", "strength", "ring", "reference", "focus"],
        "compose": ["recipe", "canvas", "layers", "space", "harmonize", "look"],
        "place": ["image", "x", "y", "anchor", "width", "height", "fit", "rotate", "opacity", "feather", "blend", "mask", "name", "harmonize"],
        "transfer": regionFields + ["reference", "method", "strength", "regrain", "iterations", "seed", "reference-region"],
        "lut": regionFields + ["cube", "hald", "strength"],
        "remap": regionFields + ["palette", "colors", "keep-lightness", "strength"],
        "texture": regionFields + ["pattern", "pattern-scale", "patch", "shading", "seed"],
        "resize": resizeFields,
        "crop": ["rect", "x", "y", "width", "height"],
        "rotate": ["degrees", "background"],
        "flip": ["axis"],
        "cutout": ["box", "edge-radius", "despill", "refine-edges"],
        "watermark": ["text", "logo", "placement", "size", "margin", "angle", "opacity", "blend", "color", "font", "spacing", "shadow"],
        "invisible-watermark": ["key", "payload", "strength"],
    ]

    /// `region` (spec or structured), `mask`, `grow`, `invert`, `feather`.
    static func region(_ f: inout RecipeFields, required: Bool) throws(MeldError) -> Selection? {
        var s: Selection?
        let path = f.path
        if let r = f.raw("region") {
            switch r.value {
            case .string(let spec) where spec.hasPrefix("{"):
                // A structured selection written on one line (the session's command form).
                let tree = try RecipeValue.parse(spec, yaml: false, name: path.key("region").description)
                s = try tree.value.decode(Selection.self, path: path.key("region"), line: r.line)
            case .string(let spec): s = try Selection(spec: spec, operation: path.parts.last.map { String($0.drop { $0 == "." }) } ?? "region")
            case .object: s = try r.value.decode(Selection.self, path: path.key("region"), line: r.line)
            default: throw path.key("region").error(line: r.line, "expected a region spec, found \(r.value.kindName)")
            }
        }
        if let m = try f.string("mask") {
            guard s == nil else { throw path.error(line: f.line, "give region or mask, not both") }
            s = .mask(path: m)
        }
        let grow = try f.int("grow") ?? 0, invert = try f.bool("invert") ?? false, feather = try f.int("feather") ?? 0
        guard var selection = s else {
            if required { throw path.error(line: f.line, "give region: SPEC or mask: PATH") }
            if grow != 0 || invert || feather != 0 { throw path.error(line: f.line, "grow, invert and feather need a region or mask") }
            return nil
        }
        if grow != 0 { selection = selection.grown(by: grow) }
        if invert { selection = selection.inverse }
        if feather != 0 { selection = selection.feathered(radius: feather) }
        return selection
    }

    static func curve(_ raw: RecipeValue.Located, path: RecipePath) throws(MeldError) -> [ToneCurve.Point] {
        var points: [ToneCurve.Point] = []
        switch raw.value {
        case .string(let text):
            for pair in text.split(separator: ",") {
                let xy = pair.split(separator: ":")
                guard xy.count == 2, let x = Float(xy[0]), let y = Float(xy[1]) else {
                    throw path.error(line: raw.line, "'\(pair)' is not x:y (e.g. 0.5:0.6)")
                }
                points.append(ToneCurve.Point(x: x, y: y))
            }
        case .array(let items):
            for item in items {
                guard case .array(let xy) = item.value, xy.count == 2, case .number(let x) = xy[0].value, case .number(let y) = xy[1].value else {
                    throw path.error(line: item.line, "each point is [x, y]")
                }
                points.append(ToneCurve.Point(x: Float(x), y: Float(y)))
            }
        default: throw path.error(line: raw.line, "expected \"x:y,x:y,…\" or a list of [x, y]")
        }
        return points
    }

    static func background(_ with: String, path: RecipePath, line: Int?) throws(MeldError) -> ReplaceBackground.Background {
        if let colour = RGBA(with) { return .colour(colour) }
        if with.contains("..") {
            var text = Substring(with), angle = 90.0
            if let at = text.lastIndex(of: "@") {
                guard let a = Double(text[text.index(after: at)...]) else { throw path.error(line: line, "bad gradient angle in '\(with)'") }
                angle = a
                text = text[..<at]
            }
            let parts = text.components(separatedBy: "..")
            guard parts.count == 2, let a = RGBA(parts[0]), let b = RGBA(parts[1]) else {
                throw path.error(line: line, "'\(with)' is not a gradient COLOR..COLOR[@angle] of known colours")
            }
            return .linearGradient(from: a, to: b, angle: angle)
        }
        if with.contains("/") || with.contains(".") { return .image(path: with) }
        throw path.error(line: line, "unknown colour '\(with)'; use #RRGGBB, a CSS colour name, A..B for a gradient or an image path")
    }

    static func resize(_ f: inout RecipeFields, path: RecipePath) throws(MeldError) -> Resize {
        var modes: [Resize.Mode] = []
        func box(_ key: String, _ make: (Int, Int) -> Resize.Mode) throws(MeldError) {
            guard let s = try f.string(key) else { return }
            let parts = s.lowercased().split(separator: "x")
            guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else {
                throw path.key(key).error(line: f.line, "takes WIDTHxHEIGHT, got '\(s)'")
            }
            modes.append(make(w, h))
        }
        if let s = try f.double("scale") { modes.append(.scale(s)) }
        if let w = try f.int("width") { modes.append(.width(w)) }
        if let h = try f.int("height") { modes.append(.height(h)) }
        try box("fit") { .fit(width: $0, height: $1) }
        try box("fill") { .fill(width: $0, height: $1) }
        try box("exact") { .exact(width: $0, height: $1) }
        if modes.count == 2, case .width(let w) = modes[0], case .height(let h) = modes[1] { modes = [.fit(width: w, height: h)] }
        guard modes.count == 1 else { throw path.error(line: f.line, "give one of scale, width, height (or both), fit, fill or exact") }
        var kernel = ResampleKernel.lanczos3
        if let k = try f.string("kernel") {
            guard let parsed = ResampleKernel(rawValue: k) else {
                throw path.key("kernel").error(line: f.line, "'\(k)' is not one of \(ResampleKernel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kernel = parsed
        }
        return Resize(modes[0], kernel: kernel)
    }

    /// A seed as a number when a double holds it exactly, else as its decimal text.
    static func seedValue(_ seed: UInt64) -> RecipeValue {
        seed < (1 << 53) ? .number(Double(seed)) : .string(String(seed))
    }

    /// `x,y,width,height` in whole pixels, each within ±1e9 (so that no edge overflows).
    static func rect(_ text: String, path: RecipePath, line: Int?) throws(MeldError) -> Rect {
        let v = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, let x = v[0], let y = v[1], let w = v[2], let h = v[3], [x, y, w, h].allSatisfy({ abs($0) < 1_000_000_000 }) else {
            throw path.error(line: line, "takes x,y,width,height in whole pixels (each within ±1e9), got '\(text)'")
        }
        return Rect(x: x, y: y, width: w, height: h)
    }

    /// The recipe fields of a resize (`width: 800`, `fit: 400x300`, `kernel: …`).
    static func resizeFields(_ r: Resize) -> [(key: String, value: RecipeValue.Located)] {
        var out: [(key: String, value: RecipeValue.Located)] = []
        switch r.mode {
        case .scale(let s): out.append(("scale", .init(.number(s))))
        case .width(let w): out.append(("width", .init(.number(Double(w)))))
        case .height(let h): out.append(("height", .init(.number(Double(h)))))
        case .fit(let w, let h): out.append(("fit", .init(.string("\(w)x\(h)"))))
        case .fill(let w, let h): out.append(("fill", .init(.string("\(w)x\(h)"))))
        case .exact(let w, let h): out.append(("exact", .init(.string("\(w)x\(h)"))))
        }
        if r.kernel != .lanczos3 { out.append(("kernel", .init(.string(r.kernel.rawValue)))) }
        return out
    }

    /// `place image=NAME|PATH [x= y=] [anchor=] [width=] [height=] [blend=] [opacity=] [harmonize=]`:
    /// one layer over the current image.
    static func place(_ f: inout RecipeFields, path: RecipePath) throws(MeldError) -> Compose {
        var layer: [(key: String, value: RecipeValue.Located)] = []
        let image = try f.requiredString("image")
        layer.append(("image", .init(.string(image))))
        let x = try f.string("x"), y = try f.string("y")
        let anchor = try f.string("anchor") ?? (x != nil || y != nil ? "top-left" : "centre")
        layer.append(("anchor", .init(.string(anchor))))
        if x != nil || y != nil {
            layer.append(("offset", .init(.array([.init(.string(x ?? "0")), .init(.string(y ?? "0"))]))))
        }
        for key in ["width", "height", "fit", "rotate", "opacity", "feather", "blend", "mask", "name"] {
            if let v = f.raw(key) { layer.append((key, v)) }
        }
        if let h = try f.string("harmonize") { layer.append(("harmonize", .init(.string(h)))) }
        let compose = RecipeValue.object([("canvas", .init(.string("input"))), ("layers", .init(.array([.init(.object(layer))])))])
        return try compose.decode(Compose.self, path: path, line: f.line)
    }
}

// MARK: Writing

extension Step {
    /// The step in the recipe vocabulary.
    func recipeValue() throws(MeldError) -> RecipeValue {
        var fields: [(key: String, value: RecipeValue.Located)] = []
        func put(_ k: String, _ v: RecipeValue) { fields.append((k, .init(v))) }
        func putNumber(_ k: String, _ d: Double, unless def: Double? = nil) { if d != def { put(k, .number(d)) } }
        func putRegion(_ s: Selection?) throws(MeldError) {
            guard var s else { return }
            var feather = 0, invert = false, grow = 0
            if case .feathered(let inner, let r) = s { feather = r; s = inner }
            if case .inverted(let inner) = s { invert = true; s = inner }
            if case .grown(let inner, let by) = s { grow = by; s = inner }
            if let spec = s.spec { put("region", .string(spec)) } else { put("region", try RecipeValue.from(s)) }
            if grow != 0 { put("grow", .number(Double(grow))) }
            if invert { put("invert", .bool(true)) }
            if feather != 0 { put("feather", .number(Double(feather))) }
        }
        switch self {
        case .recolor(let op):
            try putRegion(op.region)
            switch op.target {
            case .colour(let c): put("to", .string(c.alpha == 1 ? String(c.description.prefix(7)) : c.description))
            case .swatch(let p): put("swatch", .string(p))
            }
        case .adjust(let op):
            if op.region != .all { try putRegion(op.region) }
            putNumber("exposure", op.exposure, unless: 0)
            putNumber("temperature", op.temperature, unless: 0)
            putNumber("tint", op.tint, unless: 0)
            putNumber("contrast", op.contrast, unless: 0)
            putNumber("saturation", op.saturation, unless: 0)
            if let curve = op.curve {
                put("curve", .string(curve.map { "\(RecipeValue.numberText(Double($0.x))):\(RecipeValue.numberText(Double($0.y)))" }.joined(separator: ",")))
            }
        case .remove(let op):
            try putRegion(op.region)
            switch op.method {
            case .automatic: break
            case .patchMatch: put("method", .string("patchmatch"))
            case .diffusion: put("method", .string("diffusion"))
            }
            if op.seed != 0 { put("seed", Self.seedValue(op.seed)) }
            if op.patchSize != 7 { put("patch-size", .number(Double(op.patchSize))) }
        case .background(let op):
            if op.subject != .subject { try putRegion(op.subject) }
            switch op.background {
            case .colour(let c): put("with", .string(c.description))
            case .linearGradient(let a, let b, let angle): put("with", .string("\(a)..\(b)@\(RecipeValue.numberText(angle))"))
            case .image(let p): put("with", .string(p))
            }
            putNumber("harmonize", op.harmonization, unless: 0)
        case .harmonize(let op):
            put("mask", .string(op.mask))
            if op.method != .auto { put("method", .string(op.method.rawValue)) }
            putNumber("strength", op.strength, unless: 1)
            switch op.reference {
            case .whole: put("reference", .string("whole"))
            case .ring(let l): if op.reference != Harmonize.defaultRing { put("ring", try RecipeValue.from(l)) }
            }
            if op.focus { put("focus", .bool(true)) }
        case .compose(.file(let p)): put("recipe", .string(p))
        case .compose(.inline(let c)):
            guard case .object(let pairs) = try RecipeValue.from(c) else { break }
            let order = ["canvas", "layers", "space", "harmonize", "look"]
            fields = pairs.sorted { (order.firstIndex(of: $0.key) ?? 9) < (order.firstIndex(of: $1.key) ?? 9) }
        case .transfer(let t):
            put("reference", .string(t.reference))
            let d = ColourTransfer()
            if t.transfer.method != .reinhard { put("method", .string(t.transfer.method.rawValue)) }
            putNumber("strength", t.transfer.strength, unless: 1)
            if t.transfer.regrain != d.regrain { put("regrain", .bool(t.transfer.regrain)) }
            if t.transfer.iterations != d.iterations { put("iterations", .number(Double(t.transfer.iterations))) }
            if t.transfer.seed != d.seed { put("seed", Self.seedValue(t.transfer.seed)) }
            try putRegion(t.region)
            if let r = t.referenceRegion {
                guard let spec = r.spec else { throw MeldError(.invalidArgument, operation: "transfer", "reference-region: only simple regions can be written to a recipe") }
                put("reference-region", .string(spec))
            }
        case .lut(let l):
            switch l.source {
            case .cube(let p): put("cube", .string(p))
            case .hald(let p): put("hald", .string(p))
            }
            putNumber("strength", l.strength, unless: 1)
            try putRegion(l.region)
        case .remap(let r):
            switch r.palette {
            case .colours(let c): put("palette", .string(c.map { String($0.description.prefix(7)) }.joined(separator: ",")))
            case .image(let p, let k): put("palette", .string("image:" + p)); put("colors", .number(Double(k)))
            }
            if r.keepLightness { put("keep-lightness", .bool(true)) }
            putNumber("strength", r.strength, unless: 1)
            try putRegion(r.region)
        case .texture(let t):
            put("pattern", .string(t.pattern))
            try putRegion(t.region)
            let d = TextureTransfer()
            if let p = t.transfer.patchSize { put("patch", .number(Double(p))) }
            putNumber("pattern-scale", t.transfer.patternScale, unless: d.patternScale)
            putNumber("shading", t.transfer.shading, unless: d.shading)
            if t.transfer.seed != d.seed { put("seed", Self.seedValue(t.transfer.seed)) }
        case .resize(let op): fields += Self.resizeFields(op)
        case .crop(let op): put("rect", .string("\(op.rect.x),\(op.rect.y),\(op.rect.width),\(op.rect.height)"))
        case .rotate(let op):
            put("degrees", .number(op.degrees))
            if op.background != .clear { put("background", .string(op.background.description)) }
        case .flip(let op): put("axis", .string(op.axis == .horizontal ? "horizontal" : "vertical"))
        case .cutout(let op):
            if let b = op.box { put("box", .string("\(b.x),\(b.y),\(b.width),\(b.height)")) }
            if let r = op.edgeRadius { put("edge-radius", .number(Double(r))) }
            if !op.despill { put("despill", .bool(false)) }
            if !op.refineEdges { put("refine-edges", .bool(false)) }
        case .watermark(let op):
            guard case .object(let pairs) = try RecipeValue.from(op) else { break }
            let first = ["text", "logo", "placement"]
            fields = pairs.sorted { (first.firstIndex(of: $0.key) ?? 9, $0.key) < (first.firstIndex(of: $1.key) ?? 9, $1.key) }
        case .invisibleWatermark(let op):
            put("key", .string(op.key))
            put("payload", .string(op.payload.hex))
            putNumber("strength", op.strength, unless: 1)
        }
        return .object([(name, .init(.object(fields)))])
    }
}
