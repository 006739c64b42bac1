import Foundation
import Meld
import MeldTestSupport
import Testing

/// Small real-photo inputs for the Edit tests, written once as lossless PNG.
enum EditFixtures {
    static let folder: String = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("meld-edit-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }()

    /// A 96-px-wide PNG of a bundled photo (made on first use).
    static func photo(_ name: String) throws -> String {
        let path = folder + "/" + name.replacingOccurrences(of: ".jpg", with: ".png")
        if !FileManager.default.fileExists(atPath: path) {
            let image = try Image(contentsOf: IO.sample(name), resizedWith: Resize(.width(96)))
            try image.write(to: path, options: SaveOptions(overwrite: true))
        }
        return path
    }
}

/// An edit for the consistency property, with a readable name.
struct EditCase: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable (Selection) -> any ImageOperation
    /// The selection whose outside must stay untouched (background replacement edits the
    /// inverse of its subject).
    let edited: @Sendable (Selection) -> Selection
    var testDescription: String { name }

    static let all: [EditCase] = [
        EditCase(name: "recolor", make: { Recolor(region: $0, to: .colour(RGBA("teal")!)) }, edited: { $0 }),
        EditCase(name: "adjust", make: { Adjust(region: $0, exposure: 0.7, temperature: 30, tint: -10, contrast: 25, saturation: 40,
                                                curve: [.init(x: 0, y: 0.05), .init(x: 0.5, y: 0.6), .init(x: 1, y: 0.95)]) }, edited: { $0 }),
        EditCase(name: "remove (PatchMatch)", make: { Remove(region: $0, method: .patchMatch, seed: 2) }, edited: { $0 }),
        EditCase(name: "remove (diffusion)", make: { Remove(region: $0, method: .diffusion) }, edited: { $0 }),
        EditCase(name: "replace background", make: { ReplaceBackground(subject: $0.inverse, background: .linearGradient(from: RGBA("gold")!, to: RGBA("navy")!, angle: 30)) },
                 edited: { $0 }),
    ]
}

/// The 8-bit codes of a PNG file as Meld decodes them.
func fileCodes(_ path: String) throws -> (codes: [UInt8], width: Int, height: Int, channels: Int) {
    let r = try Image(contentsOf: path).raster()
    return (codes8(r), r.width, r.height, r.channels)
}

@Suite("Edit: selections and the consistency guarantee")
struct EditTests {
    /// Random selections of every kind for a w × h image, each feathered by a random radius.
    static func randomSelections(width w: Int, height h: Int, seed: UInt64) -> [Selection] {
        var rng = SplitMix64(seed: seed)
        func px() -> Int { rng.nextInt(in: 0...(w - 1)) }
        func py() -> Int { rng.nextInt(in: 0...(h - 1)) }
        let rect = Selection.rectangle(Rect(x: px() / 2, y: py() / 2, width: 10 + rng.nextInt(in: 0...30), height: 10 + rng.nextInt(in: 0...30)))
        let ellipse = Selection.ellipse(centerX: Double(px()), centerY: Double(py()), radiusX: 8 + 20 * rng.nextUnitDouble(), radiusY: 6 + 15 * rng.nextUnitDouble())
        let polygon = Selection.polygon((0..<5).map { _ in .init(x: Double(px()), y: Double(py())) })
        let wand = Selection.magicWand(x: px(), y: py(), tolerance: 15)
        let colour = Selection.colourRange(RGBA(red: rng.nextUnitDouble(), green: rng.nextUnitDouble(), blue: rng.nextUnitDouble()), tolerance: 25, fuzziness: 10)
        let combo = rect.union(ellipse).subtracting(.rectangle(Rect(x: 0, y: 0, width: w / 3, height: h))).grown(by: 2)
        return [rect, ellipse, polygon, wand, colour, combo].map { $0.feathered(radius: rng.nextInt(in: 0...4)) }
    }

    @Test("every edit changes no pixel outside its selection grown by its feather radius (PNG, exact 8-bit codes)",
          arguments: EditCase.all)
    func consistency(_ edit: EditCase) throws {
        try IO.withTemporaryFolder { folder in
            for (k, name) in ["fig_in_red_bowl.jpg", "citrus_fruits.jpg"].enumerated() {
                let input = try EditFixtures.photo(name)
                let image = try Image(contentsOf: input)
                let before = try fileCodes(input)
                let raster = try image.raster()
                for (i, selection) in Self.randomSelections(width: image.width, height: image.height, seed: UInt64(100 * k + 7)).enumerated() {
                    let op = edit.make(selection)
                    let out = folder + "/out-\(k)-\(i).png"
                    try image.applying(op).write(to: out, options: SaveOptions(overwrite: true))
                    let after = try fileCodes(out)
                    #expect(after.width == before.width && after.height == before.height)
                    // Outside = where the selection without its feather, grown by the feather
                    // radius, has no coverage.
                    var base = edit.edited(selection), radius = 0
                    if case .feathered(let inner, let r) = base { base = inner; radius = r }
                    let reach = try base.grown(by: radius).mask(for: raster).raster
                    let feathered = try edit.edited(selection).mask(for: raster).raster
                    var changedOutside = 0, changedInside = 0
                    for y in 0..<image.height {
                        for x in 0..<image.width {
                            let p = y * image.width + x
                            let differs = (0..<3).contains { before.codes[p * before.channels + $0] != after.codes[p * after.channels + $0] }
                            if reach[x, y, 0] == 0 && differs { changedOutside += 1 }
                            if feathered[x, y, 0] > 0 && differs { changedInside += 1 }
                        }
                    }
                    #expect(changedOutside == 0, "\(edit.name) on \(name), selection \(i): \(changedOutside) pixels changed outside")
                    _ = changedInside
                }
            }
        }
    }

    @Test("region specs parse to typed selections")
    func specs() throws {
        #expect(try Selection(spec: "rect:1,2,30,40") == .rectangle(Rect(x: 1, y: 2, width: 30, height: 40)))
        #expect(try Selection(spec: "ellipse:10,20,5.5,6") == .ellipse(centerX: 10, centerY: 20, radiusX: 5.5, radiusY: 6))
        #expect(try Selection(spec: "polygon:0,0,10,0,5,8") == .polygon([.init(x: 0, y: 0), .init(x: 10, y: 0), .init(x: 5, y: 8)]))
        #expect(try Selection(spec: "mask:m.png") == .mask(path: "m.png"))
        #expect(try Selection(spec: "color:#ff0000~20") == .colourRange(RGBA(red: 1, green: 0, blue: 0), tolerance: 20, fuzziness: 10))
        #expect(try Selection(spec: "color:rebeccapurple~8~2") == .colourRange(RGBA("#663399")!, tolerance: 8, fuzziness: 2))
        #expect(try Selection(spec: "wand:5,7~12") == .magicWand(x: 5, y: 7, tolerance: 12))
        #expect(try Selection(spec: "subject") == .subject)
        for bad in ["rect:1,2,3", "rect:a,b,c,d", "rect:0,0,0,5", "ellipse:1,2,0,3", "circle:1,2,3", "color:reddish~5",
                    "wand:1,2~-4", "polygon:1,2,3,4", "nonsense", "rect:1e300,0,5,5", "polygon:0,0,1e300,0,5,5"] {
            let error = IO.error { _ = try Selection(spec: bad, operation: "recolor") }
            #expect(error?.kind == .invalidArgument, "\(bad)")
            #expect(error?.message.hasPrefix("region: ") == true, "\(bad): \(String(describing: error))")
        }
    }

    @Test("selections and edits round-trip through JSON")
    func codable() throws {
        let s = Selection.magicWand(x: 3, y: 4, tolerance: 9).union(.ellipse(centerX: 1, centerY: 2, radiusX: 3, radiusY: 4)).inverse.feathered(radius: 3)
        let ops: [any ImageOperation] = [Recolor(region: s, to: .colour(.white)), Recolor(region: .all, to: .swatch(path: "s.png")),
                                         Adjust(region: s, exposure: 1, curve: [.init(x: 0, y: 0), .init(x: 1, y: 0.9)]),
                                         Remove(region: s, method: .patchMatch, seed: 9), ReplaceBackground(background: .image(path: "b.jpg"))]
        func roundTrip<T: ImageOperation>(_ op: T) throws -> Bool {
            try JSONDecoder().decode(T.self, from: JSONEncoder().encode(op)) == op
        }
        for op in ops { #expect(try roundTrip(op)) }
        #expect(try JSONDecoder().decode(Selection.self, from: JSONEncoder().encode(s)) == s)
    }

    @Test("selection errors name the region and the image size")
    func selectionErrors() throws {
        let image = try Image(contentsOf: EditFixtures.photo("fig_in_red_bowl.jpg"))
        let wand = IO.error { _ = try image.applying(Recolor(region: .magicWand(x: 5000, y: 20, tolerance: 5), to: .colour(.black))) }
        #expect(wand?.message == "region: wand point 5000,20 is outside the 96x65 image")
        let flat = Raster(width: 40, height: 30, layout: .rgb)
        let subject = IO.error { _ = try Selection.subject.mask(for: flat, operation: "background") }
        #expect(subject?.kind == .unsupportedFeature)
        let mask = IO.error { _ = try image.applying(Remove(region: .mask(path: "/no/such/mask.png"))) }
        #expect(mask?.kind == .notFound)
        let all = IO.error { _ = try image.applying(Remove(region: .all)) }
        #expect(all?.kind == .invalidArgument)
        let adjust = IO.error { _ = try image.applying(Adjust(region: .all, exposure: 20)) }
        #expect(adjust?.message.contains("exposure") == true)
    }

    @Test("recolour moves hue and chroma to the target and keeps the lightness structure")
    func recolour() throws {
        let image = try Image(contentsOf: EditFixtures.photo("fig_in_red_bowl.jpg"))
        let raster = try image.raster()
        let region = Selection.ellipse(centerX: 76, centerY: 30, radiusX: 8, radiusY: 8)
        let target = RGBA("royalblue")!
        let out = try Recolor(region: region, to: .colour(target)).apply(to: raster)
        let cov = try region.mask(for: raster).raster
        let inside = Coverage.erodedInside(cov)
        let before = ColourConversion.convert(raster, from: .linearSRGB, to: .lch), after = ColourConversion.convert(out, from: .linearSRGB, to: .lch)
        let t = Colour.convert((Float(target.red), Float(target.green), Float(target.blue)), from: .sRGB, to: .lch)
        var hueErr: Float = 0, n: Float = 0, lb: [Float] = [], la: [Float] = []
        for (x, y) in inside {
            var d = abs(after[x, y, 2] - t.2); d = min(d, 360 - d)
            if after[x, y, 1] > 10 { hueErr += d; n += 1 }
            lb.append(before[x, y, 0]); la.append(after[x, y, 0])
        }
        #expect(n > 0 && hueErr / n < 6, "mean hue error \(hueErr / max(n, 1))°")
        #expect(correlation(lb, la) > 0.9, "lightness structure kept")
    }

    @Test("16-bit input stays 16-bit, and writing over the input is refused")
    func bitDepthAndProvenance() throws {
        try IO.withTemporaryFolder { folder in
            let raster = try Image(contentsOf: EditFixtures.photo("citrus_fruits.jpg")).raster()
            let deep = folder + "/deep.png"
            try Image(raster: raster, bitDepth: 16).write(to: deep)
            let input = try Image(contentsOf: deep)
            let edited = try input.applying(Adjust(region: .rectangle(Rect(x: 10, y: 10, width: 30, height: 20)), exposure: 1))
            #expect(edited.bitDepth == 16)
            let error = IO.error { try edited.write(to: deep, options: SaveOptions(overwrite: true)) }
            #expect(error?.kind == .outputIsInput)
        }
    }

    @Test("subject of an opaque product shot: what stands out from the border's colours")
    func subjectOnPlainBackdrop() throws {
        // A soft grey gradient backdrop with a red disc and a darker grey ring inside it.
        var r = Raster(width: 80, height: 60, layout: .rgb)
        var rng = SplitMix64(seed: 4)
        for y in 0..<60 { for x in 0..<80 {
            let g = 0.5 + 0.1 * Float(y) / 60 + rng.nextFloat(in: -0.01...0.01)
            let d2 = (x - 40) * (x - 40) + (y - 30) * (y - 30)
            let inDisc = d2 <= 15 * 15
            for c in 0..<3 { r[x, y, c] = inDisc ? (c == 0 ? 0.7 : 0.05) : g }
        } }
        let mask = try Selection.subject.mask(for: r).raster
        var wrong = 0
        for y in 0..<60 { for x in 0..<80 {
            let inDisc = (x - 40) * (x - 40) + (y - 30) * (y - 30) <= 15 * 15
            if (mask[x, y, 0] > 0.5) != inDisc { wrong += 1 }
        } }
        #expect(wrong < 40, "\(wrong) pixels misclassified")
    }

    @Test("harmonization pulls the subject's colour toward the backdrop; 0 leaves it exact")
    func harmonization() throws {
        let raster = try Image(contentsOf: EditFixtures.photo("citrus_fruits.jpg")).raster()
        let subject = Selection.ellipse(centerX: 48, centerY: 32, radiusX: 20, radiusY: 15)
        let blue = ReplaceBackground.Background.colour(RGBA("royalblue")!)
        let plain = ReplaceBackground(subject: subject, background: blue)
        let backdrop = try plain.backgroundRaster(width: raster.width, height: raster.height)
        let none = try plain.apply(to: raster, background: backdrop)
        let pulled = try ReplaceBackground(subject: subject, background: blue, harmonization: 1).apply(to: raster, background: backdrop)
        let inside = Coverage.erodedInside(try subject.mask(for: raster).raster)
        let before = ColourConversion.convert(none, from: .linearSRGB, to: .lab), after = ColourConversion.convert(pulled, from: .linearSRGB, to: .lab)
        var db: Float = 0
        for (x, y) in inside {
            #expect(none[x, y, 0] == raster[x, y, 0])
            db += after[x, y, 2] - before[x, y, 2]
        }
        #expect(db / Float(inside.count) < -5, "b* moves toward blue")
        #expect(IO.error { try ReplaceBackground(background: blue, harmonization: 2).validate() }?.kind == .invalidArgument)
    }

    @Test("a cut-out's alpha is its subject; the new background shows through")
    func cutOutBackground() throws {
        let image = try Image(contentsOf: IO.sample("lightbulb_cutout.png"), resizedWith: Resize(.width(60)))
        let out = try image.applying(ReplaceBackground(background: .colour(RGBA("red")!))).raster()
        #expect(out.layout == .rgb)
        #expect(out[0, 0, 0] > 0.9 && out[0, 0, 1] < 0.05)
    }
}

extension Coverage {
    /// Pixels with coverage 1 whose 4-neighbours are also fully covered.
    static func erodedInside(_ c: Raster) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        for y in 1..<(c.height - 1) { for x in 1..<(c.width - 1) where c[x, y, 0] == 1 && c[x - 1, y, 0] == 1 && c[x + 1, y, 0] == 1 && c[x, y - 1, 0] == 1 && c[x, y + 1, 0] == 1 {
            out.append((x, y))
        } }
        return out
    }
}

func correlation(_ a: [Float], _ b: [Float]) -> Double {
    let n = Double(a.count)
    let ma = a.reduce(0) { $0 + Double($1) } / n, mb = b.reduce(0) { $0 + Double($1) } / n
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for i in 0..<a.count { let da = Double(a[i]) - ma, db = Double(b[i]) - mb; sab += da * db; saa += da * da; sbb += db * db }
    return sab / max((saa * sbb).squareRoot(), 1e-12)
}
