import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// exec probes and hooks under the real shim. Every wait has a deadline; every process is gone
// when a test ends (the shim kills the group before it reports the exit).

@Suite struct ExecHandlerTests {
    struct Case: Sendable, CustomStringConvertible {
        let command: [String]
        /// nil: success; else the exact failure message (`<dir>` stands for the fixture's directory).
        let message: String?
        var description: String { command.joined(separator: " ") }
    }

    @Test(arguments: [
        Case(command: ["/bin/sh", "-c", "exit 0"], message: nil),
        Case(command: ["true"], message: nil),
        Case(command: ["/bin/sh", "-c", "exit 3"], message: "exec [/bin/sh -c exit 3]: exit status 3"),
        Case(command: ["cat", "<dir>/ready"], message: "exec [cat <dir>/ready]: exit status 1: cat: <dir>/ready: No such file or directory"),
        Case(command: ["/bin/sh", "-c", "echo one; echo two >&2; exit 2"], message: "exec [/bin/sh -c echo one; echo two >&2; exit 2]: exit status 2: one | two"),
        Case(command: ["/bin/sh", "-c", "kill -TERM $$"], message: "exec [/bin/sh -c kill -TERM $$]: killed by SIGTERM"),
        Case(command: ["podrun-no-such-program"], message: "exec [podrun-no-such-program]: executable file not found in $PATH"),
        Case(command: ["/nonexistent/prog", "x"], message: "exec [/nonexistent/prog x]: no such file or directory"),
        Case(command: [], message: "exec: no command given"),
    ])
    func outcomes(_ c: Case) async throws {
        let t = try HandlerTestFixture()
        let command = c.command.map { $0.replacingOccurrences(of: "<dir>", with: t.dir) }
        let outcome = await t.probes.run(.exec(ExecAction(command: command)), timeout: .seconds(30), context: t.context())
        let expected: ProbeOutcome = c.message.map { .failure(message: $0.replacingOccurrences(of: "<dir>", with: t.dir)) } ?? .success
        #expect(outcome == expected)
    }

    @Test func missingWorkingDirectoryIsReported() async throws {
        let t = try HandlerTestFixture()
        let outcome = await t.probes.run(.exec(ExecAction(command: ["true"])), timeout: .seconds(30), context: t.context(workingDirectory: "/nonexistent-dir"))
        #expect(outcome == .failure(message: "exec [true]: chdir \"/nonexistent-dir\": no such file or directory"))
    }

    /// A probe that outlives its timeout is killed with its whole group: the background grandchild
    /// too, before the probe reports (the shim reaps the group first).
    @Test func timeoutKillsTheWholeGroup() async throws {
        let t = try HandlerTestFixture()
        let command = ["/bin/sh", "-c", "sleep 30 & echo $! > \"$0\"; sleep 30", t.path("bg.pid")]
        let (outcome, elapsed) = await timed {
            await t.probes.run(.exec(ExecAction(command: command)), timeout: .seconds(1), context: t.context())
        }
        #expect(outcome == .failure(message: "timed out after 1s"))
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(10))
        let grandchild = try #require(t.readPID("bg.pid"))
        #if os(Linux)
        #expect(processIsGone(grandchild), "killed and reaped before the outcome was reported")
        #else
        #expect(await eventually { processIsGone(grandchild) })
        #endif
    }

    @Test func environmentAndWorkingDirectoryReachTheCommand() async throws {
        let t = try HandlerTestFixture()
        let script = "test \"$PROBE_VAR\" = 'a b' && test \"$(pwd -P)\" = \"$0\" || { echo \"var=$PROBE_VAR cwd=$(pwd -P)\"; exit 1; }"
        let outcome = await t.probes.run(
            .exec(ExecAction(command: ["/bin/sh", "-c", script, t.dir])), timeout: .seconds(30),
            context: t.context(environment: ["PROBE_VAR": "a b"], workingDirectory: t.dir))
        #expect(outcome == .success)
    }

    /// No `$(VAR)` expansion and no shell: the argument arrives as written.
    @Test func argumentsAreNotExpanded() async throws {
        let t = try HandlerTestFixture()
        let outcome = await t.probes.run(
            .exec(ExecAction(command: ["/bin/sh", "-c", "test \"$0\" = '$(PROBE_VAR)' || { echo \"got $0\"; exit 1; }", "$(PROBE_VAR)"])),
            timeout: .seconds(30), context: t.context(environment: ["PROBE_VAR": "x"]))
        #expect(outcome == .success)
    }

    @Test func pathTranslationAppliesToEveryArgument() async throws {
        let t = try HandlerTestFixture()
        #expect(FileManager.default.createFile(atPath: t.path("ready"), contents: Data("yes\n".utf8)))
        let dir = t.dir
        let context = t.context(translatePath: { $0.hasPrefix("/data/") ? dir + "/" + $0.dropFirst("/data/".count) : $0 })
        let outcome = await t.probes.run(.exec(ExecAction(command: ["cat", "/data/ready"])), timeout: .seconds(30), context: context)
        #expect(outcome == .success)
        // The message shows the command as the spec has it.
        let missing = await t.probes.run(.exec(ExecAction(command: ["cat", "/data/missing"])), timeout: .seconds(30), context: context)
        #expect(missing == .failure(message: "exec [cat /data/missing]: exit status 1: cat: \(dir)/missing: No such file or directory"))
    }

    /// Output is capped: a command writing 100 KB is neither blocked nor quoted in full.
    @Test func longOutputIsCutShort() async throws {
        let t = try HandlerTestFixture()
        let command = ["/bin/sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo \"line $i of some chatty output\"; i=$((i+1)); done; exit 4"]
        let outcome = await t.probes.run(.exec(ExecAction(command: command)), timeout: .seconds(10), context: t.context())
        guard case .failure(let message) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(message.hasPrefix("exec [/bin/sh -c i=0; while"))
        #expect(message.contains(": exit status 4: line 0 of some chatty output | line 1 of"))
        #expect(message.hasSuffix("…"))
        #expect(message.count < 500)
        #expect(!message.contains("\n"))
    }

    /// A probe whose task is cancelled stops at once and kills its group.
    @Test func cancelledProbeKillsItsGroup() async throws {
        let t = try HandlerTestFixture()
        let command = ["/bin/sh", "-c", "sleep 30 & echo $! > \"$0\"; wait", t.path("bg.pid")]
        let task = Task { await t.probes.run(.exec(ExecAction(command: command)), timeout: .seconds(30), context: t.context()) }
        #expect(await eventually { t.readPID("bg.pid") != nil })
        task.cancel()
        let (outcome, elapsed) = await timed { await task.value }
        #expect(outcome == .failure(message: "cancelled"))
        #expect(elapsed < .seconds(10))
        let grandchild = try #require(t.readPID("bg.pid"))
        #expect(await eventually { processIsGone(grandchild) })
    }

    /// A background process that keeps the output pipe open does not delay the outcome.
    @Test func escapedWriterDoesNotDelayTheOutcome() async throws {
        let t = try HandlerTestFixture()
        let (outcome, elapsed) = await timed {
            await t.probes.run(.exec(ExecAction(command: ["/bin/sh", "-c", "sleep 30 & echo bye; exit 1"])), timeout: .seconds(10), context: t.context())
        }
        #expect(outcome == .failure(message: "exec [/bin/sh -c sleep 30 & echo bye; exit 1]: exit status 1: bye"))
        #expect(elapsed < .seconds(10))
    }
}
