/// The progress of killing one container, following the kubelet's `killContainer`: preStop
/// (bounded by the grace period), then for sidecars during pod termination a wait for their
/// turn, then SIGTERM and, after the remaining grace (at least 2 s), SIGKILL.
///
/// Elapsed time is deducted from the grace period in whole seconds, as the kubelet does.
struct ContainerKill: Sendable, Hashable {
    var reason: KillReason
    /// Seconds left of the grace period.
    var gracePeriod: Int64
    /// nil: decide by the restart policy when the container exits; otherwise the decision.
    var restartAfter: Bool?
    /// A sidecar during pod termination: SIGTERM only after every regular container and every
    /// later sidecar has exited.
    var ordered: Bool
    var stage: Stage

    enum Stage: Sendable, Hashable {
        case preStop(since: Duration, deadline: Duration)
        case waitingForTurn(since: Duration, deadline: Duration)
        case terminating(sigkillAt: Duration)
        case killed
    }

    /// The kubelet's `minimumGracePeriodInSeconds`: a container always gets this long between
    /// SIGTERM and SIGKILL.
    static let minimumGracePeriod: Int64 = 2

    var deadline: Duration? {
        switch stage {
        case .preStop(_, let deadline), .waitingForTurn(_, let deadline): deadline
        case .terminating(let sigkillAt): sigkillAt
        case .killed: nil
        }
    }

    /// Whole seconds from `start` to `now`, the unit the kubelet deducts from the grace period.
    static func wholeSeconds(from start: Duration, to now: Duration) -> Int64 {
        max(0, (now - start).components.seconds)
    }
}
