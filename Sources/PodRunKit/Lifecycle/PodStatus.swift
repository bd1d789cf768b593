/// What is known about the pod: its phase, conditions and every container's status.
public struct PodStatus: Sendable, Hashable {
    public internal(set) var phase: PodPhase = .pending
    /// Containers in `spec.allContainers` order: init containers first, then regular ones.
    public internal(set) var containers: [ContainerStatus]
    /// The Initialized condition: every init container completed (sidecars: started).
    public internal(set) var initialized = false
    /// The Ready condition: every regular container and sidecar is ready.
    public internal(set) var ready = false
    /// Why the pod is stopping, once it is.
    public internal(set) var stopReason: PodStopReason?
    /// What the stop request said about why (an eviction names the volume and its limit).
    public internal(set) var stopMessage: String?
    public internal(set) var stopStartedAt: Duration?
    /// Set when the pod reached its terminal phase and nothing runs any more.
    public internal(set) var finished = false

    /// A regular container was started at least once (the kubelet's `podHasInitialized`).
    var regularContainerStarted = false
    /// Everything was killed at once; no grace, no hooks.
    var forced = false
    var gracePeriodOverride: Int64?

    public func container(named name: String) -> ContainerStatus? { containers.first { $0.name == name } }
}
