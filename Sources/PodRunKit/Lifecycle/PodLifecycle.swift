/// The pod's lifecycle as a deterministic state machine: given the spec, what is known about
/// every container and the current time, it decides what must happen next — the way the
/// kubelet's `computePodActions` does on every sync.
///
/// It touches no process, clock or file: the runtime feeds it observations with the current
/// time on the pod's clock (any monotonic origin) and carries out the actions it returns. That
/// makes every rule testable with a virtual clock, and lets the same engine replay a pod in
/// simulated time.
///
/// Rules and their sources are in ../shared/reference/kubernetes-lifecycle.md; the comments
/// below name the kubelet function each part follows.
public struct PodLifecycle: Sendable {
    public let spec: PodSpec
    public let backOff: BackOffPolicy
    public private(set) var status: PodStatus
    /// Actions gathered during one step.
    private var actions: [LifecycleAction] = []
    private var now: Duration = .zero
    /// Set during a step once a start must wait (a postStart hook is running): the kubelet
    /// starts containers one call at a time, and each call returns only after postStart.
    private var startsBlocked = false

    private let containerSpecs: [Container]
    private let initCount: Int
    private let hasSidecars: Bool

    public init(spec: PodSpec, backOff: BackOffPolicy = .kubernetes) {
        self.spec = spec
        self.backOff = backOff
        containerSpecs = spec.allContainers
        initCount = spec.initContainers.count
        hasSidecars = spec.initContainers.contains { $0.restartPolicy == .always }
        // A pod with init containers shows PodInitializing for every container until it has an
        // instance; without, ContainerCreating (convertToAPIContainerStatuses).
        let initialReason = spec.initContainers.isEmpty ? "ContainerCreating" : "PodInitializing"
        let containers = spec.initContainers.map {
            ContainerStatus(name: $0.name, kind: $0.restartPolicy == .always ? .sidecar : .initContainer, initialReason: initialReason)
        } + spec.containers.map { ContainerStatus(name: $0.name, kind: .regular, initialReason: initialReason) }
        status = PodStatus(containers: containers)
    }

    // MARK: Driving the machine

    /// Begins the pod: the first actions (start the first init container, or the regular ones).
    public mutating func start(now: Duration) -> [LifecycleAction] {
        step(now) {
            $0.emit(nil, .podPhase(.pending))
        }
    }

    /// Applies one observation and returns what must happen next.
    public mutating func handle(_ observation: LifecycleObservation, now: Duration) -> [LifecycleAction] {
        step(now) { machine in
            machine.apply(observation)
        }
    }

    /// The earliest moment after `now` at which the machine needs `timerFired`: a back-off
    /// ending, a grace period running out, a probe falling due. nil when nothing is scheduled.
    public func nextDeadline(after now: Duration) -> Duration? {
        guard !status.finished else { return nil }
        var earliest: Duration?
        func consider(_ time: Duration?) {
            guard let time, time > now else { return }
            earliest = min(earliest ?? time, time)
        }
        for container in status.containers {
            if container.restartPending { consider(container.restartAt) }
            consider(container.kill?.deadline)
            if container.state.isRunning, container.postStartDone {
                for worker in container.probes.values where !worker.inFlight && !worker.onHold && !worker.gated {
                    consider(worker.nextTick)
                }
            }
        }
        return earliest
    }

    private mutating func step(_ now: Duration, _ body: (inout PodLifecycle) -> Void) -> [LifecycleAction] {
        guard !status.finished else { return [] }
        self.now = now
        actions = []
        body(&self)
        reconcile()
        let result = actions
        actions = []
        return result
    }

    private mutating func emit(_ container: Int?, _ kind: PodEvent.Kind) {
        actions.append(.emit(PodEvent(container: container.map { status.containers[$0].name }, kind)))
    }

    // MARK: Observations

    private mutating func apply(_ observation: LifecycleObservation) {
        switch observation {
        case .containerStarted(let index, let pid):
            containerStarted(index, pid: pid)
        case .containerStartFailed(let index, let message):
            guard status.containers[index].state == .starting else { return }
            emit(index, .startFailed(reason: "StartError", message: message))
            containerEnded(
                index,
                TerminatedState(
                    exitCode: TerminatedState.startErrorExitCode, reason: "StartError", message: message, startedAt: nil, finishedAt: now))
        case .containerExited(let index, let exitCode, let signal):
            guard case .running(let startedAt, _) = status.containers[index].state else { return }
            containerEnded(
                index,
                TerminatedState(
                    exitCode: exitCode, signal: signal, reason: exitCode == 0 ? "Completed" : "Error", startedAt: startedAt,
                    finishedAt: now))
        case .probeFinished(let index, let instance, let probe, let outcome):
            probeFinished(index, instance: instance, probe: probe, outcome: outcome)
        case .hookFinished(let index, let instance, let hook, let outcome):
            hookFinished(index, instance: instance, hook: hook, outcome: outcome)
        case .stopRequested(let reason, let gracePeriod, let message):
            if status.stopReason == nil {
                status.gracePeriodOverride = gracePeriod
                beginTermination(reason, message: message)
            }
        case .forceKillRequested:
            forceKill()
        case .timerFired:
            break
        }
    }

    private mutating func containerStarted(_ index: Int, pid: Int32) {
        guard status.containers[index].state == .starting else { return }
        status.containers[index].state = .running(startedAt: now, pid: pid)
        emit(index, .started(restartCount: status.containers[index].restartCount, pid: pid))
        if status.containers[index].kind == .regular { status.regularContainerStarted = true }
        if status.forced {
            actions.append(.signal(index: index, .kill))
            status.containers[index].kill = ContainerKill(reason: .podStopping, gracePeriod: 0, restartAfter: false, ordered: false, stage: .killed)
            return
        }
        if let reason = status.stopReason {
            // Started just as the pod began stopping: no postStart, straight to the kill.
            postStartReturned(index)
            beginKill(index, reason: reason.killReason, restartAfter: false)
        } else if containerSpecs[index].lifecycle?.postStart != nil {
            runHook(index, .postStart)
        } else {
            postStartReturned(index)
        }
    }

    /// The container counts as started once its postStart hook returned (startContainer in the
    /// kubelet runs the hook synchronously); its probes begin now.
    private mutating func postStartReturned(_ index: Int) {
        guard case .running(let startedAt, _) = status.containers[index].state else { return }
        status.containers[index].postStartDone = true
        let container = containerSpecs[index]
        let hasStartup = container.startupProbe != nil
        var probes: [ProbeKind: ProbeWorker] = [:]
        let stopping = status.stopReason != nil
        if let probe = container.startupProbe, !stopping {
            var worker = ProbeWorker(kind: .startup, probe: probe, gated: false)
            worker.open(containerStartedAt: startedAt, now: now)
            probes[.startup] = worker
        }
        if let probe = container.readinessProbe {
            var worker = ProbeWorker(kind: .readiness, probe: probe, gated: hasStartup)
            if !hasStartup { worker.open(containerStartedAt: startedAt, now: now) }
            probes[.readiness] = worker
        }
        if let probe = container.livenessProbe, !stopping {
            var worker = ProbeWorker(kind: .liveness, probe: probe, gated: hasStartup)
            if !hasStartup { worker.open(containerStartedAt: startedAt, now: now) }
            probes[.liveness] = worker
        }
        status.containers[index].probes = probes
        if !hasStartup { markStarted(index) }
    }

    private mutating func markStarted(_ index: Int) {
        status.containers[index].started = true
        if containerSpecs[index].readinessProbe == nil { setReady(index, true) }
    }

    private mutating func setReady(_ index: Int, _ ready: Bool) {
        guard status.containers[index].kind != .initContainer, status.containers[index].ready != ready else { return }
        status.containers[index].ready = ready
        emit(index, ready ? .ready : .notReady)
    }

    /// An instance ended (exited, or could not start): decide whether it comes back.
    /// Events follow cause and effect: `Exited` first, then what the exit ends (running hooks,
    /// readiness).
    private mutating func containerEnded(_ index: Int, _ end: TerminatedState) {
        var container = status.containers[index]
        let restart = shouldRestart(index, after: end, kill: container.kill)
        container.kill = nil
        container.probes = [:]
        container.started = false
        container.postStartDone = false
        container.readinessSucceeded = false
        container.lastTermination = end
        container.restartPending = restart
        if restart {
            container.lastState = end
            container.state = .waiting(reason: "CrashLoopBackOff")
        } else {
            container.state = .terminated(end)
        }
        let wasReady = container.ready
        container.ready = false
        status.containers[index] = container
        emit(index, .exited(exitCode: end.exitCode, signal: end.signal, reason: end.reason, restartCount: container.restartCount))
        for hook in status.containers[index].runningHooks.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            finishHook(index, hook, outcome: .failed, message: "the container exited before the hook finished", cancel: true)
        }
        if wasReady, container.kind != .initContainer { emit(index, .notReady) }
    }

    private func shouldRestart(_ index: Int, after end: TerminatedState, kill: ContainerKill?) -> Bool {
        guard status.stopReason == nil, !status.forced else { return false }
        let container = containerSpecs[index]
        switch status.containers[index].kind {
        case .sidecar:
            return true
        case .initContainer:
            if let decided = kill?.restartAfter { return decided }
            return end.exitCode != 0 && RestartRule.shouldRestart(container, podPolicy: spec.restartPolicy, exitCode: end.exitCode)
        case .regular:
            if let decided = kill?.restartAfter { return decided }
            return RestartRule.shouldRestart(container, podPolicy: spec.restartPolicy, exitCode: end.exitCode)
        }
    }

    // MARK: Hooks

    private mutating func runHook(_ index: Int, _ hook: HookKind) {
        status.containers[index].runningHooks[hook] = now
        emit(index, .hookStarted(hook))
        actions.append(.runHook(index: index, instance: status.containers[index].restartCount, hook: hook))
    }

    private mutating func finishHook(_ index: Int, _ hook: HookKind, outcome: HookFinishOutcome, message: String?, cancel: Bool) {
        guard status.containers[index].runningHooks.removeValue(forKey: hook) != nil else { return }
        if cancel {
            actions.append(.cancelHook(index: index, instance: status.containers[index].restartCount, hook: hook))
        }
        emit(index, .hookFinished(hook, outcome: outcome, message: message))
    }

    private mutating func hookFinished(_ index: Int, instance: Int, hook: HookKind, outcome: HookOutcome) {
        let container = status.containers[index]
        guard container.restartCount == instance, container.runningHooks[hook] != nil else { return }
        switch outcome {
        case .succeeded:
            finishHook(index, hook, outcome: .succeeded, message: nil, cancel: false)
        case .failed(let message):
            finishHook(index, hook, outcome: .failed, message: message, cancel: false)
        case .abandoned:
            return  // the container's exit, on its way, ends the hook
        }
        switch (hook, outcome) {
        case (.postStart, .succeeded):
            postStartReturned(index)
        case (.postStart, _):
            // startContainer kills the container (preStop included) and reports
            // PostStartHookError; the restart policy then decides as for any exit.
            beginKill(index, reason: .postStartHookFailed, restartAfter: nil)
        case (.preStop, _):
            advanceKill(index)
        }
    }

    // MARK: Probes

    private mutating func probeFinished(_ index: Int, instance: Int, probe: ProbeKind, outcome: ProbeOutcome) {
        guard status.containers[index].restartCount == instance, status.containers[index].state.isRunning,
            var worker = status.containers[index].probes[probe], worker.inFlight
        else { return }
        let success: Bool
        switch outcome {
        case .success:
            success = true
        case .failure(let message):
            success = false
            emit(index, .unhealthy(probe: probe, message: message))
        case .unknown:
            worker.discard(now: now)
            status.containers[index].probes[probe] = worker
            return
        }
        let published = worker.record(success: success, now: now)
        status.containers[index].probes[probe] = worker
        guard let published else { return }
        let container = containerSpecs[index]
        let restartAfterKill = status.containers[index].kind == .sidecar
            || RestartRule.shouldRestartAfterProbeKill(container, podPolicy: spec.restartPolicy)
        switch probe {
        case .readiness:
            status.containers[index].readinessSucceeded = published
            setReady(index, published && status.containers[index].started)
        case .liveness:
            if !published, status.containers[index].kill == nil {
                beginKill(index, reason: .livenessProbeFailed, restartAfter: restartAfterKill)
            }
        case .startup:
            if published {
                emit(index, .startupSucceeded)
                guard case .running(let startedAt, _) = status.containers[index].state else { return }
                for kind in [ProbeKind.readiness, .liveness] {
                    status.containers[index].probes[kind]?.open(containerStartedAt: startedAt, now: now)
                }
                markStarted(index)
            } else if status.containers[index].kill == nil {
                beginKill(index, reason: .startupProbeFailed, restartAfter: restartAfterKill)
            }
        }
    }

    /// Starts every attempt that is due; at most one attempt per probe is in flight.
    private mutating func runDueProbes() {
        for index in status.containers.indices where status.containers[index].state.isRunning && status.containers[index].postStartDone {
            for kind in ProbeKind.allCases {
                guard var worker = status.containers[index].probes[kind], !worker.inFlight, !worker.onHold, !worker.gated,
                    let due = worker.nextTick, due <= now
                else { continue }
                worker.beginAttempt()
                status.containers[index].probes[kind] = worker
                actions.append(.runProbe(index: index, instance: status.containers[index].restartCount, probe: kind))
            }
        }
    }

    // MARK: Killing

    /// `killContainer`: Killing event, preStop if there is one and time for it, then SIGTERM.
    private mutating func beginKill(_ index: Int, reason: KillReason, restartAfter: Bool?) {
        guard status.containers[index].state.isRunning, status.containers[index].kill == nil else { return }
        let container = containerSpecs[index]
        var grace = status.gracePeriodOverride ?? spec.terminationGracePeriodSeconds
        if status.gracePeriodOverride == nil {
            switch reason {
            case .livenessProbeFailed: grace = container.livenessProbe?.terminationGracePeriodSeconds ?? grace
            case .startupProbeFailed: grace = container.startupProbe?.terminationGracePeriodSeconds ?? grace
            default: break
            }
        }
        let ordered = status.stopReason != nil && hasSidecars && status.containers[index].kind == .sidecar
        emit(index, .killing(reason: reason, gracePeriodSeconds: grace))
        // Stop probing liveness and startup of a container being killed; readiness goes on.
        status.containers[index].probes[.liveness] = nil
        status.containers[index].probes[.startup] = nil
        if container.lifecycle?.preStop != nil, grace > 0 {
            status.containers[index].kill = ContainerKill(
                reason: reason, gracePeriod: grace, restartAfter: restartAfter, ordered: ordered,
                stage: .preStop(since: now, deadline: now + .seconds(grace)))
            runHook(index, .preStop)
        } else {
            status.containers[index].kill = ContainerKill(
                reason: reason, gracePeriod: grace, restartAfter: restartAfter, ordered: ordered, stage: .waitingForTurn(since: now, deadline: now))
            proceedAfterPreStop(index)
        }
    }

    /// Moves a kill along when its hook returned, its turn came or a deadline passed.
    private mutating func advanceKill(_ index: Int) {
        guard let kill = status.containers[index].kill else { return }
        switch kill.stage {
        case .preStop(let since, let deadline):
            if status.containers[index].runningHooks[.preStop] != nil {
                guard now >= deadline else { return }
                finishHook(index, .preStop, outcome: .timedOut, message: "timed out after \(kill.gracePeriod)s", cancel: true)
            }
            status.containers[index].kill?.gracePeriod -= ContainerKill.wholeSeconds(from: since, to: now)
            proceedAfterPreStop(index)
        case .waitingForTurn(let since, let deadline):
            guard isTurn(of: index) || now >= deadline else { return }
            status.containers[index].kill?.gracePeriod -= ContainerKill.wholeSeconds(from: since, to: now)
            sendTerminate(index)
        case .terminating(let sigkillAt):
            guard now >= sigkillAt else { return }
            actions.append(.signal(index: index, .kill))
            status.containers[index].kill?.stage = .killed
        case .killed:
            break
        }
    }

    private mutating func proceedAfterPreStop(_ index: Int) {
        guard let kill = status.containers[index].kill else { return }
        if kill.ordered, kill.gracePeriod > 0, !isTurn(of: index) {
            status.containers[index].kill?.stage = .waitingForTurn(since: now, deadline: now + .seconds(kill.gracePeriod))
        } else {
            sendTerminate(index)
        }
    }

    private mutating func sendTerminate(_ index: Int) {
        guard var kill = status.containers[index].kill else { return }
        kill.gracePeriod = max(kill.gracePeriod, ContainerKill.minimumGracePeriod)
        kill.stage = .terminating(sigkillAt: now + .seconds(kill.gracePeriod))
        status.containers[index].kill = kill
        actions.append(.signal(index: index, .terminate))
    }

    /// `terminationOrdering`: a sidecar's turn comes once every regular container and every
    /// later sidecar has exited (sidecars that never ran are not waited for).
    private func isTurn(of index: Int) -> Bool {
        for other in status.containers.indices where other != index {
            let container = status.containers[other]
            let isPrerequisite = container.kind == .regular || (container.kind == .sidecar && other > index)
            if isPrerequisite, container.state.isActive { return false }
        }
        return true
    }

    /// The pod stops: nothing starts or restarts any more; every running container is killed
    /// at once (preStop hooks together), sidecars' SIGTERMs wait for their turn.
    private mutating func beginTermination(_ reason: PodStopReason, message: String? = nil) {
        status.stopReason = reason
        status.stopMessage = message
        status.stopStartedAt = now
        emit(nil, .podStopping(reason: reason, message: message))
        for index in status.containers.indices {
            var container = status.containers[index]
            if container.restartPending, let end = container.lastTermination {
                container.restartPending = false
                container.restartAt = nil
                container.state = .terminated(end)
                container.lastState = container.lastState == end ? nil : container.lastState
            }
            if container.kill != nil { container.kill?.restartAfter = false }
            container.probes[.liveness] = nil
            container.probes[.startup] = nil
            status.containers[index] = container
        }
        for index in status.containers.indices.reversed() where status.containers[index].kill == nil {
            beginKill(index, reason: reason.killReason, restartAfter: false)
        }
    }

    private mutating func forceKill() {
        guard !status.forced else { return }
        if status.stopReason == nil { beginTermination(.stopRequested) }
        status.forced = true
        for index in status.containers.indices where status.containers[index].state.isRunning {
            for hook in status.containers[index].runningHooks.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
                finishHook(index, hook, outcome: .failed, message: "cancelled: the pod was killed", cancel: true)
            }
            if status.containers[index].kill?.stage != .killed {
                actions.append(.signal(index: index, .kill))
                status.containers[index].kill?.stage = .killed
            }
        }
    }

    // MARK: Reconciliation

    /// One pass of the kubelet's sync: move kills along, start what should run, notice
    /// completion, run due probes and derive phase and conditions.
    private mutating func reconcile() {
        startsBlocked = status.containers.indices.contains { index in
            status.containers[index].runningHooks[.postStart] != nil
                || (status.containers[index].state == .starting && containerSpecs[index].lifecycle?.postStart != nil)
        }
        for index in status.containers.indices where status.containers[index].kill != nil {
            advanceKill(index)
        }
        if status.stopReason == nil {
            let initialized = reconcileInitContainers()
            if status.stopReason == nil, initialized {
                if !status.initialized {
                    status.initialized = true
                    emit(nil, .podInitialized)
                }
                reconcileRegularContainers()
            }
        }
        // Kills begun above may already be able to move on (a sidecar whose turn has come).
        for index in status.containers.indices where status.containers[index].kill != nil {
            advanceKill(index)
        }
        runDueProbes()
        updatePhaseAndConditions()
    }

    /// `computeInitContainerActions`: walks init containers from the last one that has run (the
    /// frontier) backwards. Containers before the frontier are done, except sidecars, which are
    /// kept running. Returns whether initialization is complete.
    private mutating func reconcileInitContainers() -> Bool {
        guard initCount > 0 else { return true }
        var podHasInitialized = status.regularContainerStarted || status.initialized
        var previouslyInitialized = podHasInitialized
        var toStart: [Int] = []
        for index in stride(from: initCount - 1, through: 0, by: -1) {
            let container = status.containers[index]
            let isSidecar = container.kind == .sidecar
            guard container.hasInstance else {
                if previouslyInitialized && isSidecar { toStart.append(index) }
                continue
            }
            if previouslyInitialized && !isSidecar { continue }
            switch container.state {
            case .starting:
                break
            case .running:
                guard isSidecar, container.started else { break }
                if index == initCount - 1 {
                    podHasInitialized = true
                } else if !previouslyInitialized {
                    toStart.append(index + 1)
                }
            case .waiting, .terminated:
                if isSidecar {
                    if container.restartPending { toStart.append(index) }
                } else if let end = container.lastTermination, end.exitCode != 0 {
                    guard container.restartPending else {
                        beginTermination(.initContainerFailed)
                        return false
                    }
                    toStart.append(index)
                } else if index == initCount - 1 {
                    podHasInitialized = true
                } else {
                    toStart.append(index + 1)
                }
            }
            previouslyInitialized = true
        }
        if !previouslyInitialized { toStart.append(0) }
        for index in toStart.reversed() {
            requestStart(index)
        }
        return podHasInitialized
    }

    /// `computePodActions` for regular containers: start those that never ran or should
    /// restart, in spec order; when none runs and none will, the pod is complete (`KillPod`),
    /// which also stops the sidecars.
    private mutating func reconcileRegularContainers() {
        var keep = 0
        var willStart = 0
        for index in initCount..<status.containers.count {
            let container = status.containers[index]
            if container.state.isActive {
                switch container.kill?.restartAfter {
                case .some(true): willStart += 1
                case .some(false): break
                case .none: keep += 1
                }
                continue
            }
            if !container.hasInstance || container.restartPending {
                willStart += 1
                requestStart(index)
            }
        }
        if keep == 0 && willStart == 0 {
            beginTermination(.completed)
        }
    }

    /// Starts container `index` now, or records when its back-off lets it (`doBackOff`).
    private mutating func requestStart(_ index: Int) {
        guard !startsBlocked, !status.containers[index].state.isActive else { return }
        var container = status.containers[index]
        if let last = container.lastTermination {
            if let allowed = BackOffEntry.restartTime(entry: container.backOff, finishedAt: last.finishedAt, now: now, policy: backOff) {
                if container.restartAt != allowed {
                    container.restartAt = allowed
                    container.state = .waiting(reason: "CrashLoopBackOff")
                    status.containers[index] = container
                    emit(index, .backOff(delaySeconds: (allowed - now).seconds, restartCount: container.restartCount))
                }
                return
            }
            container.backOff = BackOffEntry.next(entry: container.backOff, finishedAt: last.finishedAt, now: now, policy: backOff)
            container.restartCount += 1
            container.lastState = last
        }
        container.hasInstance = true
        container.restartPending = false
        container.restartAt = nil
        container.state = .starting
        status.containers[index] = container
        actions.append(.startContainer(index: index, restartCount: container.restartCount))
        if containerSpecs[index].lifecycle?.postStart != nil { startsBlocked = true }
    }

    private mutating func updatePhaseAndConditions() {
        let ready = status.containers.allSatisfy { $0.kind == .initContainer || $0.ready }
        if ready != status.ready {
            status.ready = ready
            emit(nil, .podReady(ready))
        }
        let active = status.containers.contains { $0.state.isActive }
        let terminal = status.stopReason != nil && !active
        if !status.phase.isTerminal {
            var phase = PhaseCalculator.phase(of: status, spec: spec, podIsTerminal: terminal)
            // A pod that ends without reaching a terminal phase (stopped during initialization)
            // is Failed, as the kubelet's generateAPIPodStatus sets it; an evicted pod is Failed.
            if terminal && (!phase.isTerminal || status.stopReason == .evicted) { phase = .failed }
            if phase != status.phase {
                status.phase = phase
                emit(nil, .podPhase(phase))
            }
        }
        if terminal {
            status.finished = true
            emit(nil, .podFinished(phase: status.phase, exitCode: status.phase == .succeeded ? 0 : 1))
            actions.append(.finish(status.phase))
        }
    }
}

extension Duration {
    /// The duration in (fractional) seconds, for events and output that report times as numbers.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
