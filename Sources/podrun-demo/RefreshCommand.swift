import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `refresh`: the content-sidecar stand-in (git-sync, a page generator). Rewrites an HTML page in
/// a shared volume at a steady pace for `serve --dir` in another container to publish. Each
/// update is written to a temporary file and renamed over the page, so the server never reads a
/// half-written page.
struct RefreshCommand: DemoCommand {
    static let name = "refresh"
    static let summary = "atomically rewrite an HTML page with a counter and the time"
    static let synopsis = "--file PATH [--every D]"
    static let details = """
          --file PATH    page to rewrite, e.g. /html/index.html
          --every D      pause between updates (default 1s)
        The page reloads itself in the browser at the same pace.
        """
    static let valueOptions: Set<String> = ["--file", "--every"]
    static let flagOptions: Set<String> = []

    let path: String
    let every: Duration

    init(_ arguments: ParsedArguments) throws {
        try arguments.expectPositionals(atMost: 0)
        path = try arguments.required("--file", arguments.string("--file"))
        every = try arguments.duration("--every") ?? .seconds(1)
    }

    func run() -> Never {
        // The update count, and a lock held while a page is written and renamed: the signal
        // handler takes it before exiting, so a stop never leaves a temporary file behind.
        let updates = Locked(0)
        let trap = SignalTrap(queue: .global()) { signal in
            updates.withLock { count in
                Console.out("refresh: \(SignalName.name(of: signal)) after \(count) updates, exiting")
                exit(0)
            }
        }
        Console.out("refresh: rewriting \(path) every \(every.shortDescription)")
        var ticker = Ticker(every: every)
        withExtendedLifetime(trap) { () -> Never in
            while true {
                let update = updates.withLock { count in
                    count += 1
                    if let failure = replace(with: page(update: count)) {
                        Console.err("refresh: cannot write \(path): \(failure)")
                        exit(1)
                    }
                    return count
                }
                Console.out("refresh: wrote \(path) (update \(update))")
                ticker.waitForNextTick()
            }
        }
    }

    private func page(update: Int) -> String {
        let reload = max(1, Int(every.seconds.rounded(.up)))
        return """
            <!doctype html>
            <html>
            <head><meta charset="utf-8"><meta http-equiv="refresh" content="\(reload)"><title>podrun demo</title></head>
            <body>
            <h1>podrun demo</h1>
            <p>Update <strong id="counter">\(update)</strong> at <time>\(Timestamp.now())</time>.</p>
            <p>Written by <code>podrun-demo refresh</code> (pid \(getpid())) every \(every.shortDescription).</p>
            </body>
            </html>

            """
    }

    /// Writes `contents` next to the page and renames it over the page; returns the reason on
    /// failure. The temporary name starts with a dot so `serve` listings skip it.
    private func replace(with contents: String) -> String? {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(directory).\(name).\(getpid()).tmp"
        #if canImport(Glibc)
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        #else
        let fd = Darwin.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        #endif
        guard fd >= 0 else { return POSIX.describe(errno: errno) }
        let written = POSIX.writeAll(fd, Array(contents.utf8))
        let writeError = errno
        POSIX.close(fd)
        guard written else {
            unlink(temporary)
            return POSIX.describe(errno: writeError)
        }
        guard rename(temporary, path) == 0 else {
            let renameError = errno
            unlink(temporary)
            return POSIX.describe(errno: renameError)
        }
        return nil
    }
}
