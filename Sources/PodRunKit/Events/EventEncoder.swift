#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Encodes events for the two audiences of the stream: JSON Lines for tools (the contract in
/// docs/events.md) and one line of text for people.
public enum EventEncoder {
    /// One JSON Lines record: `seq`, `time`, `type`, `container` first, then the type's fields.
    public static func jsonLine(_ record: EventRecord) -> [UInt8] {
        var object = JSONObjectWriter()
        object.add("seq", record.seq)
        object.add("time", RFC3339.milliseconds(record.time))
        object.add("type", record.event.type)
        if let container = record.event.container { object.add("container", container) }
        switch record.event.kind {
        case .podPhase(let phase):
            object.add("phase", phase.rawValue)
        case .podInitialized, .startupSucceeded, .ready, .notReady:
            break
        case .podReady(let ready):
            object.add("ready", ready)
        case .podStopping(let reason, let message):
            object.add("reason", reason.rawValue)
            if let message { object.add("message", message) }
        case .podFinished(let phase, let exitCode):
            object.add("phase", phase.rawValue)
            object.add("exitCode", Int(exitCode))
        case .started(let restartCount, let pid):
            object.add("restartCount", restartCount)
            object.add("pid", Int(pid))
        case .startFailed(let reason, let message):
            object.add("reason", reason)
            object.add("message", message)
        case .unhealthy(let probe, let message):
            object.add("probe", probe.rawValue)
            object.add("message", message)
        case .hookStarted(let hook):
            object.add("hook", hook.rawValue)
        case .hookFinished(let hook, let outcome, let message):
            object.add("hook", hook.rawValue)
            object.add("outcome", outcome.rawValue)
            if let message { object.add("message", message) }
        case .killing(let reason, let grace):
            object.add("reason", reason.rawValue)
            object.add("gracePeriodSeconds", Int(grace))
        case .exited(let exitCode, let signal, let reason, let restartCount):
            object.add("exitCode", Int(exitCode))
            if let signal { object.add("signal", signalName(signal)) }
            object.add("reason", reason)
            object.add("restartCount", restartCount)
        case .backOff(let delay, let restartCount):
            object.add("delaySeconds", delay)
            object.add("restartCount", restartCount)
        }
        return object.line()
    }

    /// The event as one line of text without time or container: `Exited 143 (SIGTERM, Error)`.
    /// The same type names as the JSON stream, so what a person reads is what a tool sees.
    public static func text(_ event: PodEvent) -> String {
        switch event.kind {
        case .podPhase(let phase): return "PodPhase \(phase.rawValue)"
        case .podInitialized: return "PodInitialized (all init containers done)"
        case .podReady(let ready): return ready ? "PodReady (every container is ready)" : "PodReady false (a container is not ready)"
        case .podStopping(let reason, let message):
            let why: String
            switch reason {
            case .stopRequested: why = "stop requested"
            case .completed: why = "completed: no container runs or will restart"
            case .initContainerFailed: why = "an init container failed and will not be retried"
            case .evicted: why = "evicted"
            }
            return "PodStopping (\(why))" + (message.map { ": \($0)" } ?? "")
        case .podFinished(let phase, let exitCode): return "PodFinished \(phase.rawValue) (podrun exits \(exitCode))"
        case .started(let restartCount, let pid):
            return restartCount == 0 ? "Started (pid \(pid))" : "Started (pid \(pid), restart #\(restartCount))"
        case .startFailed(_, let message): return "StartFailed: \(message)"
        case .startupSucceeded: return "StartupSucceeded (startup probe passed)"
        case .ready: return "Ready"
        case .notReady: return "NotReady"
        case .unhealthy(let probe, let message): return "Unhealthy: \(probe.rawValue) probe failed: \(message)"
        case .hookStarted(let hook): return "HookStarted \(hook.rawValue)"
        case .hookFinished(let hook, let outcome, let message):
            return "HookFinished \(hook.rawValue) \(outcome.rawValue)" + (message.map { ": \($0)" } ?? "")
        case .killing(let reason, let grace): return "Killing (\(reason.rawValue), grace period \(grace)s)"
        case .exited(let exitCode, let signal, let reason, _):
            if let signal { return "Exited \(exitCode) (\(signalName(signal)), \(reason))" }
            return "Exited \(exitCode) (\(reason))"
        case .backOff(let delay, let restartCount):
            return "BackOff: restarting in \(formatSeconds(delay)) (\(restartCount) restart\(restartCount == 1 ? "" : "s") so far)"
        }
    }

    /// `12.5s`, `10s`, `250ms`.
    static func formatSeconds(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        let rounded = (seconds * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded))s" : "\(rounded)s"
    }

    /// `SIGTERM` for 15, as `kill -l` names it.
    public static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT",
            SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1", SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2",
            SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGCHLD: "SIGCHLD", SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP",
            SIGTSTP: "SIGTSTP", SIGTTIN: "SIGTTIN", SIGTTOU: "SIGTTOU", SIGURG: "SIGURG", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ",
            SIGVTALRM: "SIGVTALRM", SIGPROF: "SIGPROF", SIGWINCH: "SIGWINCH", SIGIO: "SIGIO", SIGSYS: "SIGSYS",
        ]
        return names[signal] ?? "SIG\(signal)"
    }
}
