import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pod's status as written to `status.json` in the run directory, for `podrun logs`,
/// `podrun describe` and anyone else who looks from outside: the shape of Kubernetes'
/// `PodStatus`, with wall-clock times in RFC 3339.
///
/// Readers decode it leniently (missing fields take neutral values, unknown ones are ignored):
/// the supervisor may add fields, and a reader may meet a file from another podrun version.
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
    public var stopMessage: String?
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

        public init(
            name: String, kind: ContainerKind = .regular, restartCount: Int = 0, started: Bool = false, ready: Bool = false,
            state: State = State(), lastState: Terminated? = nil
        ) {
            self.name = name
            self.kind = kind
            self.restartCount = restartCount
            self.started = started
            self.ready = ready
            self.state = state
            self.lastState = lastState
        }

        private enum CodingKeys: String, CodingKey { case name, kind, restartCount, started, ready, state, lastState }

        public init(from decoder: any Decoder) throws {
            let values = try decoder.container(keyedBy: CodingKeys.self)
            name = try values.decode(String.self, forKey: .name)
            kind = (try? values.decodeIfPresent(ContainerKind.self, forKey: .kind)) ?? .regular
            restartCount = (try? values.decodeIfPresent(Int.self, forKey: .restartCount)) ?? 0
            started = (try? values.decodeIfPresent(Bool.self, forKey: .started)) ?? false
            ready = (try? values.decodeIfPresent(Bool.self, forKey: .ready)) ?? false
            state = (try? values.decodeIfPresent(State.self, forKey: .state)) ?? State()
            lastState = try? values.decodeIfPresent(Terminated.self, forKey: .lastState)
        }
    }

    /// One of Kubernetes' three container states, in its JSON shape (exactly one key set).
    public struct State: Sendable, Codable, Hashable {
        public var waiting: Waiting?
        public var running: Running?
        public var terminated: Terminated?

        public init(waiting: Waiting? = nil, running: Running? = nil, terminated: Terminated? = nil) {
            self.waiting = waiting
            self.running = running
            self.terminated = terminated
        }
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

    /// Reads `status.json`; nil when it is missing or not a status object.
    public static func read(from url: URL) -> PodStatusSnapshot? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(PodStatusSnapshot.self, from: data)
    }

    private enum CodingKeys: String, CodingKey {
        case name, namespace, uid, phase, finished, initialized, ready, stopReason, stopMessage, supervisorPID, podrunVersion, containers
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        name = (try? values.decodeIfPresent(String.self, forKey: .name)) ?? ""
        namespace = (try? values.decodeIfPresent(String.self, forKey: .namespace)) ?? "default"
        uid = (try? values.decodeIfPresent(String.self, forKey: .uid)) ?? ""
        phase = (try? values.decodeIfPresent(PodPhase.self, forKey: .phase)) ?? .pending
        finished = (try? values.decodeIfPresent(Bool.self, forKey: .finished)) ?? false
        initialized = (try? values.decodeIfPresent(Bool.self, forKey: .initialized)) ?? false
        ready = (try? values.decodeIfPresent(Bool.self, forKey: .ready)) ?? false
        stopReason = try? values.decodeIfPresent(PodStopReason.self, forKey: .stopReason)
        stopMessage = try? values.decodeIfPresent(String.self, forKey: .stopMessage)
        supervisorPID = (try? values.decodeIfPresent(Int32.self, forKey: .supervisorPID)) ?? 0
        podrunVersion = (try? values.decodeIfPresent(String.self, forKey: .podrunVersion)) ?? ""
        containers = try values.decodeIfPresent([Container].self, forKey: .containers) ?? []
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
        stopMessage = status.stopMessage
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
