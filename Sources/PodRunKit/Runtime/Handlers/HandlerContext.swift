/// What a probe or hook handler needs to know about the container it acts on. The Supervisor
/// builds one per container instance; the handlers never look at the pod spec themselves, so the
/// port map and the mount-path translation stay the Supervisor's business.
public struct HandlerContext: Sendable {
    /// The container's name, used in messages (`no port named "web" in container "app"`).
    public var containerName: String
    /// The container's final environment; exec handlers run with exactly this (nothing inherited).
    public var environment: [String: String]
    /// The container instance's working directory; exec handlers start there. nil keeps podrun's.
    public var workingDirectory: String?
    /// Applied to each exec argument (mount-path translation); identity if the pod has no volumes.
    public var translatePath: @Sendable (String) -> String
    /// A port number or a container port's name → the host port to connect to; nil for an unknown
    /// name. A number the map does not know is used as it is.
    public var resolvePort: @Sendable (IntOrString) -> Int32?
    /// The container's shim while the container runs: exec handlers then run their command under
    /// it (`ShimProcess.exec`), as a runtime runs `exec` in a container. nil: each exec starts a
    /// shim of its own (with `environment` and `workingDirectory`).
    public var container: ShimProcess?

    public init(
        containerName: String,
        environment: [String: String],
        workingDirectory: String? = nil,
        translatePath: @escaping @Sendable (String) -> String = { $0 },
        resolvePort: @escaping @Sendable (IntOrString) -> Int32? = { port in
            if case .int(let number) = port { return number }
            return nil
        },
        container: ShimProcess? = nil
    ) {
        self.containerName = containerName
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.translatePath = translatePath
        self.resolvePort = resolvePort
        self.container = container
    }

    /// The host port for `port`, or a message saying why there is none. A name that is all digits
    /// is a number, as the kubelet reads it.
    func hostPort(for port: IntOrString) -> Result<Int32, HandlerFailure> {
        var number: Int32
        switch port {
        case .int(let value):
            number = resolvePort(port) ?? value
        case .string(let name):
            if let value = Int32(name) {
                number = resolvePort(.int(value)) ?? value
            } else if let resolved = resolvePort(port) {
                number = resolved
            } else {
                return .failure(HandlerFailure("no port named \"\(name)\" in container \"\(containerName)\""))
            }
        }
        guard (1...65535).contains(number) else {
            return .failure(HandlerFailure("port \(number) is out of range (1-65535)"))
        }
        return .success(number)
    }
}
