#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MeldVips
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Image {
    /// The coverage plane of `mask` at this image's size (resampled when it differs).
    func coverage(_ mask: Mask?, operation: String) throws(MeldError) -> Raster? {
        guard let mask else { return nil }
        if mask.width == width && mask.height == height { return mask.raster }
        return try mask.resampled(width: width, height: height).raster
    }
}

/// Small file helpers for the restyle types.
enum RestyleFiles {
    /// Reads a whole file, refusing more than `limit` bytes.
    static func read(_ path: String, operation: String, limit: Int) throws(MeldError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MeldError(.notFound, operation: operation, "\(path) does not exist")
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let type = attributes?[.type] as? FileAttributeType, type == .typeDirectory {
            throw MeldError(.ioFailure, operation: operation, "\(path) is a folder, not a file")
        }
        let size = (attributes?[.size] as? Int) ?? 0
        guard size <= limit else {
            throw MeldError(.tooLarge, operation: operation, "\(path) is \(size) bytes; at most \(limit) are read")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MeldError(.ioFailure, operation: operation, "cannot read \(path)")
        }
        if data.isEmpty { throw MeldError(.emptyFile, operation: operation, "\(path) is empty (0 bytes)") }
        return [UInt8](data)
    }

    /// Writes `bytes` to a temporary file beside `path`, then renames it into place.
    static func write(_ bytes: [UInt8], to path: String, overwrite: Bool, operation: String) throws(MeldError) {
        if FileManager.default.fileExists(atPath: path) && !overwrite {
            throw MeldError(.outputExists, operation: operation, "\(path) already exists; allow overwriting to replace it")
        }
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).meld-\(UUID().uuidString).tmp")
        do {
            try Data(bytes).write(to: temp)
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw MeldError(.ioFailure, operation: operation, "cannot write \(path): \(error)")
        }
        // rename(2) replaces an existing file atomically.
        if rename(temp.path, path) != 0 {
            try? FileManager.default.removeItem(at: temp)
            throw MeldError(.ioFailure, operation: operation, "cannot write \(path) (rename failed, errno \(errno))")
        }
    }
}
