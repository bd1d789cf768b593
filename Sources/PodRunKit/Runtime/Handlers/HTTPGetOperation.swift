import Foundation

/// An httpGet probe or hook, as the kubelet's prober does it: `GET scheme://host:port/path` with
/// the action's headers plus `User-Agent` and `Accept` defaults. podrun works out the URL (the
/// port through the pod's port map) and the headers; the request itself is made by `podrun-http`
/// with URLSession (see `HTTPProbeMessage` for why in another process), which applies the
/// kubelet's rules: 200..<400 is success (any response, for hooks), redirects only to the same
/// host, at most 10 KiB of body read.
final class HTTPGetOperation: HandlerOperation {
    private struct State {
        var finish: (@Sendable (HandlerResult) -> Void)?
        var requestID: UInt64?
        var stop: HandlerStop?
        var finished = false
    }

    private let helper: HTTPProbeHelper
    private let action: HTTPGetAction
    private let context: HandlerContext
    private let userAgent: String
    private let anyStatusSucceeds: Bool
    private let state = Locked(State())

    /// `userAgent` is the default `User-Agent` (`kube-probe/podrun` for probes,
    /// `kube-lifecycle/podrun` for hooks, as the kubelet's `kube-probe/<version>`).
    init(
        helper: HTTPProbeHelper = .shared, action: HTTPGetAction, context: HandlerContext, userAgent: String,
        anyStatusSucceeds: Bool = false
    ) {
        self.helper = helper
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
        if let stop { return complete(stop.result) }

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
        let label = "HTTP GET \(url.absoluteString)"
        let id = helper.send(url: url.absoluteString, headers: headers(), anyStatus: anyStatusSucceeds) { [self] response in
            let stop = state.withLock { $0.stop }
            if let stop { return complete(stop.result) }
            switch response.outcome {
            case .succeeded: complete(.succeeded(note: response.detail.map { "\(label): \($0)" }))
            case .failed: complete(.failed("\(label): \(response.detail ?? "failed")"))
            case .cancelled: complete(.cancelled)
            }
        }
        let cancelNow: Bool = state.withLock { state in
            guard !state.finished else { return false }
            state.requestID = id
            return state.stop != nil
        }
        if cancelNow, let id { helper.cancel(id) }
    }

    /// Cancels the request; `finish` follows once the helper has closed the connection.
    func stop(_ reason: HandlerStop) {
        let id: UInt64? = state.withLock { state in
            guard !state.finished, state.stop == nil else { return nil }
            state.stop = reason
            return state.requestID
        }
        if let id { helper.cancel(id) }
    }

    private func complete(_ result: HandlerResult) {
        let finish: (@Sendable (HandlerResult) -> Void)? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            defer { state.finish = nil }
            return state.finish
        }
        finish?(result)
    }

    /// The action's headers, then `User-Agent`, `Accept` and `Connection: close` unless it set
    /// them. A header given twice is sent with both values, as the kubelet does.
    private func headers() -> [(name: String, value: String)] {
        var list: [(name: String, value: String)] = []
        var given = Set<String>()
        for header in action.httpHeaders where !header.name.isEmpty {
            list.append((header.name, header.value))
            given.insert(header.name.lowercased())
        }
        for (name, value) in [("User-Agent", userAgent), ("Accept", "*/*"), ("Connection", "close")] where !given.contains(name.lowercased()) {
            list.append((name, value))
        }
        return list
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
}
