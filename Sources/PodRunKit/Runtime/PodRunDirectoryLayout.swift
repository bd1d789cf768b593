import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a pod's run directory and the files in it are, for the parts of podrun that read them
/// (`podrun logs`). The supervisor creates the directory; this type only names paths and looks.
///
/// ```
/// <state root>/pods/<pod>/            state root: --state-dir, else ${XDG_STATE_HOME:-$HOME/.local/state}/podrun
///   status.json                       phase, finished, containers [{name, kind, restartCount}]
///   lock                              flock(LOCK_EX) by the live supervisor
///   logs/<container>/<n>.log          CRI log of instance n (n = restart count)
///   logs/<container>/<n>.log.1, .2    rotated parts, .1 the newest
/// ```
public struct PodRunDirectoryLayout: Sendable, Hashable {
    /// `<state root>/pods/<pod>`.
    public let runDirectory: URL

    public init(runDirectory: URL) {
        self.runDirectory = runDirectory
    }

    public init(stateRoot: URL, pod: String) {
        self.init(runDirectory: stateRoot.appendingPathComponent("pods").appendingPathComponent(pod))
    }

    /// `explicit` (`--state-dir`) if given, else `$XDG_STATE_HOME/podrun` when that is an absolute
    /// path (as the XDG spec requires), else `$HOME/.local/state/podrun`.
    public static func stateRoot(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit, !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("podrun")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/state/podrun")
    }

    public var logsDirectory: URL { runDirectory.appendingPathComponent("logs") }
    public var statusFile: URL { runDirectory.appendingPathComponent("status.json") }
    public var lockFile: URL { runDirectory.appendingPathComponent("lock") }

    /// `logs/<container>`, the `logDirectory` of a `ContainerOutputCapture`.
    public func logDirectory(container: String) -> URL {
        logsDirectory.appendingPathComponent(container)
    }

    /// `logs/<container>/<restartCount>.log`, or its rotated part `generation` (1 = newest).
    public func logFile(container: String, restartCount: Int, generation: Int = 0) -> URL {
        logDirectory(container: container)
            .appendingPathComponent(LogRotation.fileName(restartCount: restartCount, generation: generation))
    }

    public var exists: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: runDirectory.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The restart counts of `container` that have a log file, ascending.
    public func instances(of container: String) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: logDirectory(container: container).path)) ?? []
        var counts = Set<Int>()
        for name in names where name.hasSuffix(".log") {
            if let count = Int(name.dropLast(4)), count >= 0 { counts.insert(count) }
        }
        return counts.sorted()
    }

    /// The rotated parts of an instance's log that exist, oldest first (`N.log.2`, `N.log.1`),
    /// as generation numbers; the current file (generation 0) is not included.
    public func rotatedGenerations(container: String, restartCount: Int) -> [Int] {
        let prefix = LogRotation.fileName(restartCount: restartCount) + "."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: logDirectory(container: container).path)) ?? []
        return names.compactMap { name in
            guard name.hasPrefix(prefix), let generation = Int(name.dropFirst(prefix.count)), generation > 0 else { return nil }
            return generation
        }.sorted(by: >)
    }

    /// Container names that have a log directory, sorted (used when `status.json` is missing).
    public func containersWithLogs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: logsDirectory.path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: logDirectory(container: name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }

    /// True while a supervisor holds the pod's lock: a shared, non-blocking `flock` on `lock`
    /// fails with `EWOULDBLOCK`. No lock file, or a lock nobody holds, means the pod has ended.
    public func isSupervisorRunning() -> Bool {
        let fd = open(lockFile.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        while true {
            if flock(fd, LOCK_SH | LOCK_NB) == 0 { return false }
            if errno == EINTR { continue }
            return errno == EWOULDBLOCK
        }
    }
}
