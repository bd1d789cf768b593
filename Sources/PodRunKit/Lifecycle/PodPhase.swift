/// The pod's phase, derived exactly as the kubelet's `getPhase` does.
public enum PodPhase: String, Sendable, Hashable, Codable, CaseIterable {
    case pending = "Pending"
    case running = "Running"
    case succeeded = "Succeeded"
    case failed = "Failed"

    /// Terminal phases are final: the kubelet never moves a pod out of them.
    public var isTerminal: Bool { self == .succeeded || self == .failed }
}
