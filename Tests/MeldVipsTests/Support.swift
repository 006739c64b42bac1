import Foundation
import MeldCore
import MeldVips
import MeldTestSupport
import Testing

/// Where the bundled samples and committed fixtures are, found from this file's path.
enum Files {
    /// The package root (three levels above this file: Tests/MeldVipsTests/Support.swift).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func sample(_ name: String) -> String { root.appendingPathComponent("Samples/\(name)").path }
    static func fixture(_ name: String) -> String { root.appendingPathComponent("Tests/Fixtures/\(name)").path }
    static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
}

/// A fresh, empty folder for one test's outputs, removed when `body` returns or throws.
func withTemporaryFolder<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("meld-vips-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// The names in `folder`, sorted.
func contents(of folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
}

/// Names that look like Meld's temporary output files (`.NAME.meld-N.tmp`).
func temporaryFiles(in folder: String) -> [String] {
    contents(of: folder).filter { $0.hasPrefix(".") && $0.contains(".meld-") && $0.hasSuffix(".tmp") }
}

/// Loads with the default limit and random access.
func load(_ path: String, pixelLimit: Int = 1 << 28, sequential: Bool = false) throws(MeldError) -> VipsImageRef {
    try VipsLoader.load(path: path, options: VipsLoadOptions(sequential: sequential, pixelLimit: pixelLimit))
}

/// The error `body` throws, if it is a MeldError.
func meldError(_ body: () throws -> Void) -> MeldError? {
    do { try body() } catch let error as MeldError { return error } catch {
        Issue.record("threw \(error), which is not a MeldError")
    }
    return nil
}

/// The sRGB-encoded 8-bit codes a raster stands for (colour un-premultiplied), per channel and pixel.
func codes8(_ r: Raster) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: r.width * r.height * r.channels)
    let colour = r.layout.colourChannels
    for y in 0..<r.height {
        for x in 0..<r.width {
            let a: Float = r.layout.hasAlpha ? r[x, y, colour] : 1
            for c in 0..<r.channels {
                let v = r[x, y, c]
                let i = (y * r.width + x) * r.channels + c
                if r.layout.hasAlpha && c == colour {
                    out[i] = UInt8((min(max(v, 0), 1) * 255).rounded())
                } else {
                    out[i] = SRGBTransfer.encode8(r.layout.hasAlpha && r.isPremultiplied ? (a > 0 ? v / a : 0) : v)
                }
            }
        }
    }
    return out
}

/// Mean |a − b| over the colour planes (linear light; alpha planes excluded).
func meanAbsColourDifference(_ a: Raster, _ b: Raster) -> Double {
    precondition(a.width == b.width && a.height == b.height && a.layout.colourChannels == b.layout.colourChannels)
    var sum = 0.0
    let n = a.layout.colourChannels
    for c in 0..<n {
        a.withView { va in
            b.withView { vb in
                let pa = va.plane(c), pb = vb.plane(c)
                for i in 0..<(a.width * a.height) { sum += abs(Double(pa[i]) - Double(pb[i])) }
            }
        }
    }
    return sum / Double(a.width * a.height * n)
}

/// Loads encoded bytes (copied by libvips).
func load(bytes: [UInt8], pixelLimit: Int = 1 << 28, sequential: Bool = false) throws(MeldError) -> VipsImageRef {
    do {
        return try bytes.withUnsafeBytes { b in
            try VipsLoader.load(bytes: b, options: VipsLoadOptions(sequential: sequential, pixelLimit: pixelLimit))
        }
    } catch {
        throw error as! MeldError
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

