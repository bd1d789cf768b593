import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tcpSocket probe: success iff a TCP connection to host:port opens; it is closed at once, as
/// the kubelet does. The connect is non-blocking and watched by a dispatch write source, so no
/// thread waits for the whole timeout. A host name is looked up (on the handlers' queue, since
/// `getaddrinfo` blocks) and its addresses are tried in order, within the one deadline.
final class TCPConnectOperation: HandlerOperation {
    private struct Address: Sendable {
        var storage: sockaddr_storage
        var length: socklen_t
    }

    private struct State {
        var stop: HandlerStop?
        var finished = false
        /// The connect in flight, if any; its cancel handler closes the socket.
        var source: (any DispatchSourceWrite)?
        var finish: (@Sendable (HandlerResult) -> Void)?
    }

    private let action: TCPSocketAction
    private let context: HandlerContext
    private let host: String
    private let port = Locked<Int32>(0)
    private let state = Locked(State())

    init(action: TCPSocketAction, context: HandlerContext) {
        self.action = action
        self.context = context
        host = action.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
    }

    /// `TCP 127.0.0.1:5432`, `TCP [::1]:5432`.
    private var label: String { "TCP \(HandlerText.hostPort(host, port.withLock { $0 }))" }

    func start(finish: @escaping @Sendable (HandlerResult) -> Void) async {
        let stop: HandlerStop? = state.withLock { state in
            state.finish = finish
            return state.stop
        }
        if let stop { return finish(stop.result) }
        switch context.hostPort(for: action.port) {
        case .success(let number):
            port.withLock { $0 = number }
        case .failure(let failure):
            let target = host.contains(":") ? "[\(host)]:\(action.port)" : "\(host):\(action.port)"
            return complete(.failed("TCP \(target): \(failure.message)"))
        }
        let port = self.port.withLock { $0 }
        if let literal = Self.lookup(host: host, port: port, numericOnly: true) {
            return connect(literal[...], lastError: nil)
        }
        // A name: getaddrinfo blocks, so it runs on the handlers' queue, and `start` returns at
        // once, so a slow lookup cannot hold up the deadline (the probe times out; the lookup
        // finishes in the background and its result is dropped).
        HandlerQueues.io.async { [self] in
            guard let found = Self.lookup(host: host, port: port, numericOnly: false), !found.isEmpty else {
                return complete(.failed("\(label): no such host"))
            }
            connect(found[...], lastError: nil)
        }
    }

    func stop(_ reason: HandlerStop) {
        let (source, finish): ((any DispatchSourceWrite)?, (@Sendable (HandlerResult) -> Void)?) = state.withLock { state in
            guard !state.finished, state.stop == nil else { return (nil, nil) }
            state.stop = reason
            guard let finish = state.finish else { return (nil, nil) }  // not started: start reports it
            state.finished = true
            defer { state.source = nil }
            return (state.source, finish)
        }
        source?.cancel()  // closes the socket
        finish?(reason.result)
    }

    /// Finishes with `result` unless something else finished first.
    private func complete(_ result: HandlerResult) {
        let finish: (@Sendable (HandlerResult) -> Void)? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            state.source = nil
            return state.finish
        }
        finish?(result)
    }

    /// Tries the first address of `addresses`, then the next ones, until one connects.
    private func connect(_ addresses: ArraySlice<Address>, lastError: Int32?) {
        guard !state.withLock({ $0.finished }) else { return }  // stopped while looking up the host
        guard var address = addresses.first else {
            return complete(.failed("\(label): \(HandlerText.errno(lastError ?? ECONNREFUSED))"))
        }
        let rest = addresses.dropFirst()
        let fd = Self.makeSocket(family: Int32(address.storage.ss_family))
        guard fd >= 0 else { return connect(rest, lastError: errno) }
        let rc = withUnsafePointer(to: &address.storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemConnect(fd, $0, address.length) }
        }
        if rc == 0 {
            close(fd)
            return complete(.succeeded)
        }
        let error = errno
        guard error == EINPROGRESS || error == EINTR else {
            close(fd)
            return connect(rest, lastError: error)
        }
        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: HandlerQueues.io)
        source.setEventHandler { [self] in
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0 { code = errno }
            guard let source = detachSource() else { return }  // stopped meanwhile
            source.cancel()
            if code == 0 {
                complete(.succeeded)
            } else {
                connect(rest, lastError: code)
            }
        }
        source.setCancelHandler { close(fd) }
        let proceed: Bool = state.withLock { state in
            guard !state.finished else { return false }
            state.source = source
            return true
        }
        source.resume()
        if !proceed { source.cancel() }
    }

    /// Takes the in-flight connect's source out of the state, unless the attempt already finished.
    private func detachSource() -> (any DispatchSourceWrite)? {
        state.withLock { state in
            guard !state.finished else { return nil }
            defer { state.source = nil }
            return state.source
        }
    }

    private static func makeSocket(family: Int32) -> Int32 {
        #if os(Linux)
        return socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        guard fd >= 0 else { return fd }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        return fd
        #endif
    }

    private static func lookup(host: String, port: Int32, numericOnly: Bool) -> [Address]? {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICSERV | (numericOnly ? AI_NUMERICHOST : 0)
        hints.ai_family = AF_UNSPEC
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(first) }
        var addresses: [Address] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            if let sa = info.pointee.ai_addr, Int(info.pointee.ai_addrlen) <= MemoryLayout<sockaddr_storage>.size {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { dst in
                    dst.copyMemory(from: UnsafeRawBufferPointer(start: sa, count: Int(info.pointee.ai_addrlen)))
                }
                addresses.append(Address(storage: storage, length: info.pointee.ai_addrlen))
            }
            next = info.pointee.ai_next
        }
        return addresses
    }
}

/// `connect(2)`, which `TCPConnectOperation.connect` would otherwise shadow.
private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
    Glibc.connect(fd, address, length)
    #else
    Darwin.connect(fd, address, length)
    #endif
}
