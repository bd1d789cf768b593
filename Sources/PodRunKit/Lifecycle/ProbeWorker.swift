/// One probe of one container, run as the kubelet's prober worker runs it.
///
/// Schedule (pkg/kubelet/prober/worker.go, prober_manager.go): each worker has its own ticker of
/// `periodSeconds`, started when the pod is admitted and kept across container restarts; a tick
/// probes a running container once `initialDelaySeconds` (whole seconds) have passed since it
/// started. Liveness and startup attempts come only on those ticks, so a new instance is first
/// checked within one period, never at the instant it starts. Readiness is also triggered at
/// once when a container (re)starts without a readiness result (the kubelet's manual trigger),
/// and then ticks every period from there. podrun's pod start stands for admission; the random
/// first tick a kubelet restart adds does not exist here, so runs are reproducible.
///
/// Results: a result counts only after `successThreshold`/`failureThreshold` consecutive
/// identical attempts; after a published liveness failure or any published startup result the
/// worker holds until a new instance.
struct ProbeWorker: Sendable, Hashable {
    let kind: ProbeKind
    let probe: Probe
    /// Waiting for the startup probe (readiness and liveness only).
    var gated: Bool
    var onHold = false
    var inFlight = false
    /// When the next attempt is due; nil while gated, in flight or on hold.
    var nextTick: Duration?
    /// The tick the last attempt ran for.
    var lastTick: Duration = .zero
    var lastResult: Bool?
    var resultRun = 0

    init(kind: ProbeKind, probe: Probe, gated: Bool) {
        self.kind = kind
        self.probe = probe
        self.gated = gated
    }

    var period: Duration { .seconds(Int64(probe.periodSeconds)) }

    /// Opens the schedule for a container instance that started at `containerStartedAt`.
    mutating func open(containerStartedAt start: Duration, now: Duration) {
        gated = false
        let delay = Int64(probe.initialDelaySeconds)
        switch kind {
        case .readiness:
            // The manual trigger: at once, or when the initial delay has passed.
            nextTick = max(now, start + .seconds(delay))
        case .startup, .liveness:
            // The next tick of the worker's own ticker (ticks at k × period from the pod's start,
            // k ≥ 1) at which the container has run for initialDelaySeconds.
            var ticks = max(1, Int64((now / period).rounded(.up)))
            while ContainerKill.wholeSeconds(from: start, to: period * Double(ticks)) < delay { ticks += 1 }
            nextTick = period * Double(ticks)
        }
    }

    mutating func beginAttempt() {
        inFlight = true
        lastTick = nextTick ?? lastTick
        nextTick = nil
    }

    /// An attempt without a verdict: the schedule goes on, nothing is counted.
    mutating func discard(now: Duration) {
        inFlight = false
        scheduleNext(now: now)
    }

    /// Counts an attempt's result; returns the result to publish once a threshold is reached.
    mutating func record(success: Bool, now: Duration) -> Bool? {
        inFlight = false
        if lastResult == success {
            resultRun += 1
        } else {
            lastResult = success
            resultRun = 1
        }
        scheduleNext(now: now)
        let threshold = success ? probe.successThreshold : probe.failureThreshold
        guard resultRun >= Int(threshold) else { return nil }
        if (kind == .liveness && !success) || kind == .startup {
            onHold = true
            resultRun = 0
            nextTick = nil
        }
        return success
    }

    /// The next tick on the period grid; ticks missed while an attempt ran long collapse into
    /// one immediate attempt, as a Go ticker with a one-slot channel does.
    private mutating func scheduleNext(now: Duration) {
        var candidate = lastTick + period
        if candidate < now {
            let missed = ((now - candidate) / period).rounded(.down)
            candidate += period * missed
        }
        nextTick = candidate
    }
}
