/// What is known about one container, in the shape of Kubernetes' `ContainerStatus`, plus the
/// bookkeeping the lifecycle core needs (back-off, kill progress, hooks, probes).
public struct ContainerStatus: Sendable, Hashable {
    public let name: String
    public let kind: ContainerKind
    public internal(set) var state: ContainerState
    /// The previous instance's termination (`lastState.terminated`).
    public internal(set) var lastState: TerminatedState?
    /// Numbers the current (or latest) instance: 0 for the first, +1 for each restart.
    public internal(set) var restartCount: Int = 0
    /// Running and past its startup probe (and postStart hook).
    public internal(set) var started = false
    public internal(set) var ready = false
    /// When a restart that waits for its back-off may happen.
    public internal(set) var restartAt: Duration?
    /// How the latest instance ended, whether it is shown as `state` or as `lastState`.
    public internal(set) var lastTermination: TerminatedState?
    /// Why the container is being killed, while it is.
    public var killReason: KillReason? { kill?.reason }

    /// An instance was started at least once (Kubernetes: the container has a status).
    var hasInstance = false
    /// The latest instance exited and will be started again.
    var restartPending = false
    var backOff: BackOffEntry?
    var kill: ContainerKill?
    /// Hooks running now, with the time each started.
    var runningHooks: [HookKind: Duration] = [:]
    /// The current instance is running and its postStart hook (if any) returned.
    var postStartDone = false
    var probes: [ProbeKind: ProbeWorker] = [:]
    /// The readiness result last published for this instance.
    var readinessSucceeded = false

    init(name: String, kind: ContainerKind, initialReason: String) {
        self.name = name
        self.kind = kind
        self.state = .waiting(reason: initialReason)
    }

    /// Ended (at least once) and not running now.
    var hasExited: Bool { hasInstance && !state.isActive }
}
