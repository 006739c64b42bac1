import Foundation
import Meld
import MeldTestSupport
import Testing

/// Paths, temporary folders and pixel helpers shared by the MeldTests I/O suites.
enum IO {
    /// The package root (Tests/MeldTests/IOTestSupport.swift is three levels down).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func sample(_ name: String) -> String { root.appendingPathComponent("Samples/\(name)").path }
    static func fixture(_ name: String) -> String { root.appendingPathComponent("Tests/Fixtures/\(name)").path }
    static func data(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }
    static func size(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1 }

    /// A fresh, empty folder for one test's outputs; removed when `body` returns or throws.
    static func withTemporaryFolder<T>(_ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("meld-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.resolvingSymlinksInPath().path)
    }

    /// The names in `folder`, sorted (hidden ones included).
    static func contents(of folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    /// Meld's temporary output files (`.NAME.meld-N.tmp`) in `folder`.
    static func temporaryFiles(in folder: String) -> [String] {
        contents(of: folder).filter { $0.hasPrefix(".") && $0.contains(".meld-") && $0.hasSuffix(".tmp") }
    }

    /// The MeldError `body` throws, or nil (recording an issue for any other error).
    static func error(_ body: () throws -> Void) -> MeldError? {
        do { try body() } catch let error as MeldError { return error } catch {
            Issue.record("threw \(error), which is not a MeldError")
        }
        return nil
    }

    /// A small opaque RGB test image: grace_hopper shrunk to 128 px wide (128x150).
    static func smallPhoto() throws -> Image {
        try Image(contentsOf: sample("grace_hopper.jpg"), resizedWith: Resize(.width(128)))
    }
}

/// The 8-bit sRGB codes a raster stands for, interleaved (colour un-premultiplied, alpha linear).
func codes8(_ r: Raster) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: r.width * r.height * r.channels)
    let colour = r.layout.colourChannels, n = r.width * r.height
    r.withView { v in
        for i in 0..<n {
            let a: Float = r.layout.hasAlpha ? v.plane(colour)[i] : 1
            for c in 0..<colour {
                let value = v.plane(c)[i]
                out[i * r.channels + c] = SRGBTransfer.encode8(r.layout.hasAlpha && r.isPremultiplied ? (a > 0 ? value / a : 0) : value)
            }
            if r.layout.hasAlpha { out[i * r.channels + colour] = UInt8((min(max(a, 0), 1) * 255).rounded()) }
        }
    }
    return out
}

/// Mean |a − b| over the colour planes, in linear light.
func meanAbsColourDifference(_ a: Raster, _ b: Raster) -> Double {
    precondition(a.width == b.width && a.height == b.height && a.layout.colourChannels == b.layout.colourChannels)
    var sum = 0.0
    let n = a.width * a.height
    a.withView { va in
        b.withView { vb in
            for c in 0..<a.layout.colourChannels {
                let pa = va.plane(c), pb = vb.plane(c)
                for i in 0..<n { sum += abs(Double(pa[i]) - Double(pb[i])) }
            }
        }
    }
    return sum / Double(n * a.layout.colourChannels)
}

/// Whether two rasters have the same size and layout (check before comparing values).
func sameShape(_ a: Raster, _ b: Raster) -> Bool {
    a.width == b.width && a.height == b.height && a.layout == b.layout
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

