/// How one container instance ended, as a container runtime reports it.
public struct TerminatedState: Sendable, Hashable, Codable {
    /// The exit status, or 128+N when signal N ended the process (SIGTERM 143, SIGKILL 137);
    /// 128 when the process could not be started.
    public var exitCode: Int32
    /// The signal that ended the process, if one did.
    public var signal: Int32?
    /// `Completed` (exit 0), `Error` (anything else) or `StartError` (never ran).
    public var reason: String
    public var message: String?
    /// When the instance started, on the pod's clock; nil when it never ran.
    public var startedAt: Duration?
    public var finishedAt: Duration

    public init(exitCode: Int32, signal: Int32? = nil, reason: String, message: String? = nil, startedAt: Duration?, finishedAt: Duration) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// The exit code runtimes report when a process could not be started at all.
    public static let startErrorExitCode: Int32 = 128
}
