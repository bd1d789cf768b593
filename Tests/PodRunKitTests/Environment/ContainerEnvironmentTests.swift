import Foundation
import Testing

@testable import PodRunKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct ContainerEnvironmentTests {
    static let volumes = PodVolumes(
        runDirectory: URL(fileURLWithPath: "/R"),
        volumes: [
            MaterializedVolume(name: "shared-logs", storage: .disk, directory: URL(fileURLWithPath: "/R/volumes/shared-logs")),
            MaterializedVolume(name: "cache", storage: .disk, directory: URL(fileURLWithPath: "/R/volumes/cache")),
        ])
    static let ports = PortMap(mappings: [
        PortMapping(container: "app", name: "http", containerPort: 8080, hostPort: 50080),
        PortMapping(container: "app", containerPort: 9090, hostPort: 50090),
        PortMapping(container: "shipper", name: "forward", containerPort: 24224, hostPort: 54224),
    ])

    static func build(
        _ container: Container, pod: Pod? = nil, inherited: [String: String] = [:], clean: Bool = false
    ) -> ContainerEnvironment {
        ContainerEnvironment.build(
            pod: pod ?? environmentPod(containers: [container]), container: container, ports: ports, volumes: volumes,
            inherited: inherited, clean: clean, nodeName: "node-1")
    }

    static let logMount = VolumeMount(name: "shared-logs", mountPath: "/var/log/app")

    @Test func layersOverrideInKubernetesOrder() {
        let inherited = ["PATH": "/usr/bin", "HOSTNAME": "laptop", "PORT": "1", "PODRUN_PORT_APP_HTTP": "2", "KEEP": "inherited"]
        let container = Container(name: "app", command: ["run"], env: [EnvVar(name: "KEEP", value: "$(KEEP)+spec")])
        let variables = Self.build(container, inherited: inherited).variables
        #expect(variables["PATH"] == "/usr/bin")
        #expect(variables["HOSTNAME"] == "web", "the pod's name replaces podrun's host name")
        #expect(variables["PORT"] == "50080", "the container's own first port")
        #expect(variables["PODRUN_PORT_APP_HTTP"] == "50080")
        #expect(variables["PODRUN_PORT_APP_9090"] == "50090")
        #expect(variables["PODRUN_PORT_SHIPPER_FORWARD"] == "54224", "every container sees the whole map")
        #expect(variables["KEEP"] == "inherited+spec", "env sees and overrides what came before")
    }

    @Test func envOverridesEvenPodrunsOwnVariables() {
        let container = Container(
            name: "app", command: ["run"],
            env: [EnvVar(name: "HOSTNAME", value: "custom"), EnvVar(name: "PORT", value: "80"), EnvVar(name: "PODRUN_VOLUME_CACHE", value: "/x")],
            volumeMounts: [VolumeMount(name: "cache", mountPath: "/cache")])
        let variables = Self.build(container).variables
        #expect(variables["HOSTNAME"] == "custom")
        #expect(variables["PORT"] == "80")
        #expect(variables["PODRUN_VOLUME_CACHE"] == "/x")
    }

    @Test func cleanModeKeepsOnlyTheBasics() {
        let inherited = ["PATH": "/bin", "HOME": "/h", "USER": "me", "LANG": "C.UTF-8", "TMPDIR": "/t", "SECRET": "x", "SHELL": "/bin/zsh"]
        let container = Container(name: "sidecar", command: ["run"])
        let variables = Self.build(container, inherited: inherited, clean: true).variables
        #expect(variables.filter { !$0.key.hasPrefix("PODRUN_") } == [
            "PATH": "/bin", "HOME": "/h", "USER": "me", "LANG": "C.UTF-8", "TMPDIR": "/t", "HOSTNAME": "web",
        ])
        #expect(variables["PORT"] == nil, "a container without ports has no PORT")
        #expect(Self.build(container, inherited: inherited, clean: false).variables["SECRET"] == "x")
    }

    @Test func envSeesOnlyVariablesDefinedBeforeIt() {
        let container = Container(
            name: "app", command: ["run"],
            env: [
                EnvVar(name: "EARLY", value: "$(LATE)"),
                EnvVar(name: "LATE", value: "late"),
                EnvVar(name: "AFTER", value: "$(LATE)"),
                EnvVar(name: "SELF", value: "$(SELF)"),
                EnvVar(name: "ESCAPED", value: "$$(LATE)"),
                EnvVar(name: "URL", value: "http://127.0.0.1:$(PODRUN_PORT_SHIPPER_FORWARD)/"),
            ])
        let variables = Self.build(container).variables
        #expect(variables["EARLY"] == "$(LATE)")
        #expect(variables["AFTER"] == "late")
        #expect(variables["SELF"] == "$(SELF)")
        #expect(variables["ESCAPED"] == "$(LATE)")
        #expect(variables["URL"] == "http://127.0.0.1:54224/")
    }

    @Test func aRedefinedVariableIsSeenWithItsValueAtThatPoint() {
        let container = Container(
            name: "app", command: ["echo", "$(A)", "$(B)", "$(C)"],
            env: [EnvVar(name: "A", value: "1"), EnvVar(name: "B", value: "$(A)"), EnvVar(name: "A", value: "2"), EnvVar(name: "C", value: "$(A)")])
        let environment = Self.build(container)
        #expect(environment.variables["A"] == "2")
        #expect(environment.variables["B"] == "1")
        #expect(environment.variables["C"] == "2")
        #expect(environment.argv == ["echo", "2", "1", "2"], "command and args use the final environment")
    }

    @Test func commandAndArgsAreExpandedThenTranslated() {
        // The seed's pattern: the log path in an env variable, passed through $(LOG_PATH).
        let container = Container(
            name: "app", command: ["/app/my-api", "--log-file", "$(LOG_PATH)"],
            args: ["--port=$(PORT)", "$(UNDEFINED)", "$$(LOG_PATH)", "--dir=/var/log/app"],
            env: [EnvVar(name: "LOG_PATH", value: "/var/log/app/app.log")], volumeMounts: [Self.logMount])
        let environment = Self.build(container)
        #expect(environment.variables["LOG_PATH"] == "/R/volumes/shared-logs/app.log")
        #expect(environment.argv == [
            "/app/my-api", "--log-file", "/R/volumes/shared-logs/app.log",
            "--port=50080", "$(UNDEFINED)", "$(LOG_PATH)", "--dir=/R/volumes/shared-logs",
        ])
    }

    @Test func aReferenceThatExpandsToAMountPathIsTranslated() {
        let container = Container(
            name: "app", command: ["sh", "-c", "ls $(DIR)/x"], env: [EnvVar(name: "DIR", value: "/var/log/app")], volumeMounts: [Self.logMount])
        #expect(Self.build(container).argv == ["sh", "-c", "ls /R/volumes/shared-logs/x"])
    }

    @Test func inheritedValuesAreNotTranslated() {
        let container = Container(name: "app", command: ["run"], volumeMounts: [Self.logMount])
        #expect(Self.build(container, inherited: ["LOGS": "/var/log/app"]).variables["LOGS"] == "/var/log/app")
    }

    @Test func workingDirectoryIsTranslatedButNotExpanded() {
        let container = Container(
            name: "app", command: ["run"], workingDir: "/var/log/app/$(SUB)", env: [EnvVar(name: "SUB", value: "x")],
            volumeMounts: [Self.logMount])
        #expect(Self.build(container).workingDirectory == "/R/volumes/shared-logs/$(SUB)")
        #expect(Self.build(Container(name: "app", command: ["run"])).workingDirectory == nil)
    }

    @Test func execCommandsAreTranslatedButNotExpanded() {
        let container = Container(
            name: "app", command: ["run"], env: [EnvVar(name: "F", value: "x")], volumeMounts: [Self.logMount])
        let environment = Self.build(container)
        #expect(environment.execCommand(["sh", "-c", "test -s /var/log/app/$(F)"]) == ["sh", "-c", "test -s /R/volumes/shared-logs/$(F)"])
    }

    @Test func volumeVariablesCoverTheContainersOwnMountsOnly() {
        let app = Container(name: "app", command: ["run"], volumeMounts: [Self.logMount, VolumeMount(name: "cache", mountPath: "/cache")])
        let shipper = Container(name: "shipper", command: ["run"], volumeMounts: [Self.logMount])
        #expect(Self.build(app).variables.filter { $0.key.hasPrefix("PODRUN_VOLUME_") } == [
            "PODRUN_VOLUME_SHARED_LOGS": "/R/volumes/shared-logs", "PODRUN_VOLUME_CACHE": "/R/volumes/cache",
        ])
        #expect(Self.build(shipper).variables.filter { $0.key.hasPrefix("PODRUN_VOLUME_") } == [
            "PODRUN_VOLUME_SHARED_LOGS": "/R/volumes/shared-logs",
        ])
    }

    struct FieldCase: Sendable, CustomStringConvertible {
        let fieldPath: String
        let expected: String
        var description: String { fieldPath }
    }

    @Test(arguments: [
        FieldCase(fieldPath: "metadata.name", expected: "web"),
        FieldCase(fieldPath: "metadata.namespace", expected: "team-a"),
        FieldCase(fieldPath: "metadata.uid", expected: "0b7c6a4e-test"),
        FieldCase(fieldPath: "metadata.labels['app']", expected: "shop"),
        FieldCase(fieldPath: "metadata.labels['app.kubernetes.io/part-of']", expected: "store"),
        FieldCase(fieldPath: "metadata.labels['missing']", expected: ""),
        FieldCase(fieldPath: "metadata.annotations['owner']", expected: "team-a@example.com"),
        FieldCase(fieldPath: "metadata.annotations['missing']", expected: ""),
        FieldCase(fieldPath: "status.podIP", expected: "127.0.0.1"),
        FieldCase(fieldPath: "status.podIPs", expected: "127.0.0.1"),
        FieldCase(fieldPath: "status.hostIP", expected: "127.0.0.1"),
        FieldCase(fieldPath: "status.hostIPs", expected: "127.0.0.1"),
        FieldCase(fieldPath: "spec.nodeName", expected: "node-1"),
        FieldCase(fieldPath: "spec.serviceAccountName", expected: "default"),
    ])
    func fieldRefValues(_ c: FieldCase) {
        let container = Container(
            name: "app", command: ["echo", "$(VALUE)"],
            env: [EnvVar(name: "VALUE", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: c.fieldPath)))])
        let pod = environmentPod(
            labels: ["app": "shop", "app.kubernetes.io/part-of": "store"], annotations: ["owner": "team-a@example.com"],
            containers: [container])
        let environment = Self.build(container, pod: pod)
        #expect(environment.variables["VALUE"] == c.expected)
        #expect(environment.argv == ["echo", c.expected])
    }

    @Test func fieldRefValuesAreNeitherExpandedNorTranslated() {
        let container = Container(
            name: "app", command: ["run"],
            env: [
                EnvVar(name: "X", value: "x"),
                EnvVar(name: "NOTE", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.annotations['note']"))),
            ],
            volumeMounts: [Self.logMount])
        let pod = environmentPod(annotations: ["note": "$(X) /var/log/app"], containers: [container])
        #expect(Self.build(container, pod: pod).variables["NOTE"] == "$(X) /var/log/app")
    }

    @Test func theNodeNameIsThisMachinesHostName() {
        var buffer = [CChar](repeating: 0, count: 256)
        #expect(gethostname(&buffer, 255) == 0)
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(DownwardAPIField.localNodeName == (name.isEmpty ? "localhost" : name))
    }

    /// The seeds' logging-sidecar pod: the app appends to /var/log/app/app.log, the sidecar tails
    /// it; both run unchanged (only their commands are written for a shell) under the real shim.
    @Test func loggingSidecarPodRunsUnmodified() async throws {
        let shim: String
        do { shim = try ProcessLauncher.locateShim() } catch {
            Issue.record("podrun-shim is not built: \(error)")
            return
        }
        try await withEnvironmentScratch { scratch in
            let mount = VolumeMount(name: "shared-logs", mountPath: "/var/log/app")
            let app = Container(
                name: "main-app", command: ["/bin/sh", "-c"],
                args: ["for i in 1 2 3; do echo \"line $i from $HOSTNAME\" >> /var/log/app/app.log; done"],
                ports: [ContainerPort(containerPort: 8080)], volumeMounts: [mount])
            let shipper = Container(
                name: "log-shipper", command: ["/bin/sh", "-c", "tail -n +1 -F /var/log/app/app.log"], volumeMounts: [mount],
                restartPolicy: .always)
            let pod = environmentPod(
                name: "logging", initContainers: [shipper], containers: [app], volumes: [Volume(name: "shared-logs", emptyDir: .init())])
            let volumes = try PodVolumes.create(for: pod, runDirectory: scratch.appendingPathComponent("run"))
            defer { volumes.remove() }
            let ports = PortMap(mappings: [PortMapping(container: "main-app", containerPort: 8080, hostPort: 8080)])
            let inherited = ProcessInfo.processInfo.environment
            let launcher = ProcessLauncher(shimPath: shim)
            let output = scratch.appendingPathComponent("shipper.out")
            let descriptor = open(output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            #expect(descriptor >= 0)
            defer { close(descriptor) }

            func launch(_ container: Container) async throws -> ShimProcess {
                let environment = ContainerEnvironment.build(
                    pod: pod, container: container, ports: ports, volumes: volumes, inherited: inherited, clean: true)
                let spec = ProcessLaunchSpec(
                    argv: environment.argv, workingDirectory: environment.workingDirectory, environment: environment.variables,
                    standardOutput: descriptor, standardError: descriptor)
                return try await launcher.launch(spec) { _ in }
            }
            let sidecar = try await launch(shipper)
            defer { sidecar.killImmediately() }
            _ = try await launch(app)
            let expected = "line 1 from logging\nline 2 from logging\nline 3 from logging\n"
            let arrived = await eventually {
                (try? String(contentsOf: output, encoding: .utf8))?.hasSuffix(expected) == true
            }
            #expect(arrived, "the sidecar printed: \((try? String(contentsOf: output, encoding: .utf8)) ?? "")")
            #expect(try String(contentsOf: volumes.directory(of: "shared-logs").appendingPathComponent("app.log"), encoding: .utf8) == expected)
        }
    }
}
