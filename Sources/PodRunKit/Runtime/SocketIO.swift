#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small writes to the non-blocking UNIX sockets podrun talks to its helpers over (a shim's
/// control socket, `podrun-http`). Sockets rather than pipes because a send can say "no SIGPIPE"
/// (`MSG_NOSIGNAL`): a helper that died must not kill a process that embeds PodRunKit and did not
/// ignore SIGPIPE.
enum SocketIO {
    /// Writes all of `bytes`; a full socket buffer is waited out briefly (messages are small).
    /// False when the peer is gone.
    static func sendAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, noSignal) }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&waiting, 1, 100)
            } else {
                return false
            }
        }
        return true
    }

    #if os(Linux)
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    // Darwin has no MSG_NOSIGNAL; its sockets get SO_NOSIGPIPE when they are made (makePair).
    private static let noSignal: Int32 = 0
    #endif

    /// A UNIX stream socketpair, both ends close-on-exec (so no other child podrun starts inherits
    /// them), the first (podrun's) non-blocking.
    static func makePair() -> (podrun: Int32, other: Int32)? {
        var fds: [Int32] = [-1, -1]
        #if os(Linux)
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else { return nil }
        #else
        guard socketpair(AF_UNIX, SOCK_STREAM, 0, &fds) == 0 else { return nil }
        var on: Int32 = 1
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        #endif
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }
}
