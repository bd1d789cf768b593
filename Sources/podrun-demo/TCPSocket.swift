#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connected TCP socket: the server's side of a request, or either end of a proxied
/// connection. A plain file-descriptor wrapper with blocking I/O, because each connection is
/// served by its own thread or work item; whoever owns it calls `close()` exactly once.
struct TCPSocket: Sendable {
    let fd: Int32

    init(fd: Int32) {
        self.fd = fd
        #if canImport(Darwin)
        // Darwin has no MSG_NOSIGNAL; ask the socket not to raise SIGPIPE (which is also ignored
        // process-wide, this just keeps the socket well-behaved on its own).
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    /// Connects to the first of `addresses` that accepts, as `connect(2)` does for one address.
    static func connect(to addresses: [SocketAddress]) throws -> TCPSocket {
        var lastError = SocketError(operation: "connect", code: nil, reason: "no addresses")
        for address in addresses {
            let fd = socket(address.family, POSIX.streamSocketType, 0)
            guard fd >= 0 else {
                lastError = .posix("socket", errno)
                continue
            }
            var status: Int32
            repeat {
                status = address.withSockaddr { pointer, length in
                    #if canImport(Glibc)
                    Glibc.connect(fd, pointer, length)
                    #else
                    Darwin.connect(fd, pointer, length)
                    #endif
                }
            } while status != 0 && errno == EINTR
            if status == 0 {
                return TCPSocket(fd: fd)
            }
            lastError = .posix("connect", errno)
            POSIX.close(fd)
        }
        throw lastError
    }

    /// Clears O_NONBLOCK, which accepted sockets inherit from a non-blocking listener on Darwin.
    func setBlocking() {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 && flags & O_NONBLOCK != 0 {
            _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        }
    }

    /// Sets O_NONBLOCK, for reads and writes bounded by a deadline.
    func setNonBlocking() {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 && flags & O_NONBLOCK == 0 {
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        }
    }

    /// Reads what is available (blocking socket): the count, 0 at end of stream, -1 on error.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        POSIX.read(fd, into: buffer)
    }

    /// Writes all bytes (blocking socket); false if the peer went away.
    func writeAll(_ buffer: UnsafeRawBufferPointer) -> Bool {
        POSIX.writeAll(fd, buffer)
    }

    /// Like `read(into:)` on a non-blocking socket, giving up with -1 at `deadline`, so a
    /// client that connects and stays silent cannot pin a thread.
    func read(into buffer: UnsafeMutableRawBufferPointer, until deadline: ContinuousClock.Instant) -> Int {
        while true {
            let count = POSIX.read(fd, into: buffer)
            guard count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) else { return count }
            guard wait(for: Int16(POLLIN), until: deadline) else { return -1 }
        }
    }

    /// Like `writeAll(_:)` on a non-blocking socket, giving up at `deadline`, so a client that
    /// stops reading cannot pin a thread.
    func writeAll(_ buffer: UnsafeRawBufferPointer, until deadline: ContinuousClock.Instant) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, base + offset, buffer.count - offset)
            if written >= 0 {
                offset += written
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                guard wait(for: Int16(POLLOUT), until: deadline) else { return false }
            } else if errno != EINTR {
                return false
            }
        }
        return true
    }

    /// Waits until the socket is ready for `events` (or has an error to report); false once
    /// `deadline` has passed. `poll` rather than SO_RCVTIMEO because its `pollfd` imports the
    /// same way on Glibc and Darwin, while `timeval` trips MemberImportVisibility on Linux.
    private func wait(for events: Int16, until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return false }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let status = poll(&entry, 1, Int32(clamping: remaining.totalNanoseconds / 1_000_000 + 1))
            if status > 0 || (status < 0 && errno != EINTR) { return true }
        }
    }

    /// Half-close: tells the peer no more data follows, while still reading its answer.
    func shutdownWrite() {
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    /// Ends both directions at once, which also wakes another thread blocked reading this socket.
    func shutdownBoth() {
        _ = shutdown(fd, Int32(SHUT_RDWR))
    }

    /// The remote address, for log lines.
    var peer: SocketAddress? {
        SocketAddress.of(socket: fd, peer: true)
    }

    func close() {
        POSIX.close(fd)
    }
}
