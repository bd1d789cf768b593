import Foundation

/// A value guarded by an `NSLock`, for state shared with dispatch queues and callbacks that
/// cannot be actor-isolated. (`Synchronization.Mutex` would do, but needs macOS 15.)
///
/// `@unchecked Sendable` is sound because `value` is private and only ever accessed inside
/// `withLock`, which holds `lock` for the whole access: no two threads touch it at the same time.
/// Non-Sendable contents never leave the closure except to be used in thread-safe ways.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
