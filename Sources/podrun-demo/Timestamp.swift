import Foundation

/// Wall-clock timestamps for the lines and pages the workloads write: RFC 3339 UTC with
/// milliseconds, the same shape as podrun's own event times, so they line up when compared.
enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The current time, e.g. `2025-06-01T10:00:00.123Z`.
    static func now() -> String {
        style.format(Date())
    }
}
