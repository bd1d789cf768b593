/// Runs startup, readiness and liveness probes for the Supervisor: exec, httpGet, tcpSocket.
///
/// The lifecycle core decides when a probe runs; this only carries one attempt out and says how
/// it went, within `timeout` (the probe's `timeoutSeconds`): past it, what the probe started is
/// stopped (an exec's process group killed, a request or connect cancelled) and the outcome is
/// `failure("timed out after 1s")`. Cancelling the calling task stops an attempt the same way.
/// Messages name the handler and what failed; see docs/probes-and-hooks.md.
public final class ProbeExecutor: Sendable {
    let launcher: ProcessLauncher

    public static let userAgent = "kube-probe/podrun"

    public init(launcher: ProcessLauncher) {
        self.launcher = launcher
    }

    /// Runs one attempt of `handler` against the container `context` describes.
    public func run(_ handler: ProbeHandler, timeout: Duration, context: HandlerContext) async -> ProbeOutcome {
        await check(handler, timeout: timeout, context: context).outcome
    }

    /// Like `run`, keeping the note a success may carry (an off-host redirect not followed).
    public func check(_ handler: ProbeHandler, timeout: Duration, context: HandlerContext) async -> ProbeReport {
        ProbeReport(await operation(for: handler, context: context).run(timeout: timeout))
    }

    func operation(for handler: ProbeHandler, context: HandlerContext) -> any HandlerOperation {
        switch handler {
        case .exec(let action):
            ExecOperation(launcher: launcher, command: action.command, context: context)
        case .httpGet(let action):
            HTTPGetOperation(action: action, context: context, userAgent: Self.userAgent)
        case .tcpSocket(let action):
            TCPConnectOperation(action: action, context: context)
        }
    }
}
