/// Something that happened to the pod or one of its containers: the vocabulary of the event
/// stream (DESIGN.md §5, a contract tools outside the project rely on).
///
/// The lifecycle core produces these; the runtime stamps them with a sequence number and time.
public struct PodEvent: Sendable, Hashable {
    /// The container's name; nil for pod events.
    public var container: String?
    public var kind: Kind

    public init(container: String? = nil, _ kind: Kind) {
        self.container = container
        self.kind = kind
    }

    public enum Kind: Sendable, Hashable {
        case podPhase(PodPhase)
        case podInitialized
        case podReady(Bool)
        case podStopping(reason: PodStopReason, message: String? = nil)
        /// `exitCode` is podrun's own exit status: 0 when the pod Succeeded, 1 when it Failed.
        case podFinished(phase: PodPhase, exitCode: Int32)
        case started(restartCount: Int, pid: Int32)
        case startFailed(reason: String, message: String)
        case startupSucceeded
        case ready
        case notReady
        case unhealthy(probe: ProbeKind, message: String)
        case hookStarted(HookKind)
        case hookFinished(HookKind, outcome: HookFinishOutcome, message: String?)
        case killing(reason: KillReason, gracePeriodSeconds: Int64)
        case exited(exitCode: Int32, signal: Int32?, reason: String, restartCount: Int)
        case backOff(delaySeconds: Double, restartCount: Int)
    }

    /// The `type` field of the event stream.
    public var type: String {
        switch kind {
        case .podPhase: "PodPhase"
        case .podInitialized: "PodInitialized"
        case .podReady: "PodReady"
        case .podStopping: "PodStopping"
        case .podFinished: "PodFinished"
        case .started: "Started"
        case .startFailed: "StartFailed"
        case .startupSucceeded: "StartupSucceeded"
        case .ready: "Ready"
        case .notReady: "NotReady"
        case .unhealthy: "Unhealthy"
        case .hookStarted: "HookStarted"
        case .hookFinished: "HookFinished"
        case .killing: "Killing"
        case .exited: "Exited"
        case .backOff: "BackOff"
        }
    }
}

/// How a hook run ended, in the event stream's words.
public enum HookFinishOutcome: String, Sendable, Hashable, Codable {
    case succeeded
    case failed
    case timedOut
}

/// Why a container is being killed (the `reason` of a `Killing` event).
public enum KillReason: String, Sendable, Hashable, Codable {
    /// The pod was asked to stop (SIGINT/SIGTERM to podrun, `podrun stop`, the harness).
    case podStopping = "PodStopping"
    /// The regular containers are done; the sidecars are stopped after them.
    case podCompleted = "PodCompleted"
    case livenessProbeFailed = "LivenessProbeFailed"
    case startupProbeFailed = "StartupProbeFailed"
    case postStartHookFailed = "PostStartHookFailed"
    /// An init container failed and will not be retried, so the pod fails.
    case initFailed = "InitFailed"
    /// The pod went over a limit (an emptyDir's sizeLimit), as the kubelet's eviction does.
    case evicted = "Evicted"
}

/// Why the pod as a whole is stopping (the `reason` of a `PodStopping` event).
public enum PodStopReason: String, Sendable, Hashable, Codable {
    /// Someone asked it to stop.
    case stopRequested = "StopRequested"
    /// Every regular container is done and none will restart.
    case completed = "Completed"
    /// An init container failed and will not be retried.
    case initContainerFailed = "InitContainerFailed"
    case evicted = "Evicted"

    var killReason: KillReason {
        switch self {
        case .stopRequested: .podStopping
        case .completed: .podCompleted
        case .initContainerFailed: .initFailed
        case .evicted: .evicted
        }
    }
}
