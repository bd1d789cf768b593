/// A pod volume. Only the kinds that make sense without a cluster exist here.
public struct Volume: Sendable, Hashable, Codable {
    public var name: String
    public var emptyDir: EmptyDirVolumeSource?
    public var hostPath: HostPathVolumeSource?

    public init(name: String, emptyDir: EmptyDirVolumeSource? = nil, hostPath: HostPathVolumeSource? = nil) {
        self.name = name
        self.emptyDir = emptyDir
        self.hostPath = hostPath
    }
}

/// A scratch directory that lives as long as the pod.
public struct EmptyDirVolumeSource: Sendable, Hashable, Codable {
    /// `""` (disk) or `Memory` (RAM-backed where the OS offers it).
    public var medium: String
    /// In bytes; when usage exceeds it the pod is evicted, as the kubelet does.
    public var sizeLimit: Quantity?

    public init(medium: String = "", sizeLimit: Quantity? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

/// An existing directory of the host.
public struct HostPathVolumeSource: Sendable, Hashable, Codable {
    public var path: String
    /// Accepted for compatibility (`Directory`, `DirectoryOrCreate`, …).
    public var type: String?

    public init(path: String, type: String? = nil) {
        self.path = path
        self.type = type
    }
}
