import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Delivers SIGTERM/SIGINT as ordinary callbacks on a dispatch queue, so shutdown logic can log,
/// close sockets and schedule timers — none of which is safe inside a C signal handler.
///
/// `prepare` must run first thing in `main`, before any thread exists. It blocks the signals in
/// the main thread, a mask every later thread inherits, and sets `SIG_IGN` so that a signal
/// arriving before the handlers are registered can no longer kill the process with its default
/// action. On Linux libdispatch reads signals from a signalfd, which sees a signal only while it
/// stays pending; blocked everywhere, it waits there for the source instead of being consumed by
/// an ordinary handler. On macOS the kqueue filter behind the source sees the signal whatever its
/// mask or action.
///
/// Keep the trap alive (`withExtendedLifetime`) for as long as the signals should be handled.
final class SignalTrap {
    /// The signals every subcommand handles.
    static let terminationSignals: [Int32] = [SIGTERM, SIGINT]

    private let sources: [any DispatchSourceSignal]

    /// Ignores and blocks `signals` process-wide; call before any thread is started.
    static func prepare(_ signals: [Int32] = terminationSignals) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for number in signals {
            signal(number, SIG_IGN)
            sigaddset(&mask, number)
        }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
    }

    /// Calls `handler` on `queue` with the signal number each time one of `signals` arrives.
    /// The signals must have gone through `prepare`. Returns only once the kernel watches them
    /// (libdispatch registers sources asynchronously), so a log line printed afterwards — which
    /// tests and podrun wait for — means a signal sent from then on is handled, not lost.
    /// `queue` must not be the caller's own queue.
    init(_ signals: [Int32] = terminationSignals, queue: DispatchQueue, handler: @escaping @Sendable (Int32) -> Void) {
        let registered = DispatchGroup()
        sources = signals.map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
        registered.wait()
    }

    /// Stops handling the signals, so that a signal raised on purpose afterwards takes its
    /// default action instead of reaching the handler.
    func cancel() {
        for source in sources {
            source.cancel()
        }
    }

    /// Puts `number` back to its default action and unblocks it in the calling thread, so that
    /// raising it afterwards ends the process the way the signal normally would
    /// (`crash --signal TERM`).
    static func restoreDefault(_ number: Int32) {
        signal(number, SIG_DFL)
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, number)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    }
}
