/// One container of a pod: here a local program rather than an image.
public struct Container: Sendable, Hashable, Codable {
    public var name: String
    /// Accepted so real manifests load; podrun runs `command` and never pulls an image.
    public var image: String?
    public var command: [String]
    public var args: [String]
    public var workingDir: String?
    public var env: [EnvVar]
    public var ports: [ContainerPort]
    public var volumeMounts: [VolumeMount]
    /// On an init container, `Always` makes it a native sidecar; on any container it overrides
    /// the pod's policy (Kubernetes' ContainerRestartRules).
    public var restartPolicy: RestartPolicy?
    public var restartPolicyRules: [ContainerRestartRule]
    public var startupProbe: Probe?
    public var readinessProbe: Probe?
    public var livenessProbe: Probe?
    public var lifecycle: Lifecycle?

    public init(
        name: String, image: String? = nil, command: [String], args: [String] = [], workingDir: String? = nil,
        env: [EnvVar] = [], ports: [ContainerPort] = [], volumeMounts: [VolumeMount] = [],
        restartPolicy: RestartPolicy? = nil, restartPolicyRules: [ContainerRestartRule] = [],
        startupProbe: Probe? = nil, readinessProbe: Probe? = nil, livenessProbe: Probe? = nil,
        lifecycle: Lifecycle? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.workingDir = workingDir
        self.env = env
        self.ports = ports
        self.volumeMounts = volumeMounts
        self.restartPolicy = restartPolicy
        self.restartPolicyRules = restartPolicyRules
        self.startupProbe = startupProbe
        self.readinessProbe = readinessProbe
        self.livenessProbe = livenessProbe
        self.lifecycle = lifecycle
    }

    /// The program and its arguments, as a container runtime executes them (no shell).
    public var argv: [String] { command + args }
}
