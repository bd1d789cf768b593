/// The host ports of a pod's declared ports, and the variables that tell containers about them.
///
/// In Kubernetes every container of a pod reaches the others on `localhost:<containerPort>`. With
/// `PortMode.auto` the numbers differ on the host, so every container receives the whole map as
/// `PODRUN_PORT_<CONTAINER>_<PORTNAME>` (or `_<CONTAINERPORT>` for an unnamed port), and probes and
/// hooks resolve their ports through `resolve`.
public struct PortMap: Sendable, Hashable, Codable {
    public var mappings: [PortMapping]
    /// The registry entry `PortAllocator.allocate` made for this map; `PortAllocator.release`
    /// frees only that, so releasing twice, or releasing a hand-made map, frees nothing.
    public var reservation: String?

    public init(mappings: [PortMapping] = [], reservation: String? = nil) {
        self.mappings = mappings
        self.reservation = reservation
    }

    /// The host port for a probe's or hook's `port`, as seen from `container`:
    /// - a name → that container's port of that name (nil when it has none: ports are named per
    ///   container, as the kubelet resolves them);
    /// - a number → the host port mapped for that `containerPort` in this container, else in any
    ///   container of the pod (the pod shares one network), else the number itself (a port nobody
    ///   declared, reached directly).
    /// TCP mappings are preferred: probes and hooks speak TCP.
    public func resolve(_ port: IntOrString, forContainer container: String) -> Int32? {
        switch port {
        case .string(let name):
            return preferringTCP(mappings.filter { $0.container == container && $0.name == name })?.hostPort
        case .int(let number):
            let declared = mappings.filter { $0.containerPort == number }
            return preferringTCP(declared.filter { $0.container == container })?.hostPort
                ?? preferringTCP(declared)?.hostPort
                ?? number
        }
    }

    /// `PODRUN_PORT_<CONTAINER>_<PORTNAME or CONTAINERPORT>` = host port for every mapping (names
    /// upper-cased, other characters as `_`). Should two mappings of a container get the same name
    /// (`53/TCP` and `53/UDP`, both unnamed), the later one gets its protocol appended (`_53_UDP`).
    public var environment: [String: String] {
        var variables: [String: String] = [:]
        for mapping in mappings {
            let key = "PODRUN_PORT_\(EnvironmentVariableName.component(mapping.container))_"
                + EnvironmentVariableName.component(mapping.name ?? String(mapping.containerPort))
            let unique = variables[key] == nil ? key : "\(key)_\(mapping.protocol.rawValue)"
            if variables[unique] == nil { variables[unique] = String(mapping.hostPort) }
        }
        return variables
    }

    /// The host port of the container's first declared port: its `PORT` variable.
    public func firstPort(of container: String) -> Int32? {
        mappings.first { $0.container == container }?.hostPort
    }

    /// The mappings of one container, in declaration order.
    public func mappings(of container: String) -> [PortMapping] {
        mappings.filter { $0.container == container }
    }

    private func preferringTCP(_ candidates: [PortMapping]) -> PortMapping? {
        candidates.first { $0.protocol == .tcp } ?? candidates.first
    }
}
