import Dispatch

/// One probe or hook attempt in progress: an exec'd command, an HTTP request, a TCP connect, a
/// sleep. `HandlerOperation.run` gives all of them the same timeout and cancellation behaviour,
/// so each handler only says how to start its work and how to undo it.
protocol HandlerOperation: Sendable {
    /// Starts the work and calls `finish` exactly once, from any thread, when it is over. May
    /// return before or after `finish` is called.
    func start(finish: @escaping @Sendable (HandlerResult) -> Void) async

    /// Asks the work to stop. It must still call `finish` (normally with `reason.result`), but only
    /// once what it started is gone (the process group killed and reaped, the request cancelled, the
    /// socket closed), so a caller that got its result leaves nothing behind. May be called before
    /// `start`, from any thread, and more than once (a timeout, then cancellation): the first wins.
    func stop(_ reason: HandlerStop)
}

extension HandlerOperation {
    /// Runs the operation to its end: its own, its deadline's (`timeout`; nil = none, as for hooks)
    /// or the calling task's cancellation, whichever comes first.
    func run(timeout: Duration?) async -> HandlerResult {
        let latch = HandlerLatch()
        return await withTaskCancellationHandler {
            // A dispatch timer, not a sleeping task: one probe a second per container should cost
            // as little as possible, and a cancelled timer source lets go of the operation at once.
            var timer: (any DispatchSourceTimer)?
            if let timeout {
                let source = DispatchSource.makeTimerSource(queue: HandlerQueues.timers)
                source.schedule(deadline: HandlerQueues.time(after: timeout))
                source.setEventHandler { stop(.timedOut(timeout)) }
                source.resume()
                timer = source
            }
            await start { latch.fulfil($0) }
            let result = await latch.value()
            timer?.cancel()
            return result
        } onCancel: {
            stop(.cancelled)
        }
    }
}
