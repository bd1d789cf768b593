import Foundation

/// Durations as people type them on the command line: `250ms`, `10s`, `5m`, `2h`, `1h30m`,
/// `1.5s` (Go's `time.ParseDuration` syntax, which `kubectl logs --since` uses; units ns, us,
/// µs, ms, s, m, h). A bare `0` is zero; other numbers need a unit.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        if rest == "0" { return .zero }
        var total: Duration = .zero
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unit.count)
            let nanosecondsPerUnit: Double
            switch unit {
            case "ns": nanosecondsPerUnit = 1
            case "us", "µs", "μs": nanosecondsPerUnit = 1e3
            case "ms": nanosecondsPerUnit = 1e6
            case "s": nanosecondsPerUnit = 1e9
            case "m": nanosecondsPerUnit = 60e9
            case "h": nanosecondsPerUnit = 3600e9
            default: return nil
            }
            let nanoseconds = (value * nanosecondsPerUnit).rounded()
            guard nanoseconds < 9.2e18 else { return nil }
            total += .nanoseconds(Int64(nanoseconds))
        }
        return total
    }

    /// The shortest exact form: `250ms`, `10s`, `5m`, `1.5s`.
    public static func format(_ duration: Duration) -> String {
        let milliseconds = Int64((duration.seconds * 1000).rounded())
        if milliseconds % 3_600_000 == 0, milliseconds > 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0, milliseconds > 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        return "\(Double(milliseconds) / 1000)s"
    }
}
