import Testing
@testable import PodRunKit

@Suite("Lifecycle hooks")
struct HookTests {
    @Test("postStart runs right after the start; the next container starts only after it returned")
    func postStartBlocksNextStart() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("first", lifecycle: Pods.hooks(postStart: true)), Pods.container("second")]))
        pod.hooks["first"] = [.postStart: (.seconds(2), true)]
        pod.advance(by: .seconds(5))
        #expect(pod.events(["Started", "HookStarted", "HookFinished"]) == [
            "first Started#0", "first HookStarted postStart", "first HookFinished postStart succeeded", "second Started#0",
        ])
        #expect(pod.time(of: "Started", "second") == .seconds(2))
    }

    @Test("a sidecar counts as started only after its postStart returned")
    func sidecarPostStart() {
        var pod = VirtualPod(Pods.pod(initContainers: [Pods.sidecar("proxy", lifecycle: Pods.hooks(postStart: true))], containers: [Pods.container("app")]))
        pod.hooks["proxy"] = [.postStart: (.seconds(3), true)]
        pod.advance(by: .seconds(5))
        #expect(pod.time(of: "Started", "app") == .seconds(3))
    }

    @Test("a failing postStart kills the container (PostStartHookFailed), which restarts per policy")
    func postStartFailure() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app", lifecycle: Pods.hooks(postStart: true))]))
        pod.hooks["app"] = [.postStart: (.seconds(1), false)]
        pod.advance(by: .s(1.5))
        #expect(pod.events(["HookFinished", "Killing", "Exited", "Started"]) == [
            "app Started#0", "app HookFinished postStart failed", "app Killing PostStartHookFailed 30", "app Exited 143 Error", "app Started#1",
        ])
    }

    @Test("preStop runs before SIGTERM; its time counts against the grace period in whole seconds")
    func preStopBeforeTerm() {
        var pod = VirtualPod(Pods.pod(grace: 10, containers: [Pods.container("app", lifecycle: Pods.hooks(preStop: true))]))
        pod.hooks["app"] = [.preStop: (.s(3.5), true)]
        pod.behaviour["app"] = { _ in .ignoresTerm }
        pod.advance(by: .seconds(1))
        pod.stop()
        pod.advance(by: .seconds(30))
        #expect(pod.events(["Killing", "HookStarted", "HookFinished", "Exited"]) == [
            "app Killing PodStopping 10", "app HookStarted preStop", "app HookFinished preStop succeeded", "app Exited 137 Error",
        ])
        #expect(pod.signals(.terminate).map(\.time) == [.s(4.5)])
        // 10 s of grace minus 3 whole seconds of preStop: SIGKILL 7 s after SIGTERM.
        #expect(pod.signals(.kill).map(\.time) == [.s(11.5)])
    }

    @Test("at pod stop every preStop starts at once; only the SIGTERMs are ordered")
    func simultaneousPreStops() {
        let hooks = Pods.hooks(preStop: true)
        var pod = VirtualPod(Pods.pod(
            initContainers: [Pods.sidecar("proxy", lifecycle: hooks)], containers: [Pods.container("a", lifecycle: hooks), Pods.container("b", lifecycle: hooks)]))
        pod.hooks["a"] = [.preStop: (.seconds(1), true)]
        pod.hooks["b"] = [.preStop: (.seconds(2), true)]
        pod.hooks["proxy"] = [.preStop: (.s(0.5), true)]
        pod.advance(by: .seconds(1))
        pod.stop()
        pod.advance(by: .seconds(30))
        #expect(Set(pod.times(of: "HookStarted")) == [.seconds(1)])
        #expect(pod.signals(.terminate).map { "\($0.container)@\($0.time.seconds)" } == ["a@2.0", "b@3.0", "proxy@3.0"])
    }

    @Test("when the grace period runs out during preStop the hook is cut off, then SIGTERM and SIGKILL 2 s later")
    func graceRunsOutDuringPreStop() {
        var pod = VirtualPod(Pods.pod(grace: 10, containers: [Pods.container("app", lifecycle: Pods.hooks(preStop: true))]))
        pod.hooks["app"] = [.preStop: (.seconds(100), true)]
        pod.behaviour["app"] = { _ in .ignoresTerm }
        pod.advance(by: .seconds(1))
        pod.stop()
        pod.advance(by: .seconds(30))
        #expect(pod.events(["HookFinished"]) == ["app HookFinished preStop timedOut"])
        #expect(pod.signals(.terminate).map(\.time) == [.seconds(11)])
        #expect(pod.signals(.kill).map(\.time) == [.seconds(13)])
    }

    @Test("a failing preStop is reported and does not change the exit code")
    func preStopFailure() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app", lifecycle: Pods.hooks(preStop: true))]))
        pod.hooks["app"] = [.preStop: (.s(0.1), false)]
        pod.behaviour["app"] = { _ in VirtualPod.Behaviour(onTerminate: (.zero, 0)) }
        pod.advance(by: .seconds(1))
        pod.stop()
        pod.advance(by: .seconds(5))
        #expect(pod.events(["HookFinished", "Exited"]) == ["app HookFinished preStop failed", "app Exited 0 Completed"])
        #expect(pod.status.phase == .succeeded)
    }

    @Test("no preStop when the grace period is 0")
    func noPreStopWithoutGrace() {
        var pod = VirtualPod(Pods.pod(grace: 0, containers: [Pods.container("app", lifecycle: Pods.hooks(preStop: true))]))
        pod.advance(by: .seconds(1))
        pod.stop()
        pod.advance(by: .seconds(5))
        #expect(pod.events(["HookStarted"]).isEmpty)
    }

    @Test("a container that exits while its postStart runs ends the hook as failed")
    func exitDuringPostStart() {
        var pod = VirtualPod(Pods.pod(restartPolicy: .never, containers: [Pods.container("app", lifecycle: Pods.hooks(postStart: true))]))
        pod.hooks["app"] = [.postStart: (.seconds(10), true)]
        pod.behaviour["app"] = { _ in .runs(until: .seconds(1), exitCode: 0) }
        pod.advance(by: .seconds(20))
        #expect(pod.events(["HookFinished", "Exited"]) == ["app Exited 0 Completed", "app HookFinished postStart failed"])
        #expect(pod.finished)
    }
}
