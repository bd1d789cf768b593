/// A port a container listens on; podrun maps it to a port on 127.0.0.1.
public struct ContainerPort: Sendable, Hashable, Codable {
    public var name: String?
    public var containerPort: Int32
    public var hostPort: Int32?
    public var `protocol`: PortProtocol

    public init(name: String? = nil, containerPort: Int32, hostPort: Int32? = nil, protocol: PortProtocol = .tcp) {
        self.name = name
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.protocol = `protocol`
    }
}

public enum PortProtocol: String, Sendable, Hashable, Codable, CaseIterable {
    case tcp = "TCP"
    case udp = "UDP"
    case sctp = "SCTP"
}
