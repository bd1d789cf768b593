/// Where a container is in its life, in Kubernetes' terms.
public enum ContainerState: Sendable, Hashable, Codable {
    /// Not running: before its first start (`PodInitializing`, `ContainerCreating`) or while a
    /// restart waits for its back-off (`CrashLoopBackOff`).
    case waiting(reason: String)
    /// The runtime was asked to start it and has not confirmed yet (Kubernetes shows this as
    /// Waiting/ContainerCreating).
    case starting
    case running(startedAt: Duration, pid: Int32)
    /// Ended and will not be restarted.
    case terminated(TerminatedState)

    public var isRunning: Bool {
        if case .running = self { return true }
        return false
    }

    /// Running or about to be: the container holds (or is getting) a process.
    public var isActive: Bool {
        switch self {
        case .running, .starting: true
        case .waiting, .terminated: false
        }
    }
}
