import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A scratch directory with a pod file and a private `--state-dir`, removed afterwards.
final class CLIWorkspace {
    let root: URL
    var stateDir: URL { root.appendingPathComponent("state") }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-cli-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Writes `yaml` (with `$DIR` standing for this workspace) and returns its path.
    func pod(_ yaml: String, name: String = "pod.yaml") throws -> String {
        let url = root.appendingPathComponent(name)
        try yaml.replacingOccurrences(of: "$DIR", with: root.path).write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func lines(_ file: String) -> [String] {
        ((try? String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits until `file` has at least `count` lines.
    func wait(for file: String, lines count: Int = 1, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if lines(file).count >= count { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// `podrun ARGS` running in the background.
    func start(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(executable: PodrunCLI.executable, arguments, environment: ["NO_COLOR": "1"])
    }

    func run(_ arguments: [String], input: String? = nil) throws -> PodrunCLI.Result {
        try PodrunCLI.run(arguments, input: input)
    }
}

func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

func allGone(_ pids: [Int32], within timeout: Duration) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if !pids.contains(where: isAlive) { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return !pids.contains(where: isAlive)
}

@Suite("podrun run")
struct RunCommandTests {
    static let succeeding = """
        apiVersion: v1
        kind: Pod
        metadata: {name: cli-ok}
        spec:
          restartPolicy: Never
          initContainers:
          - {name: prepare, command: [/bin/sh, -c, "echo preparing"]}
          containers:
          - {name: app, command: [/bin/sh, -c, "echo hello from app; echo oops >&2"]}
        """

    @Test("a pod that Succeeds: its output with name prefixes, its events, a summary, exit 0")
    func succeeds() throws {
        let workspace = try CLIWorkspace()
        let result = try workspace.run(["run", "--state-dir", workspace.stateDir.path, try workspace.pod(Self.succeeding)])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("prepare | preparing"))
        #expect(lines.contains("app     | hello from app"))
        #expect(lines.contains("app     | oops"))
        #expect(lines.contains("▸ app Exited 0 (Completed)"))
        #expect(lines.contains("▸ PodFinished Succeeded (podrun exits 0)"))
        #expect(lines.suffix(4) == [
            "CONTAINER  KIND     RESTARTS  LAST EXIT", "prepare    init     0         0 (Completed)",
            "app        regular  0         0 (Completed)", "pod phase: Succeeded",
        ])
        // Lines of a container come before its Exited event.
        #expect(try #require(lines.firstIndex(of: "app     | hello from app")) < #require(lines.firstIndex(of: "▸ app Exited 0 (Completed)")))
    }

    @Test("a pod that Fails exits 1")
    func fails() throws {
        let workspace = try CLIWorkspace()
        let pod = try workspace.pod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: cli-fail}
            spec:
              restartPolicy: Never
              containers:
              - {name: app, command: [/bin/sh, -c, "exit 3"]}
            """)
        let result = try workspace.run(["run", "-q", "--state-dir", workspace.stateDir.path, pod])
        #expect(result.status == 1)
        #expect(result.stdout.contains("pod phase: Failed"))
    }

    @Test("invalid input exits 2 with a located message; nothing runs", arguments: [
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - {name: app, comand: [x]}\n", "pod.yaml:6:17: error: spec.containers[0].comand: unknown field \"comand\"; did you mean \"command\"?"),
        ("{\"kind\": ", "pod.yaml:1:10: error: invalid JSON"),
    ])
    func invalidInput(yaml: String, message: String) throws {
        let workspace = try CLIWorkspace()
        let pod = try workspace.pod(yaml)
        let result = try workspace.run(["run", "--state-dir", workspace.stateDir.path, pod])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.replacingOccurrences(of: workspace.root.path + "/", with: "").contains(message))
        #expect(!FileManager.default.fileExists(atPath: workspace.stateDir.path))
    }

    @Test("a usage error exits 2", arguments: [["run"], ["run", "--backoff-initial", "soon", "x.yaml"], ["run", "--no-such-flag", "x.yaml"]])
    func usageErrors(arguments: [String]) throws {
        let result = try PodrunCLI.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains("Error:") || result.stderr.contains("error:"))
    }

    @Test("the pod description can come from standard input")
    func standardInput() throws {
        let workspace = try CLIWorkspace()
        let result = try workspace.run(["run", "-q", "--state-dir", workspace.stateDir.path, "-"], input: Self.succeeding)
        #expect(result.status == 0)
    }

    @Test("--events FILE writes the event stream as JSON Lines; --events - puts it alone on standard output")
    func eventsFile() throws {
        let workspace = try CLIWorkspace()
        let pod = try workspace.pod(Self.succeeding)
        let events = workspace.root.appendingPathComponent("events.jsonl").path
        let result = try workspace.run(["run", "--state-dir", workspace.stateDir.path, "--events", events, pod])
        #expect(result.status == 0)
        let records = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        #expect(records.map { $0["seq"] as? Int } == Array(1...records.count).map { Optional($0) })
        #expect(records.first?["type"] as? String == "PodPhase")
        #expect(records.last?["type"] as? String == "PodFinished")
        #expect(records.last?["phase"] as? String == "Succeeded")
        let started = try #require(records.first { $0["type"] as? String == "Started" && $0["container"] as? String == "app" })
        #expect(started["restartCount"] as? Int == 0)
        #expect((started["pid"] as? Int ?? 0) > 0)
        #expect((started["time"] as? String)?.hasSuffix("Z") == true)

        let toStdout = try workspace.run(["run", "--state-dir", workspace.stateDir.path, "--events", "-", pod])
        #expect(toStdout.status == 0)
        let stdoutLines = toStdout.stdout.split(separator: "\n")
        #expect(!stdoutLines.isEmpty)
        #expect(stdoutLines.allSatisfy { $0.hasPrefix("{\"seq\":") })
        #expect(toStdout.stderr.contains("app     | hello from app"))
    }

    @Test("--output json writes log lines and events together as JSON Lines")
    func jsonOutput() throws {
        let workspace = try CLIWorkspace()
        let result = try workspace.run(["run", "--output", "json", "--state-dir", workspace.stateDir.path, try workspace.pod(Self.succeeding)])
        #expect(result.status == 0)
        let objects = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let logs = objects.filter { $0["type"] as? String == "Log" }
        #expect(logs.contains { $0["container"] as? String == "app" && $0["stream"] as? String == "stdout" && $0["line"] as? String == "hello from app" })
        #expect(logs.contains { $0["container"] as? String == "app" && $0["stream"] as? String == "stderr" && $0["line"] as? String == "oops" })
        #expect(objects.last?["type"] as? String == "PodFinished")
    }

    @Test("concurrent writers: every line arrives whole, in order per container, never mixed with another")
    func noMixedLines() throws {
        let workspace = try CLIWorkspace()
        let writers = (0..<4).map { index in
            "  - {name: w\(index), command: [/bin/sh, -c, \"i=0; while [ $i -lt 5000 ]; do i=$((i+1)); echo w\(index)-line-$i-abcdefghijklmnopqrstuvwxyz; done\"]}"
        }.joined(separator: "\n")
        let pod = try workspace.pod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: cli-mix}
            spec:
              restartPolicy: Never
              containers:
            \(writers)
            """)
        let result = try workspace.run(["run", "--state-dir", workspace.stateDir.path, pod])
        #expect(result.status == 0)
        var seen: [String: Int] = [:]
        var foreign = 0
        for line in result.stdout.split(separator: "\n") where !line.hasPrefix("▸") && line.contains(" | ") {
            let parts = line.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let name = parts[0]
            let expected = "\(name)-line-\(seen[name, default: 0] + 1)-abcdefghijklmnopqrstuvwxyz"
            if parts.count == 2, parts[1] == expected { seen[name, default: 0] += 1 } else { foreign += 1 }
        }
        #expect(foreign == 0)
        #expect(seen == ["w0": 5000, "w1": 5000, "w2": 5000, "w3": 5000])
    }

    static let trapping = """
        apiVersion: v1
        kind: Pod
        metadata: {name: cli-signals}
        spec:
          terminationGracePeriodSeconds: 30
          initContainers:
          - name: sidecar
            restartPolicy: Always
            command: [/bin/sh, -c, "trap 'echo sidecar >> $DIR/stopped; exit 0' TERM; echo $$$$ >> $DIR/pids; while true; do sleep 0.05; done"]
          containers:
          - name: app
            command: [/bin/sh, -c, "trap 'echo app >> $DIR/stopped; exit 0' TERM; echo $$$$ >> $DIR/pids; while true; do sleep 0.05; done"]
        """

    @Test("SIGINT and SIGTERM stop the pod gracefully: app first, then the sidecar; exit 0 when it Succeeded", arguments: [SIGINT, SIGTERM])
    func gracefulStop(signal: Int32) async throws {
        let workspace = try CLIWorkspace()
        let podrun = try workspace.start(["run", "--state-dir", workspace.stateDir.path, try workspace.pod(Self.trapping)])
        defer { podrun.stop() }
        #expect(await workspace.wait(for: "pids", lines: 2))
        try podrun.waitForLine(containing: "▸ app Started")
        podrun.send(signal)
        let exit = try podrun.waitForExit(timeout: 30)
        #expect(exit == ChildProcess.Exit(status: 0, bySignal: false))
        #expect(workspace.lines("stopped") == ["app", "sidecar"])
        #expect(podrun.lines().contains("▸ PodStopping (stop requested)"))
    }

    @Test("a second SIGINT kills everything at once, even what ignores SIGTERM")
    func secondInterrupt() async throws {
        let workspace = try CLIWorkspace()
        let pod = try workspace.pod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: cli-force}
            spec:
              terminationGracePeriodSeconds: 60
              containers:
              - name: stubborn
                command: [/bin/sh, -c, "trap '' TERM; echo $$$$ >> $DIR/pids; while true; do sleep 0.05; done"]
            """)
        let podrun = try workspace.start(["run", "--state-dir", workspace.stateDir.path, pod])
        defer { podrun.stop() }
        #expect(await workspace.wait(for: "pids"))
        podrun.send(SIGINT)
        try podrun.waitForLine(containing: "▸ stubborn Killing")
        podrun.send(SIGINT)
        let exit = try podrun.waitForExit(timeout: 30)
        #expect(exit == ChildProcess.Exit(status: 1, bySignal: false))
        #expect(podrun.lines().contains("▸ stubborn Exited 137 (SIGKILL, Error)"))
        #expect(await allGone(workspace.lines("pids").compactMap { Int32($0) }, within: .seconds(1)))
    }

    @Test("kill -9 of podrun leaves no process behind within a second, grandchildren included")
    func killNineLeavesNothing() async throws {
        let workspace = try CLIWorkspace()
        let pod = try workspace.pod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: cli-kill9}
            spec:
              initContainers:
              - name: sidecar
                restartPolicy: Always
                command: [/bin/sh, -c, "echo $$$$ >> $DIR/pids; sleep 1000 & echo $! >> $DIR/pids; wait"]
              containers:
              - name: app
                command: [/bin/sh, -c, "trap '' TERM; echo $$$$ >> $DIR/pids; sleep 1000 & echo $! >> $DIR/pids; wait"]
              - name: exec
                command: [/bin/sh, -c, "echo $$$$ >> $DIR/pids; exec sleep 1000"]
            """)
        let podrun = try workspace.start(["run", "--state-dir", workspace.stateDir.path, pod])
        defer { podrun.stop() }
        #expect(await workspace.wait(for: "pids", lines: 5))
        let pids = workspace.lines("pids").compactMap { Int32($0) }
        #expect(pids.count == 5)
        #expect(pids.allSatisfy(isAlive))
        podrun.send(SIGKILL)
        _ = try podrun.waitForExit(timeout: 30)
        #expect(await allGone(pids, within: .seconds(1)))
    }
}
