import Foundation

/// A value guarded by an `NSLock`, for the little state each probe or hook attempt shares between
/// the task awaiting it and the dispatch queues reporting on it (process exit, pipe data, timer,
/// URLSession delegate). `Synchronization.Mutex` would do, but needs macOS 15.
///
/// `@unchecked Sendable` is sound: `value` is private and only ever accessed inside `withLock`,
/// which holds `lock` for the whole access, so no two threads touch it at the same time. Values
/// that are not `Sendable` themselves (a dispatch source, a continuation) only leave the closure to
/// be used in thread-safe ways (`DispatchSource.cancel`, resuming a continuation once).
final class HandlerMutex<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
