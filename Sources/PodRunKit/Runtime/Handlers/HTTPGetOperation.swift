import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An httpGet probe or hook, as the kubelet's prober does it: `GET scheme://host:port/path` with
/// the action's headers plus `User-Agent` and `Accept` defaults; success iff the final status is in
/// 200..<400; redirects are followed only to the same host (a redirect elsewhere is not followed
/// and its 3xx counts as success, with a note), and at most 9 times (the 10th fails, as Go's
/// client does); at most 10 KiB of body is read.
final class HTTPGetOperation: HandlerOperation {
    /// The session's own inactivity limit, which only matters for hooks (probes have deadlines).
    static let idleBackstop: TimeInterval = 24 * 60 * 60
    /// The kubelet reads at most this much of a probe's response body.
    static let bodyLimit = 10 * 1024
    /// The redirect that makes the probe fail, counting from 1 (Go's `len(via) >= 10`).
    static let redirectLimit = 10

    private struct State {
        var finish: (@Sendable (HandlerResult) -> Void)?
        var task: URLSessionDataTask?
        var stop: HandlerStop?
        var finished = false
        var status: Int?
        var redirects = 0
        /// An off-host redirect that was not followed.
        var note: String?
        /// Set when the operation itself ended the exchange (too many redirects).
        var failure: String?
        var bodyBytes = 0
        var bodyLimitReached = false
    }

    private let client: HTTPProbeClient
    private let action: HTTPGetAction
    private let context: HandlerContext
    private let userAgent: String
    /// Hooks: any response is success. The kubelet's `runHTTPHandler` discards a hook's response
    /// without looking at its status; only a failed exchange fails the hook.
    private let anyStatusSucceeds: Bool
    private let state = Locked(State())
    /// Known once `start` has built the URL; read only after that (under the same lock as the rest).
    private let target = Locked<(url: URL, label: String)?>(nil)

    /// `userAgent` is the default `User-Agent` (`kube-probe/podrun` for probes,
    /// `kube-lifecycle/podrun` for hooks, as the kubelet's `kube-probe/<version>`).
    init(client: HTTPProbeClient, action: HTTPGetAction, context: HandlerContext, userAgent: String, anyStatusSucceeds: Bool = false) {
        self.client = client
        self.action = action
        self.context = context
        self.userAgent = userAgent
        self.anyStatusSucceeds = anyStatusSucceeds
    }

    func start(finish: @escaping @Sendable (HandlerResult) -> Void) async {
        let stop: HandlerStop? = state.withLock { state in
            state.finish = finish
            return state.stop
        }
        if let stop { return finish(stop.result) }

        let host = action.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        let port: Int32
        switch context.hostPort(for: action.port) {
        case .success(let number):
            port = number
        case .failure(let failure):
            let label = "HTTP GET \(Self.urlText(scheme: action.scheme, host: host, port: action.port.description, path: action.path))"
            return complete(.failed("\(label): \(failure.message)"))
        }
        let text = Self.urlText(scheme: action.scheme, host: host, port: String(port), path: action.path)
        guard let url = URL(string: text) ?? Self.percentEncoded(text) else {
            return complete(.failed("HTTP GET \(text): not a valid URL"))
        }
        target.withLock { $0 = (url, "HTTP GET \(url.absoluteString)") }

        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: Self.idleBackstop)
        applyHeaders(to: &request)
        let task = client.start(request, for: self)
        let stopped: Bool = state.withLock { state in
            if state.finished { return true }
            state.task = task
            return false
        }
        if stopped { task.cancel() }
    }

    func stop(_ reason: HandlerStop) {
        let (task, finish): (URLSessionDataTask?, (@Sendable (HandlerResult) -> Void)?) = state.withLock { state in
            guard !state.finished, state.stop == nil else { return (nil, nil) }
            state.stop = reason
            guard let finish = state.finish else { return (nil, nil) }  // not started: start reports it
            state.finished = true
            defer { state.task = nil }
            return (state.task, finish)
        }
        // Cancelling closes the connection; the delegate's completion then finds nothing to do.
        task?.cancel()
        finish?(reason.result)
    }

    // MARK: Events from HTTPSessionDelegate

    /// The request to follow a redirect with, or nil to stop at this response.
    func redirect(to request: URLRequest, from response: HTTPURLResponse) -> URLRequest? {
        guard let (url, _) = target.withLock({ $0 }), let next = request.url else { return nil }
        return state.withLock { state in
            guard !state.finished else { return nil }
            if next.host?.lowercased() != url.host?.lowercased() {
                state.note = "redirect (status \(response.statusCode)) to \(next.absoluteString) not followed: another host"
                return nil
            }
            state.redirects += 1
            if state.redirects >= Self.redirectLimit {
                state.failure = "stopped after \(Self.redirectLimit) redirects"
                return nil
            }
            var followed = URLRequest(url: next, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: Self.idleBackstop)
            applyHeaders(to: &followed)
            return followed
        }
    }

    func received(_ response: URLResponse) {
        guard let status = (response as? HTTPURLResponse)?.statusCode else { return }
        state.withLock { $0.status = status }
    }

    /// Counts body bytes; false once enough has been read (the caller then cancels the task).
    func received(byteCount: Int) -> Bool {
        state.withLock { state in
            state.bodyBytes += byteCount
            if state.bodyBytes > Self.bodyLimit { state.bodyLimitReached = true }
            return !state.bodyLimitReached
        }
    }

    func completed(error: (any Error)?) {
        let known = target.withLock { $0 }
        let label = known?.label ?? "HTTP GET"
        let hint = known.map { client.proxies.hint(for: $0.url) } ?? ""
        let result: HandlerResult? = state.withLock { state in
            guard !state.finished else { return nil }
            if let failure = state.failure { return .failed("\(label): \(failure)") }
            if let status = state.status, error == nil || state.bodyLimitReached {
                if anyStatusSucceeds { return .succeeded }
                switch status {
                case 200..<300: return .succeeded
                case 300..<400: return .succeeded(note: state.note.map { "\(label): \($0)" })
                default: return .failed("\(label): status \(status)\(hint)")
                }
            }
            if let error { return .failed("\(label): \(Self.describe(error))\(hint)") }
            return .failed("\(label): no response")
        }
        if let result { complete(result) }
    }

    // MARK: Helpers

    private func complete(_ result: HandlerResult) {
        let finish: (@Sendable (HandlerResult) -> Void)? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            state.task = nil
            defer { state.finish = nil }
            return state.finish
        }
        finish?(result)
    }

    /// The action's headers, then `User-Agent`, `Accept` and `Connection: close` unless it set
    /// them. A header given twice is sent with both values, as the kubelet does.
    private func applyHeaders(to request: inout URLRequest) {
        var given = Set<String>()
        for header in action.httpHeaders where !header.name.isEmpty {
            request.addValue(header.value, forHTTPHeaderField: header.name)
            given.insert(header.name.lowercased())
        }
        let defaults = [("User-Agent", userAgent), ("Accept", "*/*"), ("Connection", "close")]
        for (name, value) in defaults where !given.contains(name.lowercased()) {
            request.setValue(value, forHTTPHeaderField: name)
        }
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

    /// What went wrong, in the short words a user can act on (`connection refused`).
    static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        // Foundation on Linux puts libcurl's own message here ("SSL certificate problem: ...").
        let detail = (nsError.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription
            ?? nsError.userInfo[NSLocalizedDescriptionKey] as? String
        if let urlError = error as? URLError {
            switch urlError.code {
            case .cannotConnectToHost: return "connection refused"
            case .timedOut: return "timed out"
            case .cannotFindHost, .dnsLookupFailed: return "no such host"
            case .networkConnectionLost: return "connection closed before a complete response"
            case .badServerResponse, .cannotParseResponse: return "malformed HTTP response"
            case .httpTooManyRedirects: return "stopped after \(redirectLimit) redirects"
            case .notConnectedToInternet: return "network is unreachable"
            case .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
                .serverCertificateHasUnknownRoot, .clientCertificateRejected, .clientCertificateRequired:
                return tlsFailure(detail ?? urlError.localizedDescription, certificate: true)
            case .secureConnectionFailed:
                return tlsFailure(detail ?? urlError.localizedDescription, certificate: false)
            default:
                break
            }
        }
        let text = detail ?? nsError.localizedDescription
        // Foundation on Linux reports most TLS failures with code -1 and libcurl's (OpenSSL's) text.
        if text.localizedCaseInsensitiveContains("certificate") { return tlsFailure(text, certificate: true) }
        if text.contains("SSL") || text.contains("TLS") { return tlsFailure(text, certificate: false) }
        return HandlerText.oneLine(text)
    }

    /// `TLS handshake failed (…): is the port serving plain HTTP?` and the like.
    private static func tlsFailure(_ detail: String, certificate: Bool) -> String {
        let detail = HandlerText.oneLine(detail)
        if certificate {
            #if canImport(FoundationNetworking)
            return "TLS certificate not accepted (\(detail)); unlike the kubelet, podrun on Linux cannot skip certificate verification"
            #else
            return "TLS certificate not accepted (\(detail))"
            #endif
        }
        let lowered = detail.lowercased()
        let plainHTTP = ["wrong version number", "packet length too long", "http request", "record layer failure"]
        if plainHTTP.contains(where: lowered.contains) {
            return "TLS handshake failed (\(detail)): is the port serving plain HTTP?"
        }
        return "TLS handshake failed (\(detail))"
    }
}
