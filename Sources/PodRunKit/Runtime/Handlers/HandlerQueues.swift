import Dispatch

/// The dispatch queues the handlers share. Concurrent, so many probes proceed in parallel, yet no
/// thread is dedicated to any probe: each dispatch source still runs its handlers one at a time.
enum HandlerQueues {
    /// Pipe readers, TCP connects and host lookups.
    static let io = DispatchQueue(label: "podrun.handlers.io", qos: .userInitiated, attributes: .concurrent)
    /// Probe deadlines and hook sleeps.
    static let timers = DispatchQueue(label: "podrun.handlers.timers", qos: .userInitiated, attributes: .concurrent)
}
