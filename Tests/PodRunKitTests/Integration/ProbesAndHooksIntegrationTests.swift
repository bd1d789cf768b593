import Foundation
import Testing
@testable import PodRunKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Probes and lifecycle hooks against real processes: exec commands, `podrun-demo serve` over
/// HTTP and TCP, hook ordering at start and at stop. Periods are 1 s; the test moves each pod
/// along (creating a file, calling `/fail`) as soon as an event shows it is waiting, so nothing
/// depends on a guessed delay.
///
/// Remember in the YAML below: commands and args get Kubernetes' `$(VAR)` expansion (a shell's
/// `$$` is written `$$$$` there), exec probe and hook commands do not (`$$` is `$$`).
@Suite("Integration: probes and hooks")
struct ProbesAndHooksIntegrationTests {
    // MARK: Probes

    @Test("exec readiness: NotReady until a file exists, then Ready and PodReady; failed attempts are Unhealthy with the command's output")
    func execReadiness() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: exec-readiness}
            spec:
              containers:
              - name: app
                command: [/bin/sh, -c, "exec sleep 60"]
                readinessProbe:
                  exec: {command: [cat, $SCRATCH/ready]}
                  periodSeconds: 1
            """)
        try await withStartedPod(pod) { pod in
            let file = pod.scratch.appendingPathComponent("ready").path
            let unhealthy = try #require(await pod.events.wait("Unhealthy", "app"))
            #expect(unhealthy.event.kind == .unhealthy(
                probe: .readiness, message: "exec [cat \(file)]: exit status 1: cat: \(file): No such file or directory"))
            #expect(pod.events.first("Ready") == nil, "not ready while the probe fails")
            #expect(!pod.events.records.contains { $0.event.kind == .podReady(true) })
            #expect(await pod.supervisor.status.containers[0].ready == false)

            #expect(FileManager.default.createFile(atPath: file, contents: Data("ok\n".utf8)))
            let ready = try #require(await pod.events.wait("Ready", "app"))
            let podReady = try #require(await pod.events.waitPodReady())
            #expect(unhealthy.seq < ready.seq && ready.seq < podReady.seq)
            #expect(pod.events.all("Unhealthy").allSatisfy { $0.seq < ready.seq }, "every attempt after the file exists passes")
        }
    }

    @Test("httpGet on a named port against podrun-demo serve: Ready after /readyz passes; GET /fail → liveness fails → Killing LivenessProbeFailed → restart → Ready again")
    func httpReadinessAndLiveness() async throws {
        let demo = try Integration.demo()
        // initialDelaySeconds 1: podrun probes a new instance at the instant it starts (see
        // `livenessIsNotProbedAtTheInstantOfStart`), before serve listens.
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: http-probes}
            spec:
              containers:
              - name: web
                command: [\(demo), serve, --quiet, --ready-after, 1s]
                ports: [{name: http, containerPort: 8080}]
                readinessProbe: {httpGet: {path: /readyz, port: http}, periodSeconds: 1}
                livenessProbe: {httpGet: {path: /healthz, port: http}, initialDelaySeconds: 1, periodSeconds: 1, failureThreshold: 2}
            """)
        try await withStartedPod(pod) { pod in
            let port = try #require(pod.hostPort("web", "http"))
            let ready = try #require(await pod.events.wait("Ready", "web"))
            _ = try #require(await pod.events.waitPodReady())
            // Before /readyz passed, each attempt failed with 503 (or found nothing listening yet).
            let acceptable = ["HTTP GET http://127.0.0.1:\(port)/readyz: status 503", "HTTP GET http://127.0.0.1:\(port)/readyz: connection refused"]
            #expect(pod.events.unhealthy("web", .readiness).allSatisfy(acceptable.contains), "\(pod.events.unhealthy("web", .readiness))")
            #expect(loopbackGET(port: port, path: "/readyz")?.status == 200, "the probe's port is the server's port")

            // The test breaks the server; liveness notices and the container is restarted.
            #expect(loopbackGET(port: port, path: "/fail")?.status == 200)
            let killing = try #require(await pod.events.wait(timeout: .seconds(10)) {
                $0.event.container == "web" && $0.seq > ready.seq && $0.event.kind == .killing(reason: .livenessProbeFailed, gracePeriodSeconds: 30)
            })
            #expect(pod.events.unhealthy("web", .liveness).first == "HTTP GET http://127.0.0.1:\(port)/healthz: status 503")
            let exited = try #require(await pod.events.wait("Exited", "web", after: killing))
            #expect(exited.event.kind == .exited(exitCode: 0, signal: nil, reason: "Completed", restartCount: 0), "serve exits 0 on SIGTERM")
            let restarted = try #require(await pod.events.wait("Started", "web", after: exited))
            guard case .started(restartCount: 1, _) = restarted.event.kind else {
                Issue.record("expected Started restartCount 1, got \(restarted.event.kind)")
                return
            }
            let readyAgain = try #require(await pod.events.wait("Ready", "web", after: restarted))
            _ = try #require(await pod.events.wait(timeout: .seconds(5)) { $0.seq > readyAgain.seq && $0.event.kind == .podReady(true) })
            // Between the failure and the restart the pod stopped being ready.
            let notReady = pod.events.all("NotReady", "web")
            #expect(notReady.contains { $0.seq > ready.seq && $0.seq < readyAgain.seq })
            #expect(pod.events.records.contains { $0.event.kind == .podReady(false) && $0.seq > ready.seq && $0.seq < readyAgain.seq })
            #expect(loopbackGET(port: port, path: "/healthz")?.status == 200, "the new instance is healthy")
        }
    }

    @Test("tcpSocket startup probe gates readiness: nothing is probed for readiness until the app opens its port")
    func tcpStartupGatesReadiness() async throws {
        let demo = try Integration.demo()
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: tcp-startup}
            spec:
              containers:
              - name: db
                command: [/bin/sh, -c, "until [ -f $SCRATCH/open ]; do sleep 0.05; done; exec \(demo) serve --quiet"]
                ports: [{name: db, containerPort: 5432}]
                startupProbe: {tcpSocket: {port: db}, periodSeconds: 1, failureThreshold: 30}
                readinessProbe: {httpGet: {path: /readyz, port: 5432}, periodSeconds: 1}
            """)
        try await withStartedPod(pod) { pod in
            let port = try #require(pod.hostPort("db", "db"))
            let refused = try #require(await pod.events.wait("Unhealthy", "db"))
            #expect(refused.event.kind == .unhealthy(probe: .startup, message: "TCP 127.0.0.1:\(port): connection refused"))
            #expect(pod.events.unhealthy("db", .readiness).isEmpty, "readiness waits for the startup probe")
            #expect(pod.events.first("Ready") == nil)

            #expect(FileManager.default.createFile(atPath: pod.scratch.appendingPathComponent("open").path, contents: nil))
            let startup = try #require(await pod.events.wait("StartupSucceeded", "db"))
            let ready = try #require(await pod.events.wait("Ready", "db"))
            #expect(startup.seq < ready.seq)
            #expect(pod.events.all("Unhealthy", "db").allSatisfy {
                if case .unhealthy(.startup, _) = $0.event.kind { $0.seq < startup.seq } else { $0.seq > startup.seq }
            })
            #expect(pod.events.first("Killing") == nil)
        }
    }

    @Test("a native sidecar's startup probe gates the next container: the app starts only after StartupSucceeded")
    func sidecarStartupGatesMain() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: sidecar-startup}
            spec:
              initContainers:
              - name: proxy
                restartPolicy: Always
                command: [/bin/sh, -c, "exec sleep 60"]
                startupProbe:
                  exec: {command: [test, -f, $SCRATCH/proxy-up]}
                  periodSeconds: 1
                  failureThreshold: 30
              containers:
              - name: app
                command: [/bin/sh, -c, "exec sleep 60"]
            """)
        try await withStartedPod(pod) { pod in
            let unhealthy = try #require(await pod.events.wait("Unhealthy", "proxy"))
            #expect(unhealthy.event.kind == .unhealthy(probe: .startup, message: "exec [test -f \(pod.scratch.path)/proxy-up]: exit status 1"))
            #expect(pod.events.first("Started", "app") == nil)
            #expect(pod.events.first("PodInitialized") == nil)

            #expect(FileManager.default.createFile(atPath: pod.scratch.appendingPathComponent("proxy-up").path, contents: nil))
            _ = try #require(await pod.events.wait("Started", "app"))
            #expect(pod.events.names(["Started", "StartupSucceeded", "PodInitialized", "Ready"]).prefix(5) == [
                "proxy Started", "proxy StartupSucceeded", "proxy Ready", "PodInitialized", "app Started",
            ])
        }
    }

    @Test("a native sidecar's readiness gates PodReady even when the app is ready")
    func sidecarReadinessGatesPodReady() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: sidecar-readiness}
            spec:
              initContainers:
              - name: proxy
                restartPolicy: Always
                command: [/bin/sh, -c, "exec sleep 60"]
                readinessProbe:
                  exec: {command: [test, -f, $SCRATCH/proxy-ready]}
                  periodSeconds: 1
              containers:
              - name: app
                command: [/bin/sh, -c, "exec sleep 60"]
            """)
        try await withStartedPod(pod) { pod in
            let appReady = try #require(await pod.events.wait("Ready", "app"))
            // A failed sidecar probe after the app became ready: the pod had every chance to be ready.
            _ = try #require(await pod.events.wait("Unhealthy", "proxy", after: appReady))
            #expect(!pod.events.records.contains { $0.event.kind == .podReady(true) }, "\(pod.events.names(["Ready", "PodReady"]))")

            #expect(FileManager.default.createFile(atPath: pod.scratch.appendingPathComponent("proxy-ready").path, contents: nil))
            let proxyReady = try #require(await pod.events.wait("Ready", "proxy"))
            let podReady = try #require(await pod.events.waitPodReady())
            #expect(proxyReady.seq < podReady.seq)
        }
    }

    @Test("probe timeouts: an exec attempt is killed and an httpGet attempt to a server that never answers is dropped after timeoutSeconds; probing goes on")
    func probeTimeouts() async throws {
        let silent = try HeldPort()  // accepts connections (the kernel's backlog) and never answers
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: probe-timeouts}
            spec:
              containers:
              - name: exec-probe
                command: [/bin/sh, -c, "exec sleep 60"]
                readinessProbe:
                  exec: {command: [/bin/sh, -c, "echo $$ >> $SCRATCH/probe-pids; exec sleep 30"]}
                  periodSeconds: 1
                  timeoutSeconds: 1
              - name: http-probe
                command: [/bin/sh, -c, "exec sleep 60"]
                readinessProbe:
                  httpGet: {host: 127.0.0.1, port: \(silent.port), path: /slow}
                  periodSeconds: 1
                  timeoutSeconds: 1
            """)
        try await withStartedPod(pod) { pod in
            for container in ["exec-probe", "http-probe"] {
                let first = try #require(await pod.events.wait("Unhealthy", container))
                let second = try #require(await pod.events.wait("Unhealthy", container, after: first))
                #expect(first.event.kind == .unhealthy(probe: .readiness, message: "timed out after 1s"))
                #expect(second.event.kind == first.event.kind)
                let started = try #require(pod.events.first("Started", container))
                #expect(first.time.timeIntervalSince(started.time) >= 0.95, "the attempt ran its whole timeout")
            }
            let pids = pod.lines("probe-pids").compactMap { Int32($0) }
            #expect(pids.count >= 2)
            #expect(await waitUntilGone(Array(pids.dropLast())), "every timed-out exec attempt was killed")
            #expect(pod.events.first("Ready") == nil)
        }
    }

    @Test("a failed liveness or startup probe kills the instance with the probe's terminationGracePeriodSeconds, preStop before SIGTERM, and it is restarted",
          arguments: [ProbeKind.liveness, .startup])
    func probeFailureKillsWithPreStop(_ kind: ProbeKind) async throws {
        // Exec probes run in the instance's own working directory: `sick` marks one instance only.
        let check = kind == .liveness ? "test ! -f sick" : "test -f started"
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: probe-kill}
            spec:
              terminationGracePeriodSeconds: 30
              containers:
              - name: app
                command: [/bin/sh, -c, "trap 'echo term >> $SCRATCH/order; exit 0' TERM; while true; do sleep 0.05; done"]
                \(kind.rawValue)Probe:
                  exec: {command: [/bin/sh, -c, "\(check)"]}
                  periodSeconds: 1
                  failureThreshold: 1
                  terminationGracePeriodSeconds: 5
                lifecycle:
                  preStop: {exec: {command: [/bin/sh, -c, "echo prestop >> $SCRATCH/order"]}}
            """)
        try await withStartedPod(pod) { pod in
            _ = try #require(await pod.events.wait("Started", "app"))
            if kind == .liveness {
                let instance = pod.supervisor.runDirectory.scratchLocation(container: "app", restartCount: 0).appendingPathComponent("sick")
                #expect(FileManager.default.createFile(atPath: instance.path, contents: nil))
            }
            let reason: KillReason = kind == .liveness ? .livenessProbeFailed : .startupProbeFailed
            let killing = try #require(await pod.events.wait { $0.event.kind == .killing(reason: reason, gracePeriodSeconds: 5) })
            let restarted = try #require(await pod.events.wait("Started", "app", after: killing))
            guard case .started(1, _) = restarted.event.kind else {
                Issue.record("expected the first restart, got \(restarted.event.kind)")
                return
            }
            let between = pod.events.records.filter {
                $0.seq > killing.seq && $0.seq < restarted.seq && ["HookStarted", "HookFinished", "Exited"].contains($0.event.type)
            }.map(\.event.kind)
            #expect(between == [
                .hookStarted(.preStop), .hookFinished(.preStop, outcome: .succeeded, message: nil),
                .exited(exitCode: 0, signal: nil, reason: "Completed", restartCount: 0),
            ])
            #expect(pod.lines("order").prefix(2) == ["prestop", "term"])
            #expect(pod.events.unhealthy("app", kind).first == "exec [/bin/sh -c \(check)]: exit status 1")
        }
    }

    // MARK: postStart

    @Test("postStart blocks the next start: the second container starts only after the first one's 1 s hook finished")
    func postStartBlocksNextStart() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: poststart-blocks}
            spec:
              containers:
              - name: first
                command: [/bin/sh, -c, "exec sleep 60"]
                lifecycle:
                  postStart:
                    exec: {command: [sleep, "1"]}
              - name: second
                command: [/bin/sh, -c, "exec sleep 60"]
            """)
        try await withStartedPod(pod) { pod in
            let second = try #require(await pod.events.wait("Started", "second"))
            #expect(pod.events.names(["Started", "HookStarted", "HookFinished"]) == [
                "first Started", "first HookStarted", "first HookFinished", "second Started",
            ])
            let hookStarted = try #require(pod.events.first("HookStarted", "first"))
            let hookFinished = try #require(pod.events.first("HookFinished", "first"))
            #expect(hookFinished.event.kind == .hookFinished(.postStart, outcome: .succeeded, message: nil))
            #expect(second.time.timeIntervalSince(hookStarted.time) >= 0.95, "the hook took its second before the next start")
            #expect(second.seq > hookFinished.seq)
        }
    }

    @Test("a failing postStart kills the container (Killing PostStartHookFailed) and the restart policy restarts it")
    func postStartFailureRestarts() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: poststart-fails}
            spec:
              containers:
              - name: app
                command: [/bin/sh, -c, "exec sleep 60"]
                lifecycle:
                  postStart:
                    exec:
                      command: [/bin/sh, -c, "if [ -f $SCRATCH/failed-once ]; then exit 0; fi; touch $SCRATCH/failed-once; echo cannot register >&2; exit 1"]
            """)
        try await withStartedPod(pod) { pod in
            let restarted = try #require(await pod.events.wait { if case .started(1, _) = $0.event.kind { true } else { false } })
            let succeeded = try #require(await pod.events.wait("HookFinished", "app", after: restarted))
            #expect(succeeded.event.kind == .hookFinished(.postStart, outcome: .succeeded, message: nil))
            #expect(pod.events.names(["Started", "HookStarted", "HookFinished", "Killing", "Exited"]) == [
                "app Started", "app HookStarted", "app HookFinished", "app Killing", "app Exited",
                "app Started", "app HookStarted", "app HookFinished",
            ])
            let failed = try #require(pod.events.first("HookFinished", "app"))
            guard case .hookFinished(.postStart, .failed, let message?) = failed.event.kind else {
                Issue.record("expected a failed postStart, got \(failed.event.kind)")
                return
            }
            #expect(message.hasPrefix("exec [/bin/sh -c if [ -f "))
            #expect(message.hasSuffix(": exit status 1: cannot register"))
            #expect(pod.events.first("Killing")?.event.kind == .killing(reason: .postStartHookFailed, gracePeriodSeconds: 30))
            #expect(pod.events.first("Exited")?.event.kind == .exited(exitCode: 143, signal: SIGTERM, reason: "Error", restartCount: 0))
        }
    }

    // MARK: preStop

    @Test("preStop runs to completion before SIGTERM reaches the container")
    func preStopBeforeSIGTERM() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: prestop-order}
            spec:
              restartPolicy: Never
              containers:
              - name: app
                command: [/bin/sh, -c, "trap 'echo term >> $SCRATCH/order; exit 0' TERM; echo up >> $SCRATCH/order; while true; do sleep 0.05; done"]
                lifecycle:
                  preStop:
                    exec: {command: [/bin/sh, -c, "echo prestop-begin >> $SCRATCH/order; sleep 0.5; echo prestop-end >> $SCRATCH/order"]}
            """)
        try await withStartedPod(pod) { pod in
            #expect(await integrationEventually { pod.lines("order") == ["up"] })
            await pod.supervisor.stop()
            #expect(await pod.finished() == .succeeded)
            #expect(pod.lines("order") == ["up", "prestop-begin", "prestop-end", "term"])
            #expect(pod.events.names(["Killing", "HookStarted", "HookFinished", "Exited"]) == [
                "app Killing", "app HookStarted", "app HookFinished", "app Exited",
            ])
            #expect(pod.events.first("HookFinished")?.event.kind == .hookFinished(.preStop, outcome: .succeeded, message: nil))
            #expect(pod.events.first("Exited")?.event.kind == .exited(exitCode: 0, signal: nil, reason: "Completed", restartCount: 0))
        }
    }

    @Test("at pod stop every container's preStop starts at once, sidecars' included; the sidecar still gets SIGTERM last")
    func simultaneousPreStops() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: prestop-together}
            spec:
              initContainers:
              - name: mesh
                restartPolicy: Always
                command: [/bin/sh, -c, "exec sleep 60"]
                lifecycle: {preStop: {exec: {command: [sleep, "1"]}}}
              containers:
              - name: a
                command: [/bin/sh, -c, "exec sleep 60"]
                lifecycle: {preStop: {exec: {command: [sleep, "1"]}}}
              - name: b
                command: [/bin/sh, -c, "exec sleep 60"]
                lifecycle: {preStop: {exec: {command: [sleep, "1"]}}}
            """)
        try await withStartedPod(pod) { pod in
            _ = try #require(await pod.events.wait("Started", "b"))
            await pod.supervisor.stop()
            #expect(await pod.finished() != nil)
            let started = pod.events.all("HookStarted")
            #expect(Set(started.compactMap(\.event.container)) == ["mesh", "a", "b"])
            let times = started.map(\.time.timeIntervalSinceReferenceDate)
            if let first = times.min(), let last = times.max() {
                #expect(last - first < 0.5, "preStop hooks began \(last - first) s apart")
            }
            #expect(pod.events.all("HookFinished").allSatisfy { $0.event.kind == .hookFinished(.preStop, outcome: .succeeded, message: nil) })
            #expect(pod.events.all("HookFinished").count == 3)
            let exits = pod.events.names(["Exited"])
            #expect(exits.last == "mesh Exited", "\(exits)")
            #expect(Set(exits.prefix(2)) == ["a Exited", "b Exited"])
        }
    }

    @Test("grace running out during preStop: the hook is cut off (timedOut), SIGTERM, then SIGKILL 2 s later for a container that ignores SIGTERM")
    func graceRunsOutDuringPreStop() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: prestop-timeout}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 2
              containers:
              - name: stubborn
                command: [/bin/sh, -c, "trap 'echo term >> $SCRATCH/term' TERM; echo up >> $SCRATCH/up; while true; do sleep 0.1; done"]
                lifecycle:
                  preStop:
                    exec: {command: [/bin/sh, -c, "echo $$ > $SCRATCH/prestop.pid; exec sleep 30"]}
            """)
        try await withStartedPod(pod) { pod in
            #expect(await integrationEventually { !pod.lines("up").isEmpty })
            await pod.supervisor.stop()
            #expect(await pod.finished() == .failed)
            #expect(pod.events.names(["Killing", "HookStarted", "HookFinished", "Exited"]) == [
                "stubborn Killing", "stubborn HookStarted", "stubborn HookFinished", "stubborn Exited",
            ])
            #expect(pod.events.first("Killing")?.event.kind == .killing(reason: .podStopping, gracePeriodSeconds: 2))
            let hookStarted = try #require(pod.events.first("HookStarted"))
            let hookFinished = try #require(pod.events.first("HookFinished"))
            let exited = try #require(pod.events.first("Exited"))
            #expect(hookFinished.event.kind == .hookFinished(.preStop, outcome: .timedOut, message: "timed out after 2s"))
            #expect(exited.event.kind == .exited(exitCode: 137, signal: SIGKILL, reason: "Error", restartCount: 0))
            #expect(hookFinished.time.timeIntervalSince(hookStarted.time) >= 1.95, "the hook had the whole grace period")
            #expect(exited.time.timeIntervalSince(hookFinished.time) >= 1.95, "SIGKILL only after the 2 s minimum since SIGTERM")
            #expect(pod.lines("term") == ["term"], "SIGTERM reached the container after the hook was cut off")
            let hookPID = pod.lines("prestop.pid").compactMap { Int32($0) }
            #expect(hookPID.count == 1)
            #expect(await waitUntilGone(hookPID), "the cut-off hook's process is gone")
        }
    }

    @Test("during preStop readiness goes on probing (and can turn the container NotReady); liveness stops")
    func readinessContinuesDuringPreStop() async throws {
        // The preStop drains until the test releases it, so the window is set by events (three
        // failed readiness attempts, at least two periods), not by a guessed duration.
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: prestop-probes}
            spec:
              restartPolicy: Never
              containers:
              - name: app
                command: [/bin/sh, -c, "exec sleep 60"]
                readinessProbe:
                  exec: {command: [/bin/sh, -c, "echo r >> $SCRATCH/readiness; test ! -f $SCRATCH/draining"]}
                  periodSeconds: 1
                  failureThreshold: 1
                livenessProbe:
                  exec: {command: [/bin/sh, -c, "echo l >> $SCRATCH/liveness; test ! -f $SCRATCH/draining"]}
                  periodSeconds: 1
                lifecycle:
                  preStop:
                    exec: {command: [/bin/sh, -c, "touch $SCRATCH/draining; until [ -f $SCRATCH/release ]; do sleep 0.05; done"]}
            """)
        try await withStartedPod(pod) { pod in
            _ = try #require(await pod.events.wait("Ready", "app"))
            #expect(await integrationEventually { !pod.lines("liveness").isEmpty })
            await pod.supervisor.stop()
            let hookStarted = try #require(await pod.events.wait("HookStarted", "app"))
            let livenessBefore = pod.lines("liveness").count
            var failed = hookStarted
            for _ in 0..<3 {
                let seq = failed.seq
                let next = await pod.events.wait(timeout: .seconds(10)) { record in
                    guard record.seq > seq, record.event.container == "app", case .unhealthy(.readiness, _) = record.event.kind else { return false }
                    return true
                }
                failed = try #require(next)
            }
            let livenessDuring = pod.lines("liveness").count - livenessBefore
            // Three failed attempts before the hook finished (checked below) prove that readiness went
            // on during the preStop; their completion times shift under load, so no time is asserted.
            #expect(livenessDuring <= 1, "liveness ran \(livenessDuring) times during the preStop (at most one attempt already under way)")
            let notReady = try #require(pod.events.first("NotReady", "app"))
            #expect(notReady.seq > hookStarted.seq && pod.events.first("HookFinished") == nil,
                    "a failing readiness probe turns the container NotReady while it drains")
            #expect(pod.events.unhealthy("app", .liveness).isEmpty)

            #expect(FileManager.default.createFile(atPath: pod.scratch.appendingPathComponent("release").path, contents: nil))
            let hookFinished = try #require(await pod.events.wait("HookFinished", "app"))
            #expect(hookFinished.event.kind == .hookFinished(.preStop, outcome: .succeeded, message: nil))
            #expect(pod.events.all("Killing").map(\.event.kind) == [.killing(reason: .podStopping, gracePeriodSeconds: 30)])
            #expect(await pod.finished() != nil)
        }
    }

    @Test("httpGet preStop on a named port reaches the server before SIGTERM; a sidecar's tcpSocket probe by number finds another container's port; a sleep preStop")
    func httpHooksAndCrossContainerPorts() async throws {
        let demo = try Integration.demo()
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: http-hooks}
            spec:
              restartPolicy: Never
              initContainers:
              - name: watcher
                restartPolicy: Always
                command: [\(demo), sleep]
                readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
                lifecycle: {preStop: {sleep: {seconds: 1}}}
              containers:
              - name: web
                command: [\(demo), serve]
                ports: [{name: http, containerPort: 8080}]
                readinessProbe: {httpGet: {path: /readyz, port: http}, periodSeconds: 1}
                lifecycle:
                  preStop: {httpGet: {path: /fail, port: http}}
            """, keep: true)
        try await withStartedPod(pod) { pod in
            let port = try #require(pod.hostPort("web", "http"))
            _ = try #require(await pod.events.waitPodReady(timeout: .seconds(10)))
            // The watcher declares no port: 8080 is resolved through the pod's map to web's host port.
            for message in pod.events.unhealthy("watcher", .readiness) {
                #expect(message == "TCP 127.0.0.1:\(port): connection refused")
            }
            await pod.supervisor.stop()
            #expect(await pod.finished() == .succeeded)
            #expect(pod.events.all("HookFinished").map(\.event.kind) == [
                .hookFinished(.preStop, outcome: .succeeded, message: nil), .hookFinished(.preStop, outcome: .succeeded, message: nil),
            ])
            let log = pod.containerLog("web")
            let failed = try #require(log.range(of: "serve: GET /fail 200"), "the hook's request reached the server: \(log)")
            let terminated = try #require(log.range(of: "serve: SIGTERM"))
            #expect(failed.upperBound <= terminated.lowerBound, "the preStop request came before SIGTERM")
            if let hookStarted = pod.events.first("HookStarted", "watcher"), let hookFinished = pod.events.first("HookFinished", "watcher") {
                #expect(hookFinished.time.timeIntervalSince(hookStarted.time) >= 0.95, "the sleep hook slept its second")
            }
        }
    }

    // MARK: The probe schedule

    @Test("a liveness probe without initialDelaySeconds does not hit a fresh instance before it could listen: serve with failureThreshold 1 stays up, and one /fail gives one restart")
    func livenessIsNotProbedAtTheInstantOfStart() async throws {
        let demo = try Integration.demo()
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: liveness-at-start}
            spec:
              containers:
              - name: web
                command: [\(demo), serve, --quiet]
                ports: [{name: http, containerPort: 8080}]
                livenessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1, failureThreshold: 1}
            """)
        try await withStartedPod(pod) { pod in
            let port = try #require(pod.hostPort("web", "http"))
            // Two liveness periods without a kill.
            #expect(await integrationHolds(for: .seconds(2.5)) { pod.events.first("Killing") == nil }, "\(pod.events.unhealthy("web", .liveness))")
            #expect(loopbackGET(port: port, path: "/fail")?.status == 200)
            let killing = try #require(await pod.events.wait("Killing", "web"))
            let restarted = try #require(await pod.events.wait("Started", "web", after: killing))
            // The restarted instance must survive its first probe (the kubelet's next tick comes about a period later).
            #expect(await integrationHolds(for: .seconds(2.5)) { pod.events.all("Killing").count == 1 },
                    "the restarted instance was killed again: \(pod.events.unhealthy("web", .liveness))")
            #expect(pod.events.all("Started").count == 2, "\(restarted)")
        }
    }
}
