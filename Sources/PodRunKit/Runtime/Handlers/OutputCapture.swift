import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects what an exec probe or hook writes to stdout and stderr, for its failure message.
///
/// The command writes into a pipe; the read end is drained when the pipe reactor reports it readable
/// (not a DispatchSource: creating and cancelling those concurrently crashes libdispatch on Linux;
/// see PipeReactor), so no thread
/// waits on any probe. The first `limit` bytes are kept and the rest read and dropped, so a chatty
/// command never blocks on a full pipe. The capture ends when the command has exited (`finish`),
/// not at EOF: a process that left the container's group may hold the pipe open for ever, and
/// everything written before the exit is already in the pipe by then.
final class OutputCapture: Sendable {
    /// What was captured.
    struct Output: Sendable, Equatable {
        var bytes: [UInt8]
        /// More was written than `limit`.
        var truncated: Bool
    }

    private struct State {
        var kept: [UInt8] = []
        var truncated = false
        /// The pipe's registration with the reactor; nil once the fd is closed and `kept` is final.
        var registration: UInt64?
        var completion: (@Sendable (Output) -> Void)?
    }

    private let fd: Int32
    private let limit: Int
    /// Serialises the reactor's handler and `finish`, so only one of them reads at a time.
    private let queue: DispatchQueue
    private let state = Locked(State())

    /// A pipe whose write end goes to the command as stdout and stderr; both ends close-on-exec, so
    /// other processes podrun starts do not inherit them (the launcher dup2s the write end into the
    /// shim). `pipe2` is not exported by Swift's Glibc module, so there is a window between
    /// `pipe` and `fcntl` in which a concurrent spawn could inherit an end; that only matters for
    /// EOF, which the capture does not wait for, and the shim closes every other fd for its child.
    static func makePipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// Starts reading `fd` (which it now owns and closes); handlers run on a private serial queue
    /// targeting `queue`.
    init(fd: Int32, limit: Int = 4096, queue: DispatchQueue = HandlerQueues.io) {
        self.fd = fd
        self.limit = limit
        self.queue = DispatchQueue(label: "podrun.exec-output", target: queue)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let registration = PipeReactor.shared.register(fd: fd, queue: self.queue) { [self] in
            // EOF: every writer is gone.
            if drain() { closePipe() }
        }
        state.withLock { $0.registration = registration }
    }

    /// Stops reading after taking what is in the pipe now, closes it and calls `completion` with
    /// the output (on the capture's queue, or at once if it is already closed). Call once.
    func finish(_ completion: @escaping @Sendable (Output) -> Void) {
        queue.async { [self] in
            let ready: Output? = state.withLock { state in
                guard state.registration == nil else {
                    state.completion = completion
                    return nil
                }
                return Output(bytes: state.kept, truncated: state.truncated)
            }
            if let ready {
                completion(ready)
            } else {
                _ = drain()  // what the command wrote just before it exited
                closePipe()
            }
        }
    }

    /// Unregisters and closes the pipe (once), then hands the output to a waiting `finish`.
    /// Runs on `queue`.
    private func closePipe() {
        let (registration, completion, output): (UInt64?, (@Sendable (Output) -> Void)?, Output) = state.withLock { state in
            defer {
                state.registration = nil
                state.completion = nil
            }
            return (state.registration, state.completion, Output(bytes: state.kept, truncated: state.truncated))
        }
        guard let registration else { return }
        PipeReactor.shared.unregister(registration)
        close(fd)
        completion?(output)
    }

    /// Reads until the pipe is empty; true at EOF. Only called on `queue`, so never concurrently.
    private func drain() -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
            while true {
                let n = read(fd, buffer.baseAddress, buffer.count)
                if n > 0 {
                    state.withLock { state in
                        let room = max(0, limit - state.kept.count)
                        if n > room { state.truncated = true }
                        state.kept.append(contentsOf: buffer[..<min(n, room)])
                    }
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
            }
        }
    }
}
