/// An environment variable: a literal value (with `$(VAR)` references) or a downward-API field.
public struct EnvVar: Sendable, Hashable, Codable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// Where a variable's value comes from. podrun has no ConfigMaps, Secrets or resource limits,
/// so only `fieldRef` exists here; the loader rejects the other sources with an explanation.
public struct EnvVarSource: Sendable, Hashable, Codable {
    public var fieldRef: ObjectFieldSelector

    public init(fieldRef: ObjectFieldSelector) { self.fieldRef = fieldRef }
}

/// A downward-API field such as `metadata.name` or `metadata.labels['app']`.
public struct ObjectFieldSelector: Sendable, Hashable, Codable {
    public var fieldPath: String
    public var apiVersion: String

    public init(fieldPath: String, apiVersion: String = "v1") {
        self.fieldPath = fieldPath
        self.apiVersion = apiVersion
    }
}
