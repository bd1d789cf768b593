import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `sleep`: the do-nothing container for lifecycle demos. Sleeps forever or for a while, and
/// reacts to SIGTERM in the ways that matter for termination: promptly (the default), late
/// (`--term-delay`, within or beyond a grace period) or never (`--ignore-term`, so only SIGKILL
/// after the grace period ends it). SIGINT always exits at once, as an escape hatch.
struct SleepCommand: DemoCommand {
    static let name = "sleep"
    static let summary = "sleep forever or for a duration; control how SIGTERM is handled"
    static let synopsis = "[DURATION] [--ignore-term] [--term-delay D]"
    static let details = """
          DURATION         exit 0 after this long (default: sleep forever)
          --ignore-term    log SIGTERM and keep sleeping (SIGINT still exits)
          --term-delay D   on SIGTERM, exit 0 only after D
        """
    static let valueOptions: Set<String> = ["--term-delay"]
    static let flagOptions: Set<String> = ["--ignore-term"]

    let duration: Duration?
    let ignoreTerm: Bool
    let termDelay: Duration?

    init(_ arguments: ParsedArguments) throws {
        try arguments.expectPositionals(atMost: 1)
        if let text = arguments.positionals.first {
            guard let duration = Duration(argument: text) else {
                throw UsageError("DURATION wants a duration such as 250ms, 2s, 1m or a number of seconds, not '\(text)'")
            }
            self.duration = duration
        } else {
            duration = nil
        }
        ignoreTerm = arguments.flag("--ignore-term")
        termDelay = try arguments.duration("--term-delay")
        if ignoreTerm && termDelay != nil {
            throw UsageError("use either --ignore-term or --term-delay, not both")
        }
    }

    func run() -> Never {
        let queue = DispatchQueue(label: "podrun-demo.sleep")
        let terminating = Locked(false)
        let (ignoreTerm, termDelay) = (ignoreTerm, termDelay)

        let trap = SignalTrap(queue: queue) { signal in
            let name = SignalName.name(of: signal)
            if signal == SIGTERM && ignoreTerm {
                Console.out("sleep: \(name) ignored")
                return
            }
            guard signal == SIGTERM, let termDelay else {
                Console.out("sleep: \(name), exiting")
                exit(0)
            }
            let first = terminating.withLock { terminating in
                defer { terminating = true }
                return !terminating
            }
            guard first else {
                Console.out("sleep: \(name) again, still exiting on schedule")
                return
            }
            Console.out("sleep: \(name), exiting in \(termDelay.shortDescription)")
            queue.asyncAfter(deadline: .now() + termDelay.dispatchInterval) {
                Console.out("sleep: exiting")
                exit(0)
            }
        }
        var plan = duration.map { "sleeping for \($0.shortDescription)" } ?? "sleeping forever"
        if ignoreTerm { plan += ", ignoring SIGTERM" }
        if let termDelay { plan += ", exiting \(termDelay.shortDescription) after SIGTERM" }
        Console.out("sleep: \(plan) (pid \(getpid()))")
        if let duration {
            queue.asyncAfter(deadline: .now() + duration.dispatchInterval) {
                Console.out("sleep: done after \(duration.shortDescription)")
                exit(0)
            }
        }
        withExtendedLifetime(trap) {
            dispatchMain()
        }
    }
}
