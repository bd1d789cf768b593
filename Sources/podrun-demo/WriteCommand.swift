import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `write`: the app stand-in that produces a log file in a shared volume, for `tail` (or any
/// log-shipper sidecar) to pick up. Appends numbered, timestamped lines at a steady pace. The
/// file is opened for each line, so rotating or deleting it from outside just starts a new one.
struct WriteCommand: DemoCommand {
    static let name = "write"
    static let summary = "append numbered, timestamped lines to a file (the app stand-in)"
    static let synopsis = "--file PATH [--every D] [--count N] [--text TEXT]"
    static let details = """
          --file PATH    file to append to (created if missing)
          --every D      pause between lines (default 1s)
          --count N      stop after N lines and exit 0 (default: forever)
          --text TEXT    text of each line (default "line")
        Lines look like "2025-06-01T10:00:00.123Z line 1".
        """
    static let valueOptions: Set<String> = ["--file", "--every", "--count", "--text"]
    static let flagOptions: Set<String> = []

    let path: String
    let every: Duration
    let count: Int?
    let text: String

    init(_ arguments: ParsedArguments) throws {
        try arguments.expectPositionals(atMost: 0)
        path = try arguments.required("--file", arguments.string("--file"))
        every = try arguments.duration("--every") ?? .seconds(1)
        count = try arguments.integer("--count", in: 1...Int(Int32.max))
        text = arguments.string("--text") ?? "line"
    }

    func run() -> Never {
        let trap = SignalTrap(queue: .global()) { signal in
            Console.out("write: \(SignalName.name(of: signal)), exiting")
            exit(0)
        }
        Console.out("write: appending \"\(text) N\" to \(path) every \(every.shortDescription)"
                    + (count.map { ", \($0) times" } ?? ""))
        var ticker = Ticker(every: every)
        var number = 0
        withExtendedLifetime(trap) { () -> Never in
            while true {
                number += 1
                let line = "\(text) \(number)"
                if let failure = append("\(Timestamp.now()) \(line)\n") {
                    Console.err("write: cannot append to \(path): \(failure)")
                    exit(1)
                }
                Console.out("write: appended \"\(line)\"")
                if let count, number >= count {
                    Console.out("write: wrote \(count) lines, exiting")
                    exit(0)
                }
                ticker.waitForNextTick()
            }
        }
    }

    /// Appends `line` in one write; returns the reason on failure.
    private func append(_ line: String) -> String? {
        #if canImport(Glibc)
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        #else
        let fd = Darwin.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        #endif
        guard fd >= 0 else { return POSIX.describe(errno: errno) }
        defer { POSIX.close(fd) }
        return POSIX.writeAll(fd, Array(line.utf8)) ? nil : POSIX.describe(errno: errno)
    }
}
