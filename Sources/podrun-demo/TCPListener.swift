#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A listening TCP socket in non-blocking mode, bound to the first address `--host` resolves to.
/// Non-blocking because an `AcceptLoop` drains it from a dispatch read source: accepting until
/// EAGAIN never stalls the loop, and cancelling the source stops accepting at once, which a
/// thread blocked in `accept(2)` could not do portably.
struct TCPListener: Sendable {
    let fd: Int32
    /// The address actually bound, with the real port when 0 was asked for.
    let address: SocketAddress

    /// Binds and listens. Port 0 picks a free port (see `address`). Throws `SocketError`, with
    /// EADDRINUSE as its code when the port is taken.
    static func bind(host: String, port: Int) throws -> TCPListener {
        let addresses = try SocketAddress.resolve(host: host, port: port, passive: true)
        guard let address = addresses.first else {
            throw SocketError(operation: "resolve \(host)", code: nil, reason: "no address")
        }
        let fd = socket(address.family, POSIX.streamSocketType, 0)
        guard fd >= 0 else { throw SocketError.posix("socket", errno) }
        // Lets a restarted container rebind its port while old connections sit in TIME_WAIT;
        // a port with a live listener still fails with EADDRINUSE.
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockaddr { pointer, length in
            #if canImport(Glibc)
            Glibc.bind(fd, pointer, length)
            #else
            Darwin.bind(fd, pointer, length)
            #endif
        }
        guard bound == 0 else {
            let error = SocketError.posix("bind", errno)
            POSIX.close(fd)
            throw error
        }
        guard listen(fd, 128) == 0 else {
            let error = SocketError.posix("listen", errno)
            POSIX.close(fd)
            throw error
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return TCPListener(fd: fd, address: SocketAddress.of(socket: fd, peer: false) ?? address)
    }

    /// The next pending connection, or nil when none is waiting (or accepting failed).
    func accept() -> TCPSocket? {
        while true {
            #if canImport(Glibc)
            let client = Glibc.accept(fd, nil, nil)
            #else
            let client = Darwin.accept(fd, nil, nil)
            #endif
            if client >= 0 {
                let socket = TCPSocket(fd: client)
                socket.setBlocking()
                return socket
            }
            if errno == EINTR || errno == ECONNABORTED { continue }
            return nil
        }
    }

    func close() {
        POSIX.close(fd)
    }
}
