import Foundation

/// Durations as users type them on the command line: `250ms`, `10s`, `1.5s`, `5m`, `2h`,
/// combinations such as `1m30s`, or a bare number of seconds.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite { return .milliseconds(Int64((seconds * 1000).rounded())) }
        var total: Duration = .zero
        var number = ""
        var unit = ""
        func flush() -> Bool {
            guard let value = Double(number), value >= 0, value.isFinite else { return false }
            let milliseconds: Double
            switch unit {
            case "ms": milliseconds = value
            case "s": milliseconds = value * 1000
            case "m": milliseconds = value * 60_000
            case "h": milliseconds = value * 3_600_000
            default: return false
            }
            total += .milliseconds(Int64(milliseconds.rounded()))
            number = ""
            unit = ""
            return true
        }
        for character in trimmed {
            if character.isNumber || character == "." {
                if !unit.isEmpty {
                    guard flush() else { return nil }
                }
                number.append(character)
            } else if character.isLetter {
                guard !number.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard flush() else { return nil }
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
