import Dispatch
import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Swift Testing (6.2+) has an `ProcessExit` of its own (for exit tests); name ours unambiguously.
typealias ShimExit = PodRunKit.ProcessExit

// Real processes under the real shim. Every wait has a deadline; every test kills what it started.

@Suite struct ProcessLauncherTests {
    // MARK: Exit statuses

    struct ExitCase: Sendable, CustomStringConvertible {
        let script: String
        let expected: ShimExit
        var description: String { script }
    }

    @Test(arguments: [
        ExitCase(script: "exit 0", expected: ShimExit(exitCode: 0)),
        ExitCase(script: "exit 3", expected: ShimExit(exitCode: 3)),
        ExitCase(script: "exit 137", expected: ShimExit(exitCode: 137)),
        ExitCase(script: "kill -TERM $$", expected: .killed(by: SIGTERM)),
        ExitCase(script: "kill -KILL $$", expected: .killed(by: SIGKILL)),
    ])
    func reportsExitStatus(_ c: ExitCase) async throws {
        let t = try Fixture()
        let p = try await t.start(["/bin/sh", "-c", c.script])
        #expect(try await p.exit() == c.expected)
        #expect(p.process.pid > 0 && p.process.shimPID > 0 && p.process.pid != p.process.shimPID)
    }

    @Test func backgroundGrandchildDoesNotDelayExitAndIsKilled() async throws {
        let t = try Fixture()
        let pidFile = t.path("bg.pid")
        let clock = ContinuousClock()
        let start = clock.now
        // The grandchild writes its pid and holds the output pipe; the main process exits at once.
        let p = try await t.start(["/bin/sh", "-c", "sleep 30 & echo $! > \"$0\"; exit 0", pidFile], output: t.makePipe())
        #expect(try await p.exit() == ShimExit(exitCode: 0))
        #expect(clock.now - start < .seconds(20), "not held up by the 30 s grandchild")
        let grandchild = try t.readPID(pidFile)
        // On Linux the shim is a subreaper and reaps the whole group before it reports the exit;
        // elsewhere the orphan's new parent reaps it soon after.
        #expect(await eventually { processIsGone(grandchild) })
        #if os(Linux)
        #expect(processIsGone(grandchild), "reaped before the exit was reported")
        #endif
    }

    #if os(Linux)
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid")))
    func escapedGrandchildHoldingOutputDoesNotDelayExit() async throws {
        let t = try Fixture()
        let pidFile = t.path("escaped.pid")
        // setsid leaves the container's group (it survives the group kill) and keeps stdout open.
        let script = """
            /usr/bin/setsid /bin/sh -c 'echo $$ > "$0.tmp"; mv "$0.tmp" "$0"; exec sleep 30' "$0" &
            until [ -s "$0" ]; do sleep 0.01; done
            exit 4
            """
        defer { if let escaped = try? t.readPID(pidFile) { kill(escaped, SIGKILL) } }
        let output = try t.makePipe()
        let p = try await t.start(["/bin/sh", "-c", script, pidFile], output: output)
        #expect(try await p.exit(timeout: .seconds(5)) == ShimExit(exitCode: 4))
        let escaped = try t.readPID(pidFile)
        #expect(!processIsGone(escaped), "the escaped process is outside the group and still holds the pipe")
    }
    #endif

    // MARK: Signals

    @Test func signalGroupReachesGrandchild() async throws {
        let t = try Fixture()
        let marker = t.path("grandchild-got-term")
        let ready = t.path("ready")
        // The grandchild records SIGTERM; the main process waits for it, then exits 5.
        let grandchild = "trap 'echo term > \"$0\"; exit 0' TERM; echo ok > \"$1\"; sleep 30 & wait"
        let main = "trap 'wait; exit 5' TERM; /bin/sh -c \"$2\" \"$0\" \"$1\" & wait"
        let p = try await t.start(["/bin/sh", "-c", main, marker, ready, grandchild])
        defer { p.process.killImmediately() }
        #expect(await eventually { FileManager.default.fileExists(atPath: ready) })
        p.process.signalGroup(SIGTERM)
        #expect(try await p.exit() == ShimExit(exitCode: 5))
        #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "term\n")
    }

    @Test func groupTrappingTermSurvivesItAndDiesOnKill() async throws {
        let t = try Fixture()
        let log = t.path("log")
        let ready = t.path("ready")
        let script = """
            trap 'echo term >> "$0"' TERM
            echo ok > "$1"
            while :; do sleep 1 & wait $!; done
            """
        let p = try await t.start(["/bin/sh", "-c", script, log, ready])
        defer { p.process.killImmediately() }
        #expect(await eventually { FileManager.default.fileExists(atPath: ready) })
        p.process.signalGroup(SIGTERM)
        // Positive evidence that TERM arrived and was handled; afterwards the process still runs.
        #expect(await eventually { (try? String(contentsOfFile: log, encoding: .utf8)) == "term\n" })
        #expect(!processIsGone(p.process.pid))
        #expect(p.exitedYet() == nil)
        p.process.signalGroup(SIGKILL)
        #expect(try await p.exit() == .killed(by: SIGKILL))
        p.process.signalGroup(SIGTERM)  // no-op after the exit
    }

    @Test func killImmediatelyKillsTheWholeGroup() async throws {
        let t = try Fixture()
        let pidFile = t.path("bg.pid")
        let p = try await t.start(["/bin/sh", "-c", "sleep 30 & echo $! > \"$0\"; wait", pidFile])
        #expect(await eventually { (try? t.readPID(pidFile)) != nil })
        let grandchild = try t.readPID(pidFile)
        p.process.killImmediately()
        #expect(try await p.exit() == .killed(by: SIGKILL))
        #expect(await eventually { processIsGone(grandchild) && processIsGone(p.process.pid) })
        p.process.killImmediately()  // harmless twice
    }

    /// The shim itself is SIGKILLed: no `exited` line can come. podrun still reports (the shim's own
    /// status, from Foundation) and kills the orphaned group itself.
    @Test func shimKilledReportsAndKillsGroup() async throws {
        let t = try Fixture()
        let pidFile = t.path("bg.pid")
        let p = try await t.start(["/bin/sh", "-c", "sleep 30 & echo $! > \"$0\"; wait", pidFile])
        defer { if !isDead(p.process.pid) { kill(-p.process.pid, SIGKILL) } }
        #expect(await eventually { (try? t.readPID(pidFile)) != nil })
        let grandchild = try t.readPID(pidFile)
        kill(p.process.shimPID, SIGKILL)
        #expect(try await p.exit() == .killed(by: SIGKILL))
        // Orphans now belong to init, which may reap them lazily: dead is enough.
        #expect(await eventually { isDead(grandchild) && isDead(p.process.pid) })
    }

    // MARK: Start failures

    struct FailureCase: Sendable, CustomStringConvertible {
        let argv: [String]
        let workingDirectory: String?
        let message: String
        var description: String { message }
    }

    static let notExecutable = NSTemporaryDirectory() + "podrun-shim-test-not-executable-\(getpid())"

    @Test(arguments: [
        FailureCase(argv: ["/nonexistent/prog"], workingDirectory: nil, message: "exec \"/nonexistent/prog\": no such file or directory"),
        FailureCase(argv: ["podrun-no-such-program"], workingDirectory: nil, message: "exec \"podrun-no-such-program\": executable file not found in $PATH"),
        FailureCase(argv: ["/etc"], workingDirectory: nil, message: "exec \"/etc\": permission denied"),
        FailureCase(argv: [notExecutable], workingDirectory: nil, message: "exec \"\(notExecutable)\": permission denied"),
        FailureCase(argv: ["/bin/sh", "-c", "exit 0"], workingDirectory: "/nonexistent-dir", message: "chdir \"/nonexistent-dir\": no such file or directory"),
        FailureCase(argv: [], workingDirectory: nil, message: "no command to run"),
    ])
    func startFailuresThrowClearMessages(_ c: FailureCase) async throws {
        let t = try Fixture()
        if c.argv.first == Self.notExecutable {
            _ = FileManager.default.createFile(atPath: Self.notExecutable, contents: Data("echo hi\n".utf8), attributes: [.posixPermissions: 0o644])
        }
        defer { if c.argv.first == Self.notExecutable { try? FileManager.default.removeItem(atPath: Self.notExecutable) } }
        let calledOnExit = Flag()
        await #expect(throws: LaunchFailure(message: c.message)) {
            _ = try await t.launcher.launch(t.spec(c.argv, workingDirectory: c.workingDirectory)) { _ in calledOnExit.set() }
        }
        #expect(await eventually { t.launcher.runningShimCount == 0 }, "the failed shim is reaped")
        #expect(!calledOnExit.isSet)
    }

    @Test func missingShimThrows() async throws {
        let launcher = ProcessLauncher(shimPath: "/nonexistent/podrun-shim")
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        let spec = ProcessLaunchSpec(argv: ["/bin/true"], environment: [:], standardOutput: devNull, standardError: devNull)
        do throws(LaunchFailure) {
            _ = try await launcher.launch(spec) { _ in }
            Issue.record("launch succeeded without a shim")
        } catch {
            #expect(error.message.hasPrefix("cannot start podrun-shim \"/nonexistent/podrun-shim\""))
        }
    }

    // MARK: The container's starting state

    /// A shim wrapper that ignores many signals before exec'ing the real shim, as a careless parent
    /// would: a non-interactive shell cannot un-ignore signals ignored on entry, so `kill -SIG $$`
    /// only ends the container if the shim restored the default disposition.
    @Test(arguments: [("TERM", SIGTERM), ("INT", SIGINT), ("HUP", SIGHUP), ("USR1", SIGUSR1), ("PIPE", SIGPIPE), ("ALRM", SIGALRM)])
    func signalDispositionsAreReset(_ name: String, _ signal: Int32) async throws {
        let t = try Fixture(shimWrapper: "trap '' TERM INT HUP QUIT USR1 USR2 PIPE ALRM")
        let p = try await t.start(["/bin/sh", "-c", "kill -\(name) $$; exit 7"])
        #expect(try await p.exit() == .killed(by: signal))
    }

    @Test func containerStartsWithCleanState() async throws {
        let t = try Fixture(shimWrapper: "trap '' TERM INT HUP QUIT USR1 USR2 PIPE ALRM")
        let out = t.path("out")
        let script = """
            if read x; then echo stdin=data; else echo stdin=eof; fi
            echo cwd=$(pwd -P)
            echo foo=$FOO
            """
        let dir = URL(fileURLWithPath: t.dir).resolvingSymlinksInPath().path
        let p = try await t.start(["/bin/sh", "-c", script], workingDirectory: dir, output: t.file(out), environment: ["FOO": "bar baz"])
        #expect(try await p.exit() == ShimExit(exitCode: 0))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "stdin=eof\ncwd=\(dir)\nfoo=bar baz\n")

        #if os(Linux)
        // Nothing ignored, nothing blocked (the shim blocks everything around fork), and only
        // fds 0-2 (plus ls's own directory fd 3) open: no control socket, no Foundation socket.
        let status = t.path("status")
        let q = try await t.start(["/bin/sh", "-c", "grep -E '^Sig(Blk|Ign):' /proc/self/status; readlink /proc/self/fd/0; ls /proc/self/fd"], output: t.file(status))
        #expect(try await q.exit() == ShimExit(exitCode: 0))
        #expect(try String(contentsOfFile: status, encoding: .utf8) == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n/dev/null\n0\n1\n2\n3\n")
        #endif
    }

    // MARK: podrun's death

    /// podrun dies by SIGKILL: the kernel closes its end of the control channel. A helper shell plays
    /// podrun: a `sleep` it starts holds the only write end of a FIFO that is the inner shim's stdin,
    /// and the test SIGKILLs that `sleep`. The helper is the inner shim's parent, so it records the
    /// shim's status. The helper itself runs under the launcher: a shell started directly with
    /// Foundation.Process from a Swift concurrency thread inherits a mask blocking SIGCHLD, and its
    /// `wait` would never return.
    @Test func shimKillsGroupWhenPodrunDies() async throws {
        let t = try Fixture()
        #expect(mkfifo(t.path("fifo"), 0o600) == 0)
        let script = """
            "$1" -- /bin/sh -c 'echo $$ > "$0/main.pid"; sleep 30 & echo $! > "$0/child.pid"; wait' "$0" < "$0/fifo" &
            shim=$!
            sleep 600 3> "$0/fifo" &
            echo $! > "$0/writer.pid"
            wait $shim
            echo $? > "$0/shim.status"
            wait
            """
        let helper = try await t.start(["/bin/sh", "-c", script, t.dir, try ProcessLauncher.locateShim()])
        defer { helper.process.killImmediately() }  // if something went wrong: the inner shim and the writer

        #expect(await eventually { ["main.pid", "child.pid", "writer.pid"].allSatisfy { (try? t.readPID(t.path($0))) != nil } })
        let mainPID = try t.readPID(t.path("main.pid"))
        defer { if !processIsGone(mainPID) { kill(-mainPID, SIGKILL) } }
        let childPID = try t.readPID(t.path("child.pid"))
        #expect(!processIsGone(mainPID) && !processIsGone(childPID))

        kill(try t.readPID(t.path("writer.pid")), SIGKILL)

        #expect(try await helper.exit() == ShimExit(exitCode: 0))
        #expect(try String(contentsOfFile: t.path("shim.status"), encoding: .utf8) == "137\n", "the shim died by SIGKILL, like its container")
        #expect(await eventually { processIsGone(mainPID) && processIsGone(childPID) })
    }

    // MARK: Load

    @Test func fiftyConcurrentLaunches() async throws {
        let t = try Fixture()
        let calls = Counter()
        let results = try await withThrowingTaskGroup(of: (Int, ShimExit, Int32).self) { group in
            for i in 0..<50 {
                group.addTask {
                    let p = try await t.start(["/bin/sh", "-c", "exit \(i % 7)"]) { _ in calls.increment() }
                    return (i, try await p.exit(timeout: .seconds(20)), p.process.shimPID)
                }
            }
            var all: [(Int, ShimExit, Int32)] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 50)
        for (i, status, _) in results { #expect(status == ShimExit(exitCode: Int32(i % 7))) }
        #expect(await eventually(timeout: .seconds(10)) { t.launcher.runningShimCount == 0 }, "Foundation reaped every shim")
        #expect(results.allSatisfy { processIsGone($0.2) }, "no zombie shims")
        #expect(calls.value == 50, "onExit called exactly once per process")
    }

    // MARK: Exit latency (opt-in: PODRUN_MEASURE=1 swift test -c release --filter ProcessLauncherTests/measure)

    @Test(.enabled(if: ProcessInfo.processInfo.environment["PODRUN_MEASURE"] != nil))
    func measureExitLatency() async throws {
        let t = try Fixture()
        let clock = ContinuousClock()
        var latencies: [Duration] = []
        var starts: [Duration] = []
        for _ in 0..<100 {
            let stamp = Stamp()
            let before = clock.now
            let p = try await t.start(["sleep", "30"]) { _ in stamp.set(clock.now) }
            starts.append(clock.now - before)
            let killed = clock.now
            kill(p.process.pid, SIGKILL)
            _ = try await p.exit()
            latencies.append(try #require(stamp.value) - killed)
        }
        func summary(_ d: [Duration]) -> String {
            let us = d.map { Double($0.components.attoseconds) / 1e12 + Double($0.components.seconds) * 1e6 }.sorted()
            return String(format: "min %.0f µs, median %.0f µs, p90 %.0f µs, max %.0f µs", us[0], us[us.count / 2], us[us.count * 9 / 10], us[us.count - 1])
        }
        print("launch (call to started):   \(summary(starts))")
        print("exit (SIGKILL to onExit):   \(summary(latencies))")
    }
}

// MARK: - Helpers

/// A temporary directory, a launcher and the fds the tests hand out; all cleaned up on deinit,
/// and every process still running is killed then (a failed expectation must not leak processes).
private final class Fixture: Sendable {
    let dir: String
    let launcher: ProcessLauncher
    private let fds = Locked<[Int32]>([])
    private let launched = Locked<[ShimProcess]>([])

    init(shimWrapper: String? = nil) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-shim-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        dir = base.path
        var shim = try ProcessLauncher.locateShim()
        if let prelude = shimWrapper {
            let wrapper = base.appendingPathComponent("shim-wrapper").path
            let text = "#!/bin/sh\n\(prelude)\nexec '\(shim)' \"$@\"\n"
            _ = FileManager.default.createFile(atPath: wrapper, contents: Data(text.utf8), attributes: [.posixPermissions: 0o755])
            shim = wrapper
        }
        launcher = ProcessLauncher(shimPath: shim)
    }

    deinit {
        for process in launched.withLock({ $0 }) { process.killImmediately() }
        for fd in fds.withLock({ $0 }) { close(fd) }
        try? FileManager.default.removeItem(atPath: dir)
    }

    func path(_ name: String) -> String { dir + "/" + name }

    private func keep(_ fd: Int32) -> Int32 {
        fds.withLock { $0.append(fd) }
        return fd
    }

    func devNull() -> Int32 { keep(open("/dev/null", O_WRONLY | O_CLOEXEC)) }

    func file(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        return keep(fd)
    }

    /// The write end of a pipe whose read end is kept open (so writes never fail) but never read.
    func makePipe() throws -> Int32 {
        var p: [Int32] = [0, 0]
        guard pipe(&p) == 0 else { throw POSIXError(.EIO) }
        _ = fcntl(p[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(p[1], F_SETFD, FD_CLOEXEC)
        _ = keep(p[0])
        return keep(p[1])
    }

    func readPID(_ path: String) throws -> Int32 {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else { throw POSIXError(.EINVAL) }
        return pid
    }

    func spec(_ argv: [String], workingDirectory: String? = nil, output: Int32? = nil, environment: [String: String] = [:]) -> ProcessLaunchSpec {
        let out = output ?? devNull()
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        return ProcessLaunchSpec(argv: argv, workingDirectory: workingDirectory, environment: env, standardOutput: out, standardError: out)
    }

    func start(
        _ argv: [String],
        workingDirectory: String? = nil,
        output: Int32? = nil,
        environment: [String: String] = [:],
        onExit: @escaping @Sendable (ShimExit) -> Void = { _ in }
    ) async throws -> Launched {
        let (stream, continuation) = AsyncStream.makeStream(of: ShimExit.self)
        let exited = Locked<ShimExit?>(nil)
        let process = try await launcher.launch(spec(argv, workingDirectory: workingDirectory, output: output, environment: environment)) { status in
            exited.withLock { $0 = status }
            onExit(status)
            continuation.yield(status)
            continuation.finish()
        }
        launched.withLock { $0.append(process) }
        return Launched(process: process, exits: stream, exited: exited)
    }
}

private struct TimedOut: Error {}

private struct Launched: Sendable {
    let process: ShimProcess
    let exits: AsyncStream<ShimExit>
    let exited: Locked<ShimExit?>

    /// The exit status, or `TimedOut` if none arrives in time.
    func exit(timeout: Duration = .seconds(30)) async throws -> ShimExit {
        try await withThrowingTaskGroup(of: ShimExit?.self) { group in
            group.addTask { await exits.first { _ in true } }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TimedOut()
            }
            defer { group.cancelAll() }
            guard let status = try await group.next() ?? nil else { throw TimedOut() }
            return status
        }
    }

    func exitedYet() -> ShimExit? { exited.withLock { $0 } }
}

/// True when the process is gone or a zombie (dead, not yet reaped by its parent).
private func isDead(_ pid: Int32) -> Bool {
    if processIsGone(pid) { return true }
    #if os(Linux)
    // /proc/PID/stat: "pid (comm) S ..." — the state follows the last ')'.
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return processIsGone(pid) }
    return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    #else
    return false
    #endif
}

private final class Flag: Sendable {
    private let state = Locked(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}

private final class Counter: Sendable {
    private let state = Locked(0)
    func increment() { state.withLock { $0 += 1 } }
    var value: Int { state.withLock { $0 } }
}

private final class Stamp: Sendable {
    private let state = Locked<ContinuousClock.Instant?>(nil)
    func set(_ instant: ContinuousClock.Instant) { state.withLock { $0 = $0 ?? instant } }
    var value: ContinuousClock.Instant? { state.withLock { $0 } }
}
