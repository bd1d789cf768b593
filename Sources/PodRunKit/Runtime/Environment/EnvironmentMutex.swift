import Foundation

/// A value shared between threads, guarded by an `NSLock`: the process-wide port registry and the
/// state of a `VolumeUsageWatcher` need one, and `Synchronization.Mutex` needs macOS 15 while the
/// package supports macOS 13.
///
/// `@unchecked Sendable` is sound because `value` is private and only ever touched inside
/// `withLock`, which holds `lock` for the whole access, so no two threads use it at the same time.
/// (`ProcessLauncher.swift` has a private twin, `Protected`; the two can merge once one of them is
/// made internal.)
final class EnvironmentMutex<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
