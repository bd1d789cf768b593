import Dispatch

/// The dispatch queues the handlers share. Concurrent, so many probes proceed in parallel, yet no
/// thread is dedicated to any probe: each pipe handler and timer still runs one at a time.
enum HandlerQueues {
    /// Pipe readers, TCP connects and host lookups.
    static let io = DispatchQueue(label: "podrun.handlers.io", qos: .userInitiated, attributes: .concurrent)
    /// Probe deadlines and hook sleeps.
    static let timers = DispatchQueue(label: "podrun.handlers.timers", qos: .userInitiated, attributes: .concurrent)

    /// The dispatch time `duration` from now (negative durations mean now; absurdly long ones,
    /// beyond about 292 years, mean never).
    static func time(after duration: Duration) -> DispatchTime {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return .now() }
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (nanoseconds, overflow2) = product.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !overflow, !overflow2 else { return .distantFuture }
        return .now() + .nanoseconds(Int(nanoseconds))
    }
}
