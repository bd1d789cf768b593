import Yams

/// Turns a composed YAML/JSON document into a `Pod`, applying Kubernetes' defaults and
/// reporting every structural problem (types, unknown and missing fields) with its location.
///
/// Semantic rules that relate fields to each other live in `PodValidator`; this reader only
/// knows the shape of each object. The field lists mirror `k8s.io/api/core/v1`: fields podrun
/// implements, fields it accepts but ignores (so real manifests load, with one warning), and
/// fields it rejects because ignoring them would change what the pod does.
enum PodReader {
    static func read(_ root: SpecNode) -> Pod? {
        root.object(fields: ["apiVersion", "kind", "metadata", "spec"], ignored: ["status"]) { object in
            let apiVersion = object.required("apiVersion", fix: "add apiVersion: v1")?.string()
            let kind = object.required("kind", fix: "add kind: Pod")?.string()
            if let kind, kind != "Pod" {
                let fix: String
                if kind.lowercased() == "pod" {
                    fix = "did you mean \"Pod\"?"
                } else if ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"].contains(kind) {
                    fix = "take the pod template under spec.template (and spec.jobTemplate.spec.template for a CronJob) into a file of its own with apiVersion: v1 and kind: Pod"
                } else {
                    fix = "podrun runs a single v1 Pod"
                }
                object.field("kind")?.error("must be Pod, found \"\(kind)\"", fix: fix)
                // The rest describes another kind of object: its fields are neither read nor reported.
                _ = object.field("metadata")
                _ = object.field("spec")
                return nil
            }
            if let apiVersion, apiVersion != "v1" {
                object.field("apiVersion")?.error("must be v1 for a Pod, found \"\(apiVersion)\"", fix: "write apiVersion: v1")
            }
            let metadata = object.required("metadata", fix: "add metadata: {name: my-pod}").flatMap(readMetadata)
            let spec = object.required("spec", fix: "add spec: {containers: [{name: main, command: [\"/bin/sh\", \"-c\", \"echo hello\"]}]}")
                .flatMap(readPodSpec)
            guard let spec else { return nil }
            // Without usable metadata (already reported) the spec is still validated, so that
            // every problem shows at once.
            return Pod(metadata: metadata ?? PodMetadata(name: "", uid: ""), spec: spec)
        }
    }

    private static func readMetadata(_ node: SpecNode) -> PodMetadata? {
        node.object(
            fields: ["name", "namespace", "labels", "annotations", "uid"],
            ignored: [
                "generateName", "creationTimestamp", "resourceVersion", "selfLink", "generation", "ownerReferences",
                "finalizers", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds",
            ]
        ) { object in
            let name = object.required("name", fix: "add name: my-pod")?.string()
            // An empty namespace or uid is unset, as for the API server.
            let namespace = object.field("namespace")?.string().flatMap { $0.isEmpty ? nil : $0 } ?? "default"
            let labels = object.field("labels")?.stringMap() ?? [:]
            let annotations = object.field("annotations")?.stringMap() ?? [:]
            let uid = object.field("uid")?.string().flatMap { $0.isEmpty ? nil : $0 } ?? PodMetadata.generateUID()
            return PodMetadata(name: name ?? "", namespace: namespace, uid: uid, labels: labels, annotations: annotations)
        }
    }

    private static func readPodSpec(_ node: SpecNode) -> PodSpec? {
        node.object(
            fields: ["restartPolicy", "terminationGracePeriodSeconds", "initContainers", "containers", "volumes", "ephemeralContainers"],
            ignored: [
                "activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "dnsConfig", "dnsPolicy",
                "enableServiceLinks", "hostAliases", "hostIPC", "hostNetwork", "hostPID", "hostUsers", "hostname",
                "hostnameOverride", "imagePullSecrets", "nodeName", "nodeSelector", "os", "overhead", "preemptionPolicy",
                "priority", "priorityClassName", "readinessGates", "resourceClaims", "resources", "runtimeClassName",
                "schedulerName", "schedulingGates", "securityContext", "serviceAccount", "serviceAccountName",
                "setHostnameAsFQDN", "shareProcessNamespace", "subdomain", "tolerations", "topologySpreadConstraints",
            ]
        ) { object in
            let restartPolicy = object.field("restartPolicy")?.enumeration(RestartPolicy.self, emptyMeans: .always) ?? .always
            // Kubernetes accepts a negative grace period with a warning and treats it as 1.
            let grace = object.field("terminationGracePeriodSeconds").flatMap { node in
                node.int64().map { seconds -> Int64 in
                    guard seconds < 0 else { return seconds }
                    node.warning("must be >= 0; negative values are invalid and are treated as 1, as Kubernetes does", fix: "write 0 to kill at once")
                    return 1
                }
            } ?? 30
            let initContainers = object.field("initContainers")?.list(placeholder: .placeholder, readContainer) ?? []
            let containers = object.required("containers", fix: "add at least one container with a name and a command")?
                .list(placeholder: .placeholder, readContainer)
            let volumes = object.field("volumes")?.list(placeholder: Volume(name: ""), readVolume) ?? []
            object.reject("ephemeralContainers", "ephemeral containers are not supported", fix: "remove the field; they exist for debugging a running cluster pod")
            if let containersNode = object.field("containers"), let containers, containers.isEmpty,
                case .sequence = containersNode.node
            {
                containersNode.error("a pod needs at least one container")
            }
            return PodSpec(
                restartPolicy: restartPolicy, terminationGracePeriodSeconds: grace, initContainers: initContainers,
                containers: containers ?? [], volumes: volumes)
        }
    }

    private static func readContainer(_ node: SpecNode) -> Container? {
        node.object(
            fields: [
                "name", "image", "command", "args", "workingDir", "env", "ports", "volumeMounts", "restartPolicy",
                "restartPolicyRules", "startupProbe", "readinessProbe", "livenessProbe", "lifecycle", "envFrom", "volumeDevices",
            ],
            ignored: [
                "imagePullPolicy", "resources", "resizePolicy", "securityContext", "stdin", "stdinOnce", "tty",
                "terminationMessagePath", "terminationMessagePolicy",
            ]
        ) { object in
            let name = object.required("name", fix: "add name: my-container")?.string()
            let image = object.field("image")?.string()
            let args = object.field("args")?.stringList() ?? []
            let command: [String]?
            if let commandNode = object.field("command") {
                command = commandNode.stringList()
                if commandNode.isEmptyList {
                    commandNode.error("must not be empty", fix: "name the program to run, e.g. command: [\"/bin/sh\", \"-c\", \"echo hello\"]")
                }
            } else if object.hasMisspelling(of: "command") {
                command = nil  // reported as the misspelt field, with "did you mean"
            } else {
                command = nil
                let from = image.map { " (\($0))" } ?? ""
                node.context.report(
                    .error, at: object.location, path: "\(object.path).command",
                    "required: podrun runs local executables, not images, so it cannot use the image's entrypoint\(from)",
                    fix: "add the program to run, e.g. command: [\"/bin/sh\", \"-c\", \"exec my-server --port 8080\"]")
            }
            let workingDir = object.field("workingDir")?.string()
            // Placeholders (inert for the validator) keep failed elements' places.
            let env = object.field("env")?.list(placeholder: EnvVar(name: ""), readEnvVar) ?? []
            let ports = object.field("ports")?.list(placeholder: ContainerPort(containerPort: 0), readPort) ?? []
            let volumeMounts = object.field("volumeMounts")?.list(placeholder: VolumeMount(name: "", mountPath: ""), readVolumeMount) ?? []
            let restartPolicy = object.field("restartPolicy")?.enumeration(RestartPolicy.self)
            let rules = object.field("restartPolicyRules")?.list(
                placeholder: ContainerRestartRule(exitCodes: ExitCodeRequirement(operator: .in, values: [0])), readRestartRule) ?? []
            let startupProbe = object.field("startupProbe").flatMap(readProbe)
            let readinessProbe = object.field("readinessProbe").flatMap(readProbe)
            let livenessProbe = object.field("livenessProbe").flatMap(readProbe)
            let lifecycle = object.field("lifecycle").flatMap(readLifecycle)
            object.reject(
                "envFrom", "envFrom is not supported: podrun has no ConfigMaps or Secrets",
                fix: "list the variables under env with value: …")
            object.reject("volumeDevices", "block devices are not supported", fix: "remove volumeDevices")
            return Container(
                name: name ?? "", image: image, command: command ?? [], args: args, workingDir: workingDir, env: env,
                ports: ports, volumeMounts: volumeMounts, restartPolicy: restartPolicy, restartPolicyRules: rules,
                startupProbe: startupProbe, readinessProbe: readinessProbe, livenessProbe: livenessProbe, lifecycle: lifecycle)
        }
    }

    private static func readEnvVar(_ node: SpecNode) -> EnvVar? {
        node.object(fields: ["name", "value", "valueFrom"]) { object in
            let name = object.required("name")?.string()
            let value = object.field("value")?.string()
            let valueFrom = object.field("valueFrom").flatMap(readEnvVarSource)
            return EnvVar(name: name ?? "", value: value, valueFrom: valueFrom)
        }
    }

    private static func readEnvVarSource(_ node: SpecNode) -> EnvVarSource? {
        node.object(fields: ["fieldRef", "configMapKeyRef", "secretKeyRef", "resourceFieldRef", "fileKeyRef"]) { object in
            let fix = "write the value under value: instead"
            object.reject("configMapKeyRef", "configMapKeyRef is not supported: podrun has no ConfigMaps", fix: fix)
            object.reject("secretKeyRef", "secretKeyRef is not supported: podrun has no Secrets", fix: fix)
            object.reject("resourceFieldRef", "resourceFieldRef is not supported: podrun sets no resource limits", fix: fix)
            object.reject("fileKeyRef", "fileKeyRef is not supported", fix: fix)
            guard let fieldRef = object.field("fieldRef") else {
                if !object.has("configMapKeyRef"), !object.has("secretKeyRef"), !object.has("resourceFieldRef"), !object.has("fileKeyRef") {
                    object.node.error("needs a fieldRef, the only source podrun supports", fix: "e.g. valueFrom: {fieldRef: {fieldPath: metadata.name}}")
                }
                return nil
            }
            return fieldRef.object(fields: ["fieldPath", "apiVersion"]) { selector in
                guard let path = selector.required("fieldPath")?.string() else { return nil }
                let apiVersion = selector.field("apiVersion")?.string() ?? "v1"
                return EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: path, apiVersion: apiVersion))
            }
        }
    }

    private static func readPort(_ node: SpecNode) -> ContainerPort? {
        node.object(fields: ["name", "containerPort", "hostPort", "protocol"], ignored: ["hostIP"]) { object in
            let name = object.field("name")?.string()
            let port = object.required("containerPort")?.int32(atLeast: 1, atMost: 65535)
            // hostPort 0 means none, as in Kubernetes.
            let hostPort = object.field("hostPort")?.int32(atLeast: 0, atMost: 65535, rangeDescription: "between 1 and 65535 (or 0 for none)")
            let proto = object.field("protocol")?.enumeration(PortProtocol.self, emptyMeans: .tcp) ?? .tcp
            // 0 stands for a port number already reported as wrong, so the name is still checked.
            return ContainerPort(
                name: name?.isEmpty == true ? nil : name, containerPort: port ?? 0, hostPort: hostPort == 0 ? nil : hostPort, protocol: proto)
        }
    }

    private static func readVolumeMount(_ node: SpecNode) -> VolumeMount? {
        node.object(
            fields: ["name", "mountPath", "readOnly", "subPath", "subPathExpr"], ignored: ["mountPropagation", "recursiveReadOnly"]
        ) { object in
            let name = object.required("name")?.string()
            let mountPath = object.required("mountPath")?.string()
            let readOnly = object.field("readOnly")?.bool() ?? false
            let subPath = object.field("subPath")?.string()
            object.reject("subPathExpr", "subPathExpr is not supported", fix: "use subPath with a fixed path")
            return VolumeMount(name: name ?? "", mountPath: mountPath ?? "", readOnly: readOnly, subPath: subPath)
        }
    }

    private static func readRestartRule(_ node: SpecNode) -> ContainerRestartRule? {
        node.object(fields: ["action", "exitCodes"]) { object in
            let action = object.required("action", fix: "add action: Restart")?.enumeration(ContainerRestartRule.Action.self)
            let exitCodes = object.required("exitCodes")?.object(fields: ["operator", "values"]) { codes in
                let op = codes.required("operator", fix: "add operator: In (or NotIn)")?.enumeration(ExitCodeRequirement.Operator.self)
                let valuesNode = codes.required("values")
                let values = valuesNode?.list { $0.int32(atLeast: 0, atMost: 255, rangeDescription: "an exit code between 0 and 255") }
                if let valuesNode, valuesNode.isEmptyList {
                    valuesNode.error("must not be empty", fix: "list the exit codes, e.g. values: [42]")
                }
                guard let op, let values else { return ExitCodeRequirement?.none }
                return ExitCodeRequirement(operator: op, values: values)
            }
            guard let action, let exitCodes else { return nil }
            return ContainerRestartRule(action: action, exitCodes: exitCodes)
        }
    }

    private static func readProbe(_ node: SpecNode) -> Probe? {
        node.object(
            fields: [
                "exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
                "successThreshold", "failureThreshold", "terminationGracePeriodSeconds",
            ]
        ) { object in
            object.reject("grpc", "gRPC probes are not supported", fix: "use exec (e.g. grpc_health_probe), httpGet or tcpSocket")
            var handlers: [ProbeHandler] = []
            if let exec = object.field("exec").flatMap(readExec) { handlers.append(.exec(exec)) }
            if let http = object.field("httpGet").flatMap(readHTTPGet) { handlers.append(.httpGet(http)) }
            if let tcp = object.field("tcpSocket").flatMap(readTCPSocket) { handlers.append(.tcpSocket(tcp)) }
            let present = ["exec", "httpGet", "tcpSocket", "grpc"].filter { object.has($0) }
            // As in Kubernetes (SetDefaults_Probe), 0 or absent means the default; below 0 is an error.
            func setting(_ key: String, default value: Int32) -> Int32 {
                let given = object.field(key)?.int32(
                    atLeast: 0, rangeDescription: value == 0 ? "at least 0" : "at least 0 (0 means the default, \(value))")
                guard let given, given != 0 else { return value }
                return given
            }
            let initialDelay = setting("initialDelaySeconds", default: 0)
            let period = setting("periodSeconds", default: 10)
            let timeout = setting("timeoutSeconds", default: 1)
            let success = setting("successThreshold", default: 1)
            let failure = setting("failureThreshold", default: 3)
            let grace = object.field("terminationGracePeriodSeconds")?.int64(atLeast: 1)
            if present.isEmpty {
                object.node.error("a probe needs exactly one handler", fix: "add one of exec, httpGet or tcpSocket")
            } else if present.count > 1 {
                object.node.error("a probe may have only one handler, found \(present.joined(separator: ", "))", fix: "keep one of them")
            }
            // With a handler problem already reported, the first handler still lets the
            // validator check the probe's other rules.
            guard let handler = handlers.first else { return nil }
            return Probe(
                handler: handler, initialDelaySeconds: initialDelay, periodSeconds: period, timeoutSeconds: timeout,
                successThreshold: success, failureThreshold: failure, terminationGracePeriodSeconds: grace)
        }
    }

    private static func readLifecycle(_ node: SpecNode) -> Lifecycle? {
        node.object(fields: ["postStart", "preStop"], ignored: ["stopSignal"]) { object in
            Lifecycle(
                postStart: object.field("postStart").flatMap(readLifecycleHandler),
                preStop: object.field("preStop").flatMap(readLifecycleHandler))
        }
    }

    private static func readLifecycleHandler(_ node: SpecNode) -> LifecycleHandler? {
        node.object(fields: ["exec", "httpGet", "sleep", "tcpSocket"]) { object in
            object.reject("tcpSocket", "tcpSocket is not supported in lifecycle hooks (Kubernetes never runs it)", fix: "use exec, httpGet or sleep")
            var handlers: [LifecycleHandler] = []
            if let exec = object.field("exec").flatMap(readExec) { handlers.append(.exec(exec)) }
            if let http = object.field("httpGet").flatMap(readHTTPGet) { handlers.append(.httpGet(http)) }
            if let sleep = object.field("sleep").flatMap(readSleep) { handlers.append(.sleep(sleep)) }
            let present = ["exec", "httpGet", "sleep", "tcpSocket"].filter { object.has($0) }
            if present.isEmpty {
                object.node.error("a hook needs exactly one handler", fix: "add one of exec, httpGet or sleep")
            } else if present.count > 1 {
                object.node.error("a hook may have only one handler, found \(present.joined(separator: ", "))", fix: "keep one of them")
            }
            return handlers.first
        }
    }

    private static func readExec(_ node: SpecNode) -> ExecAction? {
        node.object(fields: ["command"]) { object in
            guard let commandNode = object.required("command", fix: "e.g. command: [\"cat\", \"/tmp/ready\"]"),
                let command = commandNode.stringList()
            else { return nil }
            if commandNode.isEmptyList {
                commandNode.error("must not be empty", fix: "e.g. command: [\"cat\", \"/tmp/ready\"]")
            }
            return ExecAction(command: command)
        }
    }

    private static func readHTTPGet(_ node: SpecNode) -> HTTPGetAction? {
        node.object(fields: ["path", "port", "host", "scheme", "httpHeaders"]) { object in
            let path = object.field("path")?.string().flatMap { $0.isEmpty ? nil : $0 } ?? "/"
            let port = object.required("port", fix: "e.g. port: 8080 or the name of a container port")?.portReference()
            let host = object.field("host")?.string()
            let scheme = object.field("scheme")?.enumeration(URIScheme.self, emptyMeans: .http) ?? .http
            let headers = object.field("httpHeaders")?.list { (header: SpecNode) -> HTTPHeader? in
                header.object(fields: ["name", "value"]) { (fields: inout SpecObject) -> HTTPHeader? in
                    let name = fields.required("name")?.string()
                    let value = fields.required("value")?.string()
                    guard let name, let value else { return nil }
                    return HTTPHeader(name: name, value: value)
                }
            } ?? []
            guard let port else { return nil }
            return HTTPGetAction(path: path, port: port, host: host, scheme: scheme, httpHeaders: headers)
        }
    }

    private static func readTCPSocket(_ node: SpecNode) -> TCPSocketAction? {
        node.object(fields: ["port", "host"]) { object in
            let port = object.required("port", fix: "e.g. port: 8080 or the name of a container port")?.portReference()
            let host = object.field("host")?.string()
            guard let port else { return nil }
            return TCPSocketAction(port: port, host: host)
        }
    }

    private static func readSleep(_ node: SpecNode) -> SleepAction? {
        node.object(fields: ["seconds"]) { object in
            object.required("seconds", fix: "e.g. seconds: 5")?.int64(atLeast: 0).map(SleepAction.init(seconds:))
        }
    }

    private static func readVolume(_ node: SpecNode) -> Volume? {
        let unsupported = [
            "configMap", "secret", "persistentVolumeClaim", "projected", "downwardAPI", "csi", "ephemeral", "nfs", "iscsi",
            "gitRepo", "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker",
            "gcePersistentDisk", "glusterfs", "image", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd",
            "scaleIO", "storageos", "vsphereVolume",
        ]
        return node.object(fields: Set(["name", "emptyDir", "hostPath"] + unsupported)) { object in
            let name = object.required("name")?.string()
            for type in unsupported {
                object.reject(
                    type, "\(type) volumes are not supported: podrun has only emptyDir and hostPath",
                    fix: "use emptyDir: {} and let a container or init container write the files, or hostPath: {path: /some/dir} for files on this machine")
            }
            let emptyDir = object.field("emptyDir").flatMap { source in
                source.object(fields: ["medium", "sizeLimit"]) { fields in
                    let medium = fields.field("medium")?.string() ?? ""
                    if medium != "", medium != "Memory" {
                        fields.field("medium")?.error("unsupported medium \"\(medium)\"", fix: "use \"\" (disk) or \"Memory\"")
                    }
                    let sizeLimit = fields.field("sizeLimit").flatMap { $0.quantity() }
                    return EmptyDirVolumeSource(medium: medium, sizeLimit: sizeLimit)
                }
            }
            let hostPath = object.field("hostPath").flatMap { source in
                source.object(fields: ["path", "type"]) { fields in
                    let path = fields.required("path")?.string()
                    let type = fields.field("type")?.string()
                    return path.map { HostPathVolumeSource(path: $0, type: type) }
                }
            }
            let types = ["emptyDir", "hostPath"].filter { object.has($0) }
            if types.isEmpty, !unsupported.contains(where: { object.has($0) }) {
                // A volume without a source is an emptyDir, as Kubernetes defaults it (SetDefaults_Volume).
                return Volume(name: name ?? "", emptyDir: EmptyDirVolumeSource())
            } else if types.count > 1 {
                object.node.error("a volume may have only one type, found \(types.joined(separator: " and "))", fix: "keep one of them")
            }
            return Volume(name: name ?? "", emptyDir: emptyDir, hostPath: types.count > 1 ? nil : hostPath)
        }
    }
}

extension SpecNode {
    fileprivate var isEmptyList: Bool {
        if case .sequence(let sequence) = node { return sequence.isEmpty }
        return false
    }

    /// A port given as a number (1–65535) or as the name of a container port.
    fileprivate func portReference() -> IntOrString? {
        if case .scalar(let scalar) = node, scalar.style == .plain, Resolver.default.resolveTag(of: node) == .int {
            return int32(atLeast: 1, atMost: 65535).map(IntOrString.int)
        }
        return string().map(IntOrString.string)
    }

    /// A resource quantity such as `128Mi`; a bare number counts as bytes.
    fileprivate func quantity() -> Quantity? {
        let text: String?
        if case .scalar(let scalar) = node, scalar.style == .plain, [.int, .float].contains(Resolver.default.resolveTag(of: node)) {
            text = scalar.string
        } else {
            text = string()
        }
        guard let text else { return nil }
        guard let quantity = Quantity(text) else {
            error("\"\(text)\" is not a quantity", fix: "write a size such as 64Mi, 1Gi or 500M")
            return nil
        }
        return quantity
    }
}

extension Container {
    /// Stands for a list element that is not a container (already reported), keeping the
    /// indices of the others; it has nothing for the validator to check.
    fileprivate static let placeholder = Container(name: "", command: [])
}
