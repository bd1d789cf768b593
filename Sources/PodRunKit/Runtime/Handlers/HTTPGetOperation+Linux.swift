#if os(Linux)
import Dispatch
import Foundation
import Glibc

// httpGet on Linux: HTTP/1.1 over a non-blocking socket watched by the pipe reactor, TLS through
// the system's OpenSSL loaded on first use (TLSLibrary).
//
// Not URLSession: on Linux it lives in FoundationNetworking, which links libcurl and with it a
// TLS stack, Kerberos, LDAP, SSH and more — about 8 MB of every podrun's memory, for a request
// podrun makes in a few dozen lines. It also could not do what the kubelet's prober does: skip
// certificate verification, and ignore http_proxy & co. (libcurl applies them even to 127.0.0.1).

/// The result of one non-blocking read, write or handshake step.
enum SocketIO {
    /// Done; for reads and writes, this many bytes.
    case done(Int)
    case wantRead
    case wantWrite
    case endOfStream
    case failed(String)
}

/// Counts the requests in progress (the operations themselves need no shared session here).
final class HTTPProbeClient: Sendable {
    private let inFlight = Locked(0)

    init() {}

    /// Requests started and not yet completed or stopped.
    var inFlightCount: Int { inFlight.withLock { $0 } }

    fileprivate func began() { inFlight.withLock { $0 += 1 } }
    fileprivate func ended() { inFlight.withLock { $0 -= 1 } }
}

/// An httpGet probe or hook, as the kubelet's prober does it: `GET scheme://host:port/path` with
/// the action's headers plus `User-Agent` and `Accept` defaults and `Connection: close`; success
/// iff the final status is in 200..<400; redirects are followed only to the same host (a redirect
/// elsewhere is not followed and its 3xx counts as success, with a note), and at most 9 times (the
/// 10th fails, as Go's client does). The status line and headers decide; the body is not read.
/// No proxy is ever used, and certificates are not verified (as the kubelet's prober does).
///
/// `@unchecked Sendable` is sound because every mutable property is read and written only on
/// `queue`, a serial queue: `start` and `stop` submit their work there, and the reactor runs
/// the socket's handlers there.
final class HTTPGetOperation: HandlerOperation, @unchecked Sendable {
    /// The redirect that makes the probe fail, counting from 1 (Go's `len(via) >= 10`).
    static let redirectLimit = 10
    /// A response head larger than this is malformed for a probe.
    static let headLimit = 64 * 1024

    private struct Target {
        var url: URL
        var https: Bool
        var host: String
        var port: Int32
    }

    private let client: HTTPProbeClient
    private let action: HTTPGetAction
    private let context: HandlerContext
    private let userAgent: String
    /// Hooks: any response is success. The kubelet's `runHTTPHandler` discards a hook's response
    /// without looking at its status; only a failed exchange fails the hook.
    private let anyStatusSucceeds: Bool
    private let queue = DispatchQueue(label: "podrun.handlers.http", target: HandlerQueues.io)

    // Confined to `queue`:
    private var finish: (@Sendable (HandlerResult) -> Void)?
    private var stopReason: HandlerStop?
    private var finished = false
    private var counted = false
    /// `HTTP GET http://127.0.0.1:8080/healthz`: the original request, in every message.
    private var label = "HTTP GET"
    private var origin: Target?
    private var redirects = 0
    /// An off-host redirect that was not followed.
    private var note: String?
    // The exchange in progress:
    private var fd: Int32 = -1
    private var tls: TLSSession?
    private var waitToken: UInt64?
    private var addresses: ArraySlice<SocketAddress> = []
    private var request: [UInt8] = []
    private var sent = 0
    private var received: [UInt8] = []
    private var phase = Phase.idle

    private enum Phase { case idle, connecting, handshaking, sending, receiving }

    init(client: HTTPProbeClient, action: HTTPGetAction, context: HandlerContext, userAgent: String, anyStatusSucceeds: Bool = false) {
        self.client = client
        self.action = action
        self.context = context
        self.userAgent = userAgent
        self.anyStatusSucceeds = anyStatusSucceeds
    }

    deinit {
        // Only reached unfinished if nobody ran the operation to its end; nothing else holds it.
        if let waitToken { PipeReactor.shared.unregister(waitToken) }
        if fd >= 0 { close(fd) }
    }

    func start(finish: @escaping @Sendable (HandlerResult) -> Void) async {
        queue.async { [self] in begin(finish) }
    }

    func stop(_ reason: HandlerStop) {
        queue.async { [self] in
            guard !finished, stopReason == nil else { return }
            stopReason = reason
            guard finish != nil else { return }  // not started: `begin` reports it
            complete(reason.result)
        }
    }

    // MARK: On `queue`

    private func begin(_ finish: @escaping @Sendable (HandlerResult) -> Void) {
        self.finish = finish
        if let stopReason { return complete(stopReason.result) }
        let host = action.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        let port: Int32
        switch context.hostPort(for: action.port) {
        case .success(let number):
            port = number
        case .failure(let failure):
            let text = Self.urlText(scheme: action.scheme, host: host, port: action.port.description, path: action.path)
            return complete(.failed("HTTP GET \(text): \(failure.message)"))
        }
        let text = Self.urlText(scheme: action.scheme, host: host, port: String(port), path: action.path)
        guard let url = URL(string: text) ?? Self.percentEncoded(text) else {
            return complete(.failed("HTTP GET \(text): not a valid URL"))
        }
        label = "HTTP GET \(url.absoluteString)"
        let target = Target(url: url, https: action.scheme == .https, host: host, port: port)
        origin = target
        client.began()
        counted = true
        connect(to: target)
    }

    private func complete(_ result: HandlerResult) {
        guard !finished else { return }
        finished = true
        closeConnection()
        if counted {
            counted = false
            client.ended()
        }
        let finish = self.finish
        self.finish = nil
        finish?(result)
    }

    private func fail(_ detail: String) { complete(.failed("\(label): \(detail)")) }

    private func closeConnection() {
        if let waitToken { PipeReactor.shared.unregister(waitToken) }
        waitToken = nil
        tls = nil
        if fd >= 0 { close(fd) }
        fd = -1
        phase = .idle
    }

    // MARK: Connecting

    private var target: Target?

    private func connect(to target: Target) {
        closeConnection()
        self.target = target
        request = requestBytes(for: target)
        sent = 0
        received = []
        if let numeric = SocketAddress.lookup(host: target.host, port: target.port, numericOnly: true) {
            addresses = numeric[...]
        } else {
            // getaddrinfo blocks: this serial queue waits, the others go on.
            guard let found = SocketAddress.lookup(host: target.host, port: target.port, numericOnly: false), !found.isEmpty else {
                return fail("no such host")
            }
            addresses = found[...]
        }
        tryNextAddress(lastError: nil)
    }

    private func tryNextAddress(lastError: Int32?) {
        closeConnection()
        guard var address = addresses.popFirst() else { return fail(HandlerText.errno(lastError ?? ECONNREFUSED)) }
        fd = socket(Int32(address.storage.ss_family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return tryNextAddress(lastError: errno) }
        let rc = withUnsafePointer(to: &address.storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, address.length) }
        }
        if rc == 0 { return connected() }
        guard errno == EINPROGRESS || errno == EINTR else { return tryNextAddress(lastError: errno) }
        phase = .connecting
        wait(writable: true)
    }

    private func connected() {
        guard let target else { return }
        if target.https {
            switch TLSLibrary.shared {
            case .failure(let error):
                return fail(error.message)
            case .success(let library):
                let serverName = target.host.contains(":") || target.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : target.host
                guard let session = TLSSession(library: library, fd: fd, serverName: serverName) else {
                    return fail("TLS handshake failed (OpenSSL could not create a session)")
                }
                tls = session
                phase = .handshaking
            }
        } else {
            phase = .sending
        }
        step()
    }

    // MARK: The exchange

    /// Waits (once) until the socket is readable or writable, then goes on with `step`.
    private func wait(writable: Bool) {
        waitToken = PipeReactor.shared.register(fd: fd, writable: writable, queue: queue) { [weak self] in
            guard let self else { return }
            if let token = waitToken { PipeReactor.shared.unregister(token) }
            waitToken = nil
            guard !finished else { return }
            if phase == .connecting {
                var code: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0 { code = errno }
                if code != 0 { return tryNextAddress(lastError: code) }
                return connected()
            }
            step()
        }
    }

    private func step() {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while !finished {
            switch phase {
            case .idle, .connecting:
                return
            case .handshaking:
                guard let tls else { return }
                switch tls.handshake() {
                case .done: phase = .sending
                case .wantRead: return wait(writable: false)
                case .wantWrite: return wait(writable: true)
                case .endOfStream: return fail(Self.tlsFailure("the server closed the connection", certificate: false))
                case .failed(let detail): return fail(Self.tlsFailure(detail, certificate: false))
                }
            case .sending:
                let outcome: SocketIO = request[sent...].withUnsafeBytes { bytes in
                    if let tls { return tls.write(bytes) }
                    let n = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
                    if n >= 0 { return .done(n) }
                    if errno == EAGAIN || errno == EWOULDBLOCK { return .wantWrite }
                    return errno == EINTR ? .done(0) : .failed(HandlerText.errno(errno))
                }
                switch outcome {
                case .done(let n):
                    sent += n
                    if sent >= request.count { phase = .receiving }
                case .wantRead: return wait(writable: false)
                case .wantWrite: return wait(writable: true)
                case .endOfStream: return fail("connection closed before a complete response")
                case .failed(let detail): return fail(detail)
                }
            case .receiving:
                let outcome: SocketIO = buffer.withUnsafeMutableBytes { bytes in
                    if let tls { return tls.read(into: bytes) }
                    let n = recv(fd, bytes.baseAddress, bytes.count, 0)
                    if n > 0 { return .done(n) }
                    if n == 0 { return .endOfStream }
                    if errno == EAGAIN || errno == EWOULDBLOCK { return .wantRead }
                    return errno == EINTR ? .done(0) : .failed(HandlerText.errno(errno))
                }
                switch outcome {
                case .done(let n):
                    received += buffer[..<n]
                    if let head = ResponseHead.parse(received) {
                        switch head {
                        case .informational(let length): received.removeFirst(length)
                        case .malformed: return fail("malformed HTTP response")
                        case .complete(let status, let location): return responded(status: status, location: location)
                        }
                    } else if received.count > Self.headLimit {
                        return fail("malformed HTTP response")
                    }
                case .wantRead: return wait(writable: false)
                case .wantWrite: return wait(writable: true)
                case .endOfStream: return fail(received.isEmpty ? "connection closed before a complete response" : "malformed HTTP response")
                case .failed(let detail): return fail(detail)
                }
            }
        }
    }

    private func responded(status: Int, location: String?) {
        closeConnection()
        guard let target, let origin else { return }
        if (300..<400).contains(status), let location, let next = URL(string: location, relativeTo: target.url)?.absoluteURL {
            let nextHost = Self.bare(next.host ?? "")
            if nextHost.lowercased() != origin.host.lowercased() {
                note = "redirect (status \(status)) to \(next.absoluteString) not followed: another host"
            } else {
                redirects += 1
                if redirects >= Self.redirectLimit { return fail("stopped after \(Self.redirectLimit) redirects") }
                let https = next.scheme?.lowercased() == "https"
                let port = next.port.map(Int32.init) ?? (https ? 443 : 80)
                return connect(to: Target(url: next, https: https, host: nextHost, port: port))
            }
        }
        if anyStatusSucceeds { return complete(.succeeded) }
        switch status {
        case 200..<300: complete(.succeeded)
        case 300..<400: complete(.succeeded(note: note.map { "\(label): \($0)" }))
        default: fail("status \(status)")
        }
    }

    /// The request: the action's headers (a name given twice is sent twice), then `Host`,
    /// `User-Agent`, `Accept` and `Connection: close` unless the action set them. A `Host` in the
    /// action's headers names the host, as the kubelet does.
    private func requestBytes(for target: Target) -> [UInt8] {
        var components = URLComponents(url: target.url, resolvingAgainstBaseURL: false)
        let path = components?.percentEncodedPath ?? "/"
        var requestTarget = path.isEmpty ? "/" : path
        if let query = components?.percentEncodedQuery { requestTarget += "?" + query }
        components = nil
        var lines = ["GET \(requestTarget) HTTP/1.1"]
        var given = Set<String>()
        for header in action.httpHeaders where !header.name.isEmpty {
            lines.append("\(HandlerText.oneLine(header.name)): \(HandlerText.oneLine(header.value))")
            given.insert(header.name.lowercased())
        }
        let hostText = target.host.contains(":") ? "[\(target.host)]" : target.host
        let defaults = [("Host", "\(hostText):\(target.port)"), ("User-Agent", userAgent), ("Accept", "*/*"), ("Connection", "close")]
        for (name, value) in defaults where !given.contains(name.lowercased()) {
            lines.append("\(name): \(value)")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    // MARK: Helpers

    /// `::1` for `[::1]`.
    private static func bare(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }

    /// `http://127.0.0.1:8080/healthz`; a path without a leading slash gets one.
    static func urlText(scheme: URIScheme, host: String, port: String, path: String) -> String {
        let hostText = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let pathText = path.hasPrefix("/") ? path : "/" + path
        return "\(scheme.rawValue.lowercased())://\(hostText):\(port)\(pathText)"
    }

    /// For paths a user wrote with spaces or other characters URLs may not hold literally.
    private static func percentEncoded(_ text: String) -> URL? {
        var allowed = CharacterSet.urlPathAllowed
        allowed.insert(charactersIn: "?&=#[]")
        return text.addingPercentEncoding(withAllowedCharacters: allowed).flatMap(URL.init(string:))
    }

    /// `TLS handshake failed (…): is the port serving plain HTTP?` and the like.
    static func tlsFailure(_ detail: String, certificate: Bool) -> String {
        let detail = HandlerText.oneLine(detail)
        if certificate { return "TLS certificate not accepted (\(detail))" }
        let lowered = detail.lowercased()
        let plainHTTP = ["wrong version number", "packet length too long", "http request", "record layer failure"]
        if plainHTTP.contains(where: lowered.contains) {
            return "TLS handshake failed (\(detail)): is the port serving plain HTTP?"
        }
        return "TLS handshake failed (\(detail))"
    }
}

/// The status line and headers of a response, once they are complete.
private enum ResponseHead {
    /// A 1xx response head of this many bytes: skip it, the real one follows.
    case informational(length: Int)
    case complete(status: Int, location: String?)
    case malformed

    /// nil while the head is incomplete.
    static func parse(_ bytes: [UInt8]) -> ResponseHead? {
        guard let end = headEnd(bytes) else { return nil }
        // Split bytes, not a String: "\r\n" is one Character, which "\n" does not match.
        let lines = bytes[..<end.start].split(separator: 0x0a, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0d ? line.dropLast() : line, as: UTF8.self)
        }
        guard let statusLine = lines.first else { return .malformed }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), parts[1].count == 3, let status = Int(parts[1]), status >= 100 else {
            return .malformed
        }
        if status < 200 && status != 101 { return .informational(length: end.length) }
        var location: String?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "location" {
                location = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return .complete(status: status, location: location)
    }

    /// Where the head ends (`\r\n\r\n`, or a bare `\n\n`) and its length with the blank line.
    private static func headEnd(_ bytes: [UInt8]) -> (start: Int, length: Int)? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0a {
                if bytes[index + 1] == 0x0a { return (index, index + 2) }
                if bytes[index + 1] == 0x0d, index + 2 < bytes.count, bytes[index + 2] == 0x0a { return (index, index + 3) }
            }
            index += 1
        }
        return nil
    }
}

/// A resolved socket address.
struct SocketAddress {
    var storage: sockaddr_storage
    var length: socklen_t

    static func lookup(host: String, port: Int32, numericOnly: Bool) -> [SocketAddress]? {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICSERV | (numericOnly ? AI_NUMERICHOST : 0)
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            if let address = info.pointee.ai_addr, Int(info.pointee.ai_addrlen) <= MemoryLayout<sockaddr_storage>.size {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) {
                    $0.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(info.pointee.ai_addrlen)))
                }
                addresses.append(SocketAddress(storage: storage, length: info.pointee.ai_addrlen))
            }
            next = info.pointee.ai_next
        }
        return addresses
    }
}
#endif
