/// Carries one handler result from whichever thread produces it to the task awaiting it. The
/// first result wins; later ones (a timeout racing a completion) are dropped. Unlike a bare
/// continuation it tolerates the result arriving before anyone waits.
final class HandlerLatch: Sendable {
    private struct State {
        var result: HandlerResult?
        var waiter: CheckedContinuation<HandlerResult, Never>?
    }

    private let state = Locked(State())

    func fulfil(_ result: HandlerResult) {
        let waiter: CheckedContinuation<HandlerResult, Never>? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: result)
    }

    /// The result; waits for it if it has not come yet. Call once.
    func value() async -> HandlerResult {
        await withCheckedContinuation { continuation in
            let ready: HandlerResult? = state.withLock { state in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
