import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Colour on a terminal, plain text otherwise: `NO_COLOR` (any non-empty value) and
/// `TERM=dumb` turn colour off, as https://no-color.org asks.
struct TerminalStyle: Sendable {
    let enabled: Bool

    init(enabled: Bool) { self.enabled = enabled }

    /// The style for a stream: colour only when it is a terminal and nothing says otherwise.
    static func forStream(_ descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalStyle {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return TerminalStyle(enabled: false) }
        if environment["TERM"] == "dumb" { return TerminalStyle(enabled: false) }
        return TerminalStyle(enabled: isatty(descriptor) == 1)
    }

    enum Colour: Int {
        case red = 31, green = 32, yellow = 33, blue = 34, magenta = 35, cyan = 36
        case brightRed = 91, brightGreen = 92, brightYellow = 93, brightBlue = 94, brightMagenta = 95, brightCyan = 96
    }

    func colour(_ text: String, _ colour: Colour) -> String {
        enabled ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }

    func bold(_ text: String) -> String { enabled ? "\u{1B}[1m\(text)\u{1B}[0m" : text }

    func dim(_ text: String) -> String { enabled ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
}
