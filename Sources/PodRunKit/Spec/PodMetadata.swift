import Foundation

/// The subset of `ObjectMeta` a pod needs locally: its identity and the values the downward
/// API (`valueFrom.fieldRef`) exposes.
public struct PodMetadata: Sendable, Hashable, Codable {
    public var name: String
    /// `default` when absent, as the API server does.
    public var namespace: String
    public var uid: String
    public var labels: [String: String]
    public var annotations: [String: String]

    public init(
        name: String, namespace: String = "default", uid: String = PodMetadata.generateUID(),
        labels: [String: String] = [:], annotations: [String: String] = [:]
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.labels = labels
        self.annotations = annotations
    }

    /// A fresh UID in the form Kubernetes uses (a lower-case RFC 4122 UUID).
    public static func generateUID() -> String { UUID().uuidString.lowercased() }
}
