import Foundation
import Testing
@testable import PodRunKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pod environment end to end: volumes and path translation, ports, variables and `$(VAR)`
/// expansion as a real container sees them, port allocation under contention, sizeLimit
/// eviction, and the run directory on every way a pod can end.
@Suite("Integration: pod environment")
struct PodEnvironmentIntegrationTests {
    // MARK: Volumes and path translation

    @Test("the seeds' logging-sidecar pod runs with only its two commands changed: the agent reads every line the app writes to /var/log/my-api/app.log")
    func seedLoggingSidecarRuns() async throws {
        let demo = try Integration.demo()
        let published = try Spec.fixture("seeds/002-logging-sidecar-step4.yaml")
        let appCommand = #"command: ["/app/my-api", "--log-file", "$(LOG_PATH)"]"#
        let agentCommand = #"command: ["fluentd", "-c", "/fluentd/etc/fluent.conf"]"#
        #expect(published.components(separatedBy: appCommand).count == 2 && published.components(separatedBy: agentCommand).count == 2)
        let yaml = published
            .replacingOccurrences(of: appCommand, with: #"command: ["\#(demo)", "write", "--file", "$(LOG_PATH)", "--every", "100ms", "--text", "request"]"#)
            .replacingOccurrences(of: agentCommand, with: #"command: ["\#(demo)", "tail", "--from-start", "--file", "/var/log/my-api/app.log"]"#)
        let changed = zip(published.split(separator: "\n", omittingEmptySubsequences: false), yaml.split(separator: "\n", omittingEmptySubsequences: false))
            .filter { $0 != $1 }
        #expect(changed.count == 2, "nothing but the two commands differs from the published pod")

        let pod = try LivePod(yaml, keep: true)
        try await withStartedPod(pod) { pod in
            // The agent's captured output (its log file in the run directory) receives the app's lines.
            let arrived = await integrationEventually { pod.containerLog("logging-agent").contains(" request 3\n") }
            #expect(arrived, "the agent logged: \(pod.containerLog("logging-agent"))")
            let volumeFile = pod.supervisor.volumes.directory(of: "logs-volume").appendingPathComponent("app.log")
            let written = (try? String(contentsOf: volumeFile, encoding: .utf8)) ?? ""
            #expect(written.contains(" request 1\n"), "the app wrote into the volume through $(LOG_PATH) = /var/log/my-api/app.log")
            #expect(pod.events.first("Exited") == nil, "neither container failed: \(pod.events.names(["Exited", "StartFailed"]))")
            await pod.supervisor.stop()
            #expect(await pod.finished() == .succeeded, "write and tail exit 0 on SIGTERM")
        }
        // Each agent line is one app line, in order, without gaps.
        let shipped = pod.containerLog("logging-agent").split(separator: "\n").compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
        #expect(!shipped.isEmpty && shipped == Array(1...shipped.count))
    }

    @Test("an emptyDir is shared by containers mounting it at different paths and outlives a container's restart")
    func volumesSharedAndKeptAcrossRestarts() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: shared-volume}
            spec:
              restartPolicy: OnFailure
              volumes:
              - {name: cache, emptyDir: {}}
              containers:
              - name: writer
                volumeMounts: [{name: cache, mountPath: /cache}]
                command:
                - /bin/sh
                - -c
                - "if [ -f /cache/first ]; then echo second >> /cache/first; cp /cache/first $SCRATCH/writer-saw; exit 0; fi; echo first > /cache/first; exit 1"
              - name: reader
                volumeMounts: [{name: cache, mountPath: /srv/shared}]
                command:
                - /bin/sh
                - -c
                - "until grep -q second /srv/shared/first 2>/dev/null; do sleep 0.05; done; cp /srv/shared/first $SCRATCH/reader-saw"
            """)
        try await withStartedPod(pod) { pod in
            #expect(await pod.finished() == .succeeded)
            #expect(pod.lines("writer-saw") == ["first", "second"], "the second instance found the first one's file")
            #expect(pod.lines("reader-saw") == ["first", "second"], "the other container saw the same directory")
            #expect(pod.events.names(["Started", "Exited"]).filter { $0.hasPrefix("writer") } == [
                "writer Started", "writer Exited", "writer Started", "writer Exited",
            ])
            #expect(pod.events.first("Exited", "writer")?.event.kind == .exited(exitCode: 1, signal: nil, reason: "Error", restartCount: 0))
        }
    }

    @Test("mount paths are translated in exec probes and hooks, workingDir, nested mounts and subPath mounts; probes see the container's environment")
    func pathTranslationEverywhere() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: probe-paths}
            spec:
              restartPolicy: Never
              volumes:
              - {name: shared, emptyDir: {}}
              - {name: cache, emptyDir: {}}
              containers:
              - name: app
                workingDir: /shared
                volumeMounts:
                - {name: shared, mountPath: /shared}
                - {name: cache, mountPath: /shared/cache}
                - {name: shared, mountPath: /etc/app, subPath: conf}
                command: [/bin/sh, -c, "pwd -P > cwd; echo nested > /shared/cache/n; echo conf > /etc/app/settings; trap 'exit 0' TERM; while true; do sleep 0.05; done"]
                readinessProbe:
                  exec: {command: [/bin/sh, -c, "test -f /shared/ready && test \\"$HOSTNAME\\" = probe-paths"]}
                  periodSeconds: 1
                lifecycle:
                  postStart: {exec: {command: [touch, /shared/ready]}}
                  preStop: {exec: {command: [cp, /shared/cache/n, /shared/stopped]}}
            """, keep: true)
        try await withStartedPod(pod) { pod in
            _ = try #require(await pod.events.wait("Ready", "app"))
            #expect(pod.events.unhealthy("app", .readiness).isEmpty, "\(pod.events.unhealthy("app", .readiness))")
            await pod.supervisor.stop()
            #expect(await pod.finished() == .succeeded)
        }
        let shared = pod.supervisor.volumes.directory(of: "shared"), cache = pod.supervisor.volumes.directory(of: "cache")
        func read(_ url: URL) -> String { ((try? String(contentsOf: url, encoding: .utf8)) ?? "").trimmingCharacters(in: .newlines) }
        #expect(read(shared.appendingPathComponent("cwd")) == shared.resolvingSymlinksInPath().path, "workingDir /shared is the volume")
        #expect(read(cache.appendingPathComponent("n")) == "nested", "the longest mount path wins")
        #expect(!FileManager.default.fileExists(atPath: shared.appendingPathComponent("cache/n").path))
        #expect(read(shared.appendingPathComponent("conf/settings")) == "conf", "a subPath mount is the sub-directory")
        #expect(FileManager.default.fileExists(atPath: shared.appendingPathComponent("ready").path), "postStart's path was translated")
        #expect(read(shared.appendingPathComponent("stopped")) == "nested", "preStop's paths were translated, nested mount included")
    }

    @Test("a PATH in env that points into a volume is translated, and both the container and its exec probe find programs there")
    func pathIntoAVolume() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: tools-on-path}
            spec:
              volumes: [{name: tools, emptyDir: {}}]
              initContainers:
              - name: install
                volumeMounts: [{name: tools, mountPath: /opt/tools}]
                command: [/bin/sh, -c, "printf '#!/bin/sh\\\\necho checked >> $SCRATCH/checks\\\\n' > /opt/tools/healthcheck; chmod +x /opt/tools/healthcheck"]
              containers:
              - name: app
                volumeMounts: [{name: tools, mountPath: /opt/tools}]
                env: [{name: PATH, value: "/opt/tools:/usr/bin:/bin"}]
                command: [/bin/sh, -c, "healthcheck && exec sleep 60"]
                readinessProbe:
                  exec: {command: [healthcheck]}
                  periodSeconds: 1
            """)
        try await withStartedPod(pod) { pod in
            _ = try #require(await pod.events.wait("Ready", "app"))
            #expect(pod.events.unhealthy("app", .readiness).isEmpty, "\(pod.events.unhealthy("app", .readiness))")
            #expect(pod.lines("checks").count >= 2, "the container and the probe each ran the volume's program")
        }
    }

    // MARK: Variables

    @Test("a container sees HOSTNAME, PORT, PODRUN_PORT_*, PODRUN_VOLUME_*, fieldRef values and $(VAR)-expanded env and args")
    func containerEnvironment() async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: env-check
              namespace: team-a
              uid: 6f1c2a9e-0000-4000-8000-000000000001
              labels: {app: web, tier: front}
              annotations: {owner: alice}
            spec:
              restartPolicy: Never
              volumes:
              - {name: shared-data, emptyDir: {}}
              containers:
              - name: web-app
                ports:
                - {name: http, containerPort: 8080}
                - {containerPort: 9090}
                volumeMounts: [{name: shared-data, mountPath: /data}]
                env:
                - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
                - {name: POD_UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
                - {name: APP_LABEL, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
                - {name: OWNER, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['owner']"}}}
                - {name: MISSING_LABEL, valueFrom: {fieldRef: {fieldPath: "metadata.labels['nope']"}}}
                - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
                - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
                - {name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
                - {name: SERVICE_ACCOUNT, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
                - {name: EARLY, value: "$(LATE)-early"}
                - {name: LATE, value: late}
                - {name: GREETING, value: "hello $(POD_NAME) in $(POD_NAMESPACE)"}
                - {name: DATA_FILE, value: /data/out.txt}
                - {name: SELF_URL, value: "http://127.0.0.1:$(PORT)/data/x"}
                - {name: ESCAPED, value: "$$(POD_NAME)"}
                command: [/bin/sh, -c]
                args:
                - 'env > $SCRATCH/env; printf "%s\\n" "$1" "$2" "$3" "$4" > $SCRATCH/args; echo written > "$DATA_FILE"; cp /data/out.txt $SCRATCH/data'
                - sh
                - "$(GREETING) on $(PORT)"
                - "$(EARLY) $(LATE) $(UNDEFINED)"
                - "$$(PORT) $$$$"
                - "--out=$(DATA_FILE)"
              - name: admin
                ports: [{name: admin, containerPort: 9000}]
                command: [/bin/sh, -c, "env > $SCRATCH/admin-env"]
            """)
        try await withStartedPod(pod) { pod in
            #expect(await pod.finished() == .succeeded)
            let http = try #require(pod.hostPort("web-app", "http"))
            let metrics = try #require(pod.hostPort("web-app", "9090"))
            let admin = try #require(pod.hostPort("admin", "admin"))
            #expect(Set([http, metrics, admin]).count == 3)
            let volume = pod.supervisor.volumes.directory(of: "shared-data").path
            let env = pod.environment("env")
            let expected: [String: String] = [
                "HOSTNAME": "env-check",
                "PORT": "\(http)",
                "PODRUN_PORT_WEB_APP_HTTP": "\(http)",
                "PODRUN_PORT_WEB_APP_9090": "\(metrics)",
                "PODRUN_PORT_ADMIN_ADMIN": "\(admin)",
                "PODRUN_VOLUME_SHARED_DATA": volume,
                "POD_NAME": "env-check",
                "POD_NAMESPACE": "team-a",
                "POD_UID": "6f1c2a9e-0000-4000-8000-000000000001",
                "APP_LABEL": "web",
                "OWNER": "alice",
                "MISSING_LABEL": "",
                "POD_IP": "127.0.0.1",
                "HOST_IP": "127.0.0.1",
                "NODE_NAME": DownwardAPIField.localNodeName,
                "SERVICE_ACCOUNT": "default",
                "EARLY": "$(LATE)-early",
                "LATE": "late",
                "GREETING": "hello env-check in team-a",
                "DATA_FILE": volume + "/out.txt",
                "SELF_URL": "http://127.0.0.1:\(http)/data/x",
                "ESCAPED": "$(POD_NAME)",
            ]
            for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
                #expect(env[name] == value, "\(name)")
            }
            // Args are expanded with the final environment; values are never expanded twice.
            // An env value is translated once: substituted into args it is not translated again.
            #expect(pod.lines("args") == [
                "hello env-check in team-a on \(http)", "$(LATE)-early late $(UNDEFINED)", "$(PORT) $$", "--out=\(volume)/out.txt",
            ])
            #expect(pod.lines("data") == ["written"], "/data/out.txt and $DATA_FILE are the same file in the volume")

            let adminEnv = pod.environment("admin-env")
            #expect(adminEnv["PORT"] == "\(admin)", "PORT is the container's own first port")
            #expect(adminEnv["PODRUN_PORT_WEB_APP_HTTP"] == "\(http)", "every container sees the whole port map")
            #expect(adminEnv["PODRUN_VOLUME_SHARED_DATA"] == nil, "only a container's own mounts")
            #expect(adminEnv["POD_NAME"] == nil)
        }
    }

    // MARK: Ports

    @Test("10 pods started in parallel with auto ports, 2 ports each: 20 distinct host ports, every server listening and ready")
    func parallelAutoPortsNeverCollide() async throws {
        let demo = try Integration.demo()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-ports-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: base) }
        struct Running: Sendable {
            let supervisor: PodSupervisor
            let events: EventCollector
        }
        let yaml = { (index: Int) in
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: parallel-\(index)}
            spec:
              terminationGracePeriodSeconds: 5
              containers:
              - name: web
                command: [\(demo), serve, --quiet]
                ports: [{name: http, containerPort: 8080}]
                readinessProbe: {tcpSocket: {port: http}, periodSeconds: 1}
              - name: admin
                command: [\(demo), serve, --quiet]
                ports: [{name: admin, containerPort: 9090}]
                readinessProbe: {tcpSocket: {port: admin}, periodSeconds: 1}
            """
        }
        // Every supervisor is created (ports allocated) concurrently, as ten `podrun run --ports auto` in one process would.
        let pods = try await withThrowingTaskGroup(of: Running.self) { group in
            for index in 0..<10 {
                let text = yaml(index)
                group.addTask {
                    let loaded = PodLoader.load(text: text, file: "parallel.yaml")
                    guard let pod = loaded.pod else { throw TestFailure("\(loaded.diagnostics)") }
                    var options = RunOptions()
                    options.portMode = .auto
                    options.stateRoot = base.appendingPathComponent("state-\(index)")
                    let events = EventCollector()
                    return Running(supervisor: try PodSupervisor(pod: pod, options: options, onEvent: events.handler), events: events)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for pod in pods { await pod.supervisor.start() }
        for pod in pods {
            _ = await pod.events.waitPodReady(timeout: .seconds(20))
        }
        let ports = pods.flatMap { $0.supervisor.ports.mappings.map(\.hostPort) }
        #expect(ports.count == 20)
        #expect(Set(ports).count == 20, "a host port was handed out twice: \(ports.sorted())")
        for pod in pods {
            #expect(pod.events.first("Exited") == nil, "a server exited (port taken?): \(pod.events.names(["Exited"]))")
        }
        for port in ports {
            #expect(loopbackGET(port: port, path: "/healthz")?.status == 200, "nothing answers on \(port)")
        }
        for pod in pods { await pod.supervisor.stop() }
        for pod in pods {
            if await pod.events.wait("PodFinished", timeout: .seconds(10)) == nil { await pod.supervisor.kill() }
            #expect(await pod.supervisor.waitUntilFinished() == .succeeded)
        }
        #expect(!ports.contains { PortAllocator.isAllocated($0) }, "every pod released its ports")
    }

    @Test("a fixed hostPort that is already taken: PodSupervisor.init fails with a message naming the container, port and holder, and leaves no run directory")
    func heldHostPortIsAClearError() throws {
        let held = try HeldPort()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-held-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: base) }
        let loaded = PodLoader.load(text: """
            apiVersion: v1
            kind: Pod
            metadata: {name: busy-port}
            spec:
              volumes: [{name: data, emptyDir: {}}]
              containers:
              - name: web
                command: [/bin/sh, -c, "exec sleep 60"]
                ports: [{name: http, containerPort: 8080, hostPort: \(held.port)}]
                volumeMounts: [{name: data, mountPath: /data}]
            """, file: "busy.yaml")
        let pod = try #require(loaded.pod)
        var options = RunOptions()
        options.portMode = .auto
        options.stateRoot = base
        let error = #expect(throws: PortAllocationError.self) {
            _ = try PodSupervisor(pod: pod, options: options)
        }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("container \"web\" port \"http\" (8080/TCP): 127.0.0.1:\(held.port) is already in use"), "\(message)")
        #expect(message.hasSuffix("free it, or map the port elsewhere (hostPort, or the auto port mode)"))
        #if os(Linux)
        #expect(message.contains("pid \(getpid())"), "the holder is named: \(message)")
        #endif
        let runDirectory = PodRunDirectoryLayout(stateRoot: base, pod: "busy-port").runDirectory
        #expect(!FileManager.default.fileExists(atPath: runDirectory.path), "no run directory is left behind")
        #expect(!PortAllocator.isAllocated(held.port))
    }

    // MARK: sizeLimit

    @Test("an emptyDir with sizeLimit 1Mi and a container writing 2 MiB into it: the pod is evicted (PodStopping Evicted naming the volume) and Fails",
          arguments: ["{}", "{medium: Memory}"])
    func sizeLimitEvicts(_ medium: String) async throws {
        let emptyDir = medium == "{}" ? "{sizeLimit: 1Mi}" : "{medium: Memory, sizeLimit: 1Mi}"
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: evicted}
            spec:
              volumes:
              - {name: scratch-space, emptyDir: \(emptyDir)}
              containers:
              - name: filler
                volumeMounts: [{name: scratch-space, mountPath: /scratch}]
                command: [/bin/sh, -c, "head -c 2097152 /dev/zero > /scratch/blob; exec sleep 60"]
            """)
        try await withStartedPod(pod) { pod in
            let stopping = try #require(await pod.events.wait("PodStopping", timeout: .seconds(10)))
            guard case .podStopping(.evicted, let message?) = stopping.event.kind else {
                Issue.record("expected PodStopping Evicted with a message, got \(stopping.event.kind)")
                return
            }
            #expect(message.hasPrefix("Usage of EmptyDir volume \"scratch-space\" exceeds the limit \"1Mi\" ("), "\(message)")
            #expect(message.hasSuffix(" bytes used, 1048576 allowed)"))
            #expect(await pod.finished() == .failed)
            #expect(pod.events.first("Killing")?.event.kind == .killing(reason: .evicted, gracePeriodSeconds: 0))
            #expect(pod.events.all("Started").count == 1, "nothing restarts after an eviction")
            #expect(pod.events.records.last?.event.kind == .podFinished(phase: .failed, exitCode: 1))
        }
    }

    // MARK: Run directory cleanup

    enum Ending: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case success, failure, startFailure, stop
        var testDescription: String { rawValue }

        var command: String {
            switch self {
            case .success: "[/bin/sh, -c, \"echo ok > /data/result\"]"
            case .failure: "[/bin/sh, -c, \"echo bad > /data/result; exit 3\"]"
            case .startFailure: "[/nonexistent/podrun-missing-program]"
            case .stop: "[/bin/sh, -c, \"trap 'exit 0' TERM; while true; do sleep 0.05; done\"]"
            }
        }

        var phase: PodPhase { self == .success || self == .stop ? .succeeded : .failed }
    }

    @Test("the run directory and every emptyDir (RAM-backed ones too) are gone after every ending, and kept with keep; a hostPath is never touched",
          arguments: Ending.allCases, [false, true])
    func runDirectoryCleanup(_ ending: Ending, keep: Bool) async throws {
        let pod = try LivePod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: cleanup-\(ending.rawValue.lowercased())}
            spec:
              restartPolicy: Never
              volumes:
              - {name: data, emptyDir: {}}
              - {name: mem, emptyDir: {medium: Memory}}
              - {name: host, hostPath: {path: $SCRATCH/host, type: DirectoryOrCreate}}
              containers:
              - name: app
                command: \(ending.command)
                volumeMounts:
                - {name: data, mountPath: /data}
                - {name: mem, mountPath: /mem}
                - {name: host, mountPath: /host}
            """, keep: keep)
        let directory = pod.runDirectory
        let pods = directory.deletingLastPathComponent()
        let memory = try #require(pod.supervisor.volumes.volumes["mem"]?.directory)
        let precious = pod.scratch.appendingPathComponent("host/precious")
        #expect(FileManager.default.createFile(atPath: precious.path, contents: Data("keep me\n".utf8)))
        defer { if keep { pod.supervisor.volumes.remove() } }  // the kept RAM-backed directory lives outside the test's files
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("volumes/data").path), "volumes exist before the start")
        #expect(FileManager.default.fileExists(atPath: memory.path))
        try await withStartedPod(pod) { pod in
            if ending == .stop {
                _ = try #require(await pod.events.wait("Started", "app"))
                await pod.supervisor.stop()
            }
            #expect(await pod.finished() == ending.phase)
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: pods.path)) ?? []
        if keep {
            #expect(left == [directory.lastPathComponent])
            for file in ["pod.json", "status.json", "events.jsonl", "logs/app/0.log", "volumes/data"] {
                #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file) is kept")
            }
            #expect(!PodRunDirectoryLayout(runDirectory: directory).isSupervisorRunning(), "the lock is released")
            #expect(FileManager.default.fileExists(atPath: memory.path), "the Memory volume is kept")
        } else {
            #expect(left.isEmpty, "left behind: \(left)")
            #expect(!FileManager.default.fileExists(atPath: memory.path), "the Memory volume \(memory.path) is removed")
        }
        #expect(FileManager.default.fileExists(atPath: precious.path), "the hostPath's contents survive")
    }

    @Test("a volume that cannot be created fails PodSupervisor.init with a message naming it, and leaves neither the run directory nor a RAM-backed volume behind")
    func volumeErrorLeavesNothing() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-volerr-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: base) }
        let uid = UUID().uuidString.lowercased()
        let missing = base.appendingPathComponent("missing").path
        let loaded = PodLoader.load(text: """
            apiVersion: v1
            kind: Pod
            metadata: {name: bad-volume, uid: \(uid)}
            spec:
              volumes:
              - {name: mem, emptyDir: {medium: Memory}}
              - {name: srv, hostPath: {path: \(missing)}}
              containers:
              - name: web
                command: [/bin/sh, -c, "exec sleep 60"]
                ports: [{name: http, containerPort: 8080}]
                volumeMounts: [{name: mem, mountPath: /mem}, {name: srv, mountPath: /srv}]
            """, file: "bad-volume.yaml")
        let pod = try #require(loaded.pod)
        var options = RunOptions()
        options.portMode = .auto
        options.stateRoot = base
        let error = #expect(throws: VolumeError.self) { _ = try PodSupervisor(pod: pod, options: options) }
        #expect(error?.description == "volume \"srv\": \(missing) does not exist (create it, or set hostPath.type: DirectoryOrCreate)", "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: PodRunDirectoryLayout(stateRoot: base, pod: "bad-volume").runDirectory.path))
        #if os(Linux)
        #expect(!FileManager.default.fileExists(atPath: "/dev/shm/podrun-\(uid)-mem"))
        #endif
    }

    #if os(Linux)
    @Test("PodVolumes.removeLeftovers deletes the /dev/shm directories a kept run links to, and nothing a link points at elsewhere")
    func memoryVolumeLeftoversAreRemoved() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-leftover-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: base) }
        let volumes = base.appendingPathComponent("volumes")
        let outside = base.appendingPathComponent("outside")
        let memory = "/dev/shm/podrun-leftover-test-\(UUID().uuidString.lowercased())-mem"
        defer { try? FileManager.default.removeItem(atPath: memory) }
        for directory in [volumes.path, outside.path, memory] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: memory + "/data", contents: Data("kept\n".utf8))
        _ = FileManager.default.createFile(atPath: outside.path + "/data", contents: Data("not a volume\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: volumes.path + "/mem", withDestinationPath: memory)
        try FileManager.default.createSymbolicLink(atPath: volumes.path + "/planted", withDestinationPath: outside.path)
        #expect(PodVolumes.removeLeftovers(runDirectory: base).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: memory), "the RAM-backed leftover is deleted")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: volumes.path + "/mem")) == nil, "with its link")
        #expect(FileManager.default.fileExists(atPath: outside.path + "/data"), "a link to anything else is not followed")
    }

    @Test("running a pod again removes the RAM-backed volume its earlier kept run left in /dev/shm")
    func keptMemoryVolumeIsRemovedByTheNextRun() async throws {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: kept-memory}
            spec:
              restartPolicy: Never
              volumes: [{name: mem, emptyDir: {medium: Memory}}]
              containers:
              - {name: app, command: [/bin/sh, -c, "echo data > /mem/f"], volumeMounts: [{name: mem, mountPath: /mem}]}
            """
        let first = try LivePod(yaml, keep: true)
        let memory = try #require(first.supervisor.volumes.volumes["mem"]?.directory)
        defer { try? FileManager.default.removeItem(at: memory) }
        try await withStartedPod(first) { pod in #expect(await pod.finished() == .succeeded) }
        #expect(FileManager.default.fileExists(atPath: memory.appendingPathComponent("f").path), "kept, as asked")

        // Loaded again, the pod gets a new uid (as every `podrun run` of a pod without one), so
        // its own /dev/shm directory; the old one must not stay behind.
        let again = try #require(PodLoader.load(text: yaml, file: "kept-memory.yaml").pod)
        #expect(again.metadata.uid != first.supervisor.pod.metadata.uid)
        var options = RunOptions()
        options.stateRoot = first.stateRoot
        let second = try PodSupervisor(pod: again, options: options)
        let secondMemory = try #require(second.volumes.volumes["mem"]?.directory)
        defer { try? FileManager.default.removeItem(at: secondMemory) }
        #expect(!FileManager.default.fileExists(atPath: memory.path), "\(memory.path) leaked")
        await second.start()
        #expect(await second.waitUntilFinished() == .succeeded)
    }
    #endif

    enum Interrupt: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case sigint, sigterm, twoSIGINTs
        var testDescription: String { rawValue }
    }

    @Test("podrun run ended by SIGINT, SIGTERM or a second SIGINT (immediate kill) leaves no run directory and no container process", arguments: Interrupt.allCases)
    func runDirectoryCleanupOnSignals(_ interrupt: Interrupt) async throws {
        let podrun = try Integration.podrun()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("podrun-sigint-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        // The container ignores SIGTERM, so a single signal takes the grace period (1 s, raised to the
        // kubelet's 2 s minimum before SIGKILL); after a second SIGINT nothing waits for the 30 s one.
        let grace = interrupt == .twoSIGINTs ? 30 : 1
        let uid = UUID().uuidString.lowercased()
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: interrupted, uid: \(uid)}
            spec:
              terminationGracePeriodSeconds: \(grace)
              volumes: [{name: data, emptyDir: {}}, {name: mem, emptyDir: {medium: Memory}}]
              containers:
              - name: app
                command: [/bin/sh, -c, "trap '' TERM; echo up > /data/up; while true; do sleep 0.05; done"]
                volumeMounts: [{name: data, mountPath: /data}, {name: mem, mountPath: /mem}]
            """
        let podFile = base.appendingPathComponent("pod.yaml")
        try yaml.write(to: podFile, atomically: true, encoding: .utf8)
        let eventsFile = base.appendingPathComponent("events.jsonl")
        let stateDir = base.appendingPathComponent("state")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: podrun)
        process.arguments = ["run", "--state-dir", stateDir.path, "--ports", "auto", "--quiet", "--events", eventsFile.path, podFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        func events() -> [[String: Any]] {
            let text = (try? String(contentsOf: eventsFile, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        let runDirectory = PodRunDirectoryLayout(stateRoot: stateDir, pod: "interrupted").runDirectory
        let started = await integrationEventually {
            events().contains { $0["type"] as? String == "Started" }
                && FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent("volumes/data/up").path)
        }
        #expect(started, "the pod did not start: \(events())")
        let pid = events().first { $0["type"] as? String == "Started" }?["pid"] as? Int
        let signalled = Date()
        kill(process.processIdentifier, interrupt == .sigterm ? SIGTERM : SIGINT)
        if interrupt == .twoSIGINTs {
            #expect(await integrationEventually { events().contains { $0["type"] as? String == "Killing" } })
            kill(process.processIdentifier, SIGINT)
        }
        let exited = await integrationEventually(timeout: .seconds(15)) { !process.isRunning }
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            Issue.record("podrun did not exit after \(interrupt)")
        }
        process.waitUntilExit()
        let elapsed = Date().timeIntervalSince(signalled)
        #expect(process.terminationStatus == 1, "the container was killed, so the pod Failed")
        #expect(events().last?["type"] as? String == "PodFinished")
        if interrupt == .twoSIGINTs {
            #expect(elapsed < 5, "the second SIGINT did not wait for the 30 s grace period (\(elapsed) s)")
        } else {
            #expect(elapsed >= 1.9, "a single signal gives the container its grace period (\(elapsed) s)")
        }
        #expect(!FileManager.default.fileExists(atPath: runDirectory.path), "the run directory is gone")
        #if os(Linux)
        #expect(!FileManager.default.fileExists(atPath: "/dev/shm/podrun-\(uid)-mem"), "the Memory volume is gone")
        #endif
        if let pid {
            #expect(await waitUntilGone([Int32(pid)]), "the container process is gone")
        } else {
            Issue.record("no Started pid in \(events())")
        }
    }
}
