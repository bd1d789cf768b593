import Foundation

/// A value shared between threads behind a lock: the server's failing flag, the proxy's byte
/// counts, the shutdown state. The package targets macOS 13, where `Synchronization.Mutex` is
/// not available, so this small wrapper stands in for it.
final class Locked<Value: Sendable>: @unchecked Sendable {
    // Why @unchecked is safe: the only mutable state is `value`, it is private, and the only way
    // to reach it is `withLock`, which holds `lock` for the whole access. `Value` is Sendable, so
    // a copy handed out of `withLock` can cross threads on its own. `lock` itself is immutable.
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A snapshot of the value.
    var current: Value {
        withLock { $0 }
    }
}
