import Foundation
import Testing
@testable import PodRunKit

@Suite("Pod decoding: every field, Kubernetes' defaults, YAML and JSON")
struct PodDecodingTests {
    /// `Fixtures/pods/complete.yaml` as the model must read it: every supported field set.
    static let complete = Pod(
        metadata: PodMetadata(
            name: "shop", namespace: "staging", uid: "0c6f1c1e-8a4e-4a53-9b8e-3d1d7f0e2a11",
            labels: ["app": "shop", "tier": "web"], annotations: ["note": "hello"]),
        spec: PodSpec(
            restartPolicy: .onFailure,
            terminationGracePeriodSeconds: 45,
            initContainers: [
                Container(
                    name: "migrate", image: "shop:1", command: ["/bin/migrate"], args: ["--all"], restartPolicy: .never,
                    restartPolicyRules: [ContainerRestartRule(action: .restart, exitCodes: ExitCodeRequirement(operator: .in, values: [42, 43]))]),
                Container(
                    name: "proxy", command: ["/bin/proxy"], ports: [ContainerPort(name: "proxy", containerPort: 9000)], restartPolicy: .always,
                    startupProbe: Probe(
                        handler: .tcpSocket(TCPSocketAction(port: .string("proxy"), host: "127.0.0.1")), periodSeconds: 1, failureThreshold: 30)),
            ],
            containers: [
                Container(
                    name: "web", image: "shop:1", command: ["/bin/web"], args: ["--port", "$(PORT)"], workingDir: "/srv",
                    env: [
                        EnvVar(name: "GREETING", value: "hi"),
                        EnvVar(name: "POD_NAME", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.name"))),
                        EnvVar(name: "APP", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.labels['app']", apiVersion: "v1"))),
                    ],
                    ports: [
                        ContainerPort(name: "http", containerPort: 8080, hostPort: 18080, protocol: .tcp),
                        ContainerPort(containerPort: 9090, protocol: .udp),
                    ],
                    volumeMounts: [
                        VolumeMount(name: "cache", mountPath: "/cache", readOnly: true, subPath: "web"),
                        VolumeMount(name: "host", mountPath: "/host"),
                    ],
                    readinessProbe: Probe(
                        handler: .httpGet(
                            HTTPGetAction(
                                path: "/ready", port: .string("http"), host: "localhost", scheme: .https,
                                httpHeaders: [HTTPHeader(name: "X-Probe", value: "1")])),
                        initialDelaySeconds: 2, periodSeconds: 5, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 4),
                    livenessProbe: Probe(handler: .exec(ExecAction(command: ["cat", "/tmp/alive"])), terminationGracePeriodSeconds: 7),
                    lifecycle: Lifecycle(postStart: .exec(ExecAction(command: ["/bin/warm"])), preStop: .sleep(SleepAction(seconds: 5)))),
                Container(
                    name: "worker", command: ["/bin/worker"], restartPolicy: .always,
                    lifecycle: Lifecycle(preStop: .httpGet(HTTPGetAction(port: .int(8081))))),
            ],
            volumes: [
                Volume(name: "cache", emptyDir: EmptyDirVolumeSource(medium: "Memory", sizeLimit: Quantity("64Mi"))),
                Volume(name: "host", hostPath: HostPathVolumeSource(path: "/var/data", type: "DirectoryOrCreate")),
            ]))

    @Test("every supported field of a YAML pod lands in the model", arguments: ["pods/complete.yaml", "pods/complete.json"])
    func completePod(fixture: String) throws {
        let result = Spec.load(try Spec.fixture(fixture), file: fixture)
        #expect(result.diagnostics.isEmpty)
        #expect(result.pod == Self.complete)
        #expect(Quantity("64Mi")?.bytes == 64 << 20)
    }

    @Test("the YAML pod and the same pod as JSON load as equal values")
    func yamlEqualsJSON() throws {
        let yaml = PodLoader.load(text: try Spec.fixture("pods/complete.yaml"), file: "complete.yaml")
        let json = PodLoader.load(text: try Spec.fixture("pods/complete.json"), file: "complete.json")
        #expect(yaml.pod != nil)
        #expect(yaml.pod == json.pod)
    }

    static let minimalYAML = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: minimal
        spec:
          containers:
          - name: main
            command: [/bin/server]
            ports:
            - containerPort: 8080
            readinessProbe:
              httpGet:
                port: 8080
            livenessProbe:
              tcpSocket:
                port: 8080
            env:
            - name: NS
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace

        """

    static let minimalJSON = """
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "minimal"},
         "spec": {"containers": [{"name": "main", "command": ["/bin/server"],
           "ports": [{"containerPort": 8080}],
           "readinessProbe": {"httpGet": {"port": 8080}},
           "livenessProbe": {"tcpSocket": {"port": 8080}},
           "env": [{"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}]}]}}
        """

    @Test("absent fields get Kubernetes' defaults")
    func defaults() throws {
        let result = Spec.load(Self.minimalYAML)
        #expect(result.diagnostics.isEmpty)
        let pod = try #require(result.pod)
        #expect(pod.apiVersion == "v1")
        #expect(pod.kind == "Pod")
        #expect(pod.metadata.namespace == "default")
        #expect(pod.metadata.labels.isEmpty)
        #expect(pod.metadata.annotations.isEmpty)
        #expect(pod.spec.restartPolicy == .always)
        #expect(pod.spec.terminationGracePeriodSeconds == 30)
        #expect(pod.spec.initContainers.isEmpty)
        #expect(pod.spec.volumes.isEmpty)
        let main = try #require(pod.spec.containers.first)
        #expect(main.image == nil)
        #expect(main.args.isEmpty)
        #expect(main.workingDir == nil)
        #expect(main.restartPolicy == nil)
        #expect(main.restartPolicyRules.isEmpty)
        #expect(main.startupProbe == nil)
        #expect(main.lifecycle == nil)
        #expect(main.ports == [ContainerPort(name: nil, containerPort: 8080, hostPort: nil, protocol: .tcp)])
        #expect(
            main.readinessProbe
                == Probe(
                    handler: .httpGet(HTTPGetAction(path: "/", port: .int(8080), host: nil, scheme: .http, httpHeaders: [])),
                    initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3,
                    terminationGracePeriodSeconds: nil))
        #expect(
            main.livenessProbe
                == Probe(
                    handler: .tcpSocket(TCPSocketAction(port: .int(8080), host: nil)), initialDelaySeconds: 0, periodSeconds: 10,
                    timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3))
        #expect(main.env == [EnvVar(name: "NS", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.namespace", apiVersion: "v1")))])
    }

    @Test("the uid is generated: a lower-case RFC 4122 UUID, different on every load")
    func generatedUID() throws {
        let first = try #require(Spec.load(Self.minimalYAML).pod).metadata.uid
        let second = try #require(Spec.load(Self.minimalYAML).pod).metadata.uid
        #expect(first != second)
        #expect(first == first.lowercased())
        #expect(UUID(uuidString: first) != nil)
    }

    @Test("JSON is recognised by its content, and loads to the same pod as YAML apart from the generated uid")
    func jsonByContent() throws {
        // The file names say nothing about the format.
        let yaml = try #require(PodLoader.load(text: Self.minimalYAML, file: "pod.json").pod)
        var json = try #require(PodLoader.load(text: Self.minimalJSON, file: "pod.yaml").pod)
        #expect(json.metadata.uid != yaml.metadata.uid)
        json.metadata.uid = yaml.metadata.uid
        #expect(json == yaml)
    }

    @Test("load(data:file:) reads UTF-8 bytes; \"-\" (standard input) names the source in diagnostics")
    func standardInput() throws {
        let ok = PodLoader.load(data: Data(Self.minimalYAML.utf8), file: "-")
        #expect(ok.file == "-")
        #expect(ok.diagnostics.isEmpty)
        #expect(ok.pod?.metadata.name == "minimal")

        let broken = PodLoader.load(data: Data(Self.minimalYAML.replacingOccurrences(of: "command:", with: "comand:").utf8), file: "-")
        #expect(broken.pod == nil)
        #expect(broken.diagnostics.map(\.description) == [#"-:8:5: error: spec.containers[0].comand: unknown field "comand"; did you mean "command"?"#])
    }

    @Test("load(path:) reads a file, and \"-\" would read standard input; a missing file has no line")
    func loadPath() throws {
        let url = try Spec.fixtureURL("pods/complete.yaml")
        let result = PodLoader.load(path: url.path)
        #expect(result.file == url.path)
        #expect(result.pod == Self.complete)

        let missing = PodLoader.load(path: "/nonexistent/podrun/pod.yaml")
        #expect(missing.diagnostics.map(\.description) == ["/nonexistent/podrun/pod.yaml: error: no such file"])
        let directory = PodLoader.load(path: url.deletingLastPathComponent().path)
        #expect(directory.diagnostics.map(\.message) == ["is a directory, not a pod description"])
    }

    @Test("locations of fields are kept by field path, and a path without one falls back to its parent")
    func locations() throws {
        let result = Spec.load(Self.minimalYAML, file: "p.yaml")
        #expect(result.locations["metadata.name"] == SourceLocation(file: "p.yaml", line: 4, column: 9))
        #expect(result.locations["spec.containers[0]"] == SourceLocation(file: "p.yaml", line: 7, column: 5))
        #expect(result.locations["spec.containers[0].ports[0].containerPort"] == SourceLocation(file: "p.yaml", line: 10, column: 22))
        #expect(result.location(of: "spec.containers[0].readinessProbe.httpGet.path") == SourceLocation(file: "p.yaml", line: 13, column: 9))
        #expect(result.location(of: "nothing.here") == SourceLocation(file: "p.yaml", line: 1, column: 1))
    }

    @Test(
        "zero and empty values mean the default, as Kubernetes' defaulting treats them",
        arguments: [
            ("container", "readinessProbe:\n  exec: {command: [x]}\n  periodSeconds: 0\n  timeoutSeconds: 0\n  successThreshold: 0\n  failureThreshold: 0\n  initialDelaySeconds: 0"),
            ("container", "readinessProbe:\n  httpGet: {port: 80, path: \"\", scheme: \"\"}"),
            ("container", "ports:\n- {containerPort: 80, hostPort: 0, protocol: \"\", name: \"\"}"),
            ("spec", "restartPolicy: \"\""),
        ])
    func zeroMeansDefault(place: String, fields: String) throws {
        let text = place == "container" ? Spec.pod(container: fields) : Spec.pod(spec: fields)
        let result = Spec.load(text)
        #expect(result.diagnostics.isEmpty)
        let pod = try #require(result.pod)
        let main = try #require(pod.spec.containers.first)
        #expect(pod.spec.restartPolicy == .always)
        if let probe = main.readinessProbe {
            #expect(probe.initialDelaySeconds == 0)
            #expect(probe.periodSeconds == 10)
            #expect(probe.timeoutSeconds == 1)
            #expect(probe.successThreshold == 1)
            #expect(probe.failureThreshold == 3)
            if case .httpGet(let action) = probe.handler {
                #expect(action.path == "/")
                #expect(action.scheme == .http)
            }
        }
        for port in main.ports {
            #expect(port == ContainerPort(name: nil, containerPort: 80, hostPort: nil, protocol: .tcp))
        }
    }

    @Test("a negative pod grace period is 1 (with a warning), as Kubernetes treats it")
    func negativeGracePeriod() throws {
        let result = Spec.load(Spec.pod(spec: "terminationGracePeriodSeconds: -5"))
        #expect(result.diagnostics.map(\.severity) == [.warning])
        #expect(result.pod?.spec.terminationGracePeriodSeconds == 1)
        #expect(Spec.load(Spec.pod(spec: "terminationGracePeriodSeconds: 0")).pod?.spec.terminationGracePeriodSeconds == 0)
    }

    @Test("an empty namespace is \"default\" and an empty uid is generated")
    func emptyMetadata() throws {
        let text = Spec.pod().replacingOccurrences(of: "  name: demo\n", with: "  name: demo\n  namespace: \"\"\n  uid: \"\"\n")
        let pod = try #require(Spec.load(text).pod)
        #expect(pod.metadata.namespace == "default")
        #expect(UUID(uuidString: pod.metadata.uid) != nil)
    }

    @Test("a volume without a source is an emptyDir, as Kubernetes defaults it")
    func volumeDefault() throws {
        let result = Spec.load(Spec.pod(spec: "volumes:\n- name: scratch"))
        #expect(result.diagnostics.isEmpty)
        #expect(result.pod?.spec.volumes == [Volume(name: "scratch", emptyDir: EmptyDirVolumeSource(medium: "", sizeLimit: nil))])
    }

    @Test("null in a list or map of strings is an empty string, as Kubernetes decodes it")
    func nullStrings() throws {
        let text = Spec.pod(container: "args: [a, ~, null]").replacingOccurrences(of: "  name: demo\n", with: "  name: demo\n  labels: {team: ~}\n")
        let pod = try #require(Spec.load(text).pod)
        #expect(pod.spec.containers[0].args == ["a", "", ""])
        #expect(pod.metadata.labels == ["team": ""])
    }

    @Test("anchors, aliases and merge keys are resolved; a key of the object wins over a merged one")
    func anchorsAndMergeKeys() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: shared
            spec:
              containers:
              - &base
                name: one
                command: [/bin/serve]
                env: &env
                - {name: MODE, value: fast}
              - <<: *base
                name: two
                args: [--two]
              - name: three
                command: [/bin/other]
                env: *env

            """
        let result = Spec.load(text)
        #expect(result.diagnostics.isEmpty)
        let containers = try #require(result.pod).spec.containers
        let env = [EnvVar(name: "MODE", value: "fast")]
        #expect(containers == [
            Container(name: "one", command: ["/bin/serve"], env: env),
            Container(name: "two", command: ["/bin/serve"], args: ["--two"], env: env),
            Container(name: "three", command: ["/bin/other"], env: env),
        ])
    }

    @Test(
        "integers in YAML 1.1 forms and quoted strings that look like other types",
        arguments: [
            ("containerPort: 0x1F90", 8080),
            ("containerPort: 017620", 8080),
            ("containerPort: 8_080", 8080),
            ("containerPort: +8080", 8080),
        ])
    func integerForms(field: String, value: Int32) throws {
        let result = Spec.load(Spec.pod(container: "ports:\n- \(field)"))
        #expect(result.diagnostics.isEmpty)
        #expect(result.pod?.spec.containers[0].ports.first?.containerPort == value)
    }

    @Test("quoted scalars stay strings whatever they look like")
    func quotedStrings() throws {
        let result = Spec.load(Spec.pod(container: "args: [\"8080\", 'true', \"~\", \"1e3\"]\nenv:\n- {name: ANSWER, value: \"yes\"}"))
        #expect(result.diagnostics.isEmpty)
        #expect(result.pod?.spec.containers[0].args == ["8080", "true", "~", "1e3"])
        #expect(result.pod?.spec.containers[0].env == [EnvVar(name: "ANSWER", value: "yes")])
    }

    @Test("the pod encodes to JSON as run and decodes back to the same value")
    func codableRoundTrip() throws {
        let data = try JSONEncoder().encode(Self.complete)
        #expect(try JSONDecoder().decode(Pod.self, from: data) == Self.complete)
        // The encoded pod is itself a pod description podrun loads to the same value.
        #expect(PodLoader.load(data: data, file: "pod.json").pod == Self.complete)
    }
}
