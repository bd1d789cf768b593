import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `proxy`: the Envoy/service-mesh sidecar stand-in. A plain TCP proxy from a local port to a
/// target, with one log line per connection, so sidecar ordering (the proxy must be up before
/// the app is reachable through it) and traffic flowing through a second container can be shown.
/// A target that is down is survived: the client is closed and the failure logged.
struct ProxyCommand: DemoCommand {
    static let name = "proxy"
    static let summary = "TCP proxy from a local port to a target (the Envoy sidecar stand-in)"
    static let synopsis = "--listen PORT --to [HOST:]PORT [--host H]"
    static let details = """
          --listen PORT       port to accept connections on (0 picks a free port)
          --to [HOST:]PORT    where to connect for each client (host default 127.0.0.1;
                              IPv6 as [::1]:8080)
          --host H            address to listen on (default 127.0.0.1)
        The first line is "proxy: listening on HOST:PORT -> TARGET" with the real port.
        """
    static let valueOptions: Set<String> = ["--listen", "--to", "--host"]
    static let flagOptions: Set<String> = []

    let listenPort: Int
    let host: String
    let targetHost: String
    let targetPort: Int

    init(_ arguments: ParsedArguments) throws {
        try arguments.expectPositionals(atMost: 0)
        listenPort = try arguments.required("--listen", arguments.port("--listen"))
        host = arguments.string("--host") ?? "127.0.0.1"
        let target = try arguments.required("--to", arguments.string("--to"))
        (targetHost, targetPort) = try Self.parseTarget(target)
    }

    /// Splits `8080`, `localhost:8080` or `[::1]:8080` into host and port.
    static func parseTarget(_ text: String) throws -> (host: String, port: Int) {
        var host = "127.0.0.1"
        var portText = Substring(text)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw UsageError("--to wants [HOST:]PORT, not '\(text)'") }
            portText = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else {
            throw UsageError("--to wants [HOST:]PORT with a port from 1 to 65535, not '\(text)'")
        }
        return (host, port)
    }

    func run() -> Never {
        let listener: TCPListener
        do {
            listener = try TCPListener.bind(host: host, port: listenPort)
        } catch let error as SocketError where error.code == EADDRINUSE {
            Console.err("proxy: port \(listenPort) is in use")
            exit(1)
        } catch {
            Console.err("proxy: cannot listen on \(host):\(listenPort): \(error)")
            exit(1)
        }
        let queue = DispatchQueue(label: "podrun-demo.proxy")
        let (targetHost, targetPort) = (targetHost, targetPort)
        let targetDescription = targetHost.contains(":") ? "[\(targetHost)]:\(targetPort)" : "\(targetHost):\(targetPort)"
        let acceptLoop = AcceptLoop(listener: listener, queue: queue) { client in
            let relay = TCPRelay(client: client, targetHost: targetHost, targetPort: targetPort,
                                 targetDescription: targetDescription)
            // A thread per connection: relays block for as long as the connection lives, which
            // would starve the bounded dispatch worker pool.
            Thread.detachNewThread { relay.run() }
        }
        let trap = SignalTrap(queue: queue) { signal in
            acceptLoop.stop()
            Console.out("proxy: \(SignalName.name(of: signal)), stopped accepting, exiting")
            exit(0)
        }
        Console.out("proxy: listening on \(listener.address) -> \(targetDescription)")
        withExtendedLifetime((trap, acceptLoop)) {
            dispatchMain()
        }
    }
}
