import PodRunKit

/// Prints diagnostics in the compiler convention, `FILE:LINE:COLUMN: error: MESSAGE`, which
/// editors and terminals turn into links.
struct DiagnosticRenderer {
    let style: TerminalStyle

    func render(_ diagnostic: Diagnostic, asError: Bool = false) -> String {
        let location = diagnostic.location.line > 0 ? diagnostic.location.description : diagnostic.location.file
        let severity: String
        if diagnostic.severity == .error || asError {
            severity = style.colour(style.bold("error:"), .red)
        } else {
            severity = style.colour(style.bold("warning:"), .magenta)
        }
        var text = diagnostic.path.isEmpty ? diagnostic.message : "\(diagnostic.path): \(diagnostic.message)"
        if let fix = diagnostic.fix { text += "; \(fix)" }
        return "\(style.bold(location + ":")) \(severity) \(text)"
    }
}
