/// A pod field an environment variable can take its value from (`valueFrom.fieldRef`).
public enum DownwardAPIField: Sendable, Hashable {
    case name
    case namespace
    case uid
    case label(String)
    case annotation(String)
    case nodeName
    case serviceAccountName
    case podIP
    case hostIP

    /// Parses a `fieldPath` such as `metadata.labels['app']`; nil when podrun has no such field.
    public init?(_ fieldPath: String) {
        switch fieldPath {
        case "metadata.name": self = .name
        case "metadata.namespace": self = .namespace
        case "metadata.uid": self = .uid
        case "spec.nodeName": self = .nodeName
        case "spec.serviceAccountName": self = .serviceAccountName
        case "status.podIP", "status.podIPs": self = .podIP
        case "status.hostIP", "status.hostIPs": self = .hostIP
        default:
            if let key = Self.subscript(of: fieldPath, in: "metadata.labels") {
                self = .label(key)
            } else if let key = Self.subscript(of: fieldPath, in: "metadata.annotations") {
                self = .annotation(key)
            } else {
                return nil
            }
        }
    }

    /// `KEY` from `prefix['KEY']` (Kubernetes' only subscript form).
    private static func `subscript`(of path: String, in prefix: String) -> String? {
        guard path.hasPrefix(prefix + "['"), path.hasSuffix("']") else { return nil }
        let key = path.dropFirst(prefix.count + 2).dropLast(2)
        return key.isEmpty ? nil : String(key)
    }
}
