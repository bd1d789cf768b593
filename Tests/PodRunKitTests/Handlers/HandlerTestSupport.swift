import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the handler tests share: a launcher on the real shim, executors, a temporary directory
/// removed on deinit, and a context whose environment is the test process's (so `PATH` works).
final class HandlerTestFixture: Sendable {
    let dir: String
    let launcher: ProcessLauncher
    let probes: ProbeExecutor
    let hooks: HookExecutor

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-handler-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        // Resolved, so `pwd -P` in a command prints the same string (macOS: /var -> /private/var).
        dir = base.resolvingSymlinksInPath().path
        launcher = ProcessLauncher(shimPath: try ProcessLauncher.locateShim())
        probes = ProbeExecutor(launcher: launcher)
        hooks = HookExecutor(launcher: launcher, probes: probes)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func path(_ name: String) -> String { dir + "/" + name }

    func context(
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        translatePath: @escaping @Sendable (String) -> String = { $0 },
        ports: [String: Int32] = [:]
    ) -> HandlerContext {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        return HandlerContext(
            containerName: "app",
            environment: env,
            workingDirectory: workingDirectory,
            translatePath: translatePath,
            resolvePort: { port in
                switch port {
                case .int(let number): number
                case .string(let name): ports[name]
                }
            }
        )
    }

    func readPID(_ name: String) -> Int32? {
        guard let text = try? String(contentsOfFile: path(name), encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Runs `body` and returns its value with the time it took.
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try await body()
    return (value, clock.now - start)
}

/// A TCP socket listening on 127.0.0.1 (port chosen by the system), closed on deinit.
final class LoopbackListener: Sendable {
    let fd: Int32
    let port: Int32
    private let clients = Locked<[Int32]>([])

    init(backlog: Int32 = 16) throws {
        let fd = socket(AF_INET, LoopbackListener.streamType, 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = LoopbackListener.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int32(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        for client in clients.withLock({ $0 }) { close(client) }
        close(fd)
    }

    static var streamType: Int32 {
        #if canImport(Glibc)
        Int32(SOCK_STREAM.rawValue)
        #else
        SOCK_STREAM
        #endif
    }

    /// 127.0.0.1:`port`.
    static func loopback(port: Int32) -> sockaddr_in {
        var address = sockaddr_in()
        #if canImport(Darwin)
        address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    /// A port nothing listens on: bound, then closed again (connections to it are refused).
    static func unusedPort() throws -> Int32 {
        try LoopbackListener().port
    }

    /// Starts a non-blocking connect to this listener and keeps the socket (closed on deinit).
    /// The connection completes or sits in the SYN queue; the listener never accepts it.
    func connectWithoutAccepting() {
        let client = socket(AF_INET, LoopbackListener.streamType, 0)
        guard client >= 0 else { return }
        _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
        var address = LoopbackListener.loopback(port: port)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        clients.withLock { $0.append(client) }
    }
}
