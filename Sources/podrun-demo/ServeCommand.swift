import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `serve`: the web-app stand-in. Static files plus liveness/readiness endpoints whose answers
/// can be delayed (`--ready-after`), broken on purpose (`/fail`, `--fail-after`) and mended
/// (`/recover`), so probe behaviour — restarts, endpoints going unready — can be shown without a
/// real application. Shuts down like a well-behaved server: stop accepting on SIGTERM, linger
/// for `--shutdown-delay`, exit 0.
struct ServeCommand: DemoCommand {
    static let name = "serve"
    static let summary = "HTTP server with /healthz, /readyz, /fail, /recover and static files"
    static let synopsis = "[--port N] [--host H] [--dir DIR] [--ready-after D] [--fail-after D] [--shutdown-delay D] [--quiet]"
    static let details = """
          --port N            port to listen on (default $PORT, else 8080; 0 picks a free port)
          --host H            address to listen on (default 127.0.0.1)
          --dir DIR           directory of static files, index.html for / (default .)
          --ready-after D     /readyz answers 503 until D has passed (default 0)
          --fail-after D      start failing /healthz and /readyz after D
          --shutdown-delay D  after SIGTERM, stop accepting and exit 0 after D (default 0)
          --quiet             don't log every request
        The first line is "serve: listening on HOST:PORT" with the real port.
        GET /fail makes /healthz and /readyz answer 503, GET /recover undoes it.
        """
    static let valueOptions: Set<String> = ["--port", "--host", "--dir", "--ready-after", "--fail-after", "--shutdown-delay"]
    static let flagOptions: Set<String> = ["--quiet"]

    let port: Int
    let host: String
    let directory: String
    let readyAfter: Duration
    let failAfter: Duration?
    let shutdownDelay: Duration
    let accessLog: Bool

    init(_ arguments: ParsedArguments) throws {
        try arguments.expectPositionals(atMost: 0)
        if let port = try arguments.port("--port") {
            self.port = port
        } else if let text = ProcessInfo.processInfo.environment["PORT"] {
            guard let port = Int(text), (0...65535).contains(port) else {
                throw UsageError("$PORT is not a port number: '\(text)'")
            }
            self.port = port
        } else {
            port = 8080
        }
        host = arguments.string("--host") ?? "127.0.0.1"
        directory = arguments.string("--dir") ?? "."
        readyAfter = try arguments.duration("--ready-after") ?? .zero
        failAfter = try arguments.duration("--fail-after")
        shutdownDelay = try arguments.duration("--shutdown-delay") ?? .zero
        accessLog = !arguments.flag("--quiet")
    }

    func run() -> Never {
        let queue = DispatchQueue(label: "podrun-demo.serve")
        let stopping = Locked(false)
        let listener: TCPListener
        do {
            listener = try TCPListener.bind(host: host, port: port)
        } catch let error as SocketError where error.code == EADDRINUSE {
            Console.err("serve: port \(port) is in use")
            exit(1)
        } catch {
            Console.err("serve: cannot listen on \(host):\(port): \(error)")
            exit(1)
        }
        let health = HealthState(readyAfter: readyAfter)
        let server = HTTPServer(root: StaticFileRoot(directory: directory), health: health, accessLog: accessLog)
        let acceptLoop = AcceptLoop(listener: listener, queue: queue) { connection in
            DispatchQueue.global().async { server.handle(connection) }
        }

        let shutdownDelay = shutdownDelay
        let trap = SignalTrap(queue: queue) { signal in
            let alreadyStopping = stopping.withLock { stopping in
                defer { stopping = true }
                return stopping
            }
            if alreadyStopping {
                Console.out("serve: \(SignalName.name(of: signal)) again, exiting now")
                exit(0)
            }
            acceptLoop.stop()
            if shutdownDelay == .zero {
                Console.out("serve: \(SignalName.name(of: signal)), stopped accepting, exiting")
                exit(0)
            }
            Console.out("serve: \(SignalName.name(of: signal)), stopped accepting, exiting in \(shutdownDelay.shortDescription)")
            queue.asyncAfter(deadline: .now() + shutdownDelay.dispatchInterval) {
                Console.out("serve: exiting")
                exit(0)
            }
        }
        Console.out("serve: listening on \(listener.address) (files from \(directory))")
        if readyAfter == .zero {
            Console.out("serve: ready")
        } else {
            queue.asyncAfter(deadline: .now() + readyAfter.dispatchInterval) {
                if !stopping.current { Console.out("serve: ready after \(readyAfter.shortDescription)") }
            }
        }
        if let failAfter {
            queue.asyncAfter(deadline: .now() + failAfter.dispatchInterval) {
                if health.fail() {
                    Console.out("serve: now failing (--fail-after \(failAfter.shortDescription)): /healthz and /readyz answer 503")
                }
            }
        }

        withExtendedLifetime((trap, acceptLoop)) {
            dispatchMain()
        }
    }
}
