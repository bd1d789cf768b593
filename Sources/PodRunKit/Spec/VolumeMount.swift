/// Where a container sees a pod volume. podrun cannot change a process's view of the file
/// system, so it rewrites paths under `mountPath` to the volume's real directory instead.
public struct VolumeMount: Sendable, Hashable, Codable {
    public var name: String
    public var mountPath: String
    /// Advisory only: podrun cannot make a shared directory read-only for one process.
    public var readOnly: Bool
    /// A sub-directory of the volume to mount instead of its root.
    public var subPath: String?

    public init(name: String, mountPath: String, readOnly: Bool = false, subPath: String? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
        self.subPath = subPath
    }
}
