/// The final environment of one container and its expanded, translated command line and working
/// directory: what the kubelet would hand the container runtime, rewritten for a local process.
///
/// Variables are laid down in Kubernetes' order, each layer overriding the ones before:
/// 1. podrun's own environment (in clean mode only `PATH`, `HOME`, `USER`, `LANG` and `TMPDIR`),
///    standing in for the variables an image would bring;
/// 2. `HOSTNAME` = the pod's name (a pod's containers see the pod name as their host name);
/// 3. the port map (`PODRUN_PORT_*`, and `PORT` = the container's first port) and the container's
///    volumes (`PODRUN_VOLUME_*`);
/// 4. `env`, in order: a `value` is `$(VAR)`-expanded with the variables defined so far (so an entry
///    sees only those above it, and a later entry of the same name replaces an earlier one) and
///    then mount-path translated; a `fieldRef` takes the pod's field (`DownwardAPIField.value`).
///
/// `command` and `args` are expanded with the final environment, then translated; `workingDir` is
/// translated only (Kubernetes does not expand it). Exec probe and hook commands are neither
/// expanded nor part of this value: translate them with `execCommand(_:)`.
public struct ContainerEnvironment: Sendable {
    public var variables: [String: String]
    /// `command` + `args`, expanded with the final environment, then mount-path translated.
    public var argv: [String]
    /// The translated `workingDir`; nil if unset.
    public var workingDirectory: String?
    public var translator: MountPathTranslator

    /// The variables clean mode keeps from podrun's environment: enough to find programs, a home
    /// and a locale, and a temporary directory.
    public static let cleanModeVariables: Set<String> = ["PATH", "HOME", "USER", "LANG", "TMPDIR"]

    public init(variables: [String: String], argv: [String], workingDirectory: String?, translator: MountPathTranslator) {
        self.variables = variables
        self.argv = argv
        self.workingDirectory = workingDirectory
        self.translator = translator
    }

    public static func build(
        pod: Pod, container: Container, ports: PortMap, volumes: PodVolumes, inherited: [String: String], clean: Bool
    ) -> ContainerEnvironment {
        build(
            pod: pod, container: container, ports: ports, volumes: volumes, inherited: inherited, clean: clean,
            nodeName: DownwardAPIField.localNodeName)
    }

    /// `build` with the node name given (tests; a Supervisor that reads it once per pod).
    public static func build(
        pod: Pod, container: Container, ports: PortMap, volumes: PodVolumes, inherited: [String: String], clean: Bool,
        nodeName: String
    ) -> ContainerEnvironment {
        let translator = MountPathTranslator(mounts: container.volumeMounts, volumes: volumes)
        var variables = clean ? inherited.filter { cleanModeVariables.contains($0.key) } : inherited
        variables["HOSTNAME"] = pod.metadata.name
        variables.merge(ports.environment) { _, new in new }
        if let port = ports.firstPort(of: container.name) {
            variables["PORT"] = String(port)
        }
        variables.merge(translator.environment) { _, new in new }
        for variable in container.env where !variable.name.isEmpty {
            if let fieldPath = variable.valueFrom?.fieldRef.fieldPath {
                variables[variable.name] = DownwardAPIField(fieldPath)?.value(in: pod, nodeName: nodeName) ?? ""
            } else {
                let defined = variables
                let expanded = EnvironmentExpansion.expand(variable.value ?? "") { defined[$0] }
                variables[variable.name] = translator.translate(expanded)
            }
        }
        let final = variables
        let argv = container.argv.map { translator.translate(EnvironmentExpansion.expand($0) { final[$0] }) }
        return ContainerEnvironment(
            variables: variables, argv: argv, workingDirectory: container.workingDir.map { translator.translate($0) },
            translator: translator)
    }

    /// An exec probe's or hook's command as it must run: mount paths translated, and, as in
    /// Kubernetes, no `$(VAR)` expansion (a shell in the command can still read the variables).
    public func execCommand(_ command: [String]) -> [String] {
        translator.translate(command)
    }
}
