#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Signal names and numbers. Numbers differ between Linux and macOS (SIGUSR1 is 10 on one, 30
/// on the other), so `crash --signal` takes names and logs use names, both resolved through the
/// platform's own constants.
enum SignalName {
    private static let table: [(name: String, number: Int32)] = [
        ("HUP", SIGHUP), ("INT", SIGINT), ("QUIT", SIGQUIT), ("ILL", SIGILL), ("TRAP", SIGTRAP),
        ("ABRT", SIGABRT), ("BUS", SIGBUS), ("FPE", SIGFPE), ("KILL", SIGKILL), ("USR1", SIGUSR1),
        ("SEGV", SIGSEGV), ("USR2", SIGUSR2), ("PIPE", SIGPIPE), ("ALRM", SIGALRM), ("TERM", SIGTERM),
        ("XCPU", SIGXCPU), ("XFSZ", SIGXFSZ), ("VTALRM", SIGVTALRM), ("PROF", SIGPROF), ("SYS", SIGSYS),
    ]

    /// The number for `TERM`, `SIGTERM`, `sigterm` or `15`; nil for an unknown name.
    static func number(for text: String) -> Int32? {
        if let number = Int32(text) {
            return (1..<32).contains(number) ? number : nil
        }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        return table.first { $0.name == name }?.number
    }

    /// `SIGTERM` for 15 (on Linux), or `signal 42` for a number without a name here.
    static func name(of number: Int32) -> String {
        table.first { $0.number == number }.map { "SIG\($0.name)" } ?? "signal \(number)"
    }

    /// The names `crash --signal` accepts, for its help text.
    static var knownNames: String {
        table.map(\.name).joined(separator: " ")
    }
}
