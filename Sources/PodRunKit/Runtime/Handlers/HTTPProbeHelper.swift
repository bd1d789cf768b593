import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// podrun's side of `podrun-http` (see `HTTPProbeMessage` for why it exists): started with
/// Foundation.Process on the first httpGet, shared by every probe and hook of the process, and
/// started again if it ever dies. Its stdin is its lifeline: when podrun exits, even by SIGKILL,
/// the socket closes and the helper exits.
final class HTTPProbeHelper: Sendable {
    static let shared = HTTPProbeHelper()

    private struct State {
        var process: Process?
        /// podrun's end of the socket that is the helper's stdin and stdout.
        var socket: Int32 = -1
        var registration: UInt64?
        var pending: [UInt64: @Sendable (HTTPProbeResponse) -> Void] = [:]
        var received: [UInt8] = []
        var nextID: UInt64 = 1
        /// Counts helper processes, so news about an old one never touches a new one.
        var generation = 0
    }

    private let state = Locked(State())
    private let queue = DispatchQueue(label: "podrun.http-helper")

    /// Requests still waiting for their response (tests: nothing may stay behind).
    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Sends a request; `completion` gets the response once, from the helper's reader queue.
    /// Returns the request's id (to cancel it), or nil when the helper could not be reached (then
    /// `completion` has already been called with a failure that says why).
    @discardableResult
    func send(
        url: String, headers: [(name: String, value: String)], anyStatus: Bool,
        completion: @escaping @Sendable (HTTPProbeResponse) -> Void
    ) -> UInt64? {
        let sent: Result<UInt64, LaunchFailure> = state.withLock { state in
            if state.process == nil {
                do throws(LaunchFailure) {
                    try start(&state)
                } catch {
                    return .failure(error)
                }
            }
            let id = state.nextID
            state.nextID += 1
            let request = HTTPProbeRequest(id: id, url: url, headers: headers.map { [$0.name, $0.value] }, anyStatus: anyStatus ? true : nil)
            state.pending[id] = completion
            guard send(request, to: state.socket) else {
                state.pending[id] = nil
                return .failure(LaunchFailure(message: "podrun-http is not answering"))
            }
            return .success(id)
        }
        switch sent {
        case .success(let id):
            return id
        case .failure(let failure):
            completion(HTTPProbeResponse(id: 0, outcome: .failed, detail: failure.message))
            return nil
        }
    }

    /// Cancels request `id`; its completion then reports `cancelled`.
    func cancel(_ id: UInt64) {
        state.withLock { state in
            guard state.pending[id] != nil else { return }
            _ = send(HTTPProbeRequest(id: id, cancel: true), to: state.socket)
        }
    }

    // MARK: The process

    /// Starts `podrun-http`. Called with the state locked.
    private func start(_ state: inout State) throws(LaunchFailure) {
        let path = try ProcessLauncher.locateCompanion("podrun-http", override: "PODRUN_HTTP")
        // One socket for both directions: the helper's stdin and stdout.
        guard let pair = SocketIO.makePair() else {
            throw LaunchFailure(message: "cannot start podrun-http: \(String(cString: strerror(errno)))")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        let helperEnd = FileHandle(fileDescriptor: pair.other, closeOnDealloc: false)
        process.standardInput = helperEnd
        process.standardOutput = helperEnd
        process.standardError = FileHandle.standardError
        state.generation += 1
        let generation = state.generation
        process.terminationHandler = { [weak self] _ in self?.helperExited(generation) }
        do {
            try ProcessLauncher.spawnLock.withLock { try process.run() }
        } catch {
            close(pair.podrun)
            close(pair.other)
            throw LaunchFailure(message: "cannot start podrun-http \"\(path)\": \(error.localizedDescription)")
        }
        close(pair.other)
        state.process = process
        state.socket = pair.podrun
        let socket = pair.podrun
        state.registration = PipeReactor.shared.register(fd: socket, queue: queue) { [weak self] in
            self?.readResponses(from: socket, generation: generation)
        }
    }

    private func readResponses(from fd: Int32, generation: Int) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var responses: [HTTPProbeResponse] = []
        let decoder = JSONDecoder()
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                state.withLock { state in
                    state.received += buffer[..<n]
                    while let newline = state.received.firstIndex(of: UInt8(ascii: "\n")) {
                        if let response = try? decoder.decode(HTTPProbeResponse.self, from: Data(state.received[..<newline])) {
                            responses.append(response)
                        }
                        state.received.removeSubrange(...newline)
                    }
                }
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            // EOF: the helper is gone (or going); stop watching its socket now.
            for response in responses {
                let completion = state.withLock { $0.pending.removeValue(forKey: response.id) }
                completion?(response)
            }
            helperExited(generation)
            return
        }
        for response in responses {
            let completion = state.withLock { $0.pending.removeValue(forKey: response.id) }
            completion?(response)
        }
    }

    /// The helper died: fail what was waiting, and start a new one on the next request. Called by
    /// its termination handler and at EOF on its socket; only the first call for a generation acts.
    private func helperExited(_ generation: Int) {
        let (pending, registration, socket) = state.withLock { state -> ([UInt64: @Sendable (HTTPProbeResponse) -> Void], UInt64?, Int32) in
            guard state.generation == generation, state.process != nil else { return ([:], nil, -1) }
            defer {
                state.pending = [:]
                state.process = nil
                state.registration = nil
                state.socket = -1
                state.received = []
            }
            return (state.pending, state.registration, state.socket)
        }
        if let registration { PipeReactor.shared.unregister(registration) }
        if socket >= 0 { close(socket) }
        for (id, completion) in pending {
            completion(HTTPProbeResponse(id: id, outcome: .failed, detail: "podrun-http, podrun's HTTP helper, exited"))
        }
    }

    /// Sends one request line.
    private func send(_ request: HTTPProbeRequest, to fd: Int32) -> Bool {
        guard fd >= 0, let line = try? JSONEncoder().encode(request) else { return false }
        return SocketIO.sendAll(Array(line) + [UInt8(ascii: "\n")], to: fd)
    }
}
