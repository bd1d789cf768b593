/// A per-container restart rule (Kubernetes' ContainerRestartRules, KEP-5307): restart when the
/// exit code matches, whatever the container's own restart policy says.
public struct ContainerRestartRule: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case restart = "Restart"
    }

    public var action: Action
    public var exitCodes: ExitCodeRequirement

    public init(action: Action = .restart, exitCodes: ExitCodeRequirement) {
        self.action = action
        self.exitCodes = exitCodes
    }

    /// Whether this rule applies to a container that exited with `exitCode`.
    public func matches(exitCode: Int32) -> Bool { exitCodes.matches(exitCode) }
}

public struct ExitCodeRequirement: Sendable, Hashable, Codable {
    public enum Operator: String, Sendable, Hashable, Codable, CaseIterable {
        case `in` = "In"
        case notIn = "NotIn"
    }

    public var `operator`: Operator
    public var values: [Int32]

    public init(operator: Operator, values: [Int32]) {
        self.operator = `operator`
        self.values = values
    }

    public func matches(_ exitCode: Int32) -> Bool {
        switch `operator` {
        case .in: values.contains(exitCode)
        case .notIn: !values.contains(exitCode)
        }
    }
}
