import Foundation
import Testing

@testable import PodRunKit

/// A fresh directory for one test, deleted (read-only leftovers included) when the test ends.
func withEnvironmentScratch<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("podrun-env-\(UUID().uuidString.prefix(8))", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { VolumeFiles.removeTree(directory.path) }
    return try await body(directory)
}

/// A pod for environment tests: one or more containers, optional volumes.
func environmentPod(
    name: String = "web", uid: String = "0b7c6a4e-test", labels: [String: String] = [:], annotations: [String: String] = [:],
    initContainers: [Container] = [], containers: [Container], volumes: [Volume] = []
) -> Pod {
    Pod(
        metadata: PodMetadata(name: name, namespace: "team-a", uid: uid, labels: labels, annotations: annotations),
        spec: PodSpec(initContainers: initContainers, containers: containers, volumes: volumes))
}

struct EnvironmentTestTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// The first element of `stream`, or `EnvironmentTestTimeout` after `timeout`.
func firstElement<T: Sendable>(of stream: AsyncStream<T>, within timeout: Duration, what: String) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { await stream.first { _ in true } }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw EnvironmentTestTimeout(what: what)
        }
        defer { group.cancelAll() }
        guard let value = try await group.next() ?? nil else { throw EnvironmentTestTimeout(what: what) }
        return value
    }
}
