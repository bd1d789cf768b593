/// A failed socket call, carrying errno so callers can react to specific causes (`serve` turns
/// EADDRINUSE into "port 8080 is in use") and the system's own wording for everything else.
struct SocketError: Error, CustomStringConvertible {
    /// The call that failed, e.g. `bind`.
    let operation: String
    /// errno, or nil for failures that have none (name resolution).
    let code: Int32?
    /// Human text, e.g. "Connection refused".
    let reason: String

    var description: String { "\(operation): \(reason)" }

    /// The error for the current errno after `operation` failed.
    static func posix(_ operation: String, _ code: Int32) -> SocketError {
        SocketError(operation: operation, code: code, reason: POSIX.describe(errno: code))
    }
}
