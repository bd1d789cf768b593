/// The three kinds of probe, which differ in what their results do.
public enum ProbeKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Gates the other probes; failing it kills the container.
    case startup
    /// Flips Ready; never restarts anything.
    case readiness
    /// Failing it kills and restarts the container.
    case liveness
}

/// The two lifecycle hooks.
public enum HookKind: String, Sendable, Hashable, Codable, CaseIterable {
    case postStart
    case preStop
}

/// What one probe attempt found.
public enum ProbeOutcome: Sendable, Hashable {
    case success
    case failure(message: String)
    /// No verdict (the container went away under an exec probe): as the kubelet discards a
    /// prober error, it changes nothing and counts toward no threshold.
    case unknown(message: String)
}

/// What one hook run found.
public enum HookOutcome: Sendable, Hashable {
    case succeeded
    case failed(message: String)
    /// The hook ended because its container did; the container's exit settles it.
    case abandoned
}
