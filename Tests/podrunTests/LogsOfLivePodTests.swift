import Foundation
import Testing

/// `podrun logs` against pods that really ran (or run), with restarts.
@Suite("podrun logs of a real pod")
struct LogsOfLivePodTests {
    static let restartingOnce = """
        apiVersion: v1
        kind: Pod
        metadata: {name: logs-live}
        spec:
          restartPolicy: OnFailure
          containers:
          - name: app
            command: [/bin/sh, -c, "if [ -e $DIR/second ]; then echo second instance; exit 0; fi; touch $DIR/second; echo first instance; echo to stderr >&2; exit 1"]
          - name: other
            command: [/bin/sh, -c, "echo other"]
        """

    @Test("after a run with --keep: the current instance, --previous, --all-containers with --prefix; without -c the containers are listed")
    func afterTheRun() throws {
        let workspace = try CLIWorkspace()
        let pod = try workspace.pod(Self.restartingOnce)
        let run = try workspace.run(["run", "-q", "--keep", "--backoff-initial", "0s", "--state-dir", workspace.stateDir.path, pod])
        #expect(run.status == 0)
        let state = ["--state-dir", workspace.stateDir.path]
        #expect(try workspace.run(["logs", "logs-live", "-c", "app"] + state).stdout == "second instance\n")
        // stdout and stderr are two pipes read independently: their lines are ordered by read time.
        let previous = try workspace.run(["logs", "logs-live", "-c", "app", "--previous"] + state).stdout
        #expect(Set(previous.split(separator: "\n")) == ["first instance", "to stderr"])
        #expect(try workspace.run(["logs", "logs-live", "--all-containers", "--prefix"] + state).stdout
            == "[pod/logs-live/app] second instance\n[pod/logs-live/other] other\n")
        let unnamed = try workspace.run(["logs", "logs-live"] + state)
        #expect(unnamed.status == 2)
        #expect(unnamed.stderr == "error: a container name must be specified for pod logs-live, choose one of: [app other]\n")
    }

    @Test("-f follows the running pod across a restart and ends when the pod ends")
    func followAcrossRestart() async throws {
        let workspace = try CLIWorkspace()
        let pod = try workspace.pod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: logs-follow}
            spec:
              restartPolicy: OnFailure
              containers:
              - name: app
                command: [/bin/sh, -c, "if [ -e $DIR/second ]; then echo second; sleep 0.3; echo done; exit 0; fi; touch $DIR/second; echo first; while [ ! -e $DIR/go ]; do sleep 0.02; done; exit 1"]
            """)
        let podrun = try workspace.start(["run", "--backoff-initial", "200ms", "--state-dir", workspace.stateDir.path, pod])
        defer { podrun.stop() }
        try podrun.waitForLine(containing: "app | first")
        let follower = try workspace.start(["logs", "-f", "logs-follow", "--state-dir", workspace.stateDir.path])
        defer { follower.stop() }
        try follower.waitForLine(containing: "first")
        _ = FileManager.default.createFile(atPath: workspace.root.appendingPathComponent("go").path, contents: nil)
        #expect(try follower.waitForExit(timeout: 30) == ChildProcess.Exit(status: 0, bySignal: false))
        #expect(follower.lines() == ["first", "second", "done"])
        #expect(try podrun.waitForExit(timeout: 30).status == 0)
    }
}
