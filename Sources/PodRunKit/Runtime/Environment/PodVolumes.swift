import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The materialised volumes of one pod.
///
/// Kubernetes creates a pod's volumes before its first container starts and deletes its emptyDirs
/// with the pod; they outlive container restarts. podrun does the same with plain directories:
/// - `emptyDir` → `<run dir>/volumes/<name>/` (mode 0700: the pod's files are the user's alone),
///   emptied if an earlier run (`--keep`) left it, so every pod starts with empty volumes.
/// - `emptyDir` with `medium: Memory` → on Linux the private directory
///   `/dev/shm/podrun-<pod uid>-<name>` (mode 0700, a tmpfs: RAM-backed, as on a node), linked from
///   `<run dir>/volumes/<name>`; elsewhere a plain directory and a warning.
/// - `hostPath` → the given path, which must exist (`DirectoryOrCreate`/`FileOrCreate` create it).
/// - a mount's `subPath` → a sub-directory of its volume, created here (as the kubelet does).
public struct PodVolumes: Sendable {
    /// The pod's run directory; emptyDirs live in its `volumes/` directory.
    public let runDirectory: URL
    /// The pod's volumes by name.
    public let volumes: [String: MaterializedVolume]
    /// Things the user should know that do not stop the pod (a Memory medium that is only a disk
    /// directory here).
    public var warnings: [String]

    public init(runDirectory: URL, volumes: [MaterializedVolume], warnings: [String] = []) {
        self.runDirectory = runDirectory
        self.volumes = Dictionary(volumes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.warnings = warnings
    }

    /// `<run dir>/volumes`.
    public var volumesDirectory: URL { runDirectory.appendingPathComponent("volumes", isDirectory: true) }

    /// Creates every volume of `pod` and the `subPath` directories its containers mount. On failure
    /// nothing it created is left behind.
    public static func create(for pod: Pod, runDirectory: URL) throws -> PodVolumes {
        removeLeftovers(runDirectory: runDirectory.standardizedFileURL)
        var builder = Builder(pod: pod, runDirectory: runDirectory.standardizedFileURL)
        do {
            try builder.createAll()
        } catch {
            PodVolumes(runDirectory: builder.runDirectory, volumes: builder.created).remove()
            throw error
        }
        return PodVolumes(runDirectory: builder.runDirectory, volumes: builder.created, warnings: builder.warnings)
    }

    /// The real directory of a volume (for a `File` hostPath, the file). An unknown name gives the
    /// place an emptyDir of that name would have, so the answer is always a path inside the pod.
    public func directory(of volume: String) -> URL {
        volumes[volume]?.directory ?? volumesDirectory.appendingPathComponent(volume, isDirectory: true)
    }

    /// What a mount's `mountPath` stands for: the volume's directory, or its `subPath` below it;
    /// nil when the pod has no such volume.
    public func directory(for mount: VolumeMount) -> URL? {
        guard let volume = volumes[mount.name] else { return nil }
        guard let subPath = mount.subPath, !subPath.isEmpty else { return volume.directory }
        return volume.directory.appendingPathComponent(subPath, isDirectory: true).standardizedFileURL
    }

    /// The `sizeLimit`s in bytes, for a `VolumeUsageWatcher`.
    public var sizeLimits: [String: Int64] {
        volumes.compactMapValues(\.sizeLimit)
    }

    /// Deletes the emptyDirs (RAM-backed ones included) and `<run dir>/volumes` if that is then
    /// empty; never touches a hostPath. Best effort: returns what could not be deleted.
    @discardableResult
    public func remove() -> [String] {
        var problems: [String] = []
        for volume in volumes.values.sorted(by: { $0.name < $1.name }) where volume.isEphemeral {
            if let problem = VolumeFiles.removeTree(volume.directory.path) { problems.append(problem) }
            if let link = volume.link, VolumeFiles.entry(at: link.path)?.kind == .symbolicLink, unlink(link.path) != 0 {
                problems.append("\(link.path): \(VolumeFiles.FileError(errno: errno))")
            }
        }
        _ = rmdir(volumesDirectory.path)
        return problems
    }
}

extension PodVolumes {
    /// Deletes the RAM-backed volumes an earlier run of a pod left in `/dev/shm` (a run kept with
    /// `--keep`, or one that crashed) and the links to them in `<run dir>/volumes/`. Those links are
    /// the only record of the directories (each run's pod uid differs), so call this before a stale
    /// run directory is cleared; `create` calls it too. Only real directories of this user named
    /// `/dev/shm/podrun-…` are deleted, never what a planted link points at. Best effort: returns
    /// what could not be deleted.
    @discardableResult
    public static func removeLeftovers(runDirectory: URL) -> [String] {
        #if os(Linux)
        let volumes = runDirectory.appendingPathComponent("volumes", isDirectory: true).path
        var problems: [String] = []
        for name in VolumeFiles.names(in: volumes) {
            let link = volumes + "/" + name
            guard VolumeFiles.entry(at: link)?.kind == .symbolicLink,
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link),
                isMemoryVolumeDirectory(target),
                let entry = VolumeFiles.entry(at: target), entry.kind == .directory, entry.owner == geteuid()
            else { continue }
            if let problem = VolumeFiles.removeTree(target) {
                problems.append(problem)
            } else if unlink(link) != 0 {
                problems.append("\(link): \(VolumeFiles.FileError(errno: errno))")
            }
        }
        return problems
        #else
        return []
        #endif
    }

    /// `/dev/shm/podrun-<uid>-<name>`, as `create` names them: directly in /dev/shm, no `..`.
    static func isMemoryVolumeDirectory(_ path: String) -> Bool {
        let prefix = "/dev/shm/podrun-"
        guard path.hasPrefix(prefix) else { return false }
        let rest = path.dropFirst(prefix.count)
        return !rest.isEmpty && !rest.contains("/") && rest != "." && rest != ".."
    }

    /// The work of `create`, keeping what it made so a failure can undo it.
    private struct Builder {
        let pod: Pod
        let runDirectory: URL
        var created: [MaterializedVolume] = []
        var warnings: [String] = []

        init(pod: Pod, runDirectory: URL) {
            self.pod = pod
            self.runDirectory = runDirectory
        }

        var volumesDirectory: URL { runDirectory.appendingPathComponent("volumes", isDirectory: true) }

        mutating func createAll() throws {
            if pod.spec.volumes.contains(where: { $0.emptyDir != nil }) {
                try make(runDirectory.path, volume: "", using: { try VolumeFiles.makeDirectories($0, mode: 0o700) })
                if VolumeFiles.entry(at: volumesDirectory.path)?.kind != .directory {
                    try make(volumesDirectory.path, volume: "", using: { try VolumeFiles.makeDirectory($0, mode: 0o700) })
                }
            }
            for volume in pod.spec.volumes {
                if let emptyDir = volume.emptyDir {
                    try createEmptyDir(volume.name, emptyDir)
                } else if let hostPath = volume.hostPath {
                    try attachHostPath(volume.name, hostPath)
                }
            }
            try createSubPaths()
        }

        private mutating func createEmptyDir(_ name: String, _ source: EmptyDirVolumeSource) throws {
            let location = volumesDirectory.appendingPathComponent(name, isDirectory: true)
            // A previous run kept with --keep: the new pod starts empty, as a new pod would.
            if VolumeFiles.entry(at: location.path) != nil, let problem = VolumeFiles.removeTree(location.path) {
                throw VolumeError(volume: name, path: location.path, problem: "is left from an earlier run and cannot be removed: \(problem)")
            }
            let limit = source.sizeLimit?.bytes
            if source.medium == "Memory" {
                if let memory = try createInMemory(name, link: location, sizeLimit: limit) {
                    created.append(memory)
                    return
                }
                warnings.append(
                    "volume \"\(name)\": medium Memory is not available on this system; using a directory on disk (\(location.path))")
            }
            try make(location.path, volume: name, using: { try VolumeFiles.makeDirectory($0, mode: 0o700) })
            created.append(MaterializedVolume(name: name, storage: .disk, directory: location, sizeLimit: limit))
        }

        /// A private tmpfs directory where the OS has one; nil where it has none.
        private func createInMemory(_ name: String, link: URL, sizeLimit: Int64?) throws -> MaterializedVolume? {
            #if os(Linux)
            let shm = "/dev/shm"
            guard VolumeFiles.entry(at: shm)?.kind == .directory, access(shm, W_OK | X_OK) == 0 else { return nil }
            let directory = URL(fileURLWithPath: "\(shm)/podrun-\(Self.fileNameSafe(pod.metadata.uid))-\(name)", isDirectory: true)
            do {
                try VolumeFiles.makeDirectory(directory.path, mode: 0o700)
            } catch where error.code == EEXIST {
                // /dev/shm is shared by every user: reuse only our own real directory (a leftover of
                // an earlier run with the same pod uid), never a link someone planted.
                guard let entry = VolumeFiles.entry(at: directory.path), entry.kind == .directory, entry.owner == geteuid() else {
                    throw VolumeError(
                        volume: name, path: directory.path, problem: "exists and is not a directory of this user",
                        fix: "remove it, or give the pod another metadata.uid")
                }
                if let problem = VolumeFiles.removeContents(of: directory.path) {
                    throw VolumeError(volume: name, path: directory.path, problem: "is left from an earlier run and cannot be emptied: \(problem)")
                }
                _ = chmod(directory.path, 0o700)
            } catch {
                throw VolumeError(volume: name, path: directory.path, problem: "cannot be created: \(error)")
            }
            guard symlink(directory.path, link.path) == 0 else {
                let failure = VolumeFiles.FileError(errno: errno)
                VolumeFiles.removeTree(directory.path)
                throw VolumeError(volume: name, path: link.path, problem: "cannot be created: \(failure)")
            }
            return MaterializedVolume(name: name, storage: .memory, directory: directory, link: link, sizeLimit: sizeLimit)
            #else
            return nil
            #endif
        }

        /// Pod UIDs come from the manifest and may hold anything; keep them to one safe file name.
        private static func fileNameSafe(_ uid: String) -> String {
            let safe = String(uid.unicodeScalars.prefix(96).map { scalar -> Character in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": Character(scalar)
                default: "_"
                }
            })
            return safe.isEmpty || safe.allSatisfy({ $0 == "." }) ? "pod" : safe
        }

        private mutating func attachHostPath(_ name: String, _ source: HostPathVolumeSource) throws {
            let path = URL(fileURLWithPath: source.path).standardizedFileURL.path
            let type = source.type ?? ""
            let existing = VolumeFiles.realPath(path).flatMap { VolumeFiles.entry(at: $0) }
            func require(_ kind: VolumeFiles.Kind, _ noun: String) throws {
                guard let existing else {
                    throw VolumeError(
                        volume: name, path: path, problem: "does not exist",
                        fix: kind == .directory ? "create it, or set hostPath.type: DirectoryOrCreate" : "create it first")
                }
                guard existing.kind == kind else {
                    throw VolumeError(volume: name, path: path, problem: "is not a \(noun) (hostPath.type: \(type))")
                }
            }
            switch type {
            case "":
                guard existing != nil else {
                    throw VolumeError(volume: name, path: path, problem: "does not exist", fix: "create it, or set hostPath.type: DirectoryOrCreate")
                }
            case "Directory": try require(.directory, "directory")
            case "File": try require(.regularFile, "regular file")
            case "Socket": try require(.socket, "socket")
            case "CharDevice": try require(.characterDevice, "character device")
            case "BlockDevice": try require(.blockDevice, "block device")
            case "DirectoryOrCreate":
                if existing == nil {
                    try make(path, volume: name, using: { try VolumeFiles.makeDirectories($0, mode: 0o755) })
                } else {
                    try require(.directory, "directory")
                }
            case "FileOrCreate":
                if existing == nil {
                    // Like the kubelet: the file is created, its parent directory is not.
                    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
                    guard descriptor >= 0 else {
                        throw VolumeError(volume: name, path: path, problem: "cannot be created: \(VolumeFiles.FileError(errno: errno))")
                    }
                    close(descriptor)
                } else {
                    try require(.regularFile, "regular file")
                }
            default:
                throw VolumeError(
                    volume: name, path: path, problem: "has an unknown hostPath.type \"\(type)\"",
                    fix: "use Directory, DirectoryOrCreate, File, FileOrCreate, Socket, CharDevice, BlockDevice or leave it out")
            }
            created.append(MaterializedVolume(name: name, storage: .hostPath, directory: URL(fileURLWithPath: path)))
        }

        /// Every `subPath` a container mounts, created inside its volume; a link inside a hostPath
        /// may not lead the sub-directory out of the volume (the kubelet refuses that too).
        private mutating func createSubPaths() throws {
            let volumes = Dictionary(created.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            for container in pod.spec.allContainers {
                for mount in container.volumeMounts {
                    guard let subPath = mount.subPath, !subPath.isEmpty, let volume = volumes[mount.name] else { continue }
                    let directory = volume.directory.appendingPathComponent(subPath, isDirectory: true).standardizedFileURL.path
                    if VolumeFiles.entry(at: volume.directory.path)?.kind != .directory {
                        throw VolumeError(volume: volume.name, path: volume.directory.path, problem: "is not a directory, so it has no subPath \"\(subPath)\"")
                    }
                    try make(directory, volume: volume.name, using: { try VolumeFiles.makeDirectories($0, mode: 0o755) })
                    guard let root = VolumeFiles.realPath(volume.directory.path), let resolved = VolumeFiles.realPath(directory),
                        resolved == root || resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/")
                    else {
                        throw VolumeError(
                            volume: volume.name, path: directory,
                            problem: "leaves the volume through a symbolic link (subPath \"\(subPath)\" of container \"\(container.name)\")")
                    }
                }
            }
        }

        private func make(_ path: String, volume: String, using body: (String) throws -> Void) throws {
            do {
                try body(path)
            } catch {
                throw VolumeError(volume: volume, path: path, problem: "cannot be created: \(error)")
            }
        }
    }
}
