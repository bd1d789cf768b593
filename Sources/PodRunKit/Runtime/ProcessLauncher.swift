import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Every container process runs under `podrun-shim` (Sources/podrun-shim/main.c, contract in
// docs/shim.md). Foundation.Process alone is not enough: it learns of an exit through a socket the
// child inherits (so a background grandchild delays it), signals only one pid, leaks ignored
// signals and the signal mask into children, and nothing kills the children when podrun itself is
// SIGKILLed. The shim fixes all of that; this file starts it and listens to its control socket.

/// What to run for one container instance (or one exec probe/hook).
public struct ProcessLaunchSpec: Sendable {
    /// Command and arguments; `argv[0]` is looked up in the `PATH` of `environment` when it has no slash.
    public var argv: [String]
    /// Directory the process starts in; nil keeps podrun's.
    public var workingDirectory: String?
    /// The process's whole environment (nothing is inherited implicitly).
    public var environment: [String: String]
    /// The fd to hand to the process as stdout (borrowed: the caller keeps ownership and closes it).
    public var standardOutput: Int32
    /// The fd for stderr (borrowed; may equal `standardOutput`).
    public var standardError: Int32

    public init(
        argv: [String],
        workingDirectory: String? = nil,
        environment: [String: String],
        standardOutput: Int32,
        standardError: Int32
    ) {
        self.argv = argv
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// How a process ended, as container runtimes report it.
public struct ProcessExit: Sendable, Equatable, CustomStringConvertible {
    /// The exit status, or 128+N when signal N ended the process (SIGTERM 143, SIGKILL 137).
    public var exitCode: Int32
    /// N when a signal ended the process.
    public var signal: Int32?

    public init(exitCode: Int32, signal: Int32? = nil) {
        self.exitCode = exitCode
        self.signal = signal
    }

    /// The status of a process killed by `signal`.
    public static func killed(by signal: Int32) -> ProcessExit {
        ProcessExit(exitCode: 128 + signal, signal: signal)
    }

    public var description: String {
        if let signal { return "exit code \(exitCode) (signal \(signal))" }
        return "exit code \(exitCode)"
    }
}

/// A process could not be started; `message` says why, the way container runtimes phrase it
/// (`exec "foo": executable file not found in $PATH`, `chdir "/nope": no such file or directory`).
public struct LaunchFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// A running container process under its shim.
public final class ShimProcess: Sendable {
    /// The container process; it leads its own process group, so this is also the group id.
    public let pid: Int32
    /// The `podrun-shim` process watching it.
    public let shimPID: Int32
    private let monitor: ShimMonitor

    fileprivate init(pid: Int32, shimPID: Int32, monitor: ShimMonitor) {
        self.pid = pid
        self.shimPID = shimPID
        self.monitor = monitor
    }

    /// Sends `signal` to the container's whole process group; a no-op once the shim reported the exit.
    public func signalGroup(_ signal: Int32) {
        monitor.signalGroup(pid: pid, signal: signal)
    }

    /// Makes the shim SIGKILL the whole group at once (it sees EOF on the control socket). The exit is
    /// still reported through `onExit`, normally as SIGKILL (137).
    public func killImmediately() {
        monitor.releaseLifeline()
    }

    /// Runs `argv` beside the container, under its shim — as a container runtime's shim runs
    /// `exec`: with the container's environment and working directory, in a process group of its
    /// own, `argv[0]` looked up in the container's `PATH`. No new process is started from podrun,
    /// so probes and hooks cost little. When the command's main process exits, the rest of its
    /// group is killed. Cancelling the calling task kills the group; the result then comes once it
    /// is gone. If the container ends meanwhile, the command ends with it.
    public func exec(_ argv: [String]) async -> ContainerExecResult {
        await monitor.exec(argv)
    }

    /// `exec` with a completion handler, called once from the shim monitor's queue (keep it
    /// short): for callers that must not wait for a Swift-concurrency thread to hear the result.
    /// Returns a handle whose `cancel()` kills the command's group.
    @discardableResult
    public func exec(_ argv: [String], completion: @escaping @Sendable (ContainerExecResult) -> Void) -> ContainerExecHandle {
        ContainerExecHandle(monitor: monitor, id: monitor.startExec(argv, completion: completion))
    }
}

/// A command started with `ShimProcess.exec(_:completion:)`.
public struct ContainerExecHandle: Sendable {
    fileprivate let monitor: ShimMonitor
    fileprivate let id: UInt64?

    /// Kills the command's whole group; its completion then reports the end.
    public func cancel() {
        if let id { monitor.cancelExec(id) }
    }
}

/// How a command run beside a container (`ShimProcess.exec`) ended.
public enum ContainerExecResult: Sendable, Equatable {
    /// It ran; `output` is the start of its stdout and stderr together (at most 4 KiB).
    case exited(ProcessExit, output: [UInt8], truncated: Bool)
    /// It could not be started: `exec "cat": executable file not found in $PATH`, or the
    /// container is not running.
    case couldNotStart(message: String)
    /// The container ended while the command ran, and took it along: no verdict on the command
    /// (the kubelet's probe result Unknown).
    case containerExited
}

/// A shim that was started and has not yet reported whether its program runs.
public struct SpawnedProcess: Sendable {
    fileprivate let monitor: ShimMonitor

    /// Waits for the shim's report: the running process, or why it could not start.
    public func started() async throws(LaunchFailure) -> ShimProcess {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<ShimProcess, LaunchFailure>, Never>) in
            monitor.awaitStart(continuation)
        }
        return try result.get()
    }
}

/// Starts processes under `podrun-shim` and reports how they end.
public final class ProcessLauncher: Sendable {
    /// Path of the `podrun-shim` executable.
    public let shimPath: String
    /// Where control-socket read handlers run. The pipe reactor runs each socket's handler one at a time,
    /// so a concurrent queue lets many shims report in parallel without a thread per process.
    private let queue = DispatchQueue(label: "podrun.shim-monitor", qos: .userInitiated, attributes: .concurrent)
    private let liveShims = Locked(0)

    /// Foundation's `Process.run()` is not safe to call concurrently (it can crash in 6.3.x), and the
    /// danger is process-wide, so one lock serialises every launcher's calls.
    static let spawnLock = NSLock()

    public init(shimPath: String) {
        self.shimPath = shimPath
    }

    /// The number of shims started by this launcher that Foundation has not reaped yet.
    var runningShimCount: Int { liveShims.withLock { $0 } }

    /// `PODRUN_SHIM` if set, else `podrun-shim` next to the running executable, else next to the test
    /// bundle's build products. Throws a `LaunchFailure` naming every place it looked.
    public static func locateShim() throws -> String {
        try locateCompanion("podrun-shim", override: "PODRUN_SHIM")
    }

    /// A program installed beside podrun (`podrun-shim`, `podrun-http`): the path in the
    /// environment variable `override` if set, else `name` next to the running executable (also
    /// through a symlink), else next to the test bundle's build products.
    static func locateCompanion(_ name: String, override: String) throws(LaunchFailure) -> String {
        if let explicit = ProcessInfo.processInfo.environment[override], !explicit.isEmpty {
            guard access(explicit, X_OK) == 0 else {
                throw LaunchFailure(message: "\(override)=\(explicit) is not an executable file")
            }
            return explicit
        }
        var directories: [String] = []
        func addDirectory(ofExecutable path: String) {
            let url = URL(fileURLWithPath: path)
            directories.append(url.deletingLastPathComponent().path)
            // Installed through a symlink (/usr/local/bin/podrun -> ../lib/podrun/podrun): look at the real place too.
            let resolved = url.resolvingSymlinksInPath()
            directories.append(resolved.deletingLastPathComponent().path)
        }
        if let executable = Bundle.main.executableURL {
            addDirectory(ofExecutable: executable.path)
        }
        if let argv0 = CommandLine.arguments.first, !argv0.isEmpty {
            if argv0.contains("/") {
                addDirectory(ofExecutable: URL(fileURLWithPath: argv0).standardizedFileURL.path)
            } else {
                let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
                for dir in path.split(separator: ":") where access("\(dir)/\(argv0)", X_OK) == 0 {
                    addDirectory(ofExecutable: "\(dir)/\(argv0)")
                    break
                }
            }
        }
        // Tests: on Linux the test bundle is the main executable (.build/debug/xxxPackageTests.xctest);
        // on macOS it is a loaded bundle (.build/<triple>/debug/xxxPackageTests.xctest) next to the products.
        for bundle in [Bundle(for: ProcessLauncher.self)] + Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent().path)
        }
        var seen = Set<String>()
        var looked: [String] = []
        for dir in directories where seen.insert(dir).inserted {
            let candidate = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            looked.append(candidate)
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw LaunchFailure(
            message: "cannot find \(name): \(override) is not set and none of these exists: "
                + (looked.isEmpty ? "(no candidate directories)" : looked.joined(separator: ", "))
        )
    }

    /// Starts the shim, waits for its `started`/`failed` report; `onExit` is called exactly once, from
    /// any thread, when the process is gone. It may run before `launch` returns (a process can exit at
    /// once), and it runs on a shared dispatch queue: keep it short and non-blocking.
    public func launch(
        _ spec: ProcessLaunchSpec,
        onExit: @escaping @Sendable (ProcessExit) -> Void
    ) async throws(LaunchFailure) -> ShimProcess {
        try await spawn(spec, onExit: onExit).started()
    }

    /// Starts the shim now, without waiting for its report, so a caller can start many processes in
    /// a fixed order and then wait for all of them concurrently. `onExit` as for `launch`.
    public func spawn(
        _ spec: ProcessLaunchSpec,
        onExit: @escaping @Sendable (ProcessExit) -> Void
    ) throws(LaunchFailure) -> SpawnedProcess {
        guard let program = spec.argv.first, !program.isEmpty else {
            throw LaunchFailure(message: "no command to run")
        }
        let (podrunEnd, shimEnd) = try Self.makeControlSocket()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: shimPath)
        var arguments: [String] = []
        if let dir = spec.workingDirectory { arguments += ["-C", dir] }
        process.arguments = arguments + ["--"] + spec.argv
        process.environment = spec.environment
        // closeOnDealloc: false — these fds are borrowed (stdout/stderr) or closed by us right after run().
        process.standardInput = FileHandle(fileDescriptor: shimEnd, closeOnDealloc: false)
        let stdout = FileHandle(fileDescriptor: spec.standardOutput, closeOnDealloc: false)
        process.standardOutput = stdout
        process.standardError =
            spec.standardError == spec.standardOutput
            ? stdout : FileHandle(fileDescriptor: spec.standardError, closeOnDealloc: false)

        let monitor = ShimMonitor(fd: podrunEnd, queue: queue, liveShims: liveShims, onExit: onExit)
        process.terminationHandler = { [monitor] finished in
            // Foundation reaped the shim (no zombie); only now may the Process object go.
            let status: ProcessExit =
                finished.terminationReason == .uncaughtSignal
                ? .killed(by: finished.terminationStatus)
                : ProcessExit(exitCode: finished.terminationStatus)
            monitor.shimTerminated(status)
        }

        liveShims.withLock { $0 += 1 }
        do {
            try Self.spawnLock.withLock { try process.run() }
        } catch {
            liveShims.withLock { $0 -= 1 }
            close(shimEnd)
            close(podrunEnd)
            throw LaunchFailure(message: "cannot start podrun-shim \"\(shimPath)\": \(error.localizedDescription)")
        }
        // The shim has its own copy as fd 0; ours must go, or its death would never show as EOF.
        close(shimEnd)
        monitor.retain(process)
        monitor.start(shimPID: process.processIdentifier)
        return SpawnedProcess(monitor: monitor)
    }

    /// The shim's control socket (see `SocketIO.makePair`).
    private static func makeControlSocket() throws(LaunchFailure) -> (podrun: Int32, shim: Int32) {
        guard let pair = SocketIO.makePair() else {
            throw LaunchFailure(message: "cannot create the shim's control socket: \(String(cString: strerror(errno)))")
        }
        return (pair.podrun, pair.other)
    }
}

// MARK: - Monitoring one shim

/// Reads the shim's control socket and turns its lines (and, as a fallback, Foundation's view of
/// the shim's own exit) into one launch result and at most one `onExit` call.
private final class ShimMonitor: Sendable {
    typealias Continuation = CheckedContinuation<Result<ShimProcess, LaunchFailure>, Never>

    private enum Phase {
        /// Waiting for `started`/`failed`; the continuation is set once someone awaits.
        case starting(Continuation?)
        /// The report came before anyone awaited it.
        case reported(Result<ShimProcess, LaunchFailure>, running: Int32?)
        /// `started` seen; `onExit` not yet called.
        case running(pid: Int32)
        /// `failed` seen, or the exit reported: nothing more to say.
        case done
    }

    private struct State {
        var phase: Phase = .starting(nil)
        var shimPID: Int32 = 0
        var pending: [UInt8] = []
        /// The control socket's registration with the pipe reactor; nil once closed.
        var registration: UInt64?
        var fdOpen = true
        var eof = false
        /// Set by Foundation's termination handler: the shim has been reaped.
        var shimStatus: ProcessExit?
        /// Kept alive until Foundation reaped the shim, so the termination handler surely runs.
        var process: Process?
        /// Commands running beside the container (`exec`): their completions, by request id.
        var execs: [UInt64: @Sendable (ContainerExecResult) -> Void] = [:]
        var nextExecID: UInt64 = 1
    }

    private let fd: Int32
    private let queue: DispatchQueue
    private let liveShims: Locked<Int>
    private let onExit: @Sendable (ProcessExit) -> Void
    private let state = Locked(State())

    init(fd: Int32, queue: DispatchQueue, liveShims: Locked<Int>, onExit: @escaping @Sendable (ProcessExit) -> Void) {
        self.fd = fd
        self.queue = queue
        self.liveShims = liveShims
        self.onExit = onExit
    }

    func retain(_ process: Process) {
        state.withLock { state in
            // The shim may already be gone and reaped: then there is nothing to keep alive.
            if state.shimStatus == nil { state.process = process }
        }
    }

    /// Begins reading the control socket right after the spawn; a report that arrives before
    /// `awaitStart` is kept until then.
    func start(shimPID: Int32) {
        // The shared poll(2) reactor, not a DispatchSource: creating and cancelling read sources
        // concurrently crashes libdispatch on Linux (see PipeReactor).
        state.withLock { state in
            state.shimPID = shimPID
            state.registration = PipeReactor.shared.register(fd: fd, queue: queue) { [self] in readAvailable() }
        }
    }

    /// Delivers the start report to `continuation`, now or when it arrives.
    func awaitStart(_ continuation: Continuation) {
        let ready: Result<ShimProcess, LaunchFailure>? = state.withLock { state in
            switch state.phase {
            case .starting:
                state.phase = .starting(continuation)
                return nil
            case .reported(let result, let running):
                state.phase = running.map { .running(pid: $0) } ?? .done
                return result
            case .running, .done:
                return .failure(LaunchFailure(message: "the start was already reported"))
            }
        }
        if let ready { continuation.resume(returning: ready) }
    }

    // MARK: Requests from ShimProcess

    func signalGroup(pid: Int32, signal: Int32) {
        state.withLock { state in
            switch state.phase {
            case .running, .reported(_, running: .some):
                guard !state.eof else { return }
                _ = kill(-pid, signal)
            case .starting, .reported(_, running: nil), .done:
                return
            }
        }
    }

    /// Half-closes the control socket: the shim reads EOF and kills the group at once, and can still
    /// write its `exited` line back to us.
    func releaseLifeline() {
        state.withLock { state in
            guard state.fdOpen, !state.eof else { return }
            _ = shutdown(fd, Int32(SHUT_WR))
        }
    }

    // MARK: Events

    private func readAvailable() {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var messages: [ShimMessage] = []
        var reachedEOF = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                state.withLock { state in
                    state.pending.append(contentsOf: buffer[..<n])
                    messages += ShimMessage.parse(&state.pending)
                }
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            reachedEOF = true  // 0 = EOF; any other error means the socket is unusable: same thing
            break
        }
        for message in messages {
            switch message {
            case .line(let line): handle(line: line)
            case .execExited(let id, let exit, let output, let truncated): execFinished(id, .exited(exit, output: output, truncated: truncated))
            }
        }
        if reachedEOF { handleEOF() }
    }

    // MARK: exec

    func exec(_ argv: [String]) async -> ContainerExecResult {
        let handle = Locked<UInt64?>(nil)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ContainerExecResult, Never>) in
                let id = startExec(argv) { continuation.resume(returning: $0) }
                handle.withLock { $0 = id }
            }
        } onCancel: {
            if let id = handle.withLock({ $0 }) { cancelExec(id) }
        }
    }

    /// Sends an exec request; `completion` gets its result (at once if it cannot be sent).
    /// Returns the request's id, nil when it was not sent.
    func startExec(_ argv: [String], completion: @escaping @Sendable (ContainerExecResult) -> Void) -> UInt64? {
        guard !argv.isEmpty, !argv[0].isEmpty else {
            completion(.couldNotStart(message: "no command to run"))
            return nil
        }
        let id: UInt64? = state.withLock { state in
            guard state.fdOpen, !state.eof else { return nil }
            switch state.phase {
            case .running, .reported(.success, running: .some): break
            default: return nil
            }
            let id = state.nextExecID
            state.nextExecID += 1
            var request = Array("exec \(id) \(argv.count) \(argv.map { String($0.utf8.count) }.joined(separator: " "))\n".utf8)
            for argument in argv { request += Array(argument.utf8) }
            state.execs[id] = completion
            guard SocketIO.sendAll(request, to: fd) else {
                state.execs[id] = nil
                return nil
            }
            return id
        }
        if id == nil { completion(.couldNotStart(message: "the container is not running")) }
        return id
    }

    /// Asks the shim to kill exec `id`'s group; its result follows as usual.
    func cancelExec(_ id: UInt64) {
        state.withLock { state in
            guard state.execs[id] != nil, state.fdOpen, !state.eof else { return }
            _ = SocketIO.sendAll(Array("kill \(id)\n".utf8), to: fd)
        }
    }

    private func execFinished(_ id: UInt64, _ result: ContainerExecResult) {
        let completion = state.withLock { $0.execs.removeValue(forKey: id) }
        completion?(result)
    }

    /// Ends every exec still waiting: the shim is gone (it reports them before it goes; this only
    /// covers a shim that died).
    private func failPendingExecs() {
        let pending = state.withLock { state -> [@Sendable (ContainerExecResult) -> Void] in
            defer { state.execs = [:] }
            return Array(state.execs.values)
        }
        for completion in pending { completion(.containerExited) }
    }


    private func handle(line: String) {
        let words = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard let verb = words.first else { return }
        switch verb {
        case "started":
            guard words.count >= 2, let pid = Int32(words[1]), pid > 0 else { return }
            let resume: (Continuation, ShimProcess)? = state.withLock { state in
                guard case .starting(let waiting) = state.phase else { return nil }
                let process = ShimProcess(pid: pid, shimPID: state.shimPID, monitor: self)
                guard let continuation = waiting else {
                    state.phase = .reported(.success(process), running: pid)
                    return nil
                }
                state.phase = .running(pid: pid)
                return (continuation, process)
            }
            if let (continuation, process) = resume { continuation.resume(returning: .success(process)) }
        case "failed":
            let message = words.count >= 4 ? String(words[3]) : "podrun-shim: \(line)"
            let continuation: Continuation? = state.withLock { state in
                guard case .starting(let waiting) = state.phase else { return nil }
                guard let continuation = waiting else {
                    state.phase = .reported(.failure(LaunchFailure(message: message)), running: nil)
                    return nil
                }
                state.phase = .done
                return continuation
            }
            continuation?.resume(returning: .failure(LaunchFailure(message: message)))
        case "exited":
            guard words.count >= 3, let code = Int32(words[1]), let signal = Int32(words[2]) else { return }
            let status = ProcessExit(exitCode: code, signal: signal == 0 ? nil : signal)
            let report: Bool = state.withLock { state in
                switch state.phase {
                case .running:
                    state.phase = .done
                    return true
                case .reported(let result, .some):
                    // Exited before anyone awaited the start: the start still counts as a start.
                    state.phase = .reported(result, running: nil)
                    return true
                default:
                    return false
                }
            }
            if report { onExit(status) }
        case "exec-gone":
            guard words.count == 2, let id = UInt64(words[1]) else { return }
            execFinished(id, .containerExited)
        case "exec-failed":
            // exec-failed <id> <stage> <errno> <message>
            let parts = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count == 5, let id = UInt64(parts[1]) else { return }
            execFinished(id, .couldNotStart(message: String(parts[4])))
        default:
            break  // reserved for future messages
        }
    }

    private func handleEOF() {
        state.withLock { state in
            state.eof = true
            if let registration = state.registration {
                // Unregistering drops the reactor's reference to this monitor, then the fd can go.
                PipeReactor.shared.unregister(registration)
                state.registration = nil
                state.fdOpen = false
                close(fd)
            }
        }
        failPendingExecs()
        finishIfShimVanished()
    }

    func shimTerminated(_ status: ProcessExit) {
        let wasCounted: Bool = state.withLock { state in
            guard state.shimStatus == nil else { return false }
            state.shimStatus = status
            state.process = nil
            return true
        }
        if wasCounted { liveShims.withLock { $0 -= 1 } }
        finishIfShimVanished()
    }

    /// The shim is gone (EOF and reaped) without having said how the container ended — it was killed
    /// (kill -9) or crashed. Its container may still be running: kill the group ourselves, then
    /// report the shim's own status, which is the best information left.
    private func finishIfShimVanished() {
        enum Outcome { case none, startFailed(Continuation, ProcessExit), exited(pid: Int32, ProcessExit) }
        let outcome: Outcome = state.withLock { state in
            guard state.eof, let status = state.shimStatus else { return .none }
            switch state.phase {
            case .starting(let continuation?):
                state.phase = .done
                return .startFailed(continuation, status)
            case .starting(nil):
                state.phase = .reported(
                    .failure(LaunchFailure(message: "podrun-shim ended without starting the process (\(status))")), running: nil)
                return .none
            case .running(let pid):
                state.phase = .done
                return .exited(pid: pid, status)
            case .reported(let result, .some(let pid)):
                state.phase = .reported(result, running: nil)
                return .exited(pid: pid, status)
            case .reported(_, nil), .done:
                return .none
            }
        }
        switch outcome {
        case .none:
            break
        case .startFailed(let continuation, let status):
            continuation.resume(returning: .failure(LaunchFailure(message: "podrun-shim ended without starting the process (\(status))")))
        case .exited(let pid, let status):
            // The group id stays reserved while any member lives, so this cannot hit a stranger
            // unless the whole group is already gone and the id was reused within milliseconds.
            _ = kill(-pid, SIGKILL)
            onExit(status)
        }
    }
}
