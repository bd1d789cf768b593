import Foundation
import Testing
@testable import PodRunKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the integration suites share: the `podrun-demo` and `podrun` binaries, the package's
/// `examples/` folder, a run-and-always-tear-down wrapper around `LivePod`, event queries, a
/// minimal HTTP client and a port holder.
enum Integration {
    /// The built `podrun-demo`, by absolute path: `$PODRUN_DEMO_BINARY`, else next to the shim
    /// (`swift build` puts every product in one directory), else next to the test bundle.
    static func demo() throws -> String {
        try product("podrun-demo", override: "PODRUN_DEMO_BINARY")
    }

    /// The built `podrun` CLI, found the same way.
    static func podrun() throws -> String {
        try product("podrun", override: "PODRUN_BINARY")
    }

    private static func product(_ name: String, override: String) throws -> String {
        if let explicit = ProcessInfo.processInfo.environment[override], !explicit.isEmpty { return explicit }
        var directories: [URL] = []
        if let shim = try? ProcessLauncher.locateShim() {
            directories.append(URL(fileURLWithPath: shim).deletingLastPathComponent())
        }
        for bundle in [Bundle.main] + Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for directory in directories {
            let candidate = directory.appendingPathComponent(name).path
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw TestFailure("\(name) is not built next to the tests (looked in \(directories.map(\.path))); run `swift build` or set \(override)")
    }

    /// The package root: this file is `<root>/Tests/PodRunKitTests/Integration/IntegrationSupport.swift`;
    /// when the sources are not where they were compiled, the current directory (`swift test`
    /// runs from the package root).
    static let packageRoot: URL = {
        let fromSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: fromSource.appendingPathComponent("Package.swift").path) { return fromSource }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// The names of the folders under `examples/` that hold a `pod.yaml`, sorted.
    static var examples: [String] {
        let folder = packageRoot.appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).appendingPathComponent("pod.yaml").path)
        }.sorted()
    }

    static func example(_ name: String) -> URL {
        packageRoot.appendingPathComponent("examples").appendingPathComponent(name)
    }
}

/// Runs `body` on a started pod, then kills whatever still runs, whether `body` returned or threw.
func withStartedPod(_ pod: LivePod, _ body: (LivePod) async throws -> Void) async throws {
    await pod.start()
    do {
        try await body(pod)
    } catch {
        await pod.tearDown()
        throw error
    }
    await pod.tearDown()
}

/// Polls `condition` until it holds or `timeout` passes: for effects of other processes (files
/// they write) that no event announces.
func integrationEventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return true
}

/// Whether `condition` stays true for the whole of `duration` (checked every 20 ms): for "this
/// must not happen" claims, which need a window by nature. Returns early with false.
func integrationHolds(for duration: Duration, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + duration
    while ContinuousClock.now < deadline {
        if !condition() { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

extension EventCollector {
    /// The records of one type (and container), in order.
    func all(_ type: String, _ container: String? = nil) -> [EventRecord] {
        records.filter { $0.event.type == type && (container == nil || $0.event.container == container) }
    }

    /// The first event of `type` (for `container`) that comes after `record` in the stream.
    func wait(
        _ type: String, _ container: String? = nil, after record: EventRecord?, timeout: Duration = .seconds(10),
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async -> EventRecord? {
        let seq = record?.seq ?? 0
        return await wait(timeout: timeout, sourceLocation: sourceLocation) {
            $0.seq > seq && $0.event.type == type && (container == nil || $0.event.container == container)
        }
    }

    /// The first `PodReady` with this value.
    func waitPodReady(_ ready: Bool = true, timeout: Duration = .seconds(10), sourceLocation: Testing.SourceLocation = #_sourceLocation) async -> EventRecord? {
        await wait(timeout: timeout, sourceLocation: sourceLocation) { $0.event.kind == .podReady(ready) }
    }

    /// The messages of the `Unhealthy` events of one probe of one container.
    func unhealthy(_ container: String, _ probe: ProbeKind) -> [String] {
        records.compactMap { record in
            guard record.event.container == container, case .unhealthy(probe, let message) = record.event.kind else { return nil }
            return message
        }
    }
}

extension LivePod {
    /// The host port of a container's port (by name, or by number as text).
    func hostPort(_ container: String, _ port: String) -> Int32? {
        supervisor.ports.mappings.first { mapping in
            mapping.container == container && (mapping.name == port || String(mapping.containerPort) == port)
        }?.hostPort
    }

    /// The pod's run directory (it goes when the pod ends, unless kept).
    var runDirectory: URL { supervisor.runDirectory.url }

    /// The text of a container instance's log file in the run directory (kept pods, or while running).
    func containerLog(_ container: String, restartCount: Int = 0) -> String {
        let file = runDirectory.appendingPathComponent("logs").appendingPathComponent(container).appendingPathComponent("\(restartCount).log")
        return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }

    /// The `KEY=VALUE` lines of a file a container wrote with `env`.
    func environment(_ name: String) -> [String: String] {
        var variables: [String: String] = [:]
        for line in lines(name) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            variables[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return variables
    }
}

/// One HTTP/1.0 GET to 127.0.0.1 over a plain socket (no URLSession: no proxy from the
/// environment, no connection reuse). Nil when the exchange fails.
func loopbackGET(port: Int32, path: String, timeout: TimeInterval = 3) -> (status: Int, body: String)? {
    #if os(Linux)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in.loopback(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count <= 0 { break }
        response += buffer[0..<count]
    }
    let text = String(decoding: response, as: UTF8.self)
    let parts = text.components(separatedBy: "\r\n\r\n")
    guard let statusLine = parts.first?.split(separator: "\r\n").first else { return nil }
    let fields = statusLine.split(separator: " ")
    guard fields.count >= 2, let status = Int(fields[1]) else { return nil }
    return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
}

/// A TCP socket listening on 127.0.0.1 at a port the OS chose: a port "someone else" holds.
final class HeldPort: Sendable {
    let descriptor: Int32
    let port: Int32

    init() throws {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 8) == 0 else {
            if fd >= 0 { close(fd) }
            throw TestFailure("cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        port = Int32(UInt16(bigEndian: actual.sin_port))
    }

    deinit { close(descriptor) }
}

extension sockaddr_in {
    static func loopback(port: Int32) -> sockaddr_in {
        var address = sockaddr_in()
        #if canImport(Darwin)
        address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
