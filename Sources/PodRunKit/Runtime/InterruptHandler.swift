import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT and SIGTERM into calls, so podrun can stop its pod gracefully instead of dying:
/// the first signal asks for a graceful stop, a second one (Ctrl-C again) for an immediate kill.
///
/// The signals are ignored for the process while the handler lives (a dispatch signal source
/// only observes; without ignoring them the default action would still end podrun).
public final class InterruptHandler: Sendable {
    private let sources: Locked<[any DispatchSourceSignal]>
    private let signals: [Int32]

    /// `handler` gets how many stop signals arrived so far (1 for the first).
    public init(signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (_ count: Int) -> Void) {
        self.signals = signals
        let count = Locked(0)
        let queue = DispatchQueue(label: "podrun.interrupts")
        var created: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                let seen = count.withLock { value -> Int in
                    value += 1
                    return value
                }
                handler(seen)
            }
            source.resume()
            created.append(source)
        }
        sources = Locked(created)
    }

    /// Stops listening and restores the default actions.
    public func cancel() {
        let active = sources.withLock { list -> [any DispatchSourceSignal] in
            defer { list = [] }
            return list
        }
        for source in active { source.cancel() }
        if !active.isEmpty {
            for number in signals { signal(number, SIG_DFL) }
        }
    }
}
