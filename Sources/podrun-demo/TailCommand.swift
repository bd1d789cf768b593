import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tail`: the log-shipper sidecar stand-in (Fluent Bit, Promtail). Follows a file in a shared
/// volume and prints its lines raw on stdout, which shows a sidecar reading what the app writes
/// through an `emptyDir`. Survives the file not existing yet, truncation and rotation.
struct TailCommand: DemoCommand {
    static let name = "tail"
    static let summary = "follow a file and print its new lines raw (the log-shipper stand-in)"
    static let synopsis = "--file PATH [--from-start]"
    static let details = """
          --file PATH     file to follow; may not exist yet
          --from-start    also print what the file holds when first opened
        Stdout carries only the file's lines; tail's own messages go to stderr.
        The file is checked every 200ms.
        """
    static let valueOptions: Set<String> = ["--file"]
    static let flagOptions: Set<String> = ["--from-start"]

    /// How often the file is checked for new data.
    static let pollInterval = Duration.milliseconds(200)

    let path: String
    let fromStart: Bool

    init(_ arguments: ParsedArguments) throws {
        try arguments.expectPositionals(atMost: 0)
        path = try arguments.required("--file", arguments.string("--file"))
        fromStart = arguments.flag("--from-start")
    }

    func run() -> Never {
        let trap = SignalTrap(queue: .global()) { signal in
            Console.err("tail: \(SignalName.name(of: signal)), exiting")
            exit(0)
        }
        let follower = FileFollower(path: path, fromStart: fromStart)
        var ticker = Ticker(every: Self.pollInterval)
        withExtendedLifetime(trap) { () -> Never in
            while true {
                follower.poll()
                ticker.waitForNextTick()
            }
        }
    }
}
