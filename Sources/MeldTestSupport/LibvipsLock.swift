#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

/// libvips has one error buffer for the whole process, and a process-wide switch that stops
/// errors being recorded at all (`vips_error_freeze`, which its format sniffers turn on while
/// they probe a file, i.e. during every load). Meld takes the kind of some failures (damage met
/// while encoding) from libvips' words in that buffer, so a load or a failure in a test running
/// in parallel can take or suppress them. Suites that use libvips hold this lock shared; tests
/// that check the kind of a libvips failure hold it exclusively, so they run alone.
///
/// It is a file lock (flock) shared by MeldVipsTests, MeldTests and MeldCLITests, which run in one
/// process; it is waited for by polling, never by blocking a
/// thread of the test runner's pool.
public struct LibvipsLock: TestTrait, SuiteTrait, TestScoping {
    /// Shared (may run alongside other holders) or exclusive (runs alone).
    public enum Mode: Sendable { case shared, exclusive }
    /// How this test holds the lock.
    public let mode: Mode

    /// Creates the trait.
    public init(mode: Mode) { self.mode = mode }

    /// The lock file, in the temporary folder.
    public static let path = FileManager.default.temporaryDirectory.appendingPathComponent("meld-tests-libvips-errors.lock").path

    /// Applies to every test in a suite.
    public var isRecursive: Bool { true }

    /// The scope for one test case (none for suites themselves).
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        guard testCase != nil else { return nil }
        // A test that asks for the lock exclusively takes only that one.
        if mode == .shared, test.traits.contains(where: { ($0 as? LibvipsLock)?.mode == .exclusive }) { return nil }
        return self
    }

    /// Holds the lock while the test case runs.
    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let fd = open(Self.path, O_CREAT | O_RDWR, 0o644)
        precondition(fd >= 0, "cannot open \(Self.path)")
        defer { close(fd) }
        let operation = (mode == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB
        while flock(fd, operation) != 0 { try await Task.sleep(nanoseconds: 1_000_000) }
        defer { _ = flock(fd, LOCK_UN) }
        try await function()
    }
}

extension Trait where Self == LibvipsLock {
    /// Uses libvips; may run alongside other such tests.
    public static var libvipsShared: Self { LibvipsLock(mode: .shared) }
    /// Checks the kind or detail of a libvips failure: runs alone.
    public static var libvipsExclusive: Self { LibvipsLock(mode: .exclusive) }
}
