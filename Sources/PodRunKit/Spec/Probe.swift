/// A startup, readiness or liveness probe, with Kubernetes' defaults applied.
public struct Probe: Sendable, Hashable, Codable {
    public var handler: ProbeHandler
    public var initialDelaySeconds: Int32
    public var periodSeconds: Int32
    public var timeoutSeconds: Int32
    public var successThreshold: Int32
    public var failureThreshold: Int32
    /// Overrides the pod's grace period when this probe's failure kills the container
    /// (liveness and startup only).
    public var terminationGracePeriodSeconds: Int64?

    public init(
        handler: ProbeHandler, initialDelaySeconds: Int32 = 0, periodSeconds: Int32 = 10, timeoutSeconds: Int32 = 1,
        successThreshold: Int32 = 1, failureThreshold: Int32 = 3, terminationGracePeriodSeconds: Int64? = nil
    ) {
        self.handler = handler
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case exec, httpGet, tcpSocket
        case initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold
        case terminationGracePeriodSeconds
    }

    // Kubernetes puts the handler's key beside the timing fields; mirror that in pod.json.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        handler = try ProbeHandler(from: decoder)
        initialDelaySeconds = try container.decode(Int32.self, forKey: .initialDelaySeconds)
        periodSeconds = try container.decode(Int32.self, forKey: .periodSeconds)
        timeoutSeconds = try container.decode(Int32.self, forKey: .timeoutSeconds)
        successThreshold = try container.decode(Int32.self, forKey: .successThreshold)
        failureThreshold = try container.decode(Int32.self, forKey: .failureThreshold)
        terminationGracePeriodSeconds = try container.decodeIfPresent(Int64.self, forKey: .terminationGracePeriodSeconds)
    }

    public func encode(to encoder: any Encoder) throws {
        try handler.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(initialDelaySeconds, forKey: .initialDelaySeconds)
        try container.encode(periodSeconds, forKey: .periodSeconds)
        try container.encode(timeoutSeconds, forKey: .timeoutSeconds)
        try container.encode(successThreshold, forKey: .successThreshold)
        try container.encode(failureThreshold, forKey: .failureThreshold)
        try container.encodeIfPresent(terminationGracePeriodSeconds, forKey: .terminationGracePeriodSeconds)
    }
}

/// How a probe checks a container.
public enum ProbeHandler: Sendable, Hashable, Codable {
    case exec(ExecAction)
    case httpGet(HTTPGetAction)
    case tcpSocket(TCPSocketAction)

    private enum CodingKeys: String, CodingKey { case exec, httpGet, tcpSocket }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let exec = try container.decodeIfPresent(ExecAction.self, forKey: .exec) {
            self = .exec(exec)
        } else if let http = try container.decodeIfPresent(HTTPGetAction.self, forKey: .httpGet) {
            self = .httpGet(http)
        } else {
            self = .tcpSocket(try container.decode(TCPSocketAction.self, forKey: .tcpSocket))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .exec(let action): try container.encode(action, forKey: .exec)
        case .httpGet(let action): try container.encode(action, forKey: .httpGet)
        case .tcpSocket(let action): try container.encode(action, forKey: .tcpSocket)
        }
    }
}
