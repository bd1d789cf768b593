#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Binding test sockets: the proof that a port can be used on 127.0.0.1, and the way to ask the
/// OS for a free one. The socket is closed at once; the process-wide `PortRegistry` keeps the port
/// from being handed out twice in this process until the container binds it.
enum LoopbackPort {
    /// Binds `port` (0: any free port) and returns the bound port, or the bind's errno.
    ///
    /// The socket sets `SO_REUSEADDR`, as servers do, so a port whose previous owner left it in
    /// TIME_WAIT (the same pod run again at once) still counts as free. On Linux a listening socket
    /// on the port still makes the bind fail, whatever its address. BSD lets `SO_REUSEADDR` bind
    /// 127.0.0.1 beside a wildcard listener, so on Darwin a fixed port is also bound on 0.0.0.0,
    /// which fails when anything listens there or on 127.0.0.1.
    static func probe(_ port: Int32, protocol: PortProtocol) -> Result<Int32, BindError> {
        let loopback = bindSocket(port, address: 0x7F00_0001, protocol: `protocol`)
        #if os(Linux)
        return loopback
        #else
        guard port != 0, case .success = loopback else { return loopback }
        return bindSocket(port, address: 0, protocol: `protocol`)
        #endif
    }

    private static func bindSocket(_ port: Int32, address: UInt32, protocol: PortProtocol) -> Result<Int32, BindError> {
        #if os(Linux)
        let type = Int32(`protocol` == .udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
        #else
        let type = `protocol` == .udp ? SOCK_DGRAM : SOCK_STREAM
        #endif
        // SCTP is checked as TCP: not every kernel has SCTP sockets, and the port space is alike.
        let descriptor = socket(AF_INET, type, 0)
        guard descriptor >= 0 else { return .failure(BindError(code: errno)) }
        defer { close(descriptor) }
        if `protocol` != .udp {
            var on: Int32 = 1
            _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        var socketAddress = sockaddr_in()
        #if canImport(Darwin)
        socketAddress.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        socketAddress.sin_addr.s_addr = address.bigEndian
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { return .failure(BindError(code: errno)) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { return .failure(BindError(code: errno)) }
        return .success(Int32(UInt16(bigEndian: actual.sin_port)))
    }

    struct BindError: Error {
        var code: Int32
        var message: String { String(cString: strerror(code)) }
    }
}
