import Foundation

/// The parts of a run directory's `status.json` that log readers need.
///
/// Decoded leniently (unknown fields ignored, missing ones nil) because the supervisor owns
/// the file and may add to it; readers must cope with it being absent too.
public struct PodRunStatusSnapshot: Sendable, Decodable, Equatable {
    public struct Container: Sendable, Decodable, Equatable {
        public var name: String
        /// `init`, `sidecar` or `regular` (nil: unknown, treated as regular).
        public var kind: ContainerKind?
        public var restartCount: Int?

        public init(name: String, kind: ContainerKind? = nil, restartCount: Int? = nil) {
            self.name = name
            self.kind = kind
            self.restartCount = restartCount
        }

        private enum CodingKeys: String, CodingKey { case name, kind, restartCount }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            if let text = try? container.decodeIfPresent(String.self, forKey: .kind) {
                kind = ContainerKind(rawValue: text)
            } else {
                kind = nil
            }
            restartCount = try? container.decodeIfPresent(Int.self, forKey: .restartCount)
        }

        /// Init containers and sidecars (which are init containers with `restartPolicy: Always`).
        public var isInit: Bool { kind == .initContainer || kind == .sidecar }
    }

    public var phase: String?
    public var finished: Bool?
    /// In spec order: init containers (sidecars among them) first, then regular ones.
    public var containers: [Container]

    public init(phase: String? = nil, finished: Bool? = nil, containers: [Container]) {
        self.phase = phase
        self.finished = finished
        self.containers = containers
    }

    private enum CodingKeys: String, CodingKey { case phase, finished, containers }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        phase = try? container.decodeIfPresent(String.self, forKey: .phase)
        finished = try? container.decodeIfPresent(Bool.self, forKey: .finished)
        containers = (try? container.decodeIfPresent([Container].self, forKey: .containers)) ?? []
    }

    /// Reads and decodes `url`; nil when it is missing or not a status object.
    public static func read(from url: URL) -> PodRunStatusSnapshot? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(PodRunStatusSnapshot.self, from: data)
    }
}
