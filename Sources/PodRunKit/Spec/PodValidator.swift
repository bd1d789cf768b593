/// Kubernetes' validation rules that relate fields to each other (names, uniqueness,
/// references, which container kinds may have probes and hooks), plus the few rules podrun adds
/// because it runs processes instead of containers (absolute mount paths, resolvable ports).
///
/// The shape of each object (types, unknown and missing fields) was already checked by
/// `PodReader`; fields that failed there are absent or empty here and are not reported twice.
struct PodValidator {
    let pod: Pod
    let file: String
    let locations: [String: SourceLocation]
    /// Field paths `PodReader` already reported a problem for.
    let reported: Set<String>
    private var diagnostics: [Diagnostic] = []

    init(pod: Pod, file: String, locations: [String: SourceLocation], reported: Set<String> = []) {
        self.pod = pod
        self.file = file
        self.locations = locations
        self.reported = reported
    }

    /// The downward-API fields `valueFrom.fieldRef` can name (besides labels and annotations).
    static let supportedFieldPaths = [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
        "status.podIP", "status.podIPs", "status.hostIP", "status.hostIPs",
    ]

    func validate() -> [Diagnostic] {
        var validator = self
        validator.checkMetadata()
        validator.checkContainers()
        validator.checkVolumes()
        return validator.diagnostics
    }

    // MARK: Reporting

    private func location(_ path: String) -> SourceLocation {
        var candidate = path
        while !candidate.isEmpty {
            if let location = locations[candidate] { return location }
            candidate = FieldPath.parent(of: candidate)
        }
        return SourceLocation(file: file, line: 1, column: 1)
    }

    private mutating func error(_ path: String, _ message: String, fix: String? = nil) {
        diagnostics.append(Diagnostic(.error, at: location(path), path: path, message, fix: fix))
    }

    private mutating func warning(_ path: String, _ message: String, fix: String? = nil) {
        diagnostics.append(Diagnostic(.warning, at: location(path), path: path, message, fix: fix))
    }

    /// Whether the string at `path` was written, as an empty string, without a problem reported
    /// for it yet (a missing or mistyped field also ends up empty in the model).
    private func isWrittenEmpty(_ value: String, at path: String) -> Bool {
        value.isEmpty && locations[path] != nil && !reported.contains(path)
    }

    // MARK: Rules

    private mutating func checkMetadata() {
        let name = pod.metadata.name
        if isWrittenEmpty(name, at: "metadata.name") {
            error("metadata.name", "must not be empty", fix: "give the pod a name, e.g. name: my-pod")
        } else if !name.isEmpty, let problem = KubernetesName.subdomainProblem(name) {
            error("metadata.name", "invalid pod name \"\(name)\": \(problem)", fix: KubernetesName.suggestion(for: name, allowingDots: true).map { "e.g. \"\($0)\"" })
        }
        if let problem = KubernetesName.labelProblem(pod.metadata.namespace) {
            error("metadata.namespace", "invalid namespace \"\(pod.metadata.namespace)\": \(problem)")
        }
    }

    private mutating func checkContainers() {
        var containerNames: [String: String] = [:]
        var portNames: [String: String] = [:]
        var hostPorts: [String: String] = [:]
        var containerPorts: [String: String] = [:]
        let volumeNames = Set(pod.spec.volumes.map(\.name))
        let groups: [(field: String, containers: [Container], isInit: Bool)] = [
            ("spec.initContainers", pod.spec.initContainers, true), ("spec.containers", pod.spec.containers, false),
        ]
        for group in groups {
            for (index, container) in group.containers.enumerated() {
                let path = "\(group.field)[\(index)]"
                let isSidecar = group.isInit && container.restartPolicy == .always
                checkName(of: container, at: path, seen: &containerNames)
                checkPorts(of: container, at: path, names: &portNames, hostPorts: &hostPorts, containerPorts: &containerPorts)
                checkMounts(of: container, at: path, volumeNames: volumeNames)
                checkEnv(of: container, at: path)
                checkRestartPolicy(of: container, at: path, isInit: group.isInit, isSidecar: isSidecar)
                if group.isInit && !isSidecar {
                    checkRegularInitContainer(container, at: path)
                }
                checkProbes(of: container, at: path)
                checkHooks(of: container, at: path)
            }
        }
    }

    private mutating func checkName(of container: Container, at path: String, seen: inout [String: String]) {
        let name = container.name
        if isWrittenEmpty(name, at: "\(path).name") {
            error("\(path).name", "must not be empty", fix: "give the container a name, e.g. name: main")
        }
        guard !name.isEmpty else { return }
        if let problem = KubernetesName.labelProblem(name) {
            error(
                "\(path).name", "invalid container name \"\(name)\": \(problem)",
                fix: KubernetesName.suggestion(for: name, allowingDots: false).map { "e.g. \"\($0)\"" })
        }
        if let first = seen[name] {
            error("\(path).name", "duplicate container name \"\(name)\" (also at \(first))", fix: "names are unique across initContainers and containers")
        } else {
            seen[name] = path
        }
    }

    private mutating func checkPorts(
        of container: Container, at path: String, names: inout [String: String], hostPorts: inout [String: String],
        containerPorts: inout [String: String]
    ) {
        // As in Kubernetes: a port name used twice in one container is an error (a probe could not
        // tell which port it means); used in two containers it is a warning.
        var ownNames: [String: String] = [:]
        for (index, port) in container.ports.enumerated() {
            let portPath = "\(path).ports[\(index)]"
            if let name = port.name {
                if let problem = KubernetesName.portNameProblem(name) {
                    error("\(portPath).name", "invalid port name \"\(name)\": \(problem)")
                } else if let first = ownNames[name] {
                    error("\(portPath).name", "duplicate port name \"\(name)\" (also at \(first))", fix: "port names are unique in a container")
                } else {
                    ownNames[name] = portPath
                    if let first = names[name] {
                        warning(
                            "\(portPath).name",
                            "duplicate port name \"\(name)\" (also at \(first)); Kubernetes Services that select ports by name would use \(first)")
                    } else {
                        names[name] = portPath
                    }
                }
            }
            let key = "\(port.containerPort)/\(port.protocol.rawValue)"
            if let hostPort = port.hostPort {
                let hostKey = "\(hostPort)/\(port.protocol.rawValue)"
                if let first = hostPorts[hostKey] {
                    error("\(portPath).hostPort", "duplicate hostPort \(hostKey) (also at \(first))")
                } else {
                    hostPorts[hostKey] = portPath
                }
            }
            if port.containerPort == 0 { continue }
            if let first = containerPorts[key] {
                warning(
                    "\(portPath).containerPort",
                    "containerPort \(key) is also declared at \(first); the containers of a pod share one network, so only one of them can listen on it")
            } else {
                containerPorts[key] = portPath
            }
        }
    }

    private mutating func checkMounts(of container: Container, at path: String, volumeNames: Set<String>) {
        var mountPaths: [String: String] = [:]
        for (index, mount) in container.volumeMounts.enumerated() {
            let mountPath = "\(path).volumeMounts[\(index)]"
            if isWrittenEmpty(mount.name, at: "\(mountPath).name") {
                error("\(mountPath).name", "must not be empty", fix: "name one of the pod's volumes")
            }
            if isWrittenEmpty(mount.mountPath, at: "\(mountPath).mountPath") {
                error("\(mountPath).mountPath", "must not be empty", fix: "give the path the container uses, e.g. mountPath: /data")
            }
            if !mount.name.isEmpty, !volumeNames.contains(mount.name) {
                let suggestion = SpellingSuggestion.closest(to: mount.name, among: volumeNames)
                error(
                    "\(mountPath).name", "volume \"\(mount.name)\" is not defined in spec.volumes",
                    fix: suggestion.map { "did you mean \"\($0)\"?" } ?? "add it: volumes: [{name: \(mount.name), emptyDir: {}}]")
            }
            guard !mount.mountPath.isEmpty else { continue }
            if !mount.mountPath.hasPrefix("/") {
                error("\(mountPath).mountPath", "mountPath \"\(mount.mountPath)\" must be an absolute path", fix: "write \"/\(mount.mountPath)\"")
            }
            let normalized = mount.mountPath.count > 1 && mount.mountPath.hasSuffix("/") ? String(mount.mountPath.dropLast()) : mount.mountPath
            if let first = mountPaths[normalized] {
                error("\(mountPath).mountPath", "mountPath \"\(mount.mountPath)\" is already used at \(first)", fix: "each mount of a container needs its own path")
            } else {
                mountPaths[normalized] = mountPath
            }
            if let subPath = mount.subPath {
                if subPath.hasPrefix("/") || subPath.split(separator: "/").contains("..") {
                    error("\(mountPath).subPath", "subPath \"\(subPath)\" must be a relative path inside the volume, without \"..\"")
                }
            }
        }
    }

    private mutating func checkEnv(of container: Container, at path: String) {
        for (index, variable) in container.env.enumerated() {
            let envPath = "\(path).env[\(index)]"
            if variable.name.isEmpty {
                if isWrittenEmpty(variable.name, at: "\(envPath).name") { error("\(envPath).name", "must not be empty") }
            } else if variable.name.contains("=") {
                error("\(envPath).name", "variable name \"\(variable.name)\" may not contain \"=\"")
            }
            // Kubernetes allows an empty value beside valueFrom.
            if variable.value?.isEmpty == false, variable.valueFrom != nil {
                error("\(envPath).valueFrom", "a variable may not have both value and valueFrom", fix: "keep one of them")
            }
            if let fieldPath = variable.valueFrom?.fieldRef.fieldPath, DownwardAPIField(fieldPath) == nil {
                error(
                    "\(envPath).valueFrom.fieldRef.fieldPath", "unsupported fieldPath \"\(fieldPath)\"",
                    fix: "use one of \((Self.supportedFieldPaths + ["metadata.labels['KEY']", "metadata.annotations['KEY']"]).joined(separator: ", "))")
            }
        }
    }

    private mutating func checkRestartPolicy(of container: Container, at path: String, isInit: Bool, isSidecar: Bool) {
        guard !container.restartPolicyRules.isEmpty else { return }
        let rulesPath = "\(path).restartPolicyRules"
        if container.restartPolicy == nil {
            error(rulesPath, "allowed only with a container restartPolicy", fix: "add restartPolicy: Never (or OnFailure) to the container")
        } else if isSidecar {
            error(rulesPath, "a sidecar (an init container with restartPolicy: Always) may not have restartPolicyRules; it is always restarted")
        }
    }

    private mutating func checkRegularInitContainer(_ container: Container, at path: String) {
        let fix = "only sidecars (init containers with restartPolicy: Always) may have probes and lifecycle hooks"
        for (probe, field) in [(container.startupProbe, "startupProbe"), (container.readinessProbe, "readinessProbe"), (container.livenessProbe, "livenessProbe")]
        where probe != nil {
            error("\(path).\(field)", "an init container may not have a \(field)", fix: fix)
        }
        if container.lifecycle != nil {
            error("\(path).lifecycle", "an init container may not have lifecycle hooks", fix: fix)
        }
    }

    private mutating func checkProbes(of container: Container, at path: String) {
        let probes: [(probe: Probe?, field: String)] = [
            (container.startupProbe, "startupProbe"), (container.livenessProbe, "livenessProbe"), (container.readinessProbe, "readinessProbe"),
        ]
        for case (let probe?, let field) in probes {
            let probePath = "\(path).\(field)"
            if field != "readinessProbe", probe.successThreshold != 1 {
                error("\(probePath).successThreshold", "must be 1 for a \(field), found \(probe.successThreshold)", fix: "remove it or set successThreshold: 1")
            }
            if field == "readinessProbe", probe.terminationGracePeriodSeconds != nil {
                error(
                    "\(probePath).terminationGracePeriodSeconds", "not allowed on a readinessProbe (it never kills the container)",
                    fix: "remove it, or move it to the livenessProbe or startupProbe")
            }
            switch probe.handler {
            case .httpGet(let action): checkPort(action.port, of: container, at: "\(probePath).httpGet.port")
            case .tcpSocket(let action): checkPort(action.port, of: container, at: "\(probePath).tcpSocket.port")
            case .exec: break
            }
        }
    }

    private mutating func checkHooks(of container: Container, at path: String) {
        let hooks: [(handler: LifecycleHandler?, field: String)] = [
            (container.lifecycle?.postStart, "postStart"), (container.lifecycle?.preStop, "preStop"),
        ]
        for case (let handler?, let field) in hooks {
            let hookPath = "\(path).lifecycle.\(field)"
            switch handler {
            case .httpGet(let action): checkPort(action.port, of: container, at: "\(hookPath).httpGet.port")
            case .sleep(let action) where action.seconds > pod.spec.terminationGracePeriodSeconds:
                error(
                    "\(hookPath).sleep.seconds",
                    "must not exceed terminationGracePeriodSeconds (\(pod.spec.terminationGracePeriodSeconds)), found \(action.seconds)")
            default: break
            }
        }
    }

    /// A named port must be one of the container's own ports, which is how the kubelet resolves it.
    private mutating func checkPort(_ port: IntOrString, of container: Container, at path: String) {
        guard case .string(let name) = port else { return }
        if let problem = KubernetesName.portNameProblem(name) {
            error(path, "invalid port name \"\(name)\": \(problem)", fix: "give a number or the name of one of the container's ports")
        } else if !container.ports.contains(where: { $0.name == name }) {
            let names = container.ports.compactMap(\.name)
            error(
                path, "container \"\(container.name)\" has no port named \"\(name)\"",
                fix: names.isEmpty ? "add ports: [{name: \(name), containerPort: …}] to the container or give the port number" : "use one of \(names.joined(separator: ", ")) or a port number")
        }
    }

    private mutating func checkVolumes() {
        var seen: [String: String] = [:]
        for (index, volume) in pod.spec.volumes.enumerated() {
            let path = "spec.volumes[\(index)]"
            if isWrittenEmpty(volume.name, at: "\(path).name") {
                error("\(path).name", "must not be empty", fix: "e.g. name: data")
            }
            guard !volume.name.isEmpty else { continue }
            if let problem = KubernetesName.labelProblem(volume.name) {
                error(
                    "\(path).name", "invalid volume name \"\(volume.name)\": \(problem)",
                    fix: KubernetesName.suggestion(for: volume.name, allowingDots: false).map { "e.g. \"\($0)\"" })
            }
            if let first = seen[volume.name] {
                error("\(path).name", "duplicate volume name \"\(volume.name)\" (also at \(first))")
            } else {
                seen[volume.name] = path
            }
            if let hostPath = volume.hostPath, !hostPath.path.hasPrefix("/") {
                error("\(path).hostPath.path", "hostPath \"\(hostPath.path)\" must be an absolute path")
            }
        }
    }
}
