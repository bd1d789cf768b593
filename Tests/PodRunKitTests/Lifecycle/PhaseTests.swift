import Testing
@testable import PodRunKit

@Suite("Pod phase and conditions")
struct PhaseTests {
    @Test("Pending through initialization, including while a sidecar has not started")
    func pendingDuringInit() {
        var pod = VirtualPod(Pods.pod(
            initContainers: [Pods.sidecar("proxy", startup: Pods.probe(period: 5)), Pods.container("init")], containers: [Pods.container("app")]))
        pod.probeResults["proxy"] = [.startup: { _, _, time in time >= .seconds(5) }]
        pod.behaviour["init"] = { _ in .runs(until: .seconds(1)) }
        pod.advance(by: .seconds(3))
        #expect(pod.status.phase == .pending)
        #expect(!pod.status.initialized)
        pod.advance(by: .seconds(10))
        #expect(pod.status.phase == .running)
        #expect(pod.status.initialized)
    }

    struct Ending: CustomTestStringConvertible, Sendable {
        var policy: RestartPolicy
        var exitCodes: [Int32]
        var phase: PodPhase
        var finished: Bool
        var testDescription: String { "\(policy.rawValue) with exits \(exitCodes) → \(phase.rawValue)\(finished ? ", finished" : "")" }
    }

    @Test("the phase after the regular containers exit", arguments: [
        Ending(policy: .never, exitCodes: [0, 0], phase: .succeeded, finished: true),
        Ending(policy: .never, exitCodes: [0, 1], phase: .failed, finished: true),
        Ending(policy: .onFailure, exitCodes: [0, 0], phase: .succeeded, finished: true),
        Ending(policy: .onFailure, exitCodes: [0, 1], phase: .running, finished: false),
        Ending(policy: .always, exitCodes: [0, 0], phase: .running, finished: false),
        Ending(policy: .always, exitCodes: [1, 1], phase: .running, finished: false),
    ])
    func afterExit(_ ending: Ending) {
        var pod = VirtualPod(Pods.pod(restartPolicy: ending.policy, containers: [Pods.container("a"), Pods.container("b")]))
        pod.behaviour["a"] = { instance in instance == 0 ? .runs(until: .seconds(1), exitCode: ending.exitCodes[0]) : .runs() }
        pod.behaviour["b"] = { instance in instance == 0 ? .runs(until: .seconds(2), exitCode: ending.exitCodes[1]) : .runs() }
        pod.advance(by: .seconds(3))
        #expect(pod.status.phase == ending.phase)
        #expect(pod.finished == ending.finished)
    }

    @Test("a terminal phase is final")
    func terminalIsFinal() {
        var pod = VirtualPod(Pods.pod(restartPolicy: .never, containers: [Pods.container("a")]))
        pod.behaviour["a"] = { _ in .runs(until: .seconds(1)) }
        pod.advance(by: .seconds(2))
        #expect(pod.finished)
        pod.observe(.containerStarted(index: 0, pid: 1))
        pod.stop()
        #expect(pod.phases == [.pending, .running, .succeeded])
    }

    @Test("a pod without init containers is Initialized at once; Ready once every container is ready")
    func conditions() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("a"), Pods.container("b")]))
        pod.advance(by: .seconds(1))
        #expect(pod.events(["PodInitialized", "Ready", "PodReady"]) == ["PodInitialized", "a Ready", "b Ready", "PodReady true"])
    }
}
