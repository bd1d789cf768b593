@testable import PodRunKit

/// Runs a `PodLifecycle` against simulated processes on a virtual clock, so lifecycle scenarios
/// execute in microseconds and read like timelines.
///
/// Simulated processes start as soon as they are asked to; each container's behaviour (when it
/// exits on its own, how it answers SIGTERM, what its probes and hooks return) is scripted.
struct VirtualPod {
    /// How a simulated container instance behaves.
    struct Behaviour {
        /// Exit on its own after this long with this code (nil: run until signalled).
        var exitAfter: Duration?
        var exitCode: Int32 = 0
        /// Reaction to SIGTERM: nil ignores it; otherwise exit after the delay with the code.
        var onTerminate: (delay: Duration, exitCode: Int32)? = (.zero, 143)
        /// The program cannot be started.
        var startFailure: String?

        static func runs(until duration: Duration? = nil, exitCode: Int32 = 0) -> Behaviour {
            Behaviour(exitAfter: duration, exitCode: exitCode)
        }

        static let ignoresTerm = Behaviour(exitAfter: nil, onTerminate: nil)
    }

    private(set) var lifecycle: PodLifecycle
    private(set) var now: Duration = .zero
    /// Everything that happened, in order, with the virtual time.
    private(set) var timeline: [(time: Duration, event: PodEvent)] = []
    private(set) var actionLog: [(time: Duration, action: LifecycleAction)] = []
    /// Behaviour per container name; the closure gets the instance number (restart count).
    var behaviour: [String: (Int) -> Behaviour] = [:]
    /// Probe outcome per container and probe: (instance, attempt number from 1, time) → success.
    var probeResults: [String: [ProbeKind: (Int, Int, Duration) -> Bool]] = [:]
    /// Hook duration and outcome per container and hook.
    var hooks: [String: [HookKind: (duration: Duration, succeeds: Bool)]] = [:]
    /// How long a probe attempt takes.
    var probeDuration: Duration = .milliseconds(10)

    private var pending: [(time: Duration, order: Int, observation: LifecycleObservation)] = []
    private var order = 0
    private var nextPID: Int32 = 100
    private var attempts: [String: Int] = [:]
    private var instances: [Int: Int] = [:]

    private var begun = false

    /// The pod begins at time zero on the first `run`/`advance`/`observe`, once behaviours are set.
    init(_ spec: PodSpec, backOff: BackOffPolicy = .kubernetes) {
        lifecycle = PodLifecycle(spec: spec, backOff: backOff)
    }

    private mutating func beginIfNeeded() {
        guard !begun else { return }
        begun = true
        perform(lifecycle.start(now: now))
    }

    var status: PodStatus { lifecycle.status }
    var finished: Bool { lifecycle.status.finished }

    private func name(_ index: Int) -> String { lifecycle.status.containers[index].name }

    private mutating func schedule(_ observation: LifecycleObservation, after delay: Duration) {
        order += 1
        pending.append((now + delay, order, observation))
    }

    private mutating func perform(_ actions: [LifecycleAction]) {
        for action in actions {
            actionLog.append((now, action))
            switch action {
            case .emit(let event):
                timeline.append((now, event))
            case .startContainer(let index, let restartCount):
                instances[index] = restartCount
                let behaviour = behaviour[name(index)]?(restartCount) ?? .runs()
                if let failure = behaviour.startFailure {
                    schedule(.containerStartFailed(index: index, message: failure), after: .zero)
                } else {
                    nextPID += 1
                    schedule(.containerStarted(index: index, pid: nextPID), after: .zero)
                    if let exitAfter = behaviour.exitAfter {
                        schedule(.containerExited(index: index, exitCode: behaviour.exitCode, signal: nil), after: exitAfter)
                    }
                }
            case .signal(let index, let signal):
                let behaviour = behaviour[name(index)]?(instances[index] ?? 0) ?? .runs()
                switch signal {
                case .kill:
                    dropExits(of: index)
                    schedule(.containerExited(index: index, exitCode: 137, signal: 9), after: .zero)
                case .terminate:
                    if let reaction = behaviour.onTerminate {
                        dropExits(of: index)
                        schedule(
                            .containerExited(index: index, exitCode: reaction.exitCode, signal: reaction.exitCode == 143 ? 15 : nil),
                            after: reaction.delay)
                    }
                }
            case .runProbe(let index, let instance, let probe):
                let key = "\(name(index))/\(probe.rawValue)/\(instance)"
                attempts[key, default: 0] += 1
                let succeeds = probeResults[name(index)]?[probe]?(instance, attempts[key]!, now) ?? true
                schedule(
                    .probeFinished(
                        index: index, instance: instance, probe: probe,
                        outcome: succeeds ? .success : .failure(message: "\(probe.rawValue) check failed")),
                    after: probeDuration)
            case .runHook(let index, let instance, let hook):
                let script = hooks[name(index)]?[hook] ?? (.zero, true)
                schedule(
                    .hookFinished(
                        index: index, instance: instance, hook: hook,
                        outcome: script.succeeds ? .succeeded : .failed(message: "\(hook.rawValue) failed")),
                    after: script.duration)
            case .cancelHook(let index, let instance, let hook):
                pending.removeAll {
                    if case .hookFinished(index, instance, hook, _) = $0.observation { return true }
                    return false
                }
            case .finish:
                break
            }
        }
    }

    /// A signalled process exits on the signal's terms, not on its own schedule any more.
    private mutating func dropExits(of index: Int) {
        pending.removeAll {
            if case .containerExited(index, _, _) = $0.observation { return true }
            return false
        }
    }

    /// Feeds an observation now (for scripted exits and stop requests).
    mutating func observe(_ observation: LifecycleObservation) {
        beginIfNeeded()
        perform(lifecycle.handle(observation, now: now))
    }

    mutating func stop(gracePeriod: Int64? = nil) {
        observe(.stopRequested(reason: .stopRequested, gracePeriodSeconds: gracePeriod))
    }

    /// Runs the simulation until `limit`, or until the pod finished.
    mutating func run(until limit: Duration) {
        beginIfNeeded()
        while !finished {
            pending.sort { ($0.time, $0.order) < ($1.time, $1.order) }
            let nextObservation = pending.first?.time
            let deadline = lifecycle.nextDeadline(after: now)
            let next = [nextObservation, deadline].compactMap { $0 }.min()
            guard let next, next <= limit else { break }
            now = max(now, next)
            if let first = pending.first, first.time <= now {
                pending.removeFirst()
                perform(lifecycle.handle(first.observation, now: now))
            } else {
                perform(lifecycle.handle(.timerFired, now: now))
            }
        }
        if !finished { now = max(now, limit) }
    }

    mutating func advance(by duration: Duration) { run(until: now + duration) }

    // MARK: Reading the timeline

    /// Events as compact strings: `t=1.5 app Started#0`, for readable expectations.
    func events(_ types: Set<String>? = nil, container: String? = nil) -> [String] {
        timeline.filter { entry in
            (types == nil || types!.contains(entry.event.type)) && (container == nil || entry.event.container == container)
        }.map { Self.describe($0.event) }
    }

    func times(of type: String, container: String? = nil) -> [Duration] {
        timeline.filter { $0.event.type == type && (container == nil || $0.event.container == container) }.map(\.time)
    }

    /// The time `type` first happened to `container`.
    func time(of type: String, _ container: String? = nil) -> Duration? { times(of: type, container: container).first }

    func signals(_ signal: ContainerSignal) -> [(time: Duration, container: String)] {
        actionLog.compactMap { entry in
            if case .signal(let index, signal) = entry.action { return (entry.time, name(index)) }
            return nil
        }
    }

    var phases: [PodPhase] {
        timeline.compactMap { if case .podPhase(let phase) = $0.event.kind { phase } else { nil } }
    }

    static func describe(_ event: PodEvent) -> String {
        let who = event.container.map { "\($0) " } ?? ""
        switch event.kind {
        case .podPhase(let phase): return "PodPhase \(phase.rawValue)"
        case .podInitialized: return "PodInitialized"
        case .podReady(let ready): return "PodReady \(ready)"
        case .podStopping(let reason, _): return "PodStopping \(reason.rawValue)"
        case .podFinished(let phase, let code): return "PodFinished \(phase.rawValue) \(code)"
        case .started(let restartCount, _): return "\(who)Started#\(restartCount)"
        case .startFailed: return "\(who)StartFailed"
        case .startupSucceeded: return "\(who)StartupSucceeded"
        case .ready: return "\(who)Ready"
        case .notReady: return "\(who)NotReady"
        case .unhealthy(let probe, _): return "\(who)Unhealthy \(probe.rawValue)"
        case .hookStarted(let hook): return "\(who)HookStarted \(hook.rawValue)"
        case .hookFinished(let hook, let outcome, _): return "\(who)HookFinished \(hook.rawValue) \(outcome.rawValue)"
        case .killing(let reason, let grace): return "\(who)Killing \(reason.rawValue) \(grace)"
        case .exited(let code, _, let reason, _): return "\(who)Exited \(code) \(reason)"
        case .backOff(let delay, _): return "\(who)BackOff \(delay)"
        }
    }
}

/// Spec shorthands for scenarios.
enum Pods {
    static func container(
        _ name: String, restartPolicy: RestartPolicy? = nil, rules: [ContainerRestartRule] = [],
        startup: Probe? = nil, readiness: Probe? = nil, liveness: Probe? = nil, lifecycle: Lifecycle? = nil
    ) -> Container {
        Container(
            name: name, command: ["/bin/true"], restartPolicy: restartPolicy, restartPolicyRules: rules,
            startupProbe: startup, readinessProbe: readiness, livenessProbe: liveness, lifecycle: lifecycle)
    }

    static func sidecar(_ name: String, startup: Probe? = nil, readiness: Probe? = nil, lifecycle: Lifecycle? = nil) -> Container {
        container(name, restartPolicy: .always, startup: startup, readiness: readiness, lifecycle: lifecycle)
    }

    static func pod(
        restartPolicy: RestartPolicy = .always, grace: Int64 = 30, initContainers: [Container] = [], containers: [Container]
    ) -> PodSpec {
        PodSpec(restartPolicy: restartPolicy, terminationGracePeriodSeconds: grace, initContainers: initContainers, containers: containers)
    }

    static func probe(period: Int32 = 10, delay: Int32 = 0, success: Int32 = 1, failure: Int32 = 3, grace: Int64? = nil) -> Probe {
        Probe(
            handler: .exec(ExecAction(command: ["check"])), initialDelaySeconds: delay, periodSeconds: period,
            successThreshold: success, failureThreshold: failure, terminationGracePeriodSeconds: grace)
    }

    static func hooks(postStart: Bool = false, preStop: Bool = false) -> Lifecycle {
        let exec = LifecycleHandler.exec(ExecAction(command: ["hook"]))
        return Lifecycle(postStart: postStart ? exec : nil, preStop: preStop ? exec : nil)
    }
}

extension Duration {
    /// Shorthand for fractional seconds in expectations.
    static func s(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
}
