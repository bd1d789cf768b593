/// Runs a command directly (no shell, no `$(VAR)` expansion, as in Kubernetes).
public struct ExecAction: Sendable, Hashable, Codable {
    public var command: [String]

    public init(command: [String]) { self.command = command }
}

/// An HTTP GET; success is a status in 200..<400.
public struct HTTPGetAction: Sendable, Hashable, Codable {
    public var path: String
    public var port: IntOrString
    /// Defaults to the pod IP, which for podrun is 127.0.0.1.
    public var host: String?
    public var scheme: URIScheme
    public var httpHeaders: [HTTPHeader]

    public init(path: String = "/", port: IntOrString, host: String? = nil, scheme: URIScheme = .http, httpHeaders: [HTTPHeader] = []) {
        self.path = path
        self.port = port
        self.host = host
        self.scheme = scheme
        self.httpHeaders = httpHeaders
    }
}

public enum URIScheme: String, Sendable, Hashable, Codable, CaseIterable {
    case http = "HTTP"
    case https = "HTTPS"
}

public struct HTTPHeader: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Succeeds when a TCP connection opens.
public struct TCPSocketAction: Sendable, Hashable, Codable {
    public var port: IntOrString
    public var host: String?

    public init(port: IntOrString, host: String? = nil) {
        self.port = port
        self.host = host
    }
}

/// Pauses for a number of seconds (a hook only).
public struct SleepAction: Sendable, Hashable, Codable {
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }
}

/// A port given by number or by the name of a container port.
public enum IntOrString: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int32)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int32.self) {
            self = .int(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let number): try container.encode(number)
        case .string(let name): try container.encode(name)
        }
    }

    public var description: String {
        switch self {
        case .int(let number): String(number)
        case .string(let name): name
        }
    }
}
