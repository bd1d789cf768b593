/// How declared container ports become ports on 127.0.0.1 (a `hostPort`, when set, always wins).
///
/// The containers of a Kubernetes pod share one network namespace; podrun's containers share the
/// host's, so each declared port needs a host port that nothing else holds.
public enum PortMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The `containerPort` itself, so a manifest's numbers work unchanged (the CLI's default).
    case same
    /// A free port chosen by the OS: many pods, and many copies of one pod, run side by side
    /// (the library's and the test harness's default).
    case auto
}
