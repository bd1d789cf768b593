import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct VolumeUsageWatcherTests {
    struct Exceeded: Sendable, Equatable {
        let volume: String
        let usage: Int64
        let limit: Int64
    }

    static func write(_ bytes: Int, to url: URL) throws {
        try Data(repeating: 0x61, count: bytes).write(to: url)
    }

    static func volumes(in scratch: URL, limit: String?) throws -> PodVolumes {
        let pod = environmentPod(
            containers: [Container(name: "app", command: ["true"])],
            volumes: [Volume(name: "data", emptyDir: .init(sizeLimit: limit.flatMap(Quantity.init)))])
        return try PodVolumes.create(for: pod, runDirectory: scratch)
    }

    @Test func firesWhenAVolumeExceedsItsLimit() async throws {
        try await withEnvironmentScratch { scratch in
            let volumes = try Self.volumes(in: scratch, limit: "64Ki")
            let (stream, continuation) = AsyncStream.makeStream(of: Exceeded.self)
            let watcher = VolumeUsageWatcher(volumes: volumes, limits: volumes.sizeLimits, interval: .milliseconds(20)) {
                continuation.yield(Exceeded(volume: $0, usage: $1, limit: $2))
            }
            watcher.start()
            defer { watcher.stop() }
            #expect(watcher.isPolling)
            try Self.write(256 * 1024, to: volumes.directory(of: "data").appendingPathComponent("big"))
            let exceeded = try await firstElement(of: stream, within: .seconds(10), what: "the sizeLimit callback")
            #expect(exceeded.volume == "data" && exceeded.limit == 65536)
            #expect(exceeded.usage >= 256 * 1024)
        }
    }

    @Test func reportsEachVolumeOnceAndNothingUnderTheLimit() async throws {
        try await withEnvironmentScratch { scratch in
            let volumes = try Self.volumes(in: scratch, limit: "100k")
            let calls = Locked<[Exceeded]>([])
            let watcher = VolumeUsageWatcher(volumes: volumes, limits: volumes.sizeLimits) {
                let call = Exceeded(volume: $0, usage: $1, limit: $2)
                calls.withLock { $0.append(call) }
            }
            let file = volumes.directory(of: "data").appendingPathComponent("f")
            try Self.write(40_000, to: file)
            #expect(watcher.check()["data"].map { $0 >= 40_000 && $0 <= 100_000 } == true)
            #expect(calls.withLock { $0 }.isEmpty)
            try Self.write(200_000, to: file)
            watcher.check()
            watcher.check()
            #expect(calls.withLock { $0 }.map(\.volume) == ["data"])
        }
    }

    @Test func withoutLimitsNothingPolls() async throws {
        try await withEnvironmentScratch { scratch in
            let volumes = try Self.volumes(in: scratch, limit: nil)
            let watcher = VolumeUsageWatcher(volumes: volumes, limits: volumes.sizeLimits) { _, _, _ in }
            watcher.start()
            #expect(!watcher.isPolling)
        }
    }

    @Test func stopEndsPolling() async throws {
        try await withEnvironmentScratch { scratch in
            let volumes = try Self.volumes(in: scratch, limit: "1Mi")
            let watcher = VolumeUsageWatcher(volumes: volumes, limits: volumes.sizeLimits) { _, _, _ in }
            watcher.start()
            #expect(watcher.isPolling)
            watcher.stop()
            #expect(!watcher.isPolling)
        }
    }

    @Test func usageCountsHardLinksOnceAndNeverFollowsLinks() async throws {
        try await withEnvironmentScratch { scratch in
            let root = scratch.appendingPathComponent("vol")
            let outside = scratch.appendingPathComponent("outside")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            try Self.write(1_000_000, to: outside.appendingPathComponent("huge"))
            let before = VolumeUsage.bytes(at: root.path)
            try Self.write(100_000, to: root.appendingPathComponent("sub/a"))
            let one = VolumeUsage.bytes(at: root.path) - before
            #expect(link(root.appendingPathComponent("sub/a").path, root.appendingPathComponent("b").path) == 0)
            #expect(symlink(outside.path, root.appendingPathComponent("out").path) == 0)
            let after = VolumeUsage.bytes(at: root.path) - before
            #expect(one >= 100_000 && one < 200_000)
            #expect(after < one + 8192, "a second name for the same file and a link to a big directory add (almost) nothing")
        }
    }
}
