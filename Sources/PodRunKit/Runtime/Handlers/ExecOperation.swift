import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exec probe or hook: the command runs directly (no shell, no `$(VAR)` expansion, as in
/// Kubernetes) with the container's environment and working directory, in a process group of its
/// own: under the container's shim while the container runs (`ShimProcess.exec`, no new process
/// from podrun), else under a shim of its own. Stopping it kills the whole group, and `finish`
/// comes only once the group is gone. Exit status 0 is success.
final class ExecOperation: HandlerOperation {
    private struct State {
        var process: ShimProcess?
        /// The command running under the container's shim.
        var inContainer: ContainerExecHandle?
        var stop: HandlerStop?
        var exited = false
    }

    private let launcher: ProcessLauncher
    private let command: [String]
    private let context: HandlerContext
    private let state = Locked(State())

    /// `command` as the spec has it; it is shown that way in messages, and run with each argument
    /// passed through `context.translatePath`.
    init(launcher: ProcessLauncher, command: [String], context: HandlerContext) {
        self.launcher = launcher
        self.command = command
        self.context = context
    }

    private var label: String { "exec \(HandlerText.command(command))" }

    func start(finish: @escaping @Sendable (HandlerResult) -> Void) async {
        if let stop = state.withLock({ $0.stop }) { return finish(stop.result) }
        guard let program = command.first, !program.isEmpty else {
            return finish(.failed("exec: no command given"))
        }
        if let container = context.container {
            return runInContainer(container, finish: finish)
        }
        guard let (readEnd, writeEnd) = OutputCapture.makePipe() else {
            return finish(.failed("\(label): cannot create a pipe: \(HandlerText.errno(errno))"))
        }
        let capture = OutputCapture(fd: readEnd)
        let spec = ProcessLaunchSpec(
            argv: command.map(context.translatePath),
            workingDirectory: context.workingDirectory,
            environment: context.environment,
            standardOutput: writeEnd,
            standardError: writeEnd
        )
        let process: ShimProcess
        do {
            process = try await launcher.launch(spec) { [self] exit in
                exited(exit, capture: capture, finish: finish)
            }
        } catch {
            close(writeEnd)
            capture.finish { _ in }
            return finish(.failed("\(label): \(Self.startFailure(error.message))"))
        }
        // Only the command's copies of the write end may remain, so the pipe is the command's alone.
        close(writeEnd)
        let stopNow: Bool = state.withLock { state in
            guard !state.exited else { return false }
            state.process = process
            return state.stop != nil
        }
        if stopNow { process.killImmediately() }
    }

    func stop(_ reason: HandlerStop) {
        let (process, inContainer): (ShimProcess?, ContainerExecHandle?) = state.withLock { state in
            guard !state.exited, state.stop == nil else { return (nil, nil) }
            state.stop = reason
            return (state.process, state.inContainer)
        }
        // The shim SIGKILLs the group at once and then reports the exit, which finishes the attempt.
        process?.killImmediately()
        inContainer?.cancel()
    }

    /// Runs the command under the container's shim. The result is handled on the shim monitor's
    /// queue, so a busy Swift-concurrency pool cannot make an attempt look timed out.
    private func runInContainer(_ container: ShimProcess, finish: @escaping @Sendable (HandlerResult) -> Void) {
        let handle = container.exec(command.map(context.translatePath)) { [self] result in
            let stop: HandlerStop? = state.withLock { state in
                state.exited = true
                state.inContainer = nil
                return state.stop
            }
            if let stop { return finish(stop.result) }
            switch result {
            case .couldNotStart(let message): finish(.failed("\(label): \(Self.startFailure(message))"))
            case .containerExited: finish(.containerExited)
            case .exited(let exit, let output, let truncated): finish(outcome(of: exit, output: output, truncated: truncated))
            }
        }
        let stopNow = state.withLock { state in
            guard !state.exited else { return false }
            state.inContainer = handle
            return state.stop != nil
        }
        if stopNow { handle.cancel() }
    }

    private func outcome(of exit: ProcessExit, output: [UInt8], truncated: Bool) -> HandlerResult {
        if exit.exitCode == 0 && exit.signal == nil { return .succeeded }
        var message = "\(label): \(HandlerText.exit(exit))"
        let summary = HandlerText.summary(ofOutput: output, truncated: truncated)
        if !summary.isEmpty { message += ": " + summary }
        return .failed(message)
    }

    /// The shim reported the command gone (and its group killed): collect the output, decide.
    private func exited(_ exit: ProcessExit, capture: OutputCapture, finish: @escaping @Sendable (HandlerResult) -> Void) {
        let stop: HandlerStop? = state.withLock { state in
            state.exited = true
            state.process = nil
            return state.stop
        }
        capture.finish { [self] output in
            if let stop { return finish(stop.result) }
            finish(outcome(of: exit, output: output.bytes, truncated: output.truncated))
        }
    }

    /// `exec "nope": executable file not found in $PATH` (the shim's words) without the quoted
    /// program, which the label already shows with its arguments.
    static func startFailure(_ message: String) -> String {
        let prefix = "exec \""
        guard message.hasPrefix(prefix) else { return message }
        var index = message.index(message.startIndex, offsetBy: prefix.count)
        var escaped = false
        while index < message.endIndex {
            let character = message[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                let rest = message[message.index(after: index)...]
                return rest.hasPrefix(": ") ? String(rest.dropFirst(2)) : message
            }
            index = message.index(after: index)
        }
        return message
    }
}
