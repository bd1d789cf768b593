import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct PodVolumesTests {
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return mode_t(info.st_mode) & 0o777
    }

    static func pod(uid: String = PodMetadata.generateUID(), mounts: [VolumeMount] = [], volumes: [Volume]) -> Pod {
        environmentPod(
            uid: uid,
            containers: [
                Container(name: "app", command: ["true"], volumeMounts: mounts),
                Container(name: "sidecar", command: ["true"], volumeMounts: mounts),
            ],
            volumes: volumes)
    }

    @Test func emptyDirsArePrivateDirectoriesInTheRunDirectoryAndGoAwayWithThePod() async throws {
        try await withEnvironmentScratch { scratch in
            let run = scratch.appendingPathComponent("pods/web")
            let volumes = try PodVolumes.create(
                for: Self.pod(volumes: [Volume(name: "shared", emptyDir: .init()), Volume(name: "cache", emptyDir: .init())]),
                runDirectory: run)
            let shared = volumes.directory(of: "shared")
            #expect(shared.path == run.appendingPathComponent("volumes/shared").path)
            #expect(Self.mode(shared.path) == 0o700)
            #expect(Self.mode(run.appendingPathComponent("volumes").path) == 0o700)
            #expect(volumes.warnings.isEmpty)
            #expect(volumes.volumes["shared"]?.storage == .disk)
            try "x".write(to: shared.appendingPathComponent("f"), atomically: false, encoding: .utf8)
            #expect(volumes.remove().isEmpty)
            #expect(VolumeFiles.entry(at: shared.path) == nil)
            #expect(VolumeFiles.entry(at: run.appendingPathComponent("volumes").path) == nil)
            #expect(VolumeFiles.entry(at: run.path)?.kind == .directory, "the run directory is not the volumes' to delete")
        }
    }

    @Test func anEmptyDirLeftByAnEarlierRunStartsEmpty() async throws {
        try await withEnvironmentScratch { scratch in
            let pod = Self.pod(volumes: [Volume(name: "data", emptyDir: .init())])
            let first = try PodVolumes.create(for: pod, runDirectory: scratch)
            try "old".write(to: first.directory(of: "data").appendingPathComponent("old.txt"), atomically: false, encoding: .utf8)
            let second = try PodVolumes.create(for: pod, runDirectory: scratch)
            #expect(VolumeFiles.names(in: second.directory(of: "data").path).isEmpty)
        }
    }

    @Test func removalDeletesReadOnlyDirectoriesAContainerLeft() async throws {
        try await withEnvironmentScratch { scratch in
            let volumes = try PodVolumes.create(for: Self.pod(volumes: [Volume(name: "data", emptyDir: .init())]), runDirectory: scratch)
            let locked = volumes.directory(of: "data").appendingPathComponent("locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false)
            try "x".write(to: locked.appendingPathComponent("f"), atomically: false, encoding: .utf8)
            #expect(chmod(locked.path, 0o500) == 0)
            #expect(volumes.remove().isEmpty)
            #expect(VolumeFiles.entry(at: volumes.directory(of: "data").path) == nil)
        }
    }

    @Test func removalNeverFollowsLinksOutOfAVolume() async throws {
        try await withEnvironmentScratch { scratch in
            let outside = scratch.appendingPathComponent("outside")
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: false)
            try "keep".write(to: outside.appendingPathComponent("keep.txt"), atomically: false, encoding: .utf8)
            let volumes = try PodVolumes.create(
                for: Self.pod(volumes: [Volume(name: "data", emptyDir: .init())]), runDirectory: scratch.appendingPathComponent("run"))
            #expect(symlink(outside.path, volumes.directory(of: "data").appendingPathComponent("link").path) == 0)
            volumes.remove()
            #expect(VolumeFiles.entry(at: outside.appendingPathComponent("keep.txt").path)?.kind == .regularFile)
        }
    }

    @Test func hostPathsAreUsedInPlaceAndNeverRemoved() async throws {
        try await withEnvironmentScratch { scratch in
            let host = scratch.appendingPathComponent("host")
            try FileManager.default.createDirectory(at: host, withIntermediateDirectories: false)
            let volumes = try PodVolumes.create(
                for: Self.pod(volumes: [Volume(name: "host", hostPath: .init(path: host.path, type: "Directory"))]),
                runDirectory: scratch.appendingPathComponent("run"))
            #expect(volumes.directory(of: "host").path == host.path)
            #expect(volumes.volumes["host"]?.isEphemeral == false)
            volumes.remove()
            #expect(VolumeFiles.entry(at: host.path)?.kind == .directory)
        }
    }

    struct HostPathCase: Sendable, CustomStringConvertible {
        /// What to put at the path first: nil (nothing), "dir" or "file".
        let existing: String?
        let type: String?
        /// nil when creation succeeds; else a fragment of the error.
        let error: String?
        var description: String { "\(existing ?? "nothing") with type \(type ?? "unset")" }
    }

    @Test(arguments: [
        HostPathCase(existing: nil, type: nil, error: "does not exist (create it, or set hostPath.type: DirectoryOrCreate)"),
        HostPathCase(existing: "dir", type: nil, error: nil),
        HostPathCase(existing: "file", type: nil, error: nil),
        HostPathCase(existing: nil, type: "Directory", error: "does not exist"),
        HostPathCase(existing: "file", type: "Directory", error: "is not a directory (hostPath.type: Directory)"),
        HostPathCase(existing: nil, type: "DirectoryOrCreate", error: nil),
        HostPathCase(existing: "file", type: "DirectoryOrCreate", error: "is not a directory"),
        HostPathCase(existing: "file", type: "File", error: nil),
        HostPathCase(existing: "dir", type: "File", error: "is not a regular file"),
        HostPathCase(existing: nil, type: "FileOrCreate", error: nil),
        HostPathCase(existing: "dir", type: "Socket", error: "is not a socket"),
        HostPathCase(existing: "dir", type: "Folder", error: "has an unknown hostPath.type \"Folder\""),
    ])
    func hostPathTypes(_ c: HostPathCase) async throws {
        try await withEnvironmentScratch { scratch in
            let path = scratch.appendingPathComponent("nested/host")
            switch c.existing {
            case "dir": try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
            case "file":
                try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                try "x".write(to: path, atomically: false, encoding: .utf8)
            default:
                if c.type == "FileOrCreate" {
                    try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
                }
            }
            let pod = Self.pod(volumes: [Volume(name: "host", hostPath: .init(path: path.path, type: c.type))])
            if let fragment = c.error {
                let error = #expect(throws: VolumeError.self) { try PodVolumes.create(for: pod, runDirectory: scratch.appendingPathComponent("run")) }
                #expect(error?.description.hasPrefix("volume \"host\": \(path.path) ") == true)
                #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
            } else {
                let volumes = try PodVolumes.create(for: pod, runDirectory: scratch.appendingPathComponent("run"))
                #expect(volumes.directory(of: "host").path == path.path)
                #expect(VolumeFiles.entry(at: path.path) != nil)
            }
        }
    }

    @Test func aFailedCreationLeavesNoEmptyDirBehind() async throws {
        try await withEnvironmentScratch { scratch in
            let run = scratch.appendingPathComponent("run")
            let pod = Self.pod(volumes: [
                Volume(name: "scratch", emptyDir: .init()),
                Volume(name: "missing", hostPath: .init(path: scratch.appendingPathComponent("nope").path)),
            ])
            #expect(throws: VolumeError.self) { try PodVolumes.create(for: pod, runDirectory: run) }
            #expect(VolumeFiles.entry(at: run.appendingPathComponent("volumes/scratch").path) == nil)
        }
    }

    @Test func subPathsAreCreatedInsideTheirVolumes() async throws {
        try await withEnvironmentScratch { scratch in
            let host = scratch.appendingPathComponent("host")
            try FileManager.default.createDirectory(at: host, withIntermediateDirectories: false)
            let mounts = [
                VolumeMount(name: "data", mountPath: "/etc/app", subPath: "config/app"),
                VolumeMount(name: "host", mountPath: "/srv", subPath: "site"),
            ]
            let volumes = try PodVolumes.create(
                for: Self.pod(mounts: mounts, volumes: [Volume(name: "data", emptyDir: .init()), Volume(name: "host", hostPath: .init(path: host.path))]),
                runDirectory: scratch.appendingPathComponent("run"))
            let config = try #require(volumes.directory(for: mounts[0]))
            #expect(config.path == volumes.directory(of: "data").appendingPathComponent("config/app").path)
            #expect(VolumeFiles.entry(at: config.path)?.kind == .directory)
            #expect(VolumeFiles.entry(at: host.appendingPathComponent("site").path)?.kind == .directory)
            #expect(volumes.directory(for: VolumeMount(name: "unknown", mountPath: "/x")) == nil)
        }
    }

    @Test func aSubPathMayNotLeaveItsVolumeThroughALink() async throws {
        try await withEnvironmentScratch { scratch in
            let host = scratch.appendingPathComponent("host")
            try FileManager.default.createDirectory(at: host, withIntermediateDirectories: false)
            #expect(symlink(scratch.path, host.appendingPathComponent("escape").path) == 0)
            let mounts = [VolumeMount(name: "host", mountPath: "/srv", subPath: "escape/elsewhere")]
            let error = #expect(throws: VolumeError.self) {
                try PodVolumes.create(
                    for: Self.pod(mounts: mounts, volumes: [Volume(name: "host", hostPath: .init(path: host.path))]),
                    runDirectory: scratch.appendingPathComponent("run"))
            }
            #expect(error?.problem.contains("leaves the volume through a symbolic link") == true)
        }
    }

    @Test func memoryMediumIsRAMBackedWhereTheOSHasIt() async throws {
        try await withEnvironmentScratch { scratch in
            let uid = "test-\(UUID().uuidString.prefix(8).lowercased())"
            let run = scratch.appendingPathComponent("run")
            let volumes = try PodVolumes.create(
                for: Self.pod(uid: uid, volumes: [Volume(name: "tmp", emptyDir: .init(medium: "Memory"))]), runDirectory: run)
            let link = run.appendingPathComponent("volumes/tmp").path
            #if os(Linux)
            if access("/dev/shm", W_OK) == 0 {
                let directory = "/dev/shm/podrun-\(uid)-tmp"
                #expect(volumes.directory(of: "tmp").path == directory)
                #expect(volumes.volumes["tmp"]?.storage == .memory)
                #expect(Self.mode(directory) == 0o700)
                #expect(VolumeFiles.entry(at: link)?.kind == .symbolicLink)
                #expect(VolumeFiles.realPath(link) == directory)
                #expect(volumes.warnings.isEmpty)
                volumes.remove()
                #expect(VolumeFiles.entry(at: directory) == nil)
                #expect(VolumeFiles.entry(at: link) == nil)
                return
            }
            #endif
            #expect(volumes.volumes["tmp"]?.storage == .disk)
            #expect(VolumeFiles.entry(at: link)?.kind == .directory)
            #expect(volumes.warnings == ["volume \"tmp\": medium Memory is not available on this system; using a directory on disk (\(link))"])
            volumes.remove()
        }
    }

    #if os(Linux)
    @Test(.enabled(if: access("/dev/shm", W_OK) == 0))
    func aMemoryDirectoryLeftByAnEarlierRunIsReusedEmptyButAPlantedLinkIsRefused() async throws {
        try await withEnvironmentScratch { scratch in
            let uid = "test-\(UUID().uuidString.prefix(8).lowercased())"
            let directory = "/dev/shm/podrun-\(uid)-tmp"
            let pod = Self.pod(uid: uid, volumes: [Volume(name: "tmp", emptyDir: .init(medium: "Memory"))])
            #expect(mkdir(directory, 0o755) == 0)
            #expect(FileManager.default.createFile(atPath: directory + "/old", contents: Data("x".utf8)))
            let volumes = try PodVolumes.create(for: pod, runDirectory: scratch.appendingPathComponent("run"))
            #expect(VolumeFiles.names(in: directory).isEmpty)
            #expect(Self.mode(directory) == 0o700)
            volumes.remove()

            #expect(symlink(scratch.path, directory) == 0)
            defer { unlink(directory) }
            let error = #expect(throws: VolumeError.self) { try PodVolumes.create(for: pod, runDirectory: scratch.appendingPathComponent("run2")) }
            #expect(error?.problem == "exists and is not a directory of this user")
        }
    }
    #endif

    @Test func sizeLimitsAreReportedInBytes() async throws {
        try await withEnvironmentScratch { scratch in
            let volumes = try PodVolumes.create(
                for: Self.pod(volumes: [
                    Volume(name: "small", emptyDir: .init(sizeLimit: Quantity("1Mi"))), Volume(name: "free", emptyDir: .init()),
                ]),
                runDirectory: scratch)
            #expect(volumes.sizeLimits == ["small": 1_048_576])
        }
    }
}
