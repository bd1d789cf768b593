/// The kubelet's `getPhase` (pkg/kubelet/kubelet_pods.go) with ContainerRestartRules, applied to
/// podrun's container states.
enum PhaseCalculator {
    /// `spec` decides which stopped containers count as not restartable, as
    /// `ContainerShouldRestart` does, independent of whether the pod is shutting down.
    static func phase(of status: PodStatus, spec: PodSpec, podIsTerminal: Bool) -> PodPhase {
        let specs = spec.allContainers
        var pendingRegularInit = 0, failedInitNotRestartable = 0
        var pendingRestartableInit = 0
        var running = 0, waiting = 0, stopped = 0, succeeded = 0, stoppedNotRestartable = 0
        for (container, containerSpec) in zip(status.containers, specs) {
            func restartable(_ end: TerminatedState) -> Bool {
                RestartRule.shouldRestart(containerSpec, podPolicy: spec.restartPolicy, exitCode: end.exitCode)
            }
            switch container.kind {
            case .initContainer:
                switch container.state {
                case .running:
                    pendingRegularInit += 1
                case .waiting, .starting:
                    if container.lastTermination == nil { pendingRegularInit += 1 }
                case .terminated(let end):
                    if end.exitCode != 0 && !restartable(end) { failedInitNotRestartable += 1 }
                }
            case .sidecar:
                switch container.state {
                case .running:
                    running += 1
                    if !container.started { pendingRestartableInit += 1 }
                case .waiting, .starting:
                    if container.lastTermination == nil {
                        pendingRestartableInit += 1
                        waiting += 1
                    }
                case .terminated:
                    break
                }
            case .regular:
                switch container.state {
                case .running:
                    running += 1
                case .terminated(let end):
                    stopped += 1
                    if !restartable(end) { stoppedNotRestartable += 1 }
                    if end.exitCode == 0 { succeeded += 1 }
                case .waiting, .starting:
                    if container.lastTermination == nil { waiting += 1 } else { stopped += 1 }
                }
            }
        }
        if failedInitNotRestartable > 0 { return .failed }
        if pendingRegularInit > 0 || (pendingRestartableInit > 0 && !status.regularContainerStarted) || waiting > 0 {
            return .pending
        }
        if running > 0 { return .running }
        if stopped > 0 {
            if podIsTerminal { return stopped == succeeded ? .succeeded : .failed }
            if stopped != stoppedNotRestartable { return .running }
            return stopped == succeeded ? .succeeded : .failed
        }
        return .pending
    }
}
