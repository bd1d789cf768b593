/// What the runtime tells the lifecycle core: everything the core cannot know by itself.
///
/// Results of probes and hooks carry the container instance (its restart count) they belong
/// to, so a late result from a previous instance is recognised and dropped.
public enum LifecycleObservation: Sendable, Hashable {
    /// The runtime confirmed the start of container `index` (an index into `spec.allContainers`).
    case containerStarted(index: Int, pid: Int32)
    /// The program could not be started (missing, not executable, bad working directory).
    case containerStartFailed(index: Int, message: String)
    case containerExited(index: Int, exitCode: Int32, signal: Int32?)
    case probeFinished(index: Int, instance: Int, probe: ProbeKind, outcome: ProbeOutcome)
    case hookFinished(index: Int, instance: Int, hook: HookKind, outcome: HookOutcome)
    /// Stop the pod: the graceful termination (preStop, ordered SIGTERM, SIGKILL after the grace
    /// period). `gracePeriodSeconds` overrides the pod's, as `kubectl delete --grace-period` does.
    /// `message` says why, in words a user can act on (an eviction names the volume and limit).
    case stopRequested(reason: PodStopReason, gracePeriodSeconds: Int64?, message: String? = nil)
    /// Kill everything at once (a second Ctrl-C).
    case forceKillRequested
    /// A deadline the core asked for has passed.
    case timerFired
}
