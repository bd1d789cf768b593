import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A serialized writer for one file descriptor (podrun run's standard output), shared by every
/// container's capture and by the event stream.
///
/// Producers append whole lines to a pending buffer; one writer thread takes everything pending
/// at once and writes it with as few `write(2)` calls as the fd accepts. So output from different
/// producers never interleaves inside a line, and many small batches cost one system call.
///
/// **Backpressure.** `write` (log lines) blocks while more than `capacity` bytes are pending: the
/// capture calling it stops reading its pipes and the container is slowed by its full pipe,
/// never truncated. `writeWithoutWaiting` (events) never blocks, so the supervisor is never
/// held up by a slow terminal; events are few, so they cannot grow the buffer much.
///
/// When the fd fails (for example `EPIPE`: the reader went away) output is discarded from then
/// on and nobody blocks. Call `close()` (or drop the object) to flush and stop the thread.
public final class LineOutput: Sendable {
    private let core: Core

    /// - Parameters:
    ///   - fileDescriptor: borrowed; never closed by `LineOutput`.
    ///   - capacity: pending bytes beyond which `write` blocks (default 1 MiB).
    public init(fileDescriptor: Int32, capacity: Int = 1 << 20) {
        core = Core(fd: fileDescriptor, capacity: max(1, capacity))
        let thread = Thread { [core] in core.run() }
        thread.name = "podrun.output"
        thread.qualityOfService = .userInitiated
        thread.start()
    }

    deinit { core.close() }

    /// Queues `bytes` (whole lines), waiting first while the buffer is over capacity.
    public func write(_ bytes: [UInt8]) {
        core.append(bytes, wait: true)
    }

    /// Queues `bytes` (whole lines) at once, whatever is pending.
    public func writeWithoutWaiting(_ bytes: [UInt8]) {
        core.append(bytes, wait: false)
    }

    /// Waits until everything queued so far has been written (or the fd failed).
    public func flush() {
        core.flush()
    }

    /// Stops accepting output, writes what is queued, and returns once the writer thread is done
    /// with the fd (the caller may close it then). Later writes are discarded. Idempotent.
    public func close() {
        core.close()
        core.waitUntilStopped()
    }

    /// The errno that stopped output, if any.
    public var failure: Int32? { core.failure }

    /// The writer's state.
    ///
    /// `@unchecked Sendable` is sound because every mutable property is read and written only
    /// while `condition` is locked (the writer thread releases it for the `write(2)` calls, during
    /// which it works on a buffer it has taken out of the shared state); `fd` and `capacity` are
    /// immutable.
    private final class Core: @unchecked Sendable {
        let fd: Int32
        let capacity: Int
        private let condition = NSCondition()
        private var pending: [UInt8] = []
        private var spare: [UInt8] = []
        /// Bytes appended ever, and bytes written (or discarded) ever: `flush` waits for these to meet.
        private var appended = 0
        private var completed = 0
        private var closed = false
        private var stopped = false
        private var failed: Int32?

        init(fd: Int32, capacity: Int) {
            self.fd = fd
            self.capacity = capacity
        }

        var failure: Int32? { condition.withLock { failed } }

        func append(_ bytes: [UInt8], wait: Bool) {
            guard !bytes.isEmpty else { return }
            condition.lock()
            defer { condition.unlock() }
            while wait && pending.count >= capacity && failed == nil && !closed {
                condition.wait()
            }
            // After `close()` nothing is accepted: once it returns, the fd is never touched again.
            guard failed == nil, !closed else { return }
            pending.append(contentsOf: bytes)
            appended += bytes.count
            condition.broadcast()
        }

        func flush() {
            condition.lock()
            defer { condition.unlock() }
            let target = appended
            while completed < target && failed == nil && !stopped {
                condition.wait()
            }
        }

        func close() {
            condition.withLock {
                closed = true
                condition.broadcast()
            }
        }

        /// Waits until the writer thread has left its loop.
        func waitUntilStopped() {
            condition.lock()
            defer { condition.unlock() }
            while !stopped { condition.wait() }
        }

        /// The writer thread's loop.
        func run() {
            condition.lock()
            while true {
                while pending.isEmpty && !closed { condition.wait() }
                if pending.isEmpty {  // closed, and everything written
                    stopped = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                var batch = pending
                pending = spare
                spare = []
                let alreadyFailed = failed != nil
                condition.broadcast()  // room for waiting producers
                condition.unlock()

                let error = alreadyFailed ? nil : writeAll(batch)

                condition.lock()
                if let error, failed == nil {
                    failed = error
                    pending.removeAll()
                }
                completed += batch.count
                if failed != nil { completed = appended }
                // Keep one buffer for reuse unless a huge batch made it big.
                batch.removeAll(keepingCapacity: batch.capacity <= 4 * capacity)
                spare = batch
                condition.broadcast()
            }
        }

        /// Writes all of `bytes`; the errno that stopped it, or nil.
        private func writeAll(_ bytes: [UInt8]) -> Int32? {
            bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return nil }
                var offset = 0
                while offset < buffer.count {
                    let n = systemWrite(fd, base + offset, buffer.count - offset)
                    if n > 0 {
                        offset += n
                    } else if n < 0 && errno == EINTR {
                        continue
                    } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                        // A non-blocking fd inherited from the caller: wait until it takes more.
                        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                        _ = poll(&entry, 1, -1)
                    } else {
                        return n < 0 ? errno : EIO
                    }
                }
                return nil
            }
        }
    }
}

private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
