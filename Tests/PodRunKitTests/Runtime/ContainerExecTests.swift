import Foundation
import Testing
@testable import PodRunKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Commands run beside a container, under its shim (`ShimProcess.exec`).
@Suite("exec under the container's shim")
struct ContainerExecTests {
    let launcher: ProcessLauncher
    let directory: URL

    init() throws {
        launcher = ProcessLauncher(shimPath: try ProcessLauncher.locateShim())
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-exec-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A container (`sleep 30`) with `GREETING` in its environment, in `directory`.
    func container() async throws -> ShimProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["GREETING"] = "hello"
        let spec = ProcessLaunchSpec(argv: ["sleep", "30"], workingDirectory: directory.path, environment: environment, standardOutput: 1, standardError: 2)
        return try await launcher.launch(spec) { _ in }
    }

    @Test("runs with the container's environment and working directory; output and exit code come back; many in a row")
    func runsLikeTheContainer() async throws {
        let process = try await container()
        defer { process.killImmediately() }
        for attempt in 1...5 {
            let result = await process.exec(["/bin/sh", "-c", "echo $GREETING from $(pwd); echo oops >&2; exit \(attempt)"])
            #expect(result == .exited(ProcessExit(exitCode: Int32(attempt)), output: Array("hello from \(directory.path)\noops\n".utf8), truncated: false))
        }
    }

    @Test("several at once")
    func concurrent() async throws {
        let process = try await container()
        defer { process.killImmediately() }
        let results = await withTaskGroup(of: ContainerExecResult.self) { group in
            for index in 0..<8 { group.addTask { await process.exec(["/bin/sh", "-c", "sleep 0.1; echo \(index)"]) } }
            var all: [ContainerExecResult] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { if case .exited(ProcessExit(exitCode: 0), _, false) = $0 { true } else { false } })
    }

    @Test("a program that cannot start says why")
    func cannotStart() async throws {
        let process = try await container()
        defer { process.killImmediately() }
        #expect(await process.exec(["no-such-program-podrun"]) == .couldNotStart(message: "exec \"no-such-program-podrun\": executable file not found in $PATH"))
    }

    @Test("output beyond 4 KiB is cut and marked")
    func truncated() async throws {
        let process = try await container()
        defer { process.killImmediately() }
        guard case .exited(let exit, let output, let truncated) = await process.exec(["/bin/sh", "-c", "head -c 100000 /dev/zero"]) else {
            Issue.record("did not run")
            return
        }
        #expect(exit == ProcessExit(exitCode: 0))
        #expect(output.count == 4096)
        #expect(truncated)
    }

    @Test("cancelling kills the command's whole group; the result comes once it is gone")
    func cancellation() async throws {
        let process = try await container()
        defer { process.killImmediately() }
        let pidFile = directory.appendingPathComponent("bg.pid").path
        let task = Task { await process.exec(["/bin/sh", "-c", "sleep 30 & echo $! > \(pidFile); wait"]) }
        #expect(await eventually { FileManager.default.fileExists(atPath: pidFile) && ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").hasSuffix("\n") })
        task.cancel()
        #expect(await task.value == .exited(ProcessExit(exitCode: 137, signal: SIGKILL), output: [], truncated: false))
        let grandchild = try #require(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { processIsGone(grandchild) })
    }

    @Test("a command still running when the container ends ends with it")
    func containerEnds() async throws {
        let process = try await container()
        let task = Task { await process.exec(["sleep", "30"]) }
        try await Task.sleep(for: .milliseconds(100))
        process.killImmediately()
        let result = await task.value
        #expect(result == .containerExited)
        #expect(await process.exec(["true"]) == .couldNotStart(message: "the container is not running"))
    }
}
