import Dispatch
import Foundation
import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for the httpGet tests: one request per connection, replies
/// scripted per path, every request recorded. Accepting runs from a dispatch source; each
/// connection is served on a global queue with a 5 s receive timeout. `stop()` (or deinit) closes
/// everything, including connections held open by `.silent` routes.
final class LoopbackHTTPServer: Sendable {
    enum Reply: Sendable {
        case status(Int)
        case redirect(Int, to: String)
        /// Accepts and reads the request, then never answers (until the server stops).
        case silent
        /// 200 with a body of this many bytes.
        case large(Int)
    }

    struct Request: Sendable {
        var path: String
        /// Header names lower-cased; a repeated header has several values.
        var headers: [String: [String]]
    }

    private struct State {
        var requests: [Request] = []
        var held: [Int32] = []
        var source: (any DispatchSourceRead)?
        var stopped = false
    }

    private let listener: LoopbackListener
    private let routes: [String: Reply]
    private let state = Locked(State())

    var port: Int32 { listener.port }
    var requests: [Request] { state.withLock { $0.requests } }

    init(routes: [String: Reply]) throws {
        listener = try LoopbackListener()
        self.routes = routes
        let fd = listener.fd
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: .global())
        // Weak: the source must not keep the server alive, or deinit would never stop it.
        source.setEventHandler { [weak self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                guard let self else { close(client); return }
                DispatchQueue.global().async { self.serve(client) }
            }
        }
        state.withLock { $0.source = source }
        source.resume()
    }

    deinit { stop() }

    func stop() {
        let (source, held): ((any DispatchSourceRead)?, [Int32]) = state.withLock { state in
            state.stopped = true
            defer { state.source = nil; state.held = [] }
            return (state.source, state.held)
        }
        source?.cancel()
        for fd in held { close(fd) }
    }

    private func serve(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        #if canImport(Darwin)
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.containsHeaderEnd {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { close(fd); return }
            received += buffer[..<n]
            // Not HTTP (a TLS ClientHello starts with 0x16): answer as a plain HTTP server would.
            if let first = received.first, !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) {
                send(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                close(fd)
                return
            }
        }
        let lines = String(decoding: received, as: UTF8.self).components(separatedBy: "\r\n")
        let target = lines.first?.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        let path = String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "/")
        var headers: [String: [String]] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name, default: []].append(value)
        }
        let holding: Bool = state.withLock { state in
            state.requests.append(Request(path: path, headers: headers))
            if case .silent = routes[path], !state.stopped {
                state.held.append(fd)
                return true
            }
            return false
        }
        if holding { return }
        var head: String
        switch routes[path] ?? .status(404) {
        case .status(let code):
            head = "HTTP/1.1 \(code) Status\r\n"
        case .redirect(let code, let location):
            head = "HTTP/1.1 \(code) Redirect\r\nLocation: \(location)\r\n"
        case .silent:
            close(fd)
            return
        case .large(let size):
            send(fd, "HTTP/1.1 200 OK\r\nContent-Length: \(size)\r\nConnection: close\r\n\r\n" + String(repeating: "z", count: size))
            close(fd)
            return
        }
        head += "Content-Length: 2\r\nConnection: close\r\n\r\nok"
        send(fd, head)
        close(fd)
    }

    private func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { buffer in
            #if canImport(Glibc)
            Glibc.send(fd, buffer.baseAddress, buffer.count, MSG_NOSIGNAL_OR_ZERO)
            #else
            Darwin.send(fd, buffer.baseAddress, buffer.count, MSG_NOSIGNAL_OR_ZERO)
            #endif
        }
    }
}

#if canImport(Glibc)
private let MSG_NOSIGNAL_OR_ZERO = Int32(MSG_NOSIGNAL)
#else
private let MSG_NOSIGNAL_OR_ZERO: Int32 = 0
#endif

extension Array where Element == UInt8 {
    fileprivate var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 {
            return true
        }
        return false
    }
}
