import Foundation

/// Answers one HTTP request per connection: the health endpoints, the fail/recover switches and
/// static files. Each connection is handled start to finish on a dispatch worker with a read
/// deadline, which keeps many concurrent probes cheap without an event loop.
final class HTTPServer: Sendable {
    private let root: StaticFileRoot
    private let health: HealthState
    private let accessLog: Bool

    /// How long a connection may take to send its request, and then to take the response.
    private static let timeout = Duration.seconds(5)

    /// Longest request head accepted; probes and browsers send far less.
    private static let maximumHeadSize = 16 * 1024

    init(root: StaticFileRoot, health: HealthState, accessLog: Bool) {
        self.root = root
        self.health = health
        self.accessLog = accessLog
    }

    /// Reads the request, answers it and closes the connection.
    func handle(_ connection: TCPSocket) {
        defer { connection.close() }
        connection.setNonBlocking()
        let deadline = ContinuousClock.now + Self.timeout
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while head.count < Self.maximumHeadSize && !HTTPRequest.isComplete(head) {
            let count = buffer.withUnsafeMutableBytes { connection.read(into: $0, until: deadline) }
            if count <= 0 { break }
            head += buffer[..<count]
        }
        // A connection that sends nothing is a TCP probe or a port scan: nothing to answer.
        guard !head.isEmpty else { return }
        guard let request = HTTPRequest(head: head) else {
            send(.text(400, "bad request"), to: connection, includingBody: true)
            Console.out("serve: bad request")
            return
        }
        let response = respond(to: request)
        send(response, to: connection, includingBody: request.method != "HEAD")
        if accessLog {
            Console.out("serve: \(request.method) \(request.target) \(response.status)")
        }
    }

    private func respond(to request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            var response = HTTPResponse.text(405, "method not allowed")
            response.extraHeaders.append((name: "Allow", value: "GET, HEAD"))
            return response
        }
        switch request.path {
        case "/healthz":
            return health.isLive ? .text(200, "ok") : .text(503, "failing")
        case "/readyz":
            switch health.readiness {
            case .ready: return .text(200, "ready")
            case .starting: return .text(503, "not ready yet")
            case .failing: return .text(503, "failing")
            }
        case "/fail":
            if health.fail() { Console.out("serve: now failing (/fail): /healthz and /readyz answer 503") }
            return .text(200, "failing")
        case "/recover":
            if health.recover() { Console.out("serve: recovered (/recover)") }
            return .text(200, "recovered")
        default:
            return staticFile(request.path)
        }
    }

    private func staticFile(_ path: String) -> HTTPResponse {
        switch root.resolve(path) {
        case .file(let file):
            guard let data = FileManager.default.contents(atPath: file) else {
                return .text(403, "forbidden")
            }
            return HTTPResponse(status: 200, contentType: StaticFileRoot.contentType(for: file), body: Array(data))
        case .notFound:
            return .text(404, "not found")
        case .forbidden:
            return .text(403, "forbidden")
        case .badRequest:
            return .text(400, "bad request")
        }
    }

    private func send(_ response: HTTPResponse, to connection: TCPSocket, includingBody: Bool) {
        let bytes = response.serialized(includingBody: includingBody)
        let deadline = ContinuousClock.now + Self.timeout
        if bytes.withUnsafeBytes({ connection.writeAll($0, until: deadline) }) {
            connection.shutdownWrite()
        }
    }
}
