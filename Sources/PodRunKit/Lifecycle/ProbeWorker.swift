/// One probe of one container instance, run as the kubelet's prober worker does: the first
/// attempt once `initialDelaySeconds` have passed since the container started, then one every
/// `periodSeconds`; a result counts only after `successThreshold`/`failureThreshold`
/// consecutive identical attempts; after a published liveness failure or any published startup
/// result the worker holds until a new instance.
///
/// Unlike the kubelet, whose tickers start when the pod is admitted, the schedule is anchored
/// at the container's start, so runs are reproducible (documented in docs/differences.md).
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

    /// Opens the schedule: the first attempt `initialDelaySeconds` after the container started,
    /// or now if that has passed.
    mutating func open(containerStartedAt: Duration, now: Duration) {
        gated = false
        nextTick = max(now, containerStartedAt + .seconds(Int64(probe.initialDelaySeconds)))
    }

    mutating func beginAttempt() {
        inFlight = true
        lastTick = nextTick ?? lastTick
        nextTick = nil
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
