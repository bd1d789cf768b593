import Foundation

/// One pod volume as it exists on this machine: where its files live and whether podrun owns them.
public struct MaterializedVolume: Sendable, Hashable, Codable {
    /// Where the data lives, which decides what `PodVolumes.remove()` may delete.
    public enum Storage: String, Sendable, Hashable, Codable {
        /// An `emptyDir` on disk under the run directory (also `medium: Memory` where no RAM-backed
        /// location exists).
        case disk
        /// An `emptyDir` with `medium: Memory` in a RAM-backed file system (`/dev/shm` on Linux),
        /// reachable from the run directory through a symbolic link.
        case memory
        /// A `hostPath`: the user's own file or directory, never deleted.
        case hostPath
    }

    public var name: String
    public var storage: Storage
    /// The real location of the volume: what mount paths translate to.
    public var directory: URL
    /// For `memory` volumes, the link at `<run dir>/volumes/<name>` pointing at `directory`, so the
    /// run directory still shows every volume.
    public var link: URL?
    /// The `emptyDir.sizeLimit` in bytes; exceeding it evicts the pod.
    public var sizeLimit: Int64?

    public init(name: String, storage: Storage, directory: URL, link: URL? = nil, sizeLimit: Int64? = nil) {
        self.name = name
        self.storage = storage
        self.directory = directory
        self.link = link
        self.sizeLimit = sizeLimit
    }

    /// Whether the volume belongs to the pod and goes away with it (every `emptyDir`).
    public var isEphemeral: Bool { storage != .hostPath }
}
