import Foundation
import Testing

@testable import PodRunKit

// postStart/preStop handlers: no timeout of their own, so cancellation is how they end early.

@Suite struct HookExecutorTests {
    @Test func sleepCompletes() async throws {
        let t = try HandlerTestFixture()
        let (outcome, elapsed) = await timed { await t.hooks.run(.sleep(SleepAction(seconds: 1)), context: t.context()) }
        #expect(outcome == .succeeded)
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(10))
        #expect(await t.hooks.run(.sleep(SleepAction(seconds: 0)), context: t.context()) == .succeeded)
    }

    @Test func sleepIsCutShortByCancellation() async throws {
        let t = try HandlerTestFixture()
        let task = Task { await t.hooks.run(.sleep(SleepAction(seconds: 30)), context: t.context()) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let (outcome, elapsed) = await timed { await task.value }
        #expect(elapsed < .seconds(10))
        guard case .failed(let message) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(message.hasPrefix("sleep 30s: cut short after "))
        #expect(message.hasSuffix("s (cancelled)"))
    }

    /// A task cancelled before the hook starts does not start it at all.
    @Test func alreadyCancelledHookDoesNotRun() async throws {
        let t = try HandlerTestFixture()
        let marker = t.path("ran")
        let task = Task {
            while !Task.isCancelled { await Task.yield() }
            return await t.hooks.run(.exec(ExecAction(command: ["touch", marker])), context: t.context())
        }
        task.cancel()
        #expect(await task.value == .failed(message: "exec [touch \(marker)]: cancelled"))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func execHookSucceedsAndFails() async throws {
        let t = try HandlerTestFixture()
        #expect(await t.hooks.run(.exec(ExecAction(command: ["/bin/sh", "-c", "exit 0"])), context: t.context()) == .succeeded)
        #expect(
            await t.hooks.run(.exec(ExecAction(command: ["/bin/sh", "-c", "echo draining failed >&2; exit 1"])), context: t.context())
                == .failed(message: "exec [/bin/sh -c echo draining failed >&2; exit 1]: exit status 1: draining failed"))
    }

    /// Cancelling an exec hook (its container exited, the grace period ran out) kills its whole
    /// group and returns promptly.
    @Test func cancelledExecHookKillsItsGroup() async throws {
        let t = try HandlerTestFixture()
        let command = ["/bin/sh", "-c", "sleep 30 & echo $! > \"$0\"; wait", t.path("bg.pid")]
        let task = Task { await t.hooks.run(.exec(ExecAction(command: command)), context: t.context()) }
        #expect(await eventually { t.readPID("bg.pid") != nil })
        task.cancel()
        let (outcome, elapsed) = await timed { await task.value }
        #expect(elapsed < .seconds(10))
        #expect(outcome == .failed(message: "exec [/bin/sh -c sleep 30 & echo $! > \"$0\"; wait \(t.path("bg.pid"))]: cancelled"))
        let grandchild = try #require(t.readPID("bg.pid"))
        #expect(await eventually { processIsGone(grandchild) })
    }

    @Test func httpGetHook() async throws {
        let t = try HandlerTestFixture()
        let server = try LoopbackHTTPServer(routes: ["/drain": .status(200), "/broken": .status(500), "/hang": .silent])
        defer { server.stop() }
        #expect(await t.hooks.run(.httpGet(HTTPGetAction(path: "/drain", port: .int(server.port))), context: t.context()) == .succeeded)
        #expect(server.requests.first?.headers["user-agent"] == ["kube-lifecycle/podrun"])
        // As the kubelet's runHTTPHandler: a hook's response status is not checked.
        #expect(await t.hooks.run(.httpGet(HTTPGetAction(path: "/broken", port: .int(server.port))), context: t.context()) == .succeeded)
        #expect(
            await t.hooks.run(.httpGet(HTTPGetAction(path: "/drain", port: .int(1))), context: t.context())
                == .failed(message: "HTTP GET http://127.0.0.1:1/drain: connection refused"))

        let task = Task { await t.hooks.run(.httpGet(HTTPGetAction(path: "/hang", port: .int(server.port))), context: t.context()) }
        #expect(await eventually { server.requests.count == 3 })
        task.cancel()
        let (outcome, elapsed) = await timed { await task.value }
        #expect(elapsed < .seconds(10))
        #expect(outcome == .failed(message: "HTTP GET http://127.0.0.1:\(server.port)/hang: cancelled"))
    }
}
