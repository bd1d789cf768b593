/// Why `podrun logs` printed nothing (or stopped), phrased as `kubectl logs` phrases it, with
/// the exit status the CLI should use (2 for a request that needs a container name, 1 otherwise).
public struct PodLogsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}
