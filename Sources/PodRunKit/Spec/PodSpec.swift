/// The behaviour-relevant part of a pod: its containers, volumes and lifecycle settings.
public struct PodSpec: Sendable, Hashable, Codable {
    public var restartPolicy: RestartPolicy
    /// Seconds between SIGTERM and SIGKILL when the pod stops (Kubernetes' default is 30).
    public var terminationGracePeriodSeconds: Int64
    public var initContainers: [Container]
    public var containers: [Container]
    public var volumes: [Volume]

    public init(
        restartPolicy: RestartPolicy = .always, terminationGracePeriodSeconds: Int64 = 30,
        initContainers: [Container] = [], containers: [Container], volumes: [Volume] = []
    ) {
        self.restartPolicy = restartPolicy
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.initContainers = initContainers
        self.containers = containers
        self.volumes = volumes
    }

    /// Init containers first, then regular containers: the order in which Kubernetes lists
    /// container statuses and the index space the lifecycle core uses.
    public var allContainers: [Container] { initContainers + containers }
}
