import Testing
@testable import PodRunKit

@Suite("CrashLoopBackOff")
struct BackOffTests {
    @Test("restart delays: immediate, then 10, 20, 40, 80, 160, 300, 300 s")
    func kubernetesSequence() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app")]))
        pod.behaviour["app"] = { _ in .runs(until: .zero, exitCode: 1) }
        pod.advance(by: .seconds(1200))
        let starts = pod.times(of: "Started", container: "app")
        let gaps = zip(starts.dropFirst(), starts).map { ($0 - $1).seconds }
        #expect(Array(gaps.prefix(8)) == [0, 10, 20, 40, 80, 160, 300, 300])
    }

    @Test("the delays follow --backoff-initial and --backoff-max")
    func customSequence() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app")]), backOff: BackOffPolicy(initial: .milliseconds(250), maximum: .seconds(1)))
        pod.behaviour["app"] = { _ in .runs(until: .zero, exitCode: 1) }
        pod.advance(by: .seconds(6))
        let starts = pod.times(of: "Started", container: "app")
        let gaps = zip(starts.dropFirst(), starts).map { ($0 - $1).seconds }
        #expect(Array(gaps.prefix(6)) == [0, 0.25, 0.5, 1, 1, 1])
    }

    @Test("zero back-off restarts at once every time")
    func zero() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app")]), backOff: BackOffPolicy(initial: .zero, maximum: .zero))
        pod.behaviour["app"] = { _ in .runs(until: .milliseconds(5), exitCode: 1) }
        pod.advance(by: .milliseconds(100))
        #expect(pod.times(of: "Started", container: "app").count == 21)
        #expect(pod.events(["BackOff"]).isEmpty)
    }

    @Test("a container that ran longer than twice the maximum starts the schedule over")
    func reset() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app")]))
        // Crash quickly four times, then run for 601 s, then crash quickly again.
        pod.behaviour["app"] = { instance in instance == 4 ? .runs(until: .seconds(601), exitCode: 1) : .runs(until: .zero, exitCode: 1) }
        pod.advance(by: .seconds(800))
        let starts = pod.times(of: "Started", container: "app")
        let gaps = zip(starts.dropFirst(), starts).map { ($0 - $1).seconds }
        // 0, 10, 20, 40 (instance 4 starts), then 601 s running, exit → immediate restart, then 10.
        #expect(Array(gaps.prefix(6)) == [0, 10, 20, 40, 601, 10])
    }

    @Test("a maximum below the initial delay lowers the initial delay, as the kubelet does")
    func maximumBelowInitial() {
        #expect(BackOffPolicy(initial: .seconds(10), maximum: .seconds(2)).initial == .seconds(2))
    }
}
