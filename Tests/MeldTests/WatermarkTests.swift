import Foundation
import Meld
import MeldCore
import MeldTestSupport
import Testing

/// Reduced-size real photos, marked once and shared by the attack tests.
private enum Marked {
    static let key = "tests-key"
    static let payload = try! WatermarkPayload(hex: "c0ffee0123456789")
    /// A real photo (fig in a red bowl) reduced to 800 × 541 (4 px cells, ~26 tiles; at 640 px a 2° turn no longer decoded).
    static let original: Image = try! Image(contentsOf: IO.sample("fig_in_red_bowl.jpg"), resizedWith: Resize(.width(800)))
    static let image: Image = try! Image(data: original.applying(InvisibleWatermark(key: key, payload: payload)).encoded(as: .png))

    /// Encoded (0…1) values of an image mapped by `f`, as a new 8-bit image.
    static func mapEncoded(_ image: Image, _ f: (Float, Int) -> Float) throws -> Image {
        var r = try image.raster()
        let n = r.width * r.height, channels = r.layout.colourChannels
        r.withMutableView { v in
            for c in 0..<channels {
                let p = v.plane(c)
                for i in 0..<n { p[i] = SRGBTransfer.decode(min(1, max(0, f(SRGBTransfer.encode(p[i]), i)))) }
            }
        }
        return try Image(raster: r)
    }

    /// A flat grey raster.
    static func flat(_ w: Int, _ h: Int, _ v: Float) -> Raster {
        var r = Raster(width: w, height: h, layout: .rgb)
        r.withMutableView { view in for i in 0..<(w * h * 3) { view.base[i] = v } }
        return r
    }

    /// PSNR in dB over 8-bit encoded RGB.
    static func psnr(_ a: Image, _ b: Image) throws -> Double {
        let ra = try a.raster(), rb = try b.raster()
        var se = 0.0
        for c in 0..<3 {
            for y in 0..<ra.height {
                for x in 0..<ra.width {
                    let d = Double(SRGBTransfer.encode8(ra[x, y, c])) - Double(SRGBTransfer.encode8(rb[x, y, c]))
                    se += d * d
                }
            }
        }
        return 10 * log10(255 * 255 / (se / Double(3 * ra.width * ra.height)))
    }
}

/// An attack on a marked image, named for the test report.
struct WatermarkAttack: Sendable, CustomTestStringConvertible {
    let name: String
    let apply: @Sendable (Image) throws -> Image
    var testDescription: String { name }

    static let all: [WatermarkAttack] = [
        .init(name: "JPEG 50") { try Image(data: $0.encoded(as: .jpeg, options: SaveOptions(quality: 50))) },
        .init(name: "resize to half and back") { try $0.applying(Resize(.scale(0.5))).applying(Resize(.exact(width: $0.width, height: $0.height))) },
        .init(name: "crop 10 % left") { try $0.applying(Crop(Rect(x: $0.width / 10, y: 0, width: $0.width - $0.width / 10, height: $0.height))) },
        .init(name: "crop 10 % right") { try $0.applying(Crop(Rect(x: 0, y: 0, width: $0.width - $0.width / 10, height: $0.height))) },
        .init(name: "crop 10 % top") { try $0.applying(Crop(Rect(x: 0, y: $0.height / 10, width: $0.width, height: $0.height - $0.height / 10))) },
        .init(name: "crop 10 % bottom") { try $0.applying(Crop(Rect(x: 0, y: 0, width: $0.width, height: $0.height - $0.height / 10))) },
        .init(name: "rotate 2°") { try $0.applying(Rotate(degrees: 2, background: .black)) },
        .init(name: "brightness +20") { try Marked.mapEncoded($0) { e, _ in e + 20 / 255 } },
        .init(name: "contrast ×1.3") { try Marked.mapEncoded($0) { e, _ in (e - 0.5) * 1.3 + 0.5 } },
        .init(name: "blur σ 1") { try Image(raster: GaussianBlur(sigma: 1).apply(to: $0.raster())) },
        .init(name: "noise σ 5") { image in
            var rng = SplitMix64(seed: 99)
            let noise = (0..<(image.width * image.height * 3)).map { _ in
                // Sum of 12 uniforms − 6: a unit normal to within the tails.
                (0..<12).reduce(Float(0)) { s, _ in s + rng.nextUnitFloat() } - 6
            }
            var k = 0
            return try Marked.mapEncoded(image) { e, _ in defer { k += 1 }; return e + 5 * noise[k] / 255 }
        },
    ]
}

@Suite("Invisible watermark", .libvipsShared)
struct InvisibleWatermarkTests {
    @Test("Round trip: found with the payload, PSNR ≥ 42 dB, same bytes every time")
    func roundTrip() throws {
        let d = try InvisibleWatermark.detect(in: Marked.image, key: Marked.key)
        #expect(d.found && d.payload == Marked.payload)
        #expect(d.confidence > 0.9)
        #expect(try Marked.psnr(Marked.original, Marked.image) >= 42)
        let again = try Marked.original.applying(InvisibleWatermark(key: Marked.key, payload: Marked.payload)).encoded(as: .png)
        #expect(again == (try Marked.original.applying(InvisibleWatermark(key: Marked.key, payload: Marked.payload)).encoded(as: .png)))
    }

    @Test("Survives", arguments: WatermarkAttack.all)
    func survives(_ attack: WatermarkAttack) throws {
        let attacked = try attack.apply(Marked.image)
        let d = try InvisibleWatermark.detect(in: attacked, key: Marked.key)
        #expect(d.found, "sync \(d.syncScore)")
        #expect(d.payload == Marked.payload)
    }

    @Test("Short payloads keep their length; --bits rejects another length")
    func shortPayload() throws {
        let p = try WatermarkPayload(hex: "0a5")
        #expect(p.bitCount == 12 && p.value == 0xA5 && p.hex == "0a5")
        let marked = try Marked.original.applying(InvisibleWatermark(key: "k", payload: p, strength: 1))
        let d = try InvisibleWatermark.detect(in: marked, key: "k", bits: 12)
        #expect(d.found && d.payload == p)
        #expect(try InvisibleWatermark.detect(in: marked, key: "k", bits: 16).found == false)
    }

    @Test("Wrong key and unmarked images: no mark")
    func noMark() throws {
        let wrong = try InvisibleWatermark.detect(in: Marked.image, key: "not-the-key")
        #expect(!wrong.found && wrong.payload == nil && wrong.confidence == 0)
        let plain = try InvisibleWatermark.detect(in: Marked.original, key: Marked.key)
        #expect(!plain.found)
        #expect(plain.falsePositiveBound < 1e-7)
        let grey = try Image(raster: Marked.flat(200, 150, 0.3))
        #expect(try !InvisibleWatermark.detect(in: grey, key: Marked.key).found)
    }

    @Test("Malformed payloads, keys, strengths and sizes are invalid arguments")
    func badInput() throws {
        for text in ["", "0x", "xyz", "12 34", "1234567890abcdef0", "-1"] {
            #expect(throws: MeldError.self, "payload '\(text)'") { try WatermarkPayload(hex: text) }
            do { _ = try WatermarkPayload(hex: text) } catch { #expect(error.kind == .invalidArgument) }
        }
        #expect(throws: MeldError.self) { try WatermarkPayload(value: 256, bitCount: 8) }
        #expect(throws: MeldError.self) { try WatermarkPayload(value: 1, bitCount: 65) }
        #expect(try WatermarkPayload(hex: "0xFFFFFFFFFFFFFFFF").value == .max)
        for op in [InvisibleWatermark(key: "", payload: Marked.payload), InvisibleWatermark(key: "k", payload: Marked.payload, strength: 0.1),
                   InvisibleWatermark(key: "k", payload: Marked.payload, strength: .nan)] {
            do { try op.validate(); Issue.record("accepted \(op)") } catch { #expect(error.kind == .invalidArgument) }
        }
        let tiny = try Image(raster: Marked.flat(40, 300, 0.5))
        do { _ = try tiny.applying(InvisibleWatermark(key: "k", payload: Marked.payload)); Issue.record("marked a 40 px image") } catch {
            #expect(error.kind == .invalidArgument)
        }
        do { _ = try InvisibleWatermark.detect(in: Marked.image, key: "k", bits: 0); Issue.record("bits 0 accepted") } catch {
            #expect(error.kind == .invalidArgument)
        }
    }

    @Test("Codable: the operation survives JSON; a bad payload fails to decode")
    func codable() throws {
        let op = InvisibleWatermark(key: "k", payload: try WatermarkPayload(hex: "00ff"), strength: 1.5)
        let json = try JSONEncoder().encode(op)
        #expect(String(decoding: json, as: UTF8.self).contains("\"00ff\""))
        #expect(try JSONDecoder().decode(InvisibleWatermark.self, from: json) == op)
        let bad = Data(#"{"key": "k", "payload": "zz", "strength": 1}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(InvisibleWatermark.self, from: bad) }
    }
}

@Suite("Visible watermark", .libvipsShared)
struct VisibleWatermarkTests {
    static let photo: Image = try! Image(contentsOf: IO.sample("citrus_fruits.jpg"), resizedWith: Resize(.width(360)))

    /// Pixels that differ by more than 1/255 in each quadrant (top-left, top-right, bottom-left, bottom-right).
    static func changedQuadrants(_ a: Image, _ b: Image) throws -> [Int] {
        let ra = try a.raster(), rb = try b.raster()
        var q = [0, 0, 0, 0]
        for y in 0..<ra.height {
            for x in 0..<ra.width where (0..<3).contains(where: { abs(ra[x, y, $0] - rb[x, y, $0]) > 1 / 255 }) {
                q[(y < ra.height / 2 ? 0 : 2) + (x < ra.width / 2 ? 0 : 1)] += 1
            }
        }
        return q
    }

    @Test("A corner text mark changes only its corner; a tiled one changes every quadrant")
    func placement() throws {
        let corner = try Self.photo.applying(Watermark(.text("© Meld 样片"), placement: .bottomRight))
        #expect(corner.width == Self.photo.width && corner.height == Self.photo.height)
        let q = try Self.changedQuadrants(Self.photo, corner)
        #expect(q[0] == 0 && q[1] == 0 && q[2] == 0 && q[3] > 100, "\(q)")
        let tiled = try Self.photo.applying(Watermark(.text("PROOF"), placement: .tiled, opacity: 0.4))
        #expect(try Self.changedQuadrants(Self.photo, tiled).allSatisfy { $0 > 100 })
        let top = try Self.photo.applying(Watermark(.text("x"), placement: .topLeft, size: 0.1))
        let qt = try Self.changedQuadrants(Self.photo, top)
        #expect(qt[0] > 10 && qt[1] == 0 && qt[2] == 0 && qt[3] == 0, "\(qt)")
    }

    @Test("The mark scales with the image: the changed area is the same fraction at 2× the size")
    func scales() throws {
        let big = try Image(contentsOf: IO.sample("citrus_fruits.jpg"), resizedWith: Resize(.width(720)))
        let op = Watermark(.text("Meld"), placement: .centre, size: 0.1, shadow: false)
        let small = try Self.changedQuadrants(Self.photo, Self.photo.applying(op)).reduce(0, +)
        let large = try Self.changedQuadrants(big, big.applying(op)).reduce(0, +)
        let ratio = Double(large) / Double(small)
        #expect(ratio > 3.2 && ratio < 4.8, "changed \(small) vs \(large)")
    }

    @Test("A logo mark, with a blend mode")
    func logo() throws {
        let op = Watermark(.logo(IO.sample("lightbulb_cutout.png")), placement: .topRight, size: 0.25, opacity: 0.8, blend: .multiply)
        let q = try Self.changedQuadrants(Self.photo, Self.photo.applying(op))
        #expect(q[1] > 100 && q[0] == 0 && q[2] == 0, "\(q)")
    }

    @Test("Bad fields are invalid arguments; a missing logo is not found")
    func badInput() throws {
        for op in [Watermark(.text("")), Watermark(.logo("")), Watermark(.text("a"), size: 0), Watermark(.text("a"), margin: 0.7),
                   Watermark(.text("a"), opacity: 2), Watermark(.text("a"), angle: 1000), Watermark(.text("a"), spacing: -1),
                   Watermark(.text("a"), color: RGBA(red: 2, green: 0, blue: 0))] {
            do { try op.validate(); Issue.record("accepted \(op)") } catch { #expect(error.kind == .invalidArgument) }
        }
        do { _ = try Self.photo.applying(Watermark(.logo("/nonexistent/logo.png"))); Issue.record("loaded a missing logo") } catch {
            #expect(error.kind == .notFound)
        }
    }

    @Test("Codable round trip")
    func codable() throws {
        let op = Watermark(.text("© 2026"), placement: .tiled, size: 0.04, angle: -20, opacity: 0.3, blend: .overlay)
        let back = try JSONDecoder().decode(Watermark.self, from: JSONEncoder().encode(op))
        #expect(back == op)
        let logo = try JSONDecoder().decode(Watermark.self, from: Data(#"{"logo": "l.png", "placement": "top-left"}"#.utf8))
        #expect(logo.mark == .logo("l.png") && logo.placement == .topLeft && logo.opacity == 0.6)
    }
}
