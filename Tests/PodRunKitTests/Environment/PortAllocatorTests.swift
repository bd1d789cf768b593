import Dispatch
import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Serialized: tests that pick a free port and then allocate it must not race the suite's own auto
// allocations, which the OS may hand that same just-released port.
@Suite(.serialized) struct PortAllocatorTests {
    /// A port the OS says is free now (tests never assume a fixed number is free).
    static func freePort() throws -> Int32 {
        try LoopbackPort.probe(0, protocol: .tcp).get()
    }

    static func pod(_ name: String, ports: [[ContainerPort]]) -> Pod {
        environmentPod(
            name: name,
            containers: ports.enumerated().map { index, ports in Container(name: "c\(index)", command: ["true"], ports: ports) })
    }

    @Test func sameModeUsesTheContainerPortAndHostPortWins() throws {
        let (a, b, c) = (try Self.freePort(), try Self.freePort(), try Self.freePort())
        let pod = Self.pod("same", ports: [[ContainerPort(name: "http", containerPort: a)], [ContainerPort(containerPort: b, hostPort: c)]])
        let map = try PortAllocator.allocate(for: pod, mode: .same)
        defer { PortAllocator.release(map) }
        #expect(map.mappings == [
            PortMapping(container: "c0", name: "http", containerPort: a, hostPort: a),
            PortMapping(container: "c1", containerPort: b, hostPort: c),
        ])
        #expect(PortAllocator.isAllocated(a) && PortAllocator.isAllocated(c) && !PortAllocator.isAllocated(b))
    }

    @Test func autoModeChoosesFreePortsButKeepsHostPorts() throws {
        let fixed = try Self.freePort()
        let pod = Self.pod("auto", ports: [[ContainerPort(name: "http", containerPort: 80), ContainerPort(containerPort: 9000, hostPort: fixed)]])
        let map = try PortAllocator.allocate(for: pod, mode: .auto)
        defer { PortAllocator.release(map) }
        #expect(map.mappings.count == 2)
        #expect(map.mappings[0].hostPort != 80 && map.mappings[0].hostPort > 0)
        #expect(map.mappings[1].hostPort == fixed)
        #expect(map.reservation != nil)
    }

    @Test func parallelAutoAllocationsNeverCollide() throws {
        let pods = (0..<20).map { index in
            Self.pod("p\(index)", ports: [(0..<5).map { ContainerPort(name: "p\($0)", containerPort: 8080 + Int32($0)) }])
        }
        let results = Locked<[Result<PortMap, any Error>]>([])
        DispatchQueue.concurrentPerform(iterations: pods.count) { index in
            let result = Result { try PortAllocator.allocate(for: pods[index], mode: .auto) }
            results.withLock { $0.append(result) }
        }
        let maps = try results.withLock { $0 }.map { try $0.get() }
        defer { maps.forEach(PortAllocator.release) }
        let ports = maps.flatMap { $0.mappings.map(\.hostPort) }
        #expect(ports.count == 100)
        #expect(Set(ports).count == 100, "no port handed out twice")
        #expect(ports.allSatisfy { PortAllocator.isAllocated($0) })
        maps.forEach(PortAllocator.release)
        #expect(!ports.contains { PortAllocator.isAllocated($0) })
    }

    @Test func aListeningPortIsInUseAndTheErrorNamesTheHolder() throws {
        let listener = try Listener()
        defer { listener.close() }
        let pod = Self.pod("busy", ports: [[ContainerPort(name: "web", containerPort: listener.port)]])
        let error = #expect(throws: PortAllocationError.self) { try PortAllocator.allocate(for: pod, mode: .same) }
        guard let error else { return }
        #expect(error.container == "c0" && error.portName == "web" && error.hostPort == listener.port)
        #expect(error.description.contains("container \"c0\" port \"web\" (\(listener.port)/TCP): 127.0.0.1:\(listener.port) is already in use"))
        #if os(Linux)
        #expect(error.reason == .inUse(holder: PortHolder.find(port: listener.port, protocol: .tcp)))
        guard case .inUse(let holder?) = error.reason else {
            Issue.record("no holder found for \(listener.port)")
            return
        }
        #expect(holder.pid == getpid())
        #expect(error.description.contains("pid \(getpid())"))
        #endif
        #expect(!PortAllocator.isAllocated(listener.port), "a failed allocation keeps nothing")
    }

    @Test func aFailedAllocationReleasesWhatItTook() throws {
        let listener = try Listener()
        defer { listener.close() }
        let free = try Self.freePort()
        let pod = Self.pod("partial", ports: [[ContainerPort(containerPort: free)], [ContainerPort(containerPort: listener.port)]])
        #expect(throws: PortAllocationError.self) { try PortAllocator.allocate(for: pod, mode: .same) }
        #expect(!PortAllocator.isAllocated(free))
    }

    @Test func twoPodsOfThisProcessCannotShareAPort() throws {
        let port = try Self.freePort()
        let first = try PortAllocator.allocate(for: Self.pod("first", ports: [[ContainerPort(containerPort: port)]]), mode: .same)
        let second = Self.pod("second", ports: [[ContainerPort(containerPort: port)]])
        let error = #expect(throws: PortAllocationError.self) { try PortAllocator.allocate(for: second, mode: .same) }
        #expect(error?.description.contains("already allocated to pod \"first\" container \"c0\"") == true)
        PortAllocator.release(first)
        PortAllocator.release(first)
        let again = try PortAllocator.allocate(for: second, mode: .same)
        PortAllocator.release(again)
    }

    @Test func aHostPortEqualToAnotherContainersPortCollidesWithinThePod() throws {
        let port = try Self.freePort()
        let pod = Self.pod("self", ports: [[ContainerPort(containerPort: port)], [ContainerPort(containerPort: 1, hostPort: port)]])
        let error = #expect(throws: PortAllocationError.self) { try PortAllocator.allocate(for: pod, mode: .same) }
        #expect(error?.container == "c1")
        #expect(!PortAllocator.isAllocated(port))
    }

    @Test func tcpAndUDPPortsAreSeparate() throws {
        let port = try Self.freePort()
        let pod = Self.pod("dns", ports: [[ContainerPort(containerPort: port), ContainerPort(containerPort: port, protocol: .udp)]])
        let map = try PortAllocator.allocate(for: pod, mode: .same)
        defer { PortAllocator.release(map) }
        #expect(map.mappings.map(\.hostPort) == [port, port])
        #expect(PortAllocator.isAllocated(port, protocol: .udp))
    }

    @Test func releasingAHandMadeMapFreesNothing() throws {
        let port = try Self.freePort()
        let map = try PortAllocator.allocate(for: Self.pod("real", ports: [[ContainerPort(containerPort: port)]]), mode: .same)
        defer { PortAllocator.release(map) }
        PortAllocator.release(PortMap(mappings: map.mappings))
        #expect(PortAllocator.isAllocated(port))
    }

    @Test func errorsReadWell() {
        let base = PortAllocationError(container: "web", portName: nil, containerPort: 80, hostPort: 80, protocol: .tcp, reason: .permissionDenied)
        #expect(base.description == "container \"web\" port (80/TCP): 127.0.0.1:80 cannot be bound without privileges (ports below 1024); map the port elsewhere (hostPort, or the auto port mode)")
        var held = base
        held.reason = .inUse(holder: PortHolder(pid: 42, command: "nginx"))
        #expect(held.description.hasSuffix("127.0.0.1:80 is already in use by pid 42 (nginx); free it, or map the port elsewhere (hostPort, or the auto port mode)"))
    }
}

/// A TCP socket listening on 127.0.0.1 at a port the OS chose.
private final class Listener: Sendable {
    let descriptor: Int32
    let port: Int32

    init() throws {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var address = sockaddr_in()
        #if canImport(Darwin)
        address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        port = Int32(UInt16(bigEndian: actual.sin_port))
    }

    func close() {
        #if canImport(Glibc)
        _ = Glibc.close(descriptor)
        #else
        _ = Darwin.close(descriptor)
        #endif
    }
}
