import Foundation

/// How a pod is run: the knobs `podrun run` exposes and the test harness sets.
public struct RunOptions: Sendable {
    /// CrashLoopBackOff delays (Kubernetes: 10 s doubling to 300 s).
    public var backOff: BackOffPolicy = .kubernetes
    /// Replaces the state root (`--state-dir`); nil means `${XDG_STATE_HOME:-~/.local/state}/podrun`.
    public var stateRoot: URL?
    /// Keep the run directory (logs, volumes, status) after the pod ends (`--keep`).
    public var keepRunDirectory = false
    /// `same` maps each containerPort to itself (the CLI default); `auto` picks free ports (the
    /// library default, so parallel test pods never collide).
    public var portMode: PortMode = .auto
    /// The environment containers inherit (podrun's own by default).
    public var inheritedEnvironment: [String: String] = ProcessInfo.processInfo.environment
    /// Keep only PATH, HOME, USER, LANG and TMPDIR of the inherited environment (`--clean-env`).
    public var cleanEnvironment = false
    public var logRotation = LogRotation()
    /// How long a container's output may keep flowing after its main process exited, for
    /// processes that escaped its process group and still hold the pipes.
    public var drainTimeout: Duration = .milliseconds(200)
    /// The `podrun-shim` executable; nil means `PODRUN_SHIM` or next to the running executable.
    public var shimPath: String?

    public init() {}
}
