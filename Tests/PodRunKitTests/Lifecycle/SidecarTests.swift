import Testing
@testable import PodRunKit

@Suite("Native sidecars")
struct SidecarTests {
    @Test("start in init order; the next init container starts once the sidecar has started; all run together")
    func startOrder() {
        var pod = VirtualPod(Pods.pod(
            initContainers: [Pods.sidecar("proxy"), Pods.container("migrate")], containers: [Pods.container("app")]))
        pod.behaviour["migrate"] = { _ in .runs(until: .seconds(2)) }
        pod.advance(by: .seconds(10))
        #expect(pod.events(["Started", "Exited", "PodInitialized"]) == [
            "proxy Started#0", "migrate Started#0", "migrate Exited 0 Completed", "PodInitialized", "app Started#0",
        ])
        #expect(pod.status.container(named: "proxy")?.state.isRunning == true)
    }

    @Test("the next container waits for the sidecar's startup probe; a failing startup probe restarts the sidecar and nothing after it starts")
    func startupGate() {
        var pod = VirtualPod(Pods.pod(
            initContainers: [Pods.sidecar("proxy", startup: Pods.probe(period: 1, failure: 2))], containers: [Pods.container("app")]))
        pod.probeResults["proxy"] = [.startup: { instance, attempt, _ in instance >= 1 && attempt >= 2 }]
        pod.advance(by: .seconds(30))
        // Startup attempts on the worker's 1 s ticks. Instance 0: attempts at 1 and 2 fail →
        // killed at 2.01, restarted at once (the first restart); instance 1: fails at 3,
        // succeeds at 4 → app starts at 4.01.
        #expect(pod.events(["Started", "Killing", "StartupSucceeded"]) == [
            "proxy Started#0", "proxy Killing StartupProbeFailed 30", "proxy Started#1", "proxy StartupSucceeded", "app Started#0",
        ])
        #expect(pod.time(of: "Started", "app") == .s(4.01))
    }

    @Test("restarted whatever the pod's restartPolicy and exit code", arguments: [RestartPolicy.always, .onFailure, .never])
    func alwaysRestarted(policy: RestartPolicy) {
        var pod = VirtualPod(Pods.pod(restartPolicy: policy, initContainers: [Pods.sidecar("proxy")], containers: [Pods.container("app")]))
        pod.behaviour["proxy"] = { instance in instance == 0 ? .runs(until: .seconds(1), exitCode: 0) : .runs() }
        pod.advance(by: .seconds(5))
        #expect(pod.events(["Started"], container: "proxy") == ["proxy Started#0", "proxy Started#1"])
        #expect(pod.status.phase == .running)
    }

    @Test("never keep a pod alive: after the main container completes, sidecars stop and their exit codes are ignored")
    func jobCompletes() {
        var pod = VirtualPod(Pods.pod(
            restartPolicy: .never, initContainers: [Pods.sidecar("logger")], containers: [Pods.container("job")]))
        pod.behaviour["job"] = { _ in .runs(until: .seconds(3)) }
        pod.advance(by: .seconds(10))
        #expect(pod.finished)
        #expect(pod.events(["PodStopping", "Killing", "Exited", "PodFinished"]) == [
            "job Exited 0 Completed", "PodStopping Completed", "logger Killing PodCompleted 30", "logger Exited 143 Error",
            "PodFinished Succeeded 0",
        ])
        #expect(pod.phases == [.pending, .running, .succeeded])
    }

    @Test("a restarting sidecar does not put an initialized pod back to Pending")
    func crashLoopAfterInit() {
        var pod = VirtualPod(Pods.pod(initContainers: [Pods.sidecar("proxy")], containers: [Pods.container("app")]))
        pod.behaviour["proxy"] = { instance in instance == 0 ? .runs() : .runs(until: .seconds(1), exitCode: 1) }
        pod.advance(by: .seconds(1))
        pod.observe(.containerExited(index: 0, exitCode: 1, signal: nil))
        pod.advance(by: .seconds(60))
        #expect(pod.phases == [.pending, .running])
        #expect(pod.times(of: "Started", container: "proxy").count >= 3)
    }

    @Test("a regular init container failing under Never after a sidecar started: the pod is killed, sidecar stopped, Failed")
    func initFailsBesideSidecar() {
        var pod = VirtualPod(Pods.pod(
            restartPolicy: .never, initContainers: [Pods.sidecar("proxy"), Pods.container("migrate")], containers: [Pods.container("app")]))
        pod.behaviour["migrate"] = { _ in .runs(until: .seconds(1), exitCode: 2) }
        pod.advance(by: .seconds(10))
        #expect(pod.events(["Exited", "Killing", "PodFinished"]) == [
            "migrate Exited 2 Error", "proxy Killing InitFailed 30", "proxy Exited 143 Error", "PodFinished Failed 1",
        ])
        #expect(pod.events(["Started"], container: "app").isEmpty)
    }
}
