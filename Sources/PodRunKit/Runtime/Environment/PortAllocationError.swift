/// Why a declared port could not get a host port; the pod cannot start.
public struct PortAllocationError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// Another socket holds the port; `holder` is the process, where the OS tells.
        case inUse(holder: PortHolder?)
        /// This process already handed the port out (another pod, or another port of this pod).
        case allocatedInThisProcess(to: String)
        /// Ports below 1024 need privileges here.
        case permissionDenied
        /// The OS had no free port to give (after many tries).
        case noFreePort
        /// Some other failure of the test bind, as `strerror` words it.
        case bindFailed(String)
    }

    public var container: String
    public var portName: String?
    public var containerPort: Int32
    /// The host port that was wanted (nil in `auto` mode, where none could be found).
    public var hostPort: Int32?
    public var `protocol`: PortProtocol
    public var reason: Reason

    public init(
        container: String, portName: String?, containerPort: Int32, hostPort: Int32?, protocol: PortProtocol, reason: Reason
    ) {
        self.container = container
        self.portName = portName
        self.containerPort = containerPort
        self.hostPort = hostPort
        self.protocol = `protocol`
        self.reason = reason
    }

    public var description: String {
        let port = (portName.map { "port \"\($0)\" " } ?? "port ") + "(\(containerPort)/\(`protocol`.rawValue))"
        let subject = "container \"\(container)\" \(port): " + (hostPort.map { "127.0.0.1:\($0) " } ?? "")
        let advice = "free it, or map the port elsewhere (hostPort, or the auto port mode)"
        switch reason {
        case .inUse(let holder?):
            return subject + "is already in use by \(holder); \(advice)"
        case .inUse(nil):
            #if os(Linux)
            return subject + "is already in use (by a process podrun cannot inspect, perhaps another user's); \(advice)"
            #else
            return subject + "is already in use; \(advice)"
            #endif
        case .allocatedInThisProcess(let owner):
            return subject + "is already allocated to \(owner); \(advice)"
        case .permissionDenied:
            return subject + "cannot be bound without privileges (ports below 1024); map the port elsewhere (hostPort, or the auto port mode)"
        case .noFreePort:
            return subject + "no free port is available on 127.0.0.1"
        case .bindFailed(let message):
            return subject + "cannot be bound: \(message)"
        }
    }
}
