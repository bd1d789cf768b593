/// The three roles a container can have in a pod, which decide its start order, restart rules
/// and shutdown order.
public enum ContainerKind: String, Sendable, Hashable, Codable {
    /// An init container that must run to completion (exit 0) before the next one starts.
    case initContainer = "init"
    /// An init container with `restartPolicy: Always`: starts in init order, keeps running, is
    /// always restarted and stops after the regular containers.
    case sidecar
    /// A container of `spec.containers`.
    case regular
}
