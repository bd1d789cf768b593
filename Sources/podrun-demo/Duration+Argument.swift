import Dispatch

/// Durations as the command line spells them, and the conversions the workloads need. Swift's
/// `Duration` is the one representation; these helpers keep parsing and printing in one place so
/// every subcommand accepts and logs the same forms.
extension Duration {
    /// Parses `250ms`, `2s`, `1m`, `1h` or a bare number of seconds; fractions are allowed
    /// (`1.5s`, `0.2`). Returns nil for anything else, including negative values.
    init?(argument text: String) {
        let units: [(suffix: String, nanoseconds: Double)] = [
            ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        var number = Substring(text)
        var scale = 1e9
        for unit in units where text.hasSuffix(unit.suffix) {
            number = text.dropLast(unit.suffix.count)
            scale = unit.nanoseconds
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        let nanoseconds = value * scale
        // A century is "forever" for a demo process and keeps every later conversion in range.
        guard nanoseconds < 100 * 365 * 24 * 3600e9 else { return nil }
        self = .nanoseconds(Int64(nanoseconds.rounded()))
    }

    /// Whole nanoseconds, for `DispatchTime` arithmetic and `nanosleep`.
    var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// The same span for Dispatch timers.
    var dispatchInterval: DispatchTimeInterval {
        .nanoseconds(Int(totalNanoseconds))
    }

    /// Seconds as a floating-point number, for `Thread.sleep` and the HTML refresh tag.
    var seconds: Double {
        Double(totalNanoseconds) / 1e9
    }

    /// Short form for log lines in the same units the options take: `250ms`, `2s`, `1.5s`.
    var shortDescription: String {
        let milliseconds = totalNanoseconds / 1_000_000
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        return "\(Double(milliseconds) / 1000)s"
    }
}
