import Foundation
import Testing

@Suite("podrun validate")
struct ValidateCommandTests {
    /// The package root, two levels above this file's directory.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("every example validates")
    func examples() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: Self.packageRoot.appendingPathComponent("examples").path)
            .map { "examples/\($0)/pod.yaml" }
            .filter { FileManager.default.fileExists(atPath: Self.packageRoot.appendingPathComponent($0).path) }
            .sorted()
        #expect(examples.count >= 3)
        let result = try PodrunCLI.run(["validate"] + examples.map { Self.packageRoot.appendingPathComponent($0).path })
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").count == examples.count)
        #expect(result.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix(": ok") })
    }

    static let tenMistakes = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: Ten_Mistakes
        spec:
          restartPolicy: Sometimes
          initContainers:
          - name: init
            command: [/bin/true]
            readinessProbe:
              exec: {command: [/bin/true]}
          containers:
          - name: web
            image: nginx
            ports:
            - {name: http, containerPort: 99999}
            livenessProbe:
              successThreshold: 2
              tcpSocket: {port: 80}
            volumeMounts:
            - {name: data, mountPath: /data}
          - name: web
            comand: [/bin/sh]
          volumes:
          - name: config
            configMap: {name: settings}
        """

    @Test("a pod with ten distinct mistakes gets ten located diagnostics and exit 1")
    func tenMistakes() throws {
        let workspace = try CLIWorkspace()
        let file = try workspace.pod(Self.tenMistakes)
        let result = try PodrunCLI.run(["validate", file])
        #expect(result.status == 1)
        let diagnostics = result.stdout.split(separator: "\n").map { $0.replacingOccurrences(of: workspace.root.path + "/", with: "") }
        #expect(diagnostics == [
            #"pod.yaml:4:9: error: metadata.name: invalid pod name "Ten_Mistakes": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character; e.g. "ten-mistakes""#,
            #"pod.yaml:6:18: error: spec.restartPolicy: unsupported value "Sometimes"; use one of "Always", "OnFailure", "Never""#,
            "pod.yaml:11:7: error: spec.initContainers[0].readinessProbe: an init container may not have a readinessProbe; only sidecars (init containers with restartPolicy: Always) may have probes and lifecycle hooks",
            #"pod.yaml:13:5: error: spec.containers[0].command: required: podrun runs local executables, not images, so it cannot use the image's entrypoint (nginx); add the program to run, e.g. command: ["/bin/sh", "-c", "exec my-server --port 8080"]"#,
            "pod.yaml:16:35: error: spec.containers[0].ports[0].containerPort: 99999 is out of range: must be between 1 and 65535",
            "pod.yaml:18:25: error: spec.containers[0].livenessProbe.successThreshold: must be 1 for a livenessProbe, found 2; remove it or set successThreshold: 1",
            #"pod.yaml:21:14: error: spec.containers[0].volumeMounts[0].name: volume "data" is not defined in spec.volumes; add it: volumes: [{name: data, emptyDir: {}}]"#,
            #"pod.yaml:22:11: error: spec.containers[1].name: duplicate container name "web" (also at spec.containers[0]); names are unique across initContainers and containers"#,
            #"pod.yaml:23:5: error: spec.containers[1].comand: unknown field "comand"; did you mean "command"?"#,
            "pod.yaml:26:16: error: spec.volumes[0].configMap: configMap volumes are not supported: podrun has only emptyDir and hostPath; use emptyDir: {} and let a container or init container write the files, or hostPath: {path: /some/dir} for files on this machine",
        ])
    }

    @Test("warnings do not fail validation unless --strict; several files; - reads standard input")
    func warningsAndStrict() throws {
        let workspace = try CLIWorkspace()
        let pod = """
            apiVersion: v1
            kind: Pod
            metadata: {name: warned}
            spec:
              nodeSelector: {disk: ssd}
              containers:
              - {name: app, command: [/bin/true], imagePullPolicy: Always}
            """
        let file = try workspace.pod(pod)
        let relaxed = try PodrunCLI.run(["validate", file, "-"], input: pod)
        #expect(relaxed.status == 0)
        #expect(relaxed.stdout.contains("\(file): ok"))
        #expect(relaxed.stdout.contains("-: ok"))
        #expect(relaxed.stdout.contains("warning: podrun accepts but does not act on these Kubernetes fields: spec.nodeSelector (line 5), spec.containers[0].imagePullPolicy (line 7)"))
        let strict = try PodrunCLI.run(["validate", "--strict", file])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("error: podrun accepts but does not act on"))
    }

    @Test("a missing file is an error naming it")
    func missingFile() throws {
        let result = try PodrunCLI.run(["validate", "/nonexistent/pod.yaml"])
        #expect(result.status == 1)
        #expect(result.stdout == "/nonexistent/pod.yaml: error: no such file\n")
    }
}
