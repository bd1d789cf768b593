/// When a container is restarted after it exits.
public enum RestartPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    case always = "Always"
    case onFailure = "OnFailure"
    case never = "Never"
}
