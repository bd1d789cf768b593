/// A Kubernetes `v1 Pod`, reduced to the fields podrun acts on, with Kubernetes' defaults applied.
///
/// Encoding it gives the pod "as run" (the run directory's `pod.json`), the way
/// `kubectl get pod -o json` shows a pod after the API server defaulted it.
public struct Pod: Sendable, Hashable, Codable {
    public var apiVersion: String
    public var kind: String
    public var metadata: PodMetadata
    public var spec: PodSpec

    public init(metadata: PodMetadata, spec: PodSpec) {
        self.apiVersion = "v1"
        self.kind = "Pod"
        self.metadata = metadata
        self.spec = spec
    }
}
