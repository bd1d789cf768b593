import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one pod: feeds what happens to its processes into the lifecycle core and carries out
/// what the core decides (DESIGN.md §2). The only decisions made here are how to do things,
/// never whether: start order, restarts, kills and phases all come from `PodLifecycle`.
///
/// An actor, so observations from process monitors, probe and hook tasks and timers are
/// applied one at a time, in the order they reach it.
public actor PodSupervisor {
    public nonisolated let pod: Pod
    public nonisolated let runDirectory: PodRunDirectory
    public nonisolated let ports: PortMap
    public nonisolated let volumes: PodVolumes
    private let options: RunOptions
    private let launcher: ProcessLauncher
    private let probes: ProbeExecutor
    private let hooks: HookExecutor
    private let onEvent: @Sendable (EventRecord) -> Void
    private let onLog: @Sendable (LogBatch) -> Void
    private var lifecycle: PodLifecycle
    private let containerSpecs: [Container]
    private let clockOrigin = ContinuousClock.now
    private let wallOrigin = Date()

    /// The current (or latest) instance of each container, by index in `spec.allContainers`.
    private var instances: [Int: ContainerInstance] = [:]
    private var timer: Task<Void, Never>?
    private var timerDeadline: Duration?
    private var hookTasks: [HookKey: Task<Void, Never>] = [:]
    private var probeTasks: [ProbeKey: Task<Void, Never>] = [:]
    private var usageWatcher: VolumeUsageWatcher?
    private var eventsFile: FileHandle?
    /// status.json lags the pod's status by at most this much (DESIGN.md §6 "kept current").
    /// Rewriting it after every change costs O(containers) per event, O(n²) when n containers
    /// start or stop together; coalesced, a burst costs one write now and one at its end.
    static let statusWriteInterval: Duration = .milliseconds(100)
    private var statusDirty = false
    private var lastStatusWrite: ContinuousClock.Instant?
    private var statusWriteTask: Task<Void, Never>?
    private var sequence = 0
    private var started = false
    private var outcome: PodPhase?
    private var waiters: [CheckedContinuation<PodPhase, Never>] = []

    private struct HookKey: Hashable { let index: Int, instance: Int, hook: HookKind }
    private struct ProbeKey: Hashable { let index: Int, instance: Int, probe: ProbeKind }

    /// One running (or just ended) container instance and what it was started with.
    private struct ContainerInstance {
        let restartCount: Int
        let capture: ContainerOutputCapture
        let context: HandlerContext
        var process: ShimProcess?
        /// The shim confirmed the start and the core was told.
        var confirmed = false
        /// An exit that arrived before the start was confirmed.
        var pendingExit: ProcessExit?
    }

    /// Prepares everything a pod needs before any container starts: the run directory (refused
    /// when a pod of that name runs), the port map and the volumes. Throws with a message that
    /// says what to fix; nothing is left behind on failure.
    public init(
        pod: Pod, options: RunOptions = RunOptions(),
        onEvent: @escaping @Sendable (EventRecord) -> Void = { _ in },
        onLog: @escaping @Sendable (LogBatch) -> Void = { _ in }
    ) throws {
        let launcher = ProcessLauncher(shimPath: try options.shimPath ?? ProcessLauncher.locateShim())
        let directory = try PodRunDirectory.acquire(podName: pod.metadata.name, stateRoot: options.stateRoot ?? PodRunDirectoryLayout.stateRoot())
        let ports: PortMap
        let volumes: PodVolumes
        do {
            ports = try PortAllocator.allocate(for: pod, mode: options.portMode)
            do {
                volumes = try PodVolumes.create(for: pod, runDirectory: directory.url)
            } catch {
                PortAllocator.release(ports)
                throw error
            }
        } catch {
            directory.remove()
            throw error
        }
        self.pod = pod
        self.options = options
        self.launcher = launcher
        self.runDirectory = directory
        self.ports = ports
        self.volumes = volumes
        self.probes = ProbeExecutor(launcher: launcher)
        self.hooks = HookExecutor(launcher: launcher, probes: probes)
        self.onEvent = onEvent
        self.onLog = onLog
        self.containerSpecs = pod.spec.allContainers
        self.lifecycle = PodLifecycle(spec: pod.spec, backOff: options.backOff)
    }

    /// Warnings about the environment the pod got (a Memory volume on disk, say).
    public nonisolated var warnings: [String] { volumes.warnings }

    // MARK: Public control

    /// Starts the pod; returns at once. Events and log lines flow to the handlers given at init.
    public func start() {
        guard !started else { return }
        started = true
        writePodFiles()
        eventsFile = Self.openForAppending(runDirectory.eventsJSONL)
        let limits = pod.spec.volumes.reduce(into: [String: Int64]()) { limits, volume in
            if let limit = volume.emptyDir?.sizeLimit?.bytes { limits[volume.name] = limit }
        }
        if !limits.isEmpty {
            let watcher = VolumeUsageWatcher(volumes: volumes, limits: limits) { [weak self] volume, usage, limit in
                Task { await self?.evict(volume: volume, usage: usage, limit: limit) }
            }
            watcher.start()
            usageWatcher = watcher
        }
        perform(lifecycle.start(now: now()))
    }

    /// Stops the pod gracefully: preStop hooks, SIGTERM in Kubernetes' order, SIGKILL after the
    /// grace period (the pod's, or `gracePeriodSeconds`).
    public func stop(gracePeriodSeconds: Int64? = nil) {
        observe(.stopRequested(reason: .stopRequested, gracePeriodSeconds: gracePeriodSeconds))
    }

    /// Kills every container at once (a second Ctrl-C).
    public func kill() {
        observe(.forceKillRequested)
    }

    /// Waits until the pod reached its terminal phase and every process is gone.
    public func waitUntilFinished() async -> PodPhase {
        if let outcome { return outcome }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// The pod's status as the lifecycle core knows it.
    public var status: PodStatus { lifecycle.status }

    /// The wall-clock time of a moment on the pod's clock.
    public nonisolated func wallTime(_ time: Duration) -> Date {
        wallOrigin.addingTimeInterval(time.seconds)
    }

    // MARK: The loop

    private func now() -> Duration { ContinuousClock.now - clockOrigin }

    private func observe(_ observation: LifecycleObservation) {
        guard started, outcome == nil else { return }
        perform(lifecycle.handle(observation, now: now()))
    }

    private func perform(_ actions: [LifecycleAction]) {
        var changed = false
        for action in actions {
            switch action {
            case .startContainer(let index, let restartCount):
                startContainer(index, restartCount: restartCount)
            case .signal(let index, let signal):
                instances[index]?.process?.signalGroup(signal == .terminate ? SIGTERM : SIGKILL)
            case .runProbe(let index, let instance, let probe):
                runProbe(index, instance: instance, probe: probe)
            case .runHook(let index, let instance, let hook):
                runHook(index, instance: instance, hook: hook)
            case .cancelHook(let index, let instance, let hook):
                hookTasks.removeValue(forKey: HookKey(index: index, instance: instance, hook: hook))?.cancel()
            case .emit(let event):
                publish(event)
                changed = true
            case .finish(let phase):
                finish(phase)
                return
            }
        }
        if changed { statusChanged() }
        rescheduleTimer()
    }

    private func rescheduleTimer() {
        let next = lifecycle.nextDeadline(after: now())
        guard next != timerDeadline else { return }
        timer?.cancel()
        timerDeadline = next
        guard let next else {
            timer = nil
            return
        }
        let target = clockOrigin + next
        timer = Task { [weak self] in
            do {
                try await Task.sleep(until: target, clock: .continuous)
            } catch {
                return
            }
            await self?.timerFired(deadline: next)
        }
    }

    private func timerFired(deadline: Duration) {
        guard timerDeadline == deadline else { return }
        timerDeadline = nil
        timer = nil
        observe(.timerFired)
    }

    // MARK: Containers

    private func startContainer(_ index: Int, restartCount: Int) {
        let container = containerSpecs[index]
        let environment = ContainerEnvironment.build(
            pod: pod, container: container, ports: ports, volumes: volumes, inherited: options.inheritedEnvironment,
            clean: options.cleanEnvironment)
        let capture: ContainerOutputCapture
        let workingDirectory: String
        do {
            workingDirectory = try environment.workingDirectory
                ?? runDirectory.scratchDirectory(container: container.name, restartCount: restartCount).path
            capture = try ContainerOutputCapture(
                container: container.name, restartCount: restartCount, logDirectory: runDirectory.logs.appendingPathComponent(container.name),
                rotation: options.logRotation, subscriber: onLog)
        } catch {
            deferObservation(.containerStartFailed(index: index, message: "cannot prepare the container: \(error.localizedDescription)"))
            return
        }
        let translator = environment.translator
        let ports = self.ports
        let context = HandlerContext(
            containerName: container.name, environment: environment.variables, workingDirectory: workingDirectory,
            translatePath: { translator.translate($0) },
            resolvePort: { ports.resolve($0, forContainer: container.name) })
        instances[index] = ContainerInstance(restartCount: restartCount, capture: capture, context: context)
        let spec = ProcessLaunchSpec(
            argv: environment.argv, workingDirectory: workingDirectory, environment: environment.variables,
            standardOutput: capture.standardOutput, standardError: capture.standardError)
        do {
            let spawned = try launcher.spawn(spec) { [weak self] exit in
                Task { await self?.processExited(index, restartCount: restartCount, exit) }
            }
            capture.closeWriteEnds()
            Task { await self.awaitStart(index, restartCount: restartCount, spawned) }
        } catch {
            capture.closeWriteEnds()
            Task { await self.startFailed(index, restartCount: restartCount, message: error.message) }
        }
    }

    /// Feeds an observation after the current batch of actions (never from inside `perform`).
    private func deferObservation(_ observation: LifecycleObservation) {
        Task { self.observe(observation) }
    }

    private func awaitStart(_ index: Int, restartCount: Int, _ spawned: SpawnedProcess) async {
        do {
            let process = try await spawned.started()
            guard var instance = instances[index], instance.restartCount == restartCount else { return }
            instance.process = process
            instance.confirmed = true
            let pendingExit = instance.pendingExit
            instance.pendingExit = nil
            instances[index] = instance
            observe(.containerStarted(index: index, pid: process.pid))
            if let pendingExit { await containerExited(index, restartCount: restartCount, pendingExit) }
        } catch {
            await startFailed(index, restartCount: restartCount, message: error.message)
        }
    }

    private func startFailed(_ index: Int, restartCount: Int, message: String) async {
        guard let instance = instances[index], instance.restartCount == restartCount else { return }
        await instance.capture.finish(drainTimeout: options.drainTimeout)
        observe(.containerStartFailed(index: index, message: message))
    }

    private func processExited(_ index: Int, restartCount: Int, _ exit: ProcessExit) async {
        guard var instance = instances[index], instance.restartCount == restartCount else { return }
        guard instance.confirmed else {
            instance.pendingExit = exit
            instances[index] = instance
            return
        }
        await containerExited(index, restartCount: restartCount, exit)
    }

    /// The output is drained first, so a container's last lines come before its Exited event.
    private func containerExited(_ index: Int, restartCount: Int, _ exit: ProcessExit) async {
        guard let instance = instances[index], instance.restartCount == restartCount else { return }
        await instance.capture.finish(drainTimeout: options.drainTimeout)
        observe(.containerExited(index: index, exitCode: exit.exitCode, signal: exit.signal))
    }

    // MARK: Probes and hooks

    private func runProbe(_ index: Int, instance: Int, probe kind: ProbeKind) {
        let container = containerSpecs[index]
        let probe: Probe?
        switch kind {
        case .startup: probe = container.startupProbe
        case .readiness: probe = container.readinessProbe
        case .liveness: probe = container.livenessProbe
        }
        guard let probe, let current = instances[index], current.restartCount == instance else { return }
        let key = ProbeKey(index: index, instance: instance, probe: kind)
        let executor = probes
        let context = handlerContext(of: current)
        probeTasks[key] = Task { [weak self] in
            let outcome = await executor.run(probe.handler, timeout: .seconds(Int64(probe.timeoutSeconds)), context: context)
            await self?.probeFinished(key, outcome)
        }
    }

    /// The instance's handler context, with its shim once it runs, so exec handlers run their
    /// commands under it.
    private func handlerContext(of instance: ContainerInstance) -> HandlerContext {
        var context = instance.context
        context.container = instance.process
        return context
    }

    private func probeFinished(_ key: ProbeKey, _ outcome: ProbeOutcome) {
        probeTasks[key] = nil
        observe(.probeFinished(index: key.index, instance: key.instance, probe: key.probe, outcome: outcome))
    }

    private func runHook(_ index: Int, instance: Int, hook: HookKind) {
        let lifecycleSpec = containerSpecs[index].lifecycle
        guard let handler = hook == .postStart ? lifecycleSpec?.postStart : lifecycleSpec?.preStop,
            let current = instances[index], current.restartCount == instance
        else { return }
        let key = HookKey(index: index, instance: instance, hook: hook)
        let executor = hooks
        let context = handlerContext(of: current)
        hookTasks[key] = Task { [weak self] in
            let outcome = await executor.run(handler, context: context)
            guard !Task.isCancelled else { return }
            await self?.hookFinished(key, outcome)
        }
    }

    private func hookFinished(_ key: HookKey, _ outcome: HookOutcome) {
        guard hookTasks.removeValue(forKey: key) != nil else { return }
        observe(.hookFinished(index: key.index, instance: key.instance, hook: key.hook, outcome: outcome))
    }

    private func evict(volume: String, usage: Int64, limit: Int64) {
        // The kubelet's eviction message for an emptyDir over its sizeLimit, and its grace: none
        // beyond the 2-second minimum.
        let message = "Usage of EmptyDir volume \"\(volume)\" exceeds the limit \"\(Self.sizeLimitText(volume, in: pod))\" (\(usage) bytes used, \(limit) allowed)"
        observe(.stopRequested(reason: .evicted, gracePeriodSeconds: 0, message: message))
    }

    private static func sizeLimitText(_ volume: String, in pod: Pod) -> String {
        pod.spec.volumes.first { $0.name == volume }?.emptyDir?.sizeLimit?.text ?? "?"
    }

    // MARK: Events and files

    private func publish(_ event: PodEvent) {
        sequence += 1
        let record = EventRecord(seq: sequence, time: Date(), event: event)
        eventsFile?.write(Data(EventEncoder.jsonLine(record)))
        onEvent(record)
    }

    /// `pod.json` (the pod as run, defaults applied) and `ports.json` (the port map).
    private func writePodFiles() {
        writeJSON(pod, to: runDirectory.podJSON)
        writeJSON(ports, to: runDirectory.portsJSON)
    }

    /// Writes status.json now if it was not written within `statusWriteInterval`, else once that
    /// interval has passed (with the status as it is then).
    private func statusChanged() {
        statusDirty = true
        guard statusWriteTask == nil else { return }
        let now = ContinuousClock.now
        guard let last = lastStatusWrite, now - last < Self.statusWriteInterval else {
            flushStatusFile()
            return
        }
        let due = last + Self.statusWriteInterval
        statusWriteTask = Task { [weak self] in
            try? await Task.sleep(until: due, clock: .continuous)
            await self?.flushStatusFile()
        }
    }

    private func flushStatusFile() {
        statusWriteTask = nil
        guard statusDirty, outcome == nil else { return }
        statusDirty = false
        lastStatusWrite = .now
        writeStatusFile()
    }

    private func writeStatusFile() {
        writeJSON(PodStatusSnapshot(pod: pod, status: lifecycle.status, wallTime: wallTime), to: runDirectory.statusJSON)
    }

    private func writeJSON(_ value: some Encodable, to file: URL) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(value) { runDirectory.writeAtomically(data, to: file) }
    }

    private static func openForAppending(_ url: URL) -> FileHandle? {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        return try? FileHandle(forWritingTo: url)
    }

    // MARK: The end

    private func finish(_ phase: PodPhase) {
        outcome = phase
        timer?.cancel()
        timer = nil
        for task in hookTasks.values { task.cancel() }
        for task in probeTasks.values { task.cancel() }
        hookTasks = [:]
        probeTasks = [:]
        usageWatcher?.stop()
        statusWriteTask?.cancel()
        statusWriteTask = nil
        writeStatusFile()
        try? eventsFile?.close()
        eventsFile = nil
        PortAllocator.release(ports)
        if options.keepRunDirectory {
            runDirectory.release()
        } else {
            volumes.remove()
            runDirectory.remove()
        }
        let waiting = waiters
        waiters = []
        for waiter in waiting { waiter.resume(returning: phase) }
    }
}
