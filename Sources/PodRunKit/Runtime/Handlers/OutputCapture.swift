import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects what an exec probe or hook writes to stdout and stderr, for its failure message.
///
/// The command writes into a pipe; the read end is drained by a dispatch source, so no thread
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
        var source: (any DispatchSourceRead)?
        /// The source was cancelled and the fd closed; `kept` is final.
        var closed = false
        var completion: (@Sendable (Output) -> Void)?
    }

    private let fd: Int32
    private let limit: Int
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

    /// Starts reading `fd` (which it now owns and closes) on `queue`.
    init(fd: Int32, limit: Int = 4096, queue: DispatchQueue = HandlerQueues.io) {
        self.fd = fd
        self.limit = limit
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        state.withLock { $0.source = source }
        source.setEventHandler { [self] in
            // EOF: every writer is gone. (The source is looked up, not captured, to avoid a cycle.)
            if drain() { state.withLock { $0.source }?.cancel() }
        }
        source.setCancelHandler { [self] in
            _ = drain()  // what the command wrote just before it exited
            close(fd)
            let (completion, output): ((@Sendable (Output) -> Void)?, Output) = state.withLock { state in
                state.closed = true
                state.source = nil  // breaks the source <-> capture cycle
                defer { state.completion = nil }
                return (state.completion, Output(bytes: state.kept, truncated: state.truncated))
            }
            completion?(output)
        }
        source.resume()
    }

    /// Stops reading after taking what is in the pipe now, closes it and calls `completion` with
    /// the output (on the capture's queue, or at once if it is already closed). Call once.
    func finish(_ completion: @escaping @Sendable (Output) -> Void) {
        let ready: Output? = state.withLock { state in
            if state.closed { return Output(bytes: state.kept, truncated: state.truncated) }
            state.completion = completion
            state.source?.cancel()  // the cancel handler drains, closes and completes
            return nil
        }
        if let ready { completion(ready) }
    }

    /// Reads until the pipe is empty; true at EOF. Only called from the source's handlers, which
    /// never run at the same time.
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
