/// Kubernetes' decision whether an exited container is started again.
enum RestartRule {
    /// `ContainerShouldRestart` (pkg/api/v1/pod/util.go, KEP-5307): the container's own
    /// restartPolicyRules and restartPolicy first, then the pod's policy.
    static func shouldRestart(_ container: Container, podPolicy: RestartPolicy, exitCode: Int32) -> Bool {
        if let policy = container.restartPolicy {
            if container.restartPolicyRules.contains(where: { $0.action == .restart && $0.matches(exitCode: exitCode) }) {
                return true
            }
            return allows(policy, exitCode: exitCode)
        }
        return allows(podPolicy, exitCode: exitCode)
    }

    /// After a liveness or startup probe killed the container: restarted unless the policy is
    /// Never, whatever the exit code (computePodActions' `shouldRestartOnFailure`); rules are
    /// not consulted because the kill, not the program, chose the exit code.
    static func shouldRestartAfterProbeKill(_ container: Container, podPolicy: RestartPolicy) -> Bool {
        (container.restartPolicy ?? podPolicy) != .never
    }

    private static func allows(_ policy: RestartPolicy, exitCode: Int32) -> Bool {
        switch policy {
        case .always: true
        case .onFailure: exitCode != 0
        case .never: false
        }
    }
}
