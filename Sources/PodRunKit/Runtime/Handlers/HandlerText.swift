#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wording of handler messages, kept in one place so every handler phrases things alike and
/// a message always fits on one line of `podrun` output or one JSON string in the event stream.
enum HandlerText {
    /// At most this many characters of a command's output go into a message.
    static let outputLimit = 300
    /// At most this many characters of a command line go into a message.
    static let commandLimit = 120

    /// `1s`, `1.5s`, `250ms`: how `timeoutSeconds` reads back in `timed out after 1s`.
    static func duration(_ value: Duration) -> String {
        let (seconds, attoseconds) = value.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        var text = String(Double(milliseconds) / 1000)
        while text.hasSuffix("0") { text.removeLast() }
        return text + "s"
    }

    /// `127.0.0.1:8080`, `[::1]:8080`.
    static func hostPort(_ host: String, _ port: Int32) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// `[cat /tmp/ready]`, the way the kubelet (Go's `%v` of a slice) shows an exec command.
    static func command(_ argv: [String]) -> String {
        "[" + truncated(oneLine(argv.joined(separator: " ")), to: commandLimit) + "]"
    }

    /// A command's output as one line: lines trimmed, empty ones dropped, the rest joined with
    /// ` | `, control characters removed, cut to `outputLimit` characters.
    static func summary(ofOutput bytes: [UInt8], truncated wasTruncated: Bool = false) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline)
            .map { oneLine(String($0)).trimmingSpaces() }
            .filter { !$0.isEmpty }
        let joined = lines.joined(separator: " | ")
        if wasTruncated && joined.count <= outputLimit { return joined + "…" }
        return truncated(joined, to: outputLimit)
    }

    /// `exit status 1`, `killed by SIGKILL`: how a probe or hook command ended.
    static func exit(_ exit: ProcessExit) -> String {
        if let signal = exit.signal { return "killed by \(signalName(signal))" }
        return "exit status \(exit.exitCode)"
    }

    /// `SIGTERM`, or `signal 42` for one without a well-known name.
    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
            SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
            SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
        ]
        return names[signal] ?? "signal \(signal)"
    }

    /// `connection refused`: `strerror` in the lower case Go and the kubelet use.
    static func errno(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        guard let first = text.first else { return "error \(code)" }
        // Keep acronyms ("IO error") as they are; lower-case an ordinary leading capital.
        let second = text.dropFirst().first
        if first.isUppercase, second.map({ !$0.isUppercase }) ?? true {
            return first.lowercased() + text.dropFirst()
        }
        return text
    }

    /// Control characters (newlines, tabs, escapes) become spaces.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    static func truncated(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}
