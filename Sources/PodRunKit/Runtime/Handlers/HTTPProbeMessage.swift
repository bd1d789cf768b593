/// The line protocol between podrun and `podrun-http`, the helper that makes httpGet requests
/// with URLSession: one JSON object per line on the helper's stdin (requests) and stdout
/// (responses).
///
/// Why a helper: on Linux URLSession brings libcurl and some thirty shared libraries with it
/// (TLS, Kerberos, LDAP…), about 11 MB of private memory in every process that links it. podrun
/// keeps its own footprint small by leaving that to a process started only when a pod has an
/// httpGet probe or hook.
public struct HTTPProbeRequest: Codable, Sendable, Equatable {
    public var id: UInt64
    /// A request to start (nil on a cancellation).
    public var url: String?
    /// Header name and value pairs, in order; a name may repeat.
    public var headers: [[String]]?
    /// Hooks: any response counts as success (the kubelet does not look at a hook's status).
    public var anyStatus: Bool?
    /// Cancel request `id` (a probe's timeout ran out, or its hook was cut off).
    public var cancel: Bool?

    public init(id: UInt64, url: String? = nil, headers: [[String]]? = nil, anyStatus: Bool? = nil, cancel: Bool? = nil) {
        self.id = id
        self.url = url
        self.headers = headers
        self.anyStatus = anyStatus
        self.cancel = cancel
    }
}

/// How one request ended.
public struct HTTPProbeResponse: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        case succeeded
        case failed
        case cancelled
    }

    public var id: UInt64
    public var outcome: Outcome
    /// Why it failed (`status 503`, `connection refused`), or a note on a success (a redirect
    /// to another host not followed); the caller puts `HTTP GET <url>: ` in front.
    public var detail: String?

    public init(id: UInt64, outcome: Outcome, detail: String? = nil) {
        self.id = id
        self.outcome = outcome
        self.detail = detail
    }
}
