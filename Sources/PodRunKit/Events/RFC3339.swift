import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 3339 UTC timestamps, formatted by hand because `ISO8601DateFormatter` is slow and not
/// Sendable, and the log pipeline formats one per chunk of output.
public enum RFC3339 {
    /// `2026-11-21T08:15:02.123Z` (milliseconds; the event stream's form).
    public static func milliseconds(_ date: Date) -> String {
        format(date, fractionDigits: 3)
    }

    /// `2026-11-21T08:15:02.123456789Z` (nanoseconds; the CRI log format's form).
    public static func nanoseconds(_ date: Date) -> String {
        format(date, fractionDigits: 9)
    }

    static func format(_ date: Date, fractionDigits: Int) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var fraction = interval - Double(seconds)
        var scale = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        var fractionValue = Int((fraction * Double(scale)).rounded(.down))
        if fractionValue >= scale {
            seconds += 1
            fractionValue -= scale
            fraction = 0
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
            + (fractionDigits > 0 ? ".\(pad(fractionValue, fractionDigits))" : "") + "Z"
    }
}
