/// One problem found in a pod description.
///
/// Rendered as `FILE:LINE:COLUMN: error: PATH: MESSAGE` (the compiler convention), so that a
/// user can jump to the spot and knows which field is meant even in a long manifest.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error
        case warning
    }

    public var severity: Severity
    public var location: SourceLocation
    /// The field path, e.g. `spec.containers[1].readinessProbe.successThreshold`; empty for
    /// problems with the file as a whole (syntax errors).
    public var path: String
    public var message: String
    /// How to fix it, when there is something concrete to say.
    public var fix: String?

    public init(_ severity: Severity, at location: SourceLocation, path: String, _ message: String, fix: String? = nil) {
        self.severity = severity
        self.location = location
        self.path = path
        self.message = message
        self.fix = fix
    }

    /// The message without location and severity: `PATH: MESSAGE; FIX`.
    public var text: String {
        var text = path.isEmpty ? message : "\(path): \(message)"
        if let fix { text += "; \(fix)" }
        return text
    }

    public var description: String { "\(location): \(severity.rawValue): \(text)" }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }
}
