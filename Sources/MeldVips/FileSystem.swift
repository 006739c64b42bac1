#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system facts Meld checks before handing a path to libvips, from POSIX `stat`
/// (no Foundation needed, which keeps the CLI's start-up short).
public struct FileStatus: Sendable {
    /// Whether anything exists at the path.
    public var exists: Bool
    /// Whether it is a directory.
    public var isDirectory: Bool
    /// Whether the current user may read it.
    public var isReadable: Bool
    /// The size in bytes (0 for missing paths).
    public var size: Int

    /// Looks the path up (following symlinks).
    public init(path: String) {
        var info = stat()
        if stat(path, &info) == 0 {
            exists = true
            isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            size = Int(info.st_size)
            isReadable = access(path, R_OK) == 0
        } else {
            exists = false
            isDirectory = false
            size = 0
            isReadable = false
        }
    }

    /// Up to `count` bytes from the start of the file (empty when unreadable).
    public static func head(of path: String, count: Int) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
        return n > 0 ? Array(buffer.prefix(n)) : []
    }

    /// The text for the current `errno`.
    public static var lastErrorDescription: String { String(cString: strerror(errno)) }
}
