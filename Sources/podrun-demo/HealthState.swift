/// What `/healthz` and `/readyz` report. Readiness turns on by itself once `--ready-after` has
/// passed since start; the failing switch is flipped by `/fail`, `/recover` and `--fail-after`
/// from any connection's thread, so it lives behind a lock.
final class HealthState: Sendable {
    /// Why `/readyz` says what it says.
    enum Readiness {
        case ready, starting, failing
    }

    private let readyAt: ContinuousClock.Instant
    private let failing = Locked(false)

    init(readyAfter: Duration) {
        readyAt = .now + readyAfter
    }

    /// Liveness: true until something makes the server fail.
    var isLive: Bool {
        !failing.current
    }

    var readiness: Readiness {
        if failing.current { return .failing }
        return ContinuousClock.now >= readyAt ? .ready : .starting
    }

    /// Starts failing both probes. Returns false if it already was.
    func fail() -> Bool {
        failing.withLock { failing in
            defer { failing = true }
            return !failing
        }
    }

    /// Stops failing. Returns false if it was not failing.
    func recover() -> Bool {
        failing.withLock { failing in
            defer { failing = false }
            return failing
        }
    }
}
