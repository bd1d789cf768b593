import Testing
@testable import PodRunKit

@Suite("Probes")
struct ProbeTests {
    @Test("initial results: not Ready before the first readiness success; liveness counts as passing until it fails")
    func initialResults() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app", readiness: Pods.probe(delay: 5), liveness: Pods.probe(delay: 60))]))
        pod.advance(by: .seconds(4))
        #expect(pod.status.container(named: "app")?.ready == false)
        #expect(pod.status.container(named: "app")?.started == true)
        pod.advance(by: .seconds(2))
        #expect(pod.status.container(named: "app")?.ready == true)
        #expect(pod.events(["Killing"]).isEmpty)
    }

    @Test("the first attempt comes initialDelaySeconds after the container started, then one every periodSeconds")
    func schedule() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app", readiness: Pods.probe(period: 10, delay: 5))]))
        pod.advance(by: .seconds(36))
        let attempts = pod.actionLog.filter { if case .runProbe = $0.action { true } else { false } }.map(\.time)
        #expect(attempts == [.seconds(5), .seconds(15), .seconds(25), .seconds(35)])
    }

    @Test("results count only after successThreshold / failureThreshold consecutive identical attempts")
    func thresholds() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app", readiness: Pods.probe(period: 1, success: 2, failure: 3))]))
        // attempts 1-2 pass, 3-4 fail, 5 passes, 6-8 fail, 9-10 pass
        let passes: Set<Int> = [1, 2, 5, 9, 10]
        pod.probeResults["app"] = [.readiness: { _, attempt, _ in passes.contains(attempt) }]
        pod.advance(by: .seconds(10))
        #expect(pod.events(["Ready", "NotReady"]) == ["app Ready", "app NotReady", "app Ready"])
        #expect(pod.times(of: "Ready", container: "app") == [.s(1.01), .s(9.01)])
        #expect(pod.time(of: "NotReady", "app") == .s(7.01))
        #expect(pod.events(["Unhealthy"]).count == 5)
    }

    @Test("a liveness failure kills the container (probe's grace period) and restarts it; the new instance is probed afresh")
    func livenessRestart() {
        let liveness = Pods.probe(period: 1, failure: 2, grace: 5)
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app", liveness: liveness)]))
        pod.probeResults["app"] = [.liveness: { instance, _, _ in instance > 0 }]
        pod.advance(by: .seconds(10))
        #expect(pod.events(["Killing", "Started", "Exited"]) == [
            "app Started#0", "app Killing LivenessProbeFailed 5", "app Exited 143 Error", "app Started#1",
        ])
        #expect(pod.status.container(named: "app")?.restartCount == 1)
    }

    @Test("after a liveness failure under restartPolicy Never the container is not restarted and the pod ends")
    func livenessNever() {
        var pod = VirtualPod(Pods.pod(restartPolicy: .never, containers: [Pods.container("app", liveness: Pods.probe(period: 1, failure: 1))]))
        pod.probeResults["app"] = [.liveness: { _, _, _ in false }]
        pod.behaviour["app"] = { _ in VirtualPod.Behaviour(onTerminate: (.zero, 0)) }
        pod.advance(by: .seconds(10))
        #expect(pod.events(["Started"]) == ["app Started#0"])
        #expect(pod.finished)
        #expect(pod.status.phase == .succeeded)
    }

    @Test("a liveness failure restarts the container even when it exits 0 under OnFailure")
    func livenessOnFailure() {
        var pod = VirtualPod(Pods.pod(restartPolicy: .onFailure, containers: [Pods.container("app", liveness: Pods.probe(period: 1, failure: 1))]))
        pod.probeResults["app"] = [.liveness: { instance, _, _ in instance > 0 }]
        pod.behaviour["app"] = { _ in VirtualPod.Behaviour(onTerminate: (.zero, 0)) }
        pod.advance(by: .seconds(3))
        #expect(pod.events(["Started"]) == ["app Started#0", "app Started#1"])
    }

    @Test("the startup probe gates readiness and liveness; once it passed it stops")
    func startupGates() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container(
            "app", startup: Pods.probe(period: 1, failure: 30), readiness: Pods.probe(period: 1), liveness: Pods.probe(period: 1))]))
        pod.probeResults["app"] = [.startup: { _, attempt, _ in attempt >= 4 }]
        pod.advance(by: .s(5.5))
        let runs = pod.actionLog.compactMap { entry -> String? in
            if case .runProbe(_, _, let probe) = entry.action { return "\(probe.rawValue)@\(entry.time.seconds)" }
            return nil
        }
        // Startup attempts on the worker's 1 s ticks; readiness at once when startup passed.
        #expect(runs.filter { $0.hasPrefix("startup") } == ["startup@1.0", "startup@2.0", "startup@3.0", "startup@4.0"])
        #expect(runs.first { !$0.hasPrefix("startup") } == "readiness@4.01")
        #expect(pod.events(["StartupSucceeded", "Ready"]) == ["app StartupSucceeded", "app Ready"])
    }

    @Test("liveness and startup attempts come on the worker's ticks from the pod's start, never at the instant a container starts; readiness at once")
    func ticks() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container(
            "app", readiness: Pods.probe(period: 4), liveness: Pods.probe(period: 4, failure: 1))]))
        pod.probeResults["app"] = [.liveness: { instance, _, _ in instance > 0 }]
        pod.advance(by: .s(9.5))
        let runs = pod.actionLog.compactMap { entry -> String? in
            if case .runProbe(_, let instance, let probe) = entry.action { return "\(probe.rawValue)#\(instance)@\(entry.time.seconds)" }
            return nil
        }
        // Instance 0 starts at 0: readiness at once; liveness first on the tick at 4, fails,
        // is killed and restarted at 4.01; instance 1 gets readiness at once and liveness on the
        // next tick of the same ticker, 8.
        #expect(runs == ["readiness#0@0.0", "readiness#0@4.0", "liveness#0@4.0", "readiness#1@4.01", "liveness#1@8.0", "readiness#1@8.01"])
    }

    @Test("initialDelaySeconds skips the ticks before the container has run that many whole seconds")
    func initialDelayOnTicks() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app", liveness: Pods.probe(period: 2, delay: 3))]))
        pod.advance(by: .s(8.5))
        let attempts = pod.actionLog.filter { if case .runProbe = $0.action { true } else { false } }.map(\.time)
        #expect(attempts == [.seconds(4), .seconds(6), .seconds(8)])
    }

    @Test("after a published liveness failure the worker holds: no more attempts against the dying container")
    func holdAfterFailure() {
        var pod = VirtualPod(Pods.pod(grace: 30, containers: [Pods.container("app", liveness: Pods.probe(period: 1, failure: 1))]))
        pod.probeResults["app"] = [.liveness: { _, _, _ in false }]
        pod.behaviour["app"] = { _ in .ignoresTerm }
        pod.advance(by: .seconds(20))
        let attempts = pod.actionLog.filter { if case .runProbe = $0.action { true } else { false } }
        #expect(attempts.count == 1)
    }

    @Test("readiness keeps being probed while a stopping pod runs preStop; liveness does not")
    func readinessDuringPreStop() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container(
            "app", readiness: Pods.probe(period: 1), liveness: Pods.probe(period: 1), lifecycle: Pods.hooks(preStop: true))]))
        pod.hooks["app"] = [.preStop: (.seconds(5), true)]
        pod.advance(by: .s(2.5))
        pod.stop()
        pod.advance(by: .seconds(10))
        let afterStop = pod.actionLog.filter { $0.time > .s(2.5) }.compactMap { entry -> ProbeKind? in
            if case .runProbe(_, _, let probe) = entry.action { return probe }
            return nil
        }
        #expect(afterStop.filter { $0 == .readiness }.count == 5)
        #expect(!afterStop.contains(.liveness))
    }

    @Test("Ready and PodReady follow readiness, including a sidecar's; an exit makes the container NotReady")
    func podReady() {
        var pod = VirtualPod(Pods.pod(
            initContainers: [Pods.sidecar("proxy", readiness: Pods.probe(period: 1))], containers: [Pods.container("app")]))
        pod.probeResults["proxy"] = [.readiness: { _, attempt, _ in attempt >= 3 }]
        pod.behaviour["app"] = { instance in instance == 0 ? .runs(until: .seconds(5), exitCode: 1) : .runs() }
        pod.advance(by: .seconds(6))
        #expect(pod.events(["Ready", "NotReady", "PodReady"]) == [
            "app Ready", "proxy Ready", "PodReady true", "app NotReady", "PodReady false", "app Ready", "PodReady true",
        ])
        #expect(pod.time(of: "PodReady") == .s(2.01))
    }

    @Test("a failed attempt is reported as Unhealthy with the probe's message")
    func unhealthy() {
        var pod = VirtualPod(Pods.pod(containers: [Pods.container("app", readiness: Pods.probe(period: 1))]))
        pod.probeResults["app"] = [.readiness: { _, _, _ in false }]
        pod.advance(by: .s(0.5))
        #expect(pod.timeline.map(\.event.kind).contains(.unhealthy(probe: .readiness, message: "readiness check failed")))
    }
}
