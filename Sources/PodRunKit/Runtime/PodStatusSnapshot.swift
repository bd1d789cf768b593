import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pod's status as written to `status.json` in the run directory, for `podrun logs`,
/// `podrun describe` and anyone else who looks from outside: the shape of Kubernetes'
/// `PodStatus`, with wall-clock times in RFC 3339.
public struct PodStatusSnapshot: Sendable, Codable, Hashable {
    public var name: String
    public var namespace: String
    public var uid: String
    public var phase: PodPhase
    /// The pod reached its terminal phase and nothing runs any more.
    public var finished: Bool
    public var initialized: Bool
    public var ready: Bool
    public var stopReason: PodStopReason?
    /// The supervisor's process id, while it runs.
    public var supervisorPID: Int32
    public var podrunVersion: String
    public var containers: [Container]

    public struct Container: Sendable, Codable, Hashable {
        public var name: String
        public var kind: ContainerKind
        public var restartCount: Int
        public var started: Bool
        public var ready: Bool
        public var state: State
        public var lastState: Terminated?
    }

    /// One of Kubernetes' three container states, in its JSON shape (exactly one key set).
    public struct State: Sendable, Codable, Hashable {
        public var waiting: Waiting?
        public var running: Running?
        public var terminated: Terminated?
    }

    public struct Waiting: Sendable, Codable, Hashable {
        public var reason: String
        /// For CrashLoopBackOff: when the restart may happen.
        public var restartAt: String?
    }

    public struct Running: Sendable, Codable, Hashable {
        public var startedAt: String
        public var pid: Int32
    }

    public struct Terminated: Sendable, Codable, Hashable {
        public var exitCode: Int32
        public var signal: Int32?
        public var reason: String
        public var message: String?
        public var startedAt: String?
        public var finishedAt: String
    }

    public init(pod: Pod, status: PodStatus, supervisorPID: Int32 = getpid(), wallTime: (Duration) -> Date) {
        func time(_ moment: Duration) -> String { RFC3339.milliseconds(wallTime(moment)) }
        func terminated(_ end: TerminatedState) -> Terminated {
            Terminated(
                exitCode: end.exitCode, signal: end.signal, reason: end.reason, message: end.message, startedAt: end.startedAt.map(time),
                finishedAt: time(end.finishedAt))
        }
        name = pod.metadata.name
        namespace = pod.metadata.namespace
        uid = pod.metadata.uid
        phase = status.phase
        finished = status.finished
        initialized = status.initialized
        ready = status.ready
        stopReason = status.stopReason
        self.supervisorPID = supervisorPID
        podrunVersion = PodRunVersion.current
        containers = status.containers.map { container in
            let state: State
            switch container.state {
            case .waiting(let reason):
                state = State(waiting: Waiting(reason: reason, restartAt: container.restartAt.map(time)))
            case .starting:
                state = State(waiting: Waiting(reason: "ContainerCreating"))
            case .running(let startedAt, let pid):
                state = State(running: Running(startedAt: time(startedAt), pid: pid))
            case .terminated(let end):
                state = State(terminated: terminated(end))
            }
            return Container(
                name: container.name, kind: container.kind, restartCount: container.restartCount, started: container.started,
                ready: container.ready, state: state, lastState: container.lastState.map(terminated))
        }
    }
}
