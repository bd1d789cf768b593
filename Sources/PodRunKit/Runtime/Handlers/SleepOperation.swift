import Dispatch

/// A sleep hook: waits `seconds`, or less when stopped (its container exited, or the grace period
/// ran out for a preStop). A dispatch timer rather than `Task.sleep`, so that it shares the
/// stop-and-report path of the other handlers.
final class SleepOperation: HandlerOperation {
    private struct State {
        var finish: (@Sendable (HandlerResult) -> Void)?
        var timer: (any DispatchSourceTimer)?
        var stop: HandlerStop?
        var finished = false
    }

    private let seconds: Int64
    private let state = Locked(State())
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant

    init(seconds: Int64) {
        self.seconds = seconds
        started = clock.now
    }

    func start(finish: @escaping @Sendable (HandlerResult) -> Void) async {
        guard seconds > 0 else { return finish(.succeeded) }
        let stop: HandlerStop? = state.withLock { state in
            if state.stop == nil { state.finish = finish }
            return state.stop
        }
        if let stop { return finish(stop.result) }
        let timer = DispatchSource.makeTimerSource(queue: HandlerQueues.timers)
        timer.schedule(deadline: HandlerQueues.time(after: .seconds(seconds)))
        timer.setEventHandler { [self] in complete(.succeeded) }
        timer.resume()
        let stopped: Bool = state.withLock { state in
            if state.finished { return true }
            state.timer = timer
            return false
        }
        if stopped { timer.cancel() }
    }

    func stop(_ reason: HandlerStop) {
        let elapsed = clock.now - started
        let timer: (any DispatchSourceTimer)? = state.withLock { state in
            guard !state.finished, state.stop == nil else { return nil }
            state.stop = reason
            return state.timer
        }
        timer?.cancel()
        switch reason {
        case .cancelled:
            // The kubelet's words: "container terminated before sleep hook finished".
            complete(.failed("sleep \(seconds)s: cut short after \(HandlerText.duration(Self.rounded(elapsed))) (cancelled)"))
        case .timedOut:
            complete(reason.result)
        }
    }

    private func complete(_ result: HandlerResult) {
        let finish: (@Sendable (HandlerResult) -> Void)? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            state.timer?.cancel()  // releases the handler (and with it this operation)
            state.timer = nil
            defer { state.finish = nil }
            return state.finish
        }
        finish?(result)
    }

    /// To tenths of a second, which is all a user needs to see.
    private static func rounded(_ duration: Duration) -> Duration {
        .milliseconds(Int64((duration / .milliseconds(100)).rounded()) * 100)
    }
}
