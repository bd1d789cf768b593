import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pod's private run directory (DESIGN.md §6): `pod.json`, `status.json`, `events.jsonl`,
/// `logs/`, `volumes/`, each container instance's scratch directory, and the `lock` that marks
/// the pod as running.
///
/// The live supervisor holds an exclusive `flock` on `lock` for its whole life, so "is this pod
/// running?" has an answer that survives crashes: the kernel drops the lock with the process.
public final class PodRunDirectory: Sendable {
    public let url: URL
    public let podName: String
    private let lockDescriptor: Locked<Int32>

    /// The names of the files in the directory (shared with the readers of run directories).
    public var layout: PodRunDirectoryLayout { PodRunDirectoryLayout(runDirectory: url) }

    private init(url: URL, podName: String, lockDescriptor: Int32) {
        self.url = url
        self.podName = podName
        self.lockDescriptor = Locked(lockDescriptor)
    }

    /// Creates (or takes over a stale) run directory for `podName` and locks it.
    /// Fails clearly when a pod of that name is running.
    public static func acquire(podName: String, stateRoot: URL) throws -> PodRunDirectory {
        let url = PodRunDirectoryLayout(stateRoot: stateRoot, pod: podName).runDirectory
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            _ = chmod(url.path, 0o700)
        } catch {
            throw RunDirectoryError("cannot create the run directory \(url.path): \(error.localizedDescription)")
        }
        let lockPath = PodRunDirectoryLayout(runDirectory: url).lockFile.path
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw RunDirectoryError("cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            throw RunDirectoryError(
                "pod \"\(podName)\" is already running\(holder.map { $0.isEmpty ? "" : " (podrun pid \($0))" } ?? ""); stop it first, or give this one another metadata.name")
        }
        // A stale directory (kept with --keep, or left by a crash) is cleared for the new run,
        // RAM-backed volumes it links to in /dev/shm included.
        PodVolumes.removeLeftovers(runDirectory: url)
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        for name in contents where name != "lock" {
            try? FileManager.default.removeItem(at: url.appendingPathComponent(name))
        }
        _ = ftruncate(descriptor, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
        let directory = PodRunDirectory(url: url, podName: podName, lockDescriptor: descriptor)
        for sub in [directory.logs, directory.volumes, directory.containers] {
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        return directory
    }

    public var podJSON: URL { url.appendingPathComponent("pod.json") }
    public var statusJSON: URL { layout.statusFile }
    public var portsJSON: URL { url.appendingPathComponent("ports.json") }
    public var eventsJSONL: URL { url.appendingPathComponent("events.jsonl") }
    public var logs: URL { layout.logsDirectory }
    public var volumes: URL { url.appendingPathComponent("volumes") }
    /// Scratch working directories, one per container instance.
    public var containers: URL { url.appendingPathComponent("containers") }

    /// Where the scratch working directory of one container instance is: `containers/<name>.<n>`
    /// (one directory level, so creating it is a single mkdir).
    public func scratchLocation(container: String, restartCount: Int) -> URL {
        containers.appendingPathComponent("\(container).\(restartCount)")
    }

    /// A fresh, empty working directory for one container instance (Kubernetes gives every
    /// instance a fresh file system): `containers/<container>.<restartCount>` (a container name
    /// has no dot). The previous instance's directory is removed.
    ///
    /// One `mkdir(2)` per instance: creating inodes is the dearest part of starting a container
    /// on some file systems (journal-less ext4 scans past every recently deleted inode).
    public func scratchDirectory(container: String, restartCount: Int) throws -> URL {
        if restartCount > 0 {
            try? FileManager.default.removeItem(at: scratchLocation(container: container, restartCount: restartCount - 1))
        }
        let directory = scratchLocation(container: container, restartCount: restartCount)
        let path = directory.path
        if mkdir(path, 0o700) != 0 {
            // A stale directory of that instance (a crashed run): replace it.
            guard errno == EEXIST else { throw RunDirectoryError("cannot create \(path): \(String(cString: strerror(errno)))") }
            try FileManager.default.removeItem(atPath: path)
            guard mkdir(path, 0o700) == 0 else { throw RunDirectoryError("cannot create \(path): \(String(cString: strerror(errno)))") }
        }
        return directory
    }

    /// Writes `data` to `file` atomically (a reader never sees half a file).
    public func writeAtomically(_ data: Data, to file: URL) {
        try? data.write(to: file, options: .atomic)
    }

    /// Deletes the whole directory; the lock is released afterwards.
    public func remove() {
        try? FileManager.default.removeItem(at: url)
        release()
    }

    /// Releases the lock (the pod is no longer running) and keeps the files.
    public func release() {
        lockDescriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            close(descriptor)
            descriptor = -1
        }
    }
}

/// A run directory could not be set up; the message says why and what to do.
public struct RunDirectoryError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
