import CPodRunSystem
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thread that waits until any of many pipes is readable, and then runs that pipe's handler
/// on the pipe's own queue: event-driven reading without a thread per pipe.
///
/// On Linux it waits with epoll (one-shot registrations): registering, re-arming and removing
/// a pipe are single `epoll_ctl` calls and a wake-up costs O(ready pipes). Elsewhere it waits
/// with `poll(2)`, rebuilding the set after each change (O(pipes) per wake-up, which with
/// hundreds of containers — three descriptors each — made starting them O(n²)).
///
/// Why not `DispatchSource` read sources: on Linux, libdispatch's epoll bookkeeping has a
/// use-after-free when read sources are created and cancelled concurrently in quick succession
/// (swift-corelibs-libdispatch issue #949, SR-12079); capture does exactly that, with two sources
/// per container instance, and the podrun tests crashed in `_dispatch_event_loop_drain` about one
/// run in five. The epoll calls come from the small C target CPodRunSystem (Glibc's module map
/// leaves out <sys/epoll.h>).
///
/// A pipe is reported once, then disarmed until its handler has run (so a slow handler is never
/// queued twice, and a handler that stops reading — backpressure — stops the reports); it is
/// re-armed after the handler returns, and reported again at once if data is left (both waits
/// are level-triggered). Registrations are identified by tokens that are never reused, so a stale
/// report for a pipe that was unregistered, or whose descriptor number was reused, is ignored.
final class PipeReactor: @unchecked Sendable {
    // `@unchecked Sendable` is sound: `entries` and `nextToken` are only accessed while `lock` is
    // held; `epoll`, `wakeRead` and `wakeWrite` are immutable after `init`; the wait buffers are
    // used by the reactor thread alone.

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
    /// The epoll instance, or -1 where there is none (then poll(2) and the wake-up pipe).
    private let epoll: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() {
        epoll = podrun_epoll_create()
        guard epoll < 0 else {
            wakeRead = -1
            wakeWrite = -1
            return
        }
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
        if epoll >= 0 {
            _ = podrun_epoll_add(epoll, fd, token)
        } else {
            wake()
        }
        return token
    }

    /// Stops watching. Called on the registration's queue, it guarantees the handler does not run
    /// again, so the caller may close the descriptor right after.
    func unregister(_ token: UInt64) {
        let removed = lock.withLock { entries.removeValue(forKey: token) }
        if epoll >= 0 {
            if let removed { _ = podrun_epoll_remove(epoll, removed.fd) }
        } else {
            wake()  // so the thread stops polling the descriptor
        }
    }

    // MARK: The reactor thread

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // a full wake pipe is already a pending wake-up
    }

    private func run() {
        if epoll >= 0 { runEpoll() } else { runPoll() }
    }

    private func runEpoll() {
        var tokens = [UInt64](repeating: 0, count: 64)
        while true {
            let ready = tokens.withUnsafeMutableBufferPointer { podrun_epoll_wait(epoll, $0.baseAddress, Int32($0.count), -1) }
            if ready < 0 {
                if errno != EINTR { usleep(1000) }  // cannot happen with valid arguments; never spin
                continue
            }
            for index in 0..<Int(ready) { report(tokens[index]) }
        }
    }

    private func runPoll() {
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
                report(tokens[index])
            }
        }
    }

    /// Disarms the registration and runs its handler on its queue, then re-arms it.
    private func report(_ token: UInt64) {
        let entry: Entry? = lock.withLock {
            guard var entry = entries[token], entry.armed else { return nil }
            entry.armed = false
            entries[token] = entry
            return entry
        }
        guard let entry else { return }  // unregistered meanwhile: a stale report
        entry.queue.async { [self] in
            guard lock.withLock({ entries[token] != nil }) else { return }
            entry.handler()
            rearm(token)
        }
    }

    private func rearm(_ token: UInt64) {
        let fd: Int32? = lock.withLock {
            guard var entry = entries[token] else { return nil }
            entry.armed = true
            entries[token] = entry
            return entry.fd
        }
        guard let fd else { return }
        if epoll >= 0 {
            _ = podrun_epoll_rearm(epoll, fd, token)
        } else {
            wake()
        }
    }
}
