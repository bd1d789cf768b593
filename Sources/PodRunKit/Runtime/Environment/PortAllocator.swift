import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gives every declared port of a pod a host port on 127.0.0.1.
///
/// A port is `hostPort` when the spec sets one, else the `containerPort` (`same`) or a port the OS
/// picks (`auto`). Each is recorded in the process-wide `PortRegistry` (so pods allocated in
/// parallel never share one) and proven bindable by binding it once; the first failure undoes the
/// whole allocation and names the container, the port and, where the OS tells, the process in the way.
/// What no process-local check can prevent: another program taking the port between this check and
/// the container's own bind.
public enum PortAllocator {
    public static func allocate(for pod: Pod, mode: PortMode) throws -> PortMap {
        let reservation = UUID().uuidString
        var mappings: [PortMapping] = []
        do {
            for container in pod.spec.allContainers {
                for port in container.ports {
                    let owner = PortRegistry.Owner(
                        reservation: reservation,
                        label: "pod \"\(pod.metadata.name)\" container \"\(container.name)\" port \(port.name.map { "\"\($0)\"" } ?? String(port.containerPort))")
                    let fixed = port.hostPort ?? (mode == .same ? port.containerPort : nil)
                    let hostPort = try fixed.map { try claim($0, for: port, of: container, owner: owner) }
                        ?? claimFree(for: port, of: container, owner: owner)
                    mappings.append(
                        PortMapping(
                            container: container.name, name: port.name, containerPort: port.containerPort, hostPort: hostPort,
                            protocol: port.protocol))
                }
            }
        } catch {
            PortRegistry.release(reservation: reservation)
            throw error
        }
        return PortMap(mappings: mappings, reservation: reservation)
    }

    /// Frees the map's ports for later allocations (call it when the pod has stopped).
    public static func release(_ map: PortMap) {
        if let reservation = map.reservation { PortRegistry.release(reservation: reservation) }
    }

    /// Whether this process currently holds `port` for some pod.
    public static func isAllocated(_ port: Int32, protocol: PortProtocol = .tcp) -> Bool {
        PortRegistry.owner(of: .init(port: port, protocol: `protocol`)) != nil
    }

    /// Reserves a given port number and proves it bindable.
    private static func claim(_ hostPort: Int32, for port: ContainerPort, of container: Container, owner: PortRegistry.Owner) throws -> Int32 {
        func failure(_ reason: PortAllocationError.Reason) -> PortAllocationError {
            PortAllocationError(
                container: container.name, portName: port.name, containerPort: port.containerPort, hostPort: hostPort,
                protocol: port.protocol, reason: reason)
        }
        if let current = PortRegistry.reserve(.init(port: hostPort, protocol: port.protocol), for: owner) {
            throw failure(.allocatedInThisProcess(to: current.label))
        }
        switch LoopbackPort.probe(hostPort, protocol: port.protocol) {
        case .success:
            return hostPort
        case .failure(let error) where error.code == EADDRINUSE:
            throw failure(.inUse(holder: PortHolder.find(port: hostPort, protocol: port.protocol)))
        case .failure(let error) where error.code == EACCES:
            throw failure(.permissionDenied)
        case .failure(let error):
            throw failure(.bindFailed(error.message))
        }
    }

    /// Asks the OS for free ports until one is not already handed out in this process.
    private static func claimFree(for port: ContainerPort, of container: Container, owner: PortRegistry.Owner) throws -> Int32 {
        var lastFailure: LoopbackPort.BindError?
        for _ in 0..<200 {
            switch LoopbackPort.probe(0, protocol: port.protocol) {
            case .success(let candidate):
                if PortRegistry.reserve(.init(port: candidate, protocol: port.protocol), for: owner) == nil { return candidate }
            case .failure(let error):
                lastFailure = error
            }
        }
        throw PortAllocationError(
            container: container.name, portName: port.name, containerPort: port.containerPort, hostPort: nil, protocol: port.protocol,
            reason: lastFailure.map { .bindFailed($0.message) } ?? .noFreePort)
    }
}
