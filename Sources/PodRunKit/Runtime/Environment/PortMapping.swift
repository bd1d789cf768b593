/// One declared container port and the host port on 127.0.0.1 that stands for it.
public struct PortMapping: Sendable, Hashable, Codable {
    public var container: String
    public var name: String?
    public var containerPort: Int32
    public var hostPort: Int32
    public var `protocol`: PortProtocol

    public init(container: String, name: String? = nil, containerPort: Int32, hostPort: Int32, protocol: PortProtocol = .tcp) {
        self.container = container
        self.name = name
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.protocol = `protocol`
    }
}
