import Testing
@testable import PodRunKit

@Suite("Init containers")
struct InitContainerTests {
    @Test("run one at a time, in order, each after the previous exited 0; regular containers after all")
    func sequential() {
        var pod = VirtualPod(Pods.pod(initContainers: [Pods.container("init-a"), Pods.container("init-b")], containers: [Pods.container("app")]))
        pod.behaviour["init-a"] = { _ in .runs(until: .seconds(1)) }
        pod.behaviour["init-b"] = { _ in .runs(until: .seconds(2)) }
        pod.advance(by: .seconds(10))
        #expect(pod.events(["Started", "Exited", "PodInitialized"]) == [
            "init-a Started#0", "init-a Exited 0 Completed", "init-b Started#0", "init-b Exited 0 Completed", "PodInitialized", "app Started#0",
        ])
        #expect(pod.time(of: "Started", "init-b") == .seconds(1))
        #expect(pod.time(of: "Started", "app") == .seconds(3))
        #expect(pod.phases == [.pending, .running])
    }

    @Test("a failed init container under restartPolicy Never fails the pod; no regular container starts")
    func failureNever() {
        var pod = VirtualPod(Pods.pod(restartPolicy: .never, initContainers: [Pods.container("init")], containers: [Pods.container("app")]))
        pod.behaviour["init"] = { _ in .runs(until: .seconds(1), exitCode: 3) }
        pod.advance(by: .seconds(60))
        #expect(pod.finished)
        #expect(pod.events(["Started"]) == ["init Started#0"])
        #expect(pod.phases == [.pending, .failed])
        #expect(pod.events(["PodStopping", "PodFinished"]) == ["PodStopping InitContainerFailed", "PodFinished Failed 1"])
    }

    @Test("a failed init container is retried with back-off while the pod stays Pending", arguments: [RestartPolicy.always, .onFailure])
    func failureRetried(policy: RestartPolicy) {
        var pod = VirtualPod(Pods.pod(restartPolicy: policy, initContainers: [Pods.container("init")], containers: [Pods.container("app")]))
        pod.behaviour["init"] = { instance in instance < 3 ? .runs(until: .seconds(1), exitCode: 1) : .runs(until: .seconds(1)) }
        pod.advance(by: .seconds(100))
        // exits at 1; restart immediately; exits at 2; back-off 10 → 12; exits 13; back-off 20 → 33; completes at 34.
        #expect(pod.times(of: "Started", container: "init") == [.seconds(0), .seconds(1), .seconds(12), .seconds(33)])
        #expect(pod.time(of: "Started", "app") == .seconds(34))
        #expect(pod.phases == [.pending, .running])
        #expect(pod.events(["BackOff"]) == ["init BackOff 10.0", "init BackOff 20.0"])
    }

    @Test("an init container's own restartPolicy Never fails the pod even when the pod's is Always")
    func containerPolicyNever() {
        var pod = VirtualPod(Pods.pod(initContainers: [Pods.container("init", restartPolicy: .never)], containers: [Pods.container("app")]))
        pod.behaviour["init"] = { _ in .runs(until: .seconds(1), exitCode: 1) }
        pod.advance(by: .seconds(60))
        #expect(pod.status.phase == .failed)
        #expect(pod.events(["Started"]) == ["init Started#0"])
    }

    @Test("completed init containers are not re-run when a regular container restarts")
    func notRerun() {
        var pod = VirtualPod(Pods.pod(initContainers: [Pods.container("init")], containers: [Pods.container("app")]))
        pod.behaviour["init"] = { _ in .runs(until: .seconds(1)) }
        pod.behaviour["app"] = { _ in .runs(until: .seconds(1), exitCode: 1) }
        pod.advance(by: .seconds(100))
        #expect(pod.events(["Started"], container: "init") == ["init Started#0"])
        #expect(pod.times(of: "Started", container: "app").count >= 4)
    }

    @Test("an init container that cannot start is a failed run: StartFailed, Exited 128 StartError, retried per policy")
    func startFailure() {
        var pod = VirtualPod(Pods.pod(restartPolicy: .never, initContainers: [Pods.container("init")], containers: [Pods.container("app")]))
        pod.behaviour["init"] = { _ in VirtualPod.Behaviour(startFailure: "exec \"nope\": executable file not found in $PATH") }
        pod.advance(by: .seconds(1))
        #expect(pod.events(["StartFailed", "Exited"]) == ["init StartFailed", "init Exited 128 StartError"])
        #expect(pod.status.phase == .failed)
    }
}
