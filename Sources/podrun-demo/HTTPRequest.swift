import Foundation

/// The parts of an HTTP/1.x request `serve` acts on: method and target from the request line.
/// Headers are read (to find the end of the request) but not interpreted: every response closes
/// the connection, and probes and browsers need nothing more.
struct HTTPRequest {
    let method: String
    /// The request target as sent, e.g. `/index.html?x=1`.
    let target: String

    /// Parses the request head (everything before the blank line). Nil when the request line is
    /// not `METHOD SP target SP HTTP/x.y`.
    init?(head: [UInt8]) {
        let lineEnd = head.firstIndex(of: UInt8(ascii: "\n")) ?? head.endIndex
        var line = head[..<lineEnd]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3,
              let method = String(bytes: parts[0], encoding: .utf8),
              let target = String(bytes: parts[1], encoding: .utf8),
              let version = String(bytes: parts[2], encoding: .utf8),
              !method.isEmpty, version.hasPrefix("HTTP/1."), target.hasPrefix("/")
        else { return nil }
        self.method = method
        self.target = target
    }

    /// The target without query string or fragment, still percent-encoded.
    var path: String {
        String(target.prefix { $0 != "?" && $0 != "#" })
    }

    /// Whether `head` already holds a complete request head (ends with a blank line).
    static func isComplete(_ head: [UInt8]) -> Bool {
        let crlf: [UInt8] = Array("\r\n\r\n".utf8)
        let lf: [UInt8] = Array("\n\n".utf8)
        return contains(head, crlf) || contains(head, lf)
    }

    private static func contains(_ bytes: [UInt8], _ pattern: [UInt8]) -> Bool {
        guard bytes.count >= pattern.count else { return false }
        for start in 0...(bytes.count - pattern.count) where bytes[start..<start + pattern.count].elementsEqual(pattern) {
            return true
        }
        return false
    }
}
