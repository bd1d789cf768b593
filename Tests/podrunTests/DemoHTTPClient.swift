#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Minimal HTTP over raw sockets for the demo tests. Raw rather than URLSession because the
/// tests must send what a URL library would refuse or normalise (`/../secret`), half-close the
/// request side, and see the exact bytes a proxy passed on.
enum DemoHTTPClient {
    /// A response's status and body.
    struct Response {
        let status: Int
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends `GET path` (or another method) to 127.0.0.1:`port` and reads the whole response.
    static func request(port: Int, path: String, method: String = "GET", halfClose: Bool = false) throws -> Response {
        let raw = try exchange(port: port, send: Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8),
                               halfClose: halfClose)
        return try parse(raw)
    }

    /// Connects to 127.0.0.1:`port`, sends `bytes`, optionally half-closes, and returns all
    /// bytes received until the peer closes. Connection failures and a 5 s silence throw.
    static func exchange(port: Int, send bytes: [UInt8], halfClose: Bool) throws -> [UInt8] {
        let fd = try connect(port: port)
        defer { close(fd) }
        let sent = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard sent == bytes.count else { throw DemoTestError("short write to port \(port)") }
        if halfClose {
            shutdown(fd, Int32(SHUT_WR))
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 5000) > 0 else {
                throw DemoTestError("no answer from port \(port) within 5s after \(received.count) bytes")
            }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return received }
            received += buffer[..<count]
        }
    }

    private static func connect(port: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo("127.0.0.1", String(port), &hints, &list) == 0, let info = list else {
            throw DemoTestError("cannot resolve 127.0.0.1:\(port)")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { throw DemoTestError("socket: errno \(errno)") }
        #if canImport(Glibc)
        let status = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
        #else
        let status = Darwin.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
        #endif
        guard status == 0 else {
            let code = errno
            close(fd)
            throw DemoTestError("connect to port \(port): errno \(code)")
        }
        return fd
    }

    private static func parse(_ raw: [UInt8]) throws -> Response {
        let separator = Array("\r\n\r\n".utf8)
        guard let headEnd = (0..<max(0, raw.count - 3)).first(where: { raw[$0..<$0 + 4].elementsEqual(separator) }) else {
            throw DemoTestError("incomplete HTTP response: \(String(decoding: raw, as: UTF8.self))")
        }
        let statusLine = String(decoding: raw[..<headEnd], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw DemoTestError("bad status line: \(statusLine)")
        }
        return Response(status: status, body: Array(raw[(headEnd + 4)...]))
    }
}
