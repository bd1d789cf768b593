import Foundation
import Testing
@testable import PodRunKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pod run with real `/bin/sh` containers in a private state root. `tearDown` kills whatever
/// still runs; the files go when the value does, after the test's assertions read them.
final class LivePod {
    let supervisor: PodSupervisor
    let events = EventCollector()
    let stateRoot: URL
    /// A scratch directory tests use for marker files.
    let scratch: URL

    private let base: URL

    /// `$SCRATCH` in the YAML stands for the scratch directory. Remember that Kubernetes expands
    /// `$(VAR)` in commands and turns `$$` into `$`: a shell's `$$` is written `$$$$`.
    init(_ yaml: String, backOff: BackOffPolicy = BackOffPolicy(initial: .milliseconds(100), maximum: .milliseconds(400)), keep: Bool = false) throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-test-\(UUID().uuidString.prefix(8))")
        stateRoot = base.appendingPathComponent("state")
        scratch = base.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let text = yaml.replacingOccurrences(of: "$SCRATCH", with: scratch.path)
        let loaded = PodLoader.load(text: text, file: "test.yaml")
        guard let pod = loaded.pod else {
            throw TestFailure("the test pod does not load: \(loaded.diagnostics.map(\.description).joined(separator: "\n"))")
        }
        var options = RunOptions()
        options.backOff = backOff
        options.stateRoot = stateRoot
        options.keepRunDirectory = keep
        options.portMode = .auto
        do {
            supervisor = try PodSupervisor(pod: pod, options: options, onEvent: events.handler)
        } catch {
            // deinit does not run for a half-built object: clean up here.
            try? FileManager.default.removeItem(at: base)
            throw error
        }
    }

    func start() async { await supervisor.start() }

    /// Waits for the pod to end; kills it if it does not within `timeout`.
    @discardableResult
    func finished(timeout: Duration = .seconds(30)) async -> PodPhase? {
        guard await events.wait("PodFinished", timeout: timeout) != nil else {
            await supervisor.kill()
            _ = await supervisor.waitUntilFinished()
            return nil
        }
        return await supervisor.waitUntilFinished()
    }

    /// Kills whatever still runs (a failed test must not leave processes behind).
    func tearDown() async {
        if await !supervisor.status.finished {
            await supervisor.kill()
            _ = await supervisor.waitUntilFinished()
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: base)
    }

    func read(_ name: String) -> String {
        (try? String(contentsOf: scratch.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    func lines(_ name: String) -> [String] {
        read(name).split(separator: "\n").map(String.init)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Whether a process still exists (zombies included until reaped).
func processExists(_ pid: Int32) -> Bool { !processIsGone(pid) }

/// Waits until none of `pids` exists, or `timeout` passes.
func waitUntilGone(_ pids: [Int32], timeout: Duration = .seconds(5)) async -> Bool {
    await eventually(timeout: timeout) { pids.allSatisfy(processIsGone) }
}

@Suite("PodSupervisor with real processes")
struct PodSupervisorTests {
    @Test("init containers run in order before the regular containers; a Never pod whose containers exit 0 Succeeds")
    func ordering() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: ordering}
            spec:
              restartPolicy: Never
              initContainers:
              - {name: first, command: [/bin/sh, -c, "echo first >> $SCRATCH/order"]}
              - {name: second, command: [/bin/sh, -c, "echo second >> $SCRATCH/order"]}
              containers:
              - {name: app, command: [/bin/sh, -c, "echo app >> $SCRATCH/order"]}
            """)
        await pod.start()
        let phase = await pod.finished()
        await pod.tearDown()
        #expect(phase == .succeeded)
        #expect(pod.lines("order") == ["first", "second", "app"])
        #expect(pod.events.names(["Started", "Exited", "PodInitialized"]) == [
            "first Started", "first Exited", "second Started", "second Exited", "PodInitialized", "app Started", "app Exited",
        ])
    }

    @Test("a crashing container restarts with the configured back-off: immediately, then 100 ms, 200 ms, 400 ms")
    func restartsWithBackOff() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: crashing}
            spec:
              containers:
              - {name: crasher, command: [/bin/sh, -c, "exit 3"]}
            """, backOff: BackOffPolicy(initial: .milliseconds(100), maximum: .seconds(5)))
        // A maximum of 5 s: an instance would have to run 10 s (2 × max) to reset the schedule,
        // which a slow machine cannot make it do by accident.
        await pod.start()
        _ = await pod.events.wait { if case .started(4, _) = $0.event.kind { true } else { false } }
        await pod.supervisor.stop()
        await pod.finished()
        await pod.tearDown()
        let records = pod.events.records.filter { ["Started", "Exited", "BackOff"].contains($0.event.type) }
        // Immediately after the first exit, then after a BackOff of 100, 200, 400 ms (capped).
        let sequence = records.prefix(11).map { record -> String in
            if case .backOff(let delay, _) = record.event.kind { return "BackOff \(delay)" }
            return record.event.type
        }
        #expect(sequence == [
            "Started", "Exited", "Started", "Exited", "BackOff 0.1", "Started", "Exited", "BackOff 0.2", "Started", "Exited", "BackOff 0.4",
        ])
        // Each delayed restart really waited at least its delay (speed is for benchmarks).
        for (index, record) in records.enumerated() {
            guard case .backOff(let delay, _) = record.event.kind, index + 1 < records.count else { continue }
            let exited = records[index - 1].time, restarted = records[index + 1].time
            #expect(restarted.timeIntervalSince(exited) >= delay - 0.005)
        }
    }

    @Test("on stop, regular containers get SIGTERM first, then sidecars in reverse order, each after the later ones exited")
    func sidecarReverseShutdown() async throws {
        func trapping(_ name: String) -> String {
            "[/bin/sh, -c, \"trap 'echo \(name) >> $SCRATCH/stopped; exit 0' TERM; echo \(name) >> $SCRATCH/up; while true; do sleep 0.05; done\"]"
        }
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: shutdown-order}
            spec:
              initContainers:
              - {name: first, restartPolicy: Always, command: \(trapping("first"))}
              - {name: second, restartPolicy: Always, command: \(trapping("second"))}
              containers:
              - {name: app, command: \(trapping("app"))}
              - {name: worker, command: \(trapping("worker"))}
            """)
        await pod.start()
        _ = await pod.events.wait("Started", "worker")
        await pod.supervisor.stop()
        let phase = await pod.finished()
        await pod.tearDown()
        #expect(phase == .succeeded)
        let stopped = pod.lines("stopped")
        #expect(Set(stopped.prefix(2)) == ["app", "worker"])
        #expect(Array(stopped.dropFirst(2)) == ["second", "first"])
    }

    @Test("a process group that ignores SIGTERM, grandchildren included, is SIGKILLed when the grace period runs out")
    func sigkillAfterGrace() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: stubborn}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: stubborn
                command: [/bin/sh, -c, "trap '' TERM; sleep 1000 & echo $! >> $SCRATCH/pids; sleep 1000 & echo $! >> $SCRATCH/pids; echo up >> $SCRATCH/up; wait"]
            """)
        await pod.start()
        _ = await pod.events.wait("Started", "stubborn")
        let deadline = ContinuousClock.now + .seconds(5)
        while pod.lines("up").isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        await pod.supervisor.stop()
        let phase = await pod.finished()
        await pod.tearDown()
        let exited = pod.events.first("Exited", "stubborn")
        #expect(exited?.event.kind == .exited(exitCode: 137, signal: SIGKILL, reason: "Error", restartCount: 0))
        // The kubelet's 2-second minimum between SIGTERM and SIGKILL applies to the 1 s grace period.
        if let killing = pod.events.first("Killing"), let exited {
            #expect(exited.time.timeIntervalSince(killing.time) >= 1.9)
        }
        #expect(phase == .failed)
        let grandchildren = pod.lines("pids").compactMap { Int32($0) }
        #expect(grandchildren.count == 2)
        #expect(await waitUntilGone(grandchildren))
    }

    struct StartFailure: Sendable, CustomTestStringConvertible {
        var command: String
        var workingDir: String?
        var message: String
        var testDescription: String { message }
    }

    @Test("a program that cannot start is a StartFailed event and an Exited 128 StartError, never a hang", arguments: [
        StartFailure(command: "[/nonexistent/program]", message: "exec \"/nonexistent/program\": no such file or directory"),
        StartFailure(command: "[no-such-program-podrun]", message: "exec \"no-such-program-podrun\": executable file not found in $PATH"),
        StartFailure(command: "[$SCRATCH/not-executable]", message: "exec \"$SCRATCH/not-executable\": permission denied"),
        StartFailure(command: "[/bin/true]", workingDir: "/nonexistent/dir", message: "chdir \"/nonexistent/dir\": no such file or directory"),
    ])
    func startFailures(_ failure: StartFailure) async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: cannot-start}
            spec:
              restartPolicy: Never
              containers:
              - name: broken
                command: \(failure.command)
            \(failure.workingDir.map { "    workingDir: \($0)" } ?? "")
            """)
        _ = FileManager.default.createFile(atPath: pod.scratch.appendingPathComponent("not-executable").path, contents: Data("echo\n".utf8))
        await pod.start()
        let phase = await pod.finished()
        await pod.tearDown()
        #expect(phase == .failed)
        let message = failure.message.replacingOccurrences(of: "$SCRATCH", with: pod.scratch.path)
        #expect(pod.events.first("StartFailed")?.event.kind == .startFailed(reason: "StartError", message: message))
        #expect(pod.events.first("Exited")?.event.kind == .exited(exitCode: 128, signal: nil, reason: "StartError", restartCount: 0))
    }

    @Test("exit codes as runtimes report them", arguments: [
        ("exit 0", Int32(0), Int32?.none, "Completed"), ("exit 7", 7, nil, "Error"),
        ("kill -TERM $$$$", 143, SIGTERM, "Error"), ("kill -KILL $$$$", 137, SIGKILL, "Error"),
    ])
    func exitCodes(script: String, exitCode: Int32, signal: Int32?, reason: String) async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: exit-codes}
            spec:
              restartPolicy: Never
              containers:
              - {name: app, command: [/bin/sh, -c, "\(script)"]}
            """)
        await pod.start()
        let phase = await pod.finished()
        await pod.tearDown()
        #expect(pod.events.first("Exited")?.event.kind == .exited(exitCode: exitCode, signal: signal, reason: reason, restartCount: 0))
        #expect(phase == (exitCode == 0 ? .succeeded : .failed))
    }

    @Test("sh -c 'sleep 30 & exit 0' ends at once and its background child is killed")
    func backgroundChildDoesNotDelayExit() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: background}
            spec:
              restartPolicy: Never
              containers:
              - {name: app, command: [/bin/sh, -c, "sleep 30 & echo $! > $SCRATCH/pid; exit 0"]}
            """)
        await pod.start()
        let phase = await pod.finished(timeout: .seconds(5))
        await pod.tearDown()
        #expect(phase == .succeeded)
        if let started = pod.events.first("Started"), let exited = pod.events.first("Exited") {
            #expect(exited.time.timeIntervalSince(started.time) < 2)
        }
        let child = pod.lines("pid").compactMap { Int32($0) }
        #expect(child.count == 1)
        #expect(await waitUntilGone(child))
    }

    @Test("every container instance starts in a fresh, empty working directory")
    func freshScratchDirectory() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: scratch}
            spec:
              restartPolicy: OnFailure
              containers:
              - name: app
                command: [/bin/sh, -c, "ls -A | wc -l | tr -d ' ' >> $SCRATCH/seen; pwd >> $SCRATCH/dirs; touch leftover; [ $(wc -l < $SCRATCH/dirs) -ge 3 ] || exit 1"]
            """)
        await pod.start()
        let phase = await pod.finished()
        await pod.tearDown()
        #expect(phase == .succeeded)
        #expect(pod.lines("seen") == ["0", "0", "0"])
        #expect(Set(pod.lines("dirs")).count == 3)
    }

    @Test("containers inherit podrun's environment plus their env values")
    func environment() async throws {
        setenv("PODRUN_TEST_INHERITED", "from-podrun", 1)
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: env}
            spec:
              restartPolicy: Never
              containers:
              - name: app
                env: [{name: GREETING, value: hello}]
                command: [/bin/sh, -c, "echo $PODRUN_TEST_INHERITED $GREETING > $SCRATCH/env"]
            """)
        await pod.start()
        await pod.finished()
        await pod.tearDown()
        #expect(pod.lines("env") == ["from-podrun hello"])
    }

    @Test("a second supervisor for a running pod of the same name is refused; the run directory goes when the pod ends")
    func runDirectoryLifecycle() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: unique}
            spec:
              containers:
              - {name: app, command: [/bin/sh, -c, "exec sleep 30"]}
            """)
        await pod.start()
        _ = await pod.events.wait("Started", "app")
        var options = RunOptions()
        options.stateRoot = pod.stateRoot
        #expect(throws: RunDirectoryError.self) {
            _ = try PodSupervisor(pod: pod.supervisor.pod, options: options)
        }
        #expect(PodRunDirectoryLayout(stateRoot: pod.stateRoot, pod: "unique").isSupervisorRunning())
        let directory = pod.supervisor.runDirectory.url
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("events.jsonl").path))
        await pod.supervisor.stop()
        await pod.finished()
        #expect(!FileManager.default.fileExists(atPath: directory.path))
        #expect(!PodRunDirectoryLayout(stateRoot: pod.stateRoot, pod: "unique").isSupervisorRunning())
        await pod.tearDown()
    }

    @Test("with keep, the run directory stays with pod.json, status.json and events.jsonl")
    func keepRunDirectory() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: kept}
            spec:
              restartPolicy: Never
              containers:
              - {name: app, command: [/bin/sh, -c, "echo hi"]}
            """, keep: true)
        await pod.start()
        await pod.finished()
        let directory = pod.supervisor.runDirectory.url
        let status = try JSONDecoder().decode(PodStatusSnapshot.self, from: Data(contentsOf: directory.appendingPathComponent("status.json")))
        #expect(status.phase == .succeeded)
        #expect(status.finished)
        let events = try String(contentsOf: directory.appendingPathComponent("events.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(events.count == pod.events.records.count)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("pod.json").path))
        await pod.tearDown()
    }
}
