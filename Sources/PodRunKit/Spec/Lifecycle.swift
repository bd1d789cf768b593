/// A container's postStart and preStop hooks.
public struct Lifecycle: Sendable, Hashable, Codable {
    public var postStart: LifecycleHandler?
    public var preStop: LifecycleHandler?

    public init(postStart: LifecycleHandler? = nil, preStop: LifecycleHandler? = nil) {
        self.postStart = postStart
        self.preStop = preStop
    }
}

/// What a hook does.
public enum LifecycleHandler: Sendable, Hashable, Codable {
    case exec(ExecAction)
    case httpGet(HTTPGetAction)
    case sleep(SleepAction)

    private enum CodingKeys: String, CodingKey { case exec, httpGet, sleep }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let exec = try container.decodeIfPresent(ExecAction.self, forKey: .exec) {
            self = .exec(exec)
        } else if let http = try container.decodeIfPresent(HTTPGetAction.self, forKey: .httpGet) {
            self = .httpGet(http)
        } else {
            self = .sleep(try container.decode(SleepAction.self, forKey: .sleep))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .exec(let action): try container.encode(action, forKey: .exec)
        case .httpGet(let action): try container.encode(action, forKey: .httpGet)
        case .sleep(let action): try container.encode(action, forKey: .sleep)
        }
    }
}
