/// Runs postStart and preStop hooks for the Supervisor: exec, httpGet, sleep.
///
/// Hooks have no timeout of their own: the lifecycle core cancels a preStop when the grace period
/// runs out, and a hook whose container exits. So `run` lasts until the hook is done or the
/// calling task is cancelled; then it stops what it started (kills an exec's process group,
/// cancels the request, ends the sleep) and returns promptly with a failure saying so.
public final class HookExecutor: Sendable {
    private let launcher: ProcessLauncher
    /// Lends its HTTP session, so probes and hooks share one.
    private let probes: ProbeExecutor

    public static let userAgent = "kube-lifecycle/podrun"

    public init(launcher: ProcessLauncher, probes: ProbeExecutor) {
        self.launcher = launcher
        self.probes = probes
    }

    public func run(_ handler: LifecycleHandler, context: HandlerContext) async -> HookOutcome {
        let result = await operation(for: handler, context: context).run(timeout: nil)
        switch result {
        case .succeeded: return .succeeded
        case .failed(let message): return .failed(message: message)
        case .cancelled: return .failed(message: "\(Self.describe(handler)): cancelled")
        case .timedOut: return .failed(message: result.message ?? "timed out")
        case .containerExited: return .abandoned
        }
    }

    private func operation(for handler: LifecycleHandler, context: HandlerContext) -> any HandlerOperation {
        switch handler {
        case .exec(let action):
            ExecOperation(launcher: launcher, command: action.command, context: context)
        case .httpGet(let action):
            HTTPGetOperation(action: action, context: context, userAgent: Self.userAgent, anyStatusSucceeds: true)
        case .sleep(let action):
            SleepOperation(seconds: action.seconds)
        }
    }

    /// How a cancelled hook is named in its message.
    private static func describe(_ handler: LifecycleHandler) -> String {
        switch handler {
        case .exec(let action): "exec \(HandlerText.command(action.command))"
        case .httpGet(let action):
            "HTTP GET " + HTTPGetOperation.urlText(
                scheme: action.scheme, host: action.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1", port: action.port.description, path: action.path)
        case .sleep(let action): "sleep \(action.seconds)s"
        }
    }
}
