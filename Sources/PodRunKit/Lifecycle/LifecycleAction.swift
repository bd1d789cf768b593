/// What the lifecycle core asks the runtime to do. The runtime carries these out in order and
/// reports what happened as `LifecycleObservation`s.
public enum LifecycleAction: Sendable, Hashable {
    /// Start a new instance of container `index`; `restartCount` numbers the instance.
    case startContainer(index: Int, restartCount: Int)
    /// Send a signal to the container's whole process group.
    case signal(index: Int, ContainerSignal)
    case runProbe(index: Int, instance: Int, probe: ProbeKind)
    case runHook(index: Int, instance: Int, hook: HookKind)
    /// Stop a hook still running (its container exited, or its time ran out).
    case cancelHook(index: Int, instance: Int, hook: HookKind)
    case emit(PodEvent)
    /// The pod reached a terminal phase and nothing runs any more.
    case finish(PodPhase)
}

public enum ContainerSignal: String, Sendable, Hashable {
    case terminate = "SIGTERM"
    case kill = "SIGKILL"
}
