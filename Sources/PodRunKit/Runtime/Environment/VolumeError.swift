/// Why a pod's volumes could not be made ready; the pod cannot start.
public struct VolumeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The volume's name in `spec.volumes`; empty when the problem is the pod's volumes directory.
    public var volume: String
    /// The file or directory concerned.
    public var path: String
    /// What is wrong, as a sentence fragment (`does not exist`).
    public var problem: String
    /// What the user can do about it, when there is something.
    public var fix: String?

    public init(volume: String, path: String, problem: String, fix: String? = nil) {
        self.volume = volume
        self.path = path
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        (volume.isEmpty ? "volumes: " : "volume \"\(volume)\": ") + "\(path) \(problem)" + (fix.map { " (\($0))" } ?? "")
    }
}
