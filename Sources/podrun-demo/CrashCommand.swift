import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `crash`: the failing-container stand-in. Prints a message, waits, then exits with the given
/// status or dies by a signal, so restart policies, back-off, init-container failure and
/// `exitCode`/`signal` reporting (128+N) can be shown without a broken program.
struct CrashCommand: DemoCommand {
    static let name = "crash"
    static let summary = "print a message, wait, then exit with a status code or die by a signal"
    static let synopsis = "[--after D] [--code N] [--message TEXT] [--signal NAME]"
    static let details = """
          --after D        how long to wait before exiting (default 1s)
          --code N         exit status, 0-255 (default 1)
          --message TEXT   printed at start (default: what is about to happen)
          --signal NAME    instead of exiting, kill itself with this signal
                           (\(SignalName.knownNames), with or without SIG, or a number)
        SIGTERM/SIGINT during the wait exit 0.
        """
    static let valueOptions: Set<String> = ["--after", "--code", "--message", "--signal"]
    static let flagOptions: Set<String> = []

    let after: Duration
    let code: Int32
    let message: String?
    let signal: Int32?

    init(_ arguments: ParsedArguments) throws {
        try arguments.expectPositionals(atMost: 0)
        after = try arguments.duration("--after") ?? .seconds(1)
        code = Int32(try arguments.integer("--code", in: 0...255) ?? 1)
        message = arguments.string("--message")
        if let name = arguments.string("--signal") {
            guard arguments.string("--code") == nil else {
                throw UsageError("use either --code or --signal, not both")
            }
            guard let number = SignalName.number(for: name) else {
                throw UsageError("unknown signal '\(name)'; try one of \(SignalName.knownNames)")
            }
            signal = number
        } else {
            signal = nil
        }
    }

    func run() -> Never {
        let outcome = signal.map { "die by \(SignalName.name(of: $0))" } ?? "exit with code \(code)"
        let trap = SignalTrap(queue: .global()) { received in
            Console.out("crash: \(SignalName.name(of: received)) before crashing, exiting 0")
            exit(0)
        }
        Console.out(message ?? "crash: will \(outcome) in \(after.shortDescription)")
        withExtendedLifetime(trap) {
            Thread.sleep(forTimeInterval: after.seconds)
        }
        guard let signal else {
            Console.out("crash: exiting with code \(code)")
            exit(code)
        }
        Console.out("crash: killing myself with \(SignalName.name(of: signal))")
        trap.cancel()
        SignalTrap.restoreDefault(signal)
        kill(getpid(), signal)
        // Only reached for a signal whose default action is not to terminate (or one that was
        // caught): report it the way a container runtime would have.
        Console.out("crash: still alive after \(SignalName.name(of: signal)), exiting with code \(128 + signal)")
        exit(128 + signal)
    }
}
