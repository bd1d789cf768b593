import Testing
@testable import PodRunKit

@Suite("Termination")
struct TerminationTests {
    static let twoSidecars = Pods.pod(
        initContainers: [Pods.sidecar("first"), Pods.sidecar("second")], containers: [Pods.container("web"), Pods.container("worker")])

    @Test("regular containers get SIGTERM together; each sidecar after all regular containers and every later sidecar exited")
    func order() {
        var pod = VirtualPod(Self.twoSidecars)
        pod.behaviour["web"] = { _ in VirtualPod.Behaviour(onTerminate: (.seconds(1), 0)) }
        pod.behaviour["worker"] = { _ in VirtualPod.Behaviour(onTerminate: (.seconds(2), 0)) }
        pod.behaviour["second"] = { _ in VirtualPod.Behaviour(onTerminate: (.seconds(1), 0)) }
        pod.advance(by: .seconds(1))
        pod.stop()
        pod.advance(by: .seconds(60))
        let terms = pod.signals(.terminate)
        #expect(terms.map(\.container) == ["worker", "web", "second", "first"])
        #expect(terms.map(\.time) == [.seconds(1), .seconds(1), .seconds(3), .seconds(4)])
        #expect(pod.signals(.kill).isEmpty)
        #expect(pod.status.phase == .succeeded)
    }

    @Test("a process group that ignores SIGTERM is killed when the grace period runs out")
    func sigkillAfterGrace() {
        var pod = VirtualPod(Pods.pod(grace: 5, containers: [Pods.container("app")]))
        pod.behaviour["app"] = { _ in .ignoresTerm }
        pod.stop()
        pod.advance(by: .seconds(60))
        #expect(pod.signals(.kill).map(\.time) == [.seconds(5)])
        #expect(pod.events(["Exited"]) == ["app Exited 137 Error"])
        #expect(pod.status.phase == .failed)
    }

    @Test("when the grace period runs out, sidecars still waiting get SIGTERM and, 2 s later, SIGKILL")
    func sidecarsAtDeadline() {
        var pod = VirtualPod(Pods.pod(grace: 10, initContainers: [Pods.sidecar("proxy")], containers: [Pods.container("app")]))
        pod.behaviour["app"] = { _ in .ignoresTerm }
        pod.behaviour["proxy"] = { _ in .ignoresTerm }
        pod.advance(by: .seconds(1))
        pod.stop()
        pod.advance(by: .seconds(60))
        #expect(pod.signals(.terminate).map { "\($0.container)@\($0.time.seconds)" } == ["app@1.0", "proxy@11.0"])
        #expect(pod.signals(.kill).map { "\($0.container)@\($0.time.seconds)" } == ["app@11.0", "proxy@13.0"])
    }

    @Test("a grace period of 0 still gives 2 s between SIGTERM and SIGKILL")
    func minimumGrace() {
        var pod = VirtualPod(Pods.pod(grace: 0, containers: [Pods.container("app")]))
        pod.behaviour["app"] = { _ in .ignoresTerm }
        pod.stop()
        pod.advance(by: .seconds(10))
        #expect(pod.signals(.kill).map(\.time) == [.seconds(2)])
    }

    @Test("after a stop the phase is Succeeded iff every regular container's last exit code is 0, sidecars ignored",
          arguments: [(Int32(0), PodPhase.succeeded), (143, .failed), (1, .failed)])
    func stopPhase(exitCode: Int32, phase: PodPhase) {
        var pod = VirtualPod(Pods.pod(initContainers: [Pods.sidecar("proxy")], containers: [Pods.container("app")]))
        pod.behaviour["app"] = { _ in VirtualPod.Behaviour(onTerminate: (.zero, exitCode)) }
        pod.behaviour["proxy"] = { _ in VirtualPod.Behaviour(onTerminate: (.zero, 137)) }
        pod.advance(by: .seconds(1))
        pod.stop()
        pod.advance(by: .seconds(5))
        #expect(pod.status.phase == phase)
        #expect(pod.events(["PodFinished"]) == ["PodFinished \(phase.rawValue) \(phase == .succeeded ? 0 : 1)"])
    }

    @Test("nothing starts or restarts once the pod is stopping")
    func noRestartWhileStopping() {
        var pod = VirtualPod(Pods.pod(initContainers: [Pods.sidecar("proxy")], containers: [Pods.container("app")]))
        pod.behaviour["app"] = { _ in .ignoresTerm }
        pod.advance(by: .seconds(1))
        pod.stop()
        pod.observe(.containerExited(index: 0, exitCode: 1, signal: nil))
        pod.advance(by: .seconds(60))
        #expect(pod.events(["Started"], container: "proxy") == ["proxy Started#0"])
    }

    @Test("a stop during initialization: the running init container is killed, nothing else starts, the pod Failed")
    func stopDuringInit() {
        var pod = VirtualPod(Pods.pod(initContainers: [Pods.container("init")], containers: [Pods.container("app")]))
        pod.advance(by: .seconds(1))
        pod.stop()
        pod.advance(by: .seconds(5))
        #expect(pod.events(["Started", "Killing", "Exited"]) == ["init Started#0", "init Killing PodStopping 30", "init Exited 143 Error"])
        #expect(pod.phases == [.pending, .failed])
    }

    @Test("a second interrupt kills every container at once")
    func forceKill() {
        var pod = VirtualPod(Self.twoSidecars)
        for name in ["web", "worker", "first", "second"] { pod.behaviour[name] = { _ in .ignoresTerm } }
        pod.advance(by: .seconds(1))
        pod.stop()
        pod.advance(by: .seconds(1))
        pod.observe(.forceKillRequested)
        pod.advance(by: .seconds(1))
        #expect(Set(pod.signals(.kill).map(\.container)) == ["web", "worker", "first", "second"])
        #expect(pod.signals(.kill).allSatisfy { $0.time == .seconds(2) })
        #expect(pod.finished)
    }

    @Test("a stop request's grace period overrides the pod's")
    func graceOverride() {
        var pod = VirtualPod(Pods.pod(grace: 30, containers: [Pods.container("app")]))
        pod.behaviour["app"] = { _ in .ignoresTerm }
        pod.stop(gracePeriod: 3)
        pod.advance(by: .seconds(60))
        #expect(pod.events(["Killing"]) == ["app Killing PodStopping 3"])
        #expect(pod.signals(.kill).map(\.time) == [.seconds(3)])
    }
}
