import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thread that waits with `poll(2)` until any of many pipes is readable, and then runs that
/// pipe's handler on the pipe's own queue: event-driven reading without a thread per pipe.
///
/// Why not `DispatchSource` read sources: on Linux, libdispatch's epoll bookkeeping has a
/// use-after-free when read sources are created and cancelled concurrently in quick succession
/// (swift-corelibs-libdispatch issue #949, SR-12079); capture does exactly that, with two sources
/// per container instance, and the podrun tests crashed in `_dispatch_event_loop_drain` about one
/// run in five. `poll(2)` is in both Glibc and Darwin, needs no private epoll bindings, and with
/// a few dozen pipes costs nothing measurable.
///
/// A pipe is reported once, then disarmed until its handler has run (so a slow handler is never
/// queued twice, and a handler that stops reading — backpressure — stops the reports); it is
/// re-armed after the handler returns, and reported again at once if data is left (`poll` is
/// level-triggered). Registrations are identified by tokens that are never reused, so a stale
/// report for a pipe that was unregistered, or whose descriptor number was reused, is ignored.
final class PipeReactor: @unchecked Sendable {
    // `@unchecked Sendable` is sound: `entries` and `nextToken` are only accessed while `lock` is
    // held; `wakeRead`/`wakeWrite` are immutable after `init`; the poll buffers are used by the
    // reactor thread alone.

    /// The process's reactor; its thread starts with the first registration and never ends.
    static let shared = PipeReactor()

    private struct Entry {
        let fd: Int32
        let queue: DispatchQueue
        let handler: @Sendable () -> Void
        /// False from a report until the handler has run.
        var armed = true
    }

    private let lock = NSLock()
    private var entries: [UInt64: Entry] = [:]
    private var nextToken: UInt64 = 1
    private var started = false
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 {
            fatalError("podrun: cannot create the pipe reactor's wake-up pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    /// Watches `fd` (a non-blocking read end): `handler` runs on `queue` each time it is
    /// readable or at EOF. Returns the token for `unregister`.
    func register(fd: Int32, queue: DispatchQueue, handler: @escaping @Sendable () -> Void) -> UInt64 {
        let token: UInt64 = lock.withLock {
            let token = nextToken
            nextToken += 1
            entries[token] = Entry(fd: fd, queue: queue, handler: handler)
            if !started {
                started = true
                let thread = Thread { [self] in run() }
                thread.name = "podrun.pipes"
                thread.qualityOfService = .userInitiated
                thread.start()
            }
            return token
        }
        wake()
        return token
    }

    /// Stops watching. Called on the registration's queue, it guarantees the handler does not run
    /// again, so the caller may close the descriptor right after.
    func unregister(_ token: UInt64) {
        _ = lock.withLock { entries.removeValue(forKey: token) }
        wake()  // so the thread stops polling the descriptor
    }

    // MARK: The reactor thread

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // a full wake pipe is already a pending wake-up
    }

    private func run() {
        var pollSet: [pollfd] = []
        var tokens: [UInt64] = []
        var drain = [UInt8](repeating: 0, count: 256)
        while true {
            pollSet.removeAll(keepingCapacity: true)
            tokens.removeAll(keepingCapacity: true)
            pollSet.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            tokens.append(0)
            lock.withLock {
                for (token, entry) in entries where entry.armed {
                    pollSet.append(pollfd(fd: entry.fd, events: Int16(POLLIN), revents: 0))
                    tokens.append(token)
                }
            }
            let ready = poll(&pollSet, nfds_t(pollSet.count), -1)
            if ready < 0 {
                if errno != EINTR { usleep(1000) }  // cannot happen with valid arguments; never spin
                continue
            }
            if pollSet[0].revents != 0 {
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            for index in 1..<pollSet.count where pollSet[index].revents != 0 {
                let token = tokens[index]
                let entry: Entry? = lock.withLock {
                    guard var entry = entries[token], entry.armed else { return nil }
                    entry.armed = false
                    entries[token] = entry
                    return entry
                }
                guard let entry else { continue }  // unregistered meanwhile: a stale report
                entry.queue.async { [self] in
                    guard lock.withLock({ entries[token] != nil }) else { return }
                    entry.handler()
                    rearm(token)
                }
            }
        }
    }

    private func rearm(_ token: UInt64) {
        let rearmed: Bool = lock.withLock {
            guard var entry = entries[token] else { return false }
            entry.armed = true
            entries[token] = entry
            return true
        }
        if rearmed { wake() }
    }
}
