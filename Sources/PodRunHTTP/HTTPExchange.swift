import Foundation
import PodRunKit

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One httpGet request, as the kubelet's prober makes it: success iff the final status is in
/// 200..<400 (or any status, for hooks); redirects are followed only to the same host (a redirect
/// elsewhere is not followed and its 3xx counts as success, with a note), and at most 9 times (the
/// 10th fails, as Go's client does); at most 10 KiB of body is read.
final class HTTPExchange: Sendable {
    /// How the exchange ended; `detail` goes after `HTTP GET <url>: ` in the caller's message.
    enum Result: Sendable, Equatable {
        case succeeded(note: String?)
        case failed(String)
        case cancelled
    }

    /// The session's own inactivity limit; podrun's deadlines (a probe's timeoutSeconds) arrive
    /// as cancellations, so this only bounds a hook against a server that never answers.
    static let idleBackstop: TimeInterval = 24 * 60 * 60
    /// The kubelet reads at most this much of a probe's response body.
    static let bodyLimit = 10 * 1024
    /// The redirect that makes the probe fail, counting from 1 (Go's `len(via) >= 10`).
    static let redirectLimit = 10

    private struct State {
        var finish: (@Sendable (Result) -> Void)?
        var task: URLSessionDataTask?
        var finished = false
        var status: Int?
        var redirects = 0
        /// An off-host redirect that was not followed.
        var note: String?
        /// Set when the exchange itself ended it (too many redirects).
        var failure: String?
        var bodyBytes = 0
        var bodyLimitReached = false
    }

    private let client: HTTPProbeClient
    private let url: URL
    private let headers: [(name: String, value: String)]
    private let anyStatusSucceeds: Bool
    private let state = Locked(State())

    init(client: HTTPProbeClient, url: URL, headers: [(name: String, value: String)], anyStatusSucceeds: Bool) {
        self.client = client
        self.url = url
        self.headers = headers
        self.anyStatusSucceeds = anyStatusSucceeds
    }

    /// Starts the request; `finish` is called exactly once.
    func start(finish: @escaping @Sendable (Result) -> Void) {
        state.withLock { $0.finish = finish }
        let task = client.start(request(for: url), for: self)
        let stopped: Bool = state.withLock { state in
            if state.finished { return true }
            state.task = task
            return false
        }
        if stopped { task.cancel() }
    }

    /// Cancels the request: the connection is closed, then `finish` reports `cancelled`.
    func cancel() {
        let task: URLSessionDataTask? = state.withLock { state in
            guard !state.finished else { return nil }
            return state.task
        }
        task?.cancel()
        complete(.cancelled)
    }

    // MARK: Events from HTTPSessionDelegate

    /// The request to follow a redirect with, or nil to stop at this response.
    func redirect(to request: URLRequest, from response: HTTPURLResponse) -> URLRequest? {
        guard let next = request.url else { return nil }
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
            return self.request(for: next)
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
        let hint = client.proxies.hint(for: url)
        let result: Result? = state.withLock { state in
            guard !state.finished else { return nil }
            if let failure = state.failure { return .failed(failure) }
            if let status = state.status, error == nil || state.bodyLimitReached {
                if anyStatusSucceeds { return .succeeded(note: nil) }
                switch status {
                case 200..<300: return .succeeded(note: nil)
                case 300..<400: return .succeeded(note: state.note)
                default: return .failed("status \(status)\(hint)")
                }
            }
            if let error { return .failed("\(Self.describe(error))\(hint)") }
            return .failed("no response")
        }
        if let result { complete(result) }
    }

    // MARK: Helpers

    private func complete(_ result: Result) {
        let finish: (@Sendable (Result) -> Void)? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            state.task = nil
            defer { state.finish = nil }
            return state.finish
        }
        finish?(result)
    }

    /// A GET for `url` with the headers podrun sent (the action's, then its defaults), in order;
    /// a header given twice is sent with both values, as the kubelet does.
    private func request(for url: URL) -> URLRequest {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: Self.idleBackstop)
        for header in headers where !header.name.isEmpty {
            request.addValue(header.value, forHTTPHeaderField: header.name)
        }
        return request
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
        return oneLine(text)
    }

    /// `TLS handshake failed (…): is the port serving plain HTTP?` and the like.
    private static func tlsFailure(_ detail: String, certificate: Bool) -> String {
        let detail = oneLine(detail)
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

    /// Error texts can hold newlines and other control characters; a message is one line.
    private static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }
}
