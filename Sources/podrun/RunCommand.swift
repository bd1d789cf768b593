import ArgumentParser
import Dispatch
import Foundation
import PodRunKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pod in the foreground until it ends.",
        discussion: """
            Starts the pod's containers as local processes with Kubernetes' lifecycle rules and prints \
            their output (NAME | line) and the pod's events until the pod reaches Succeeded or Failed. \
            Ctrl-C (or SIGTERM) stops the pod gracefully: preStop hooks, SIGTERM to the regular \
            containers, then to the sidecars in reverse order, SIGKILL after the grace period. A second \
            Ctrl-C kills everything at once. Exit status: 0 when the pod Succeeded, 1 when it Failed, \
            2 for invalid input.
            """
    )

    @Argument(help: ArgumentHelp("The pod description (YAML or JSON); - reads standard input.", valueName: "pod.yaml"))
    var file: String

    @Option(name: .customLong("events"), help: ArgumentHelp("Also write the event stream as JSON Lines to FILE (- for standard output; everything else then goes to standard error).", valueName: "file"))
    var eventsFile: String?

    @Option(help: ArgumentHelp("First restart delay after the immediate one (Kubernetes: 10s).", valueName: "duration"))
    var backoffInitial: DurationArgument = DurationArgument(.seconds(10))

    @Option(help: ArgumentHelp("Longest restart delay (Kubernetes: 5m).", valueName: "duration"))
    var backoffMax: DurationArgument = DurationArgument(.seconds(300))

    @Option(help: ArgumentHelp("State root for run directories (default ${XDG_STATE_HOME:-~/.local/state}/podrun).", valueName: "dir"))
    var stateDir: String?

    @Flag(help: "Keep the run directory (logs, volumes, status) after the pod ends, for `podrun logs`.")
    var keep = false

    @Option(help: ArgumentHelp("Host ports: same (each containerPort on 127.0.0.1) or auto (free ports from the OS).", valueName: "same|auto"))
    var ports: PortMode = .same

    @Flag(help: "Start containers with a minimal environment (PATH, HOME, USER, LANG, TMPDIR) instead of podrun's.")
    var cleanEnv = false

    @Option(help: ArgumentHelp("Rotate a container's log file at this size (e.g. 10Mi, 500k).", valueName: "size"))
    var logMaxSize: String = "10Mi"

    @Flag(help: "Prefix log lines with the time podrun read them.")
    var timestamps = false

    @Flag(help: "Print log lines without the container name.")
    var noLogPrefix = false

    @Flag(name: .shortAndLong, help: "Print events only, no container output.")
    var quiet = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Output format: text, or json (events and log lines as JSON Lines).", valueName: "text|json"))
    var output: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func validate() throws {
        guard let size = Quantity(logMaxSize), size.bytes >= 4096 else {
            throw ValidationError("--log-max-size: \"\(logMaxSize)\" is not a size of at least 4Ki (e.g. 10Mi)")
        }
    }

    /// Where the pod's volumes and ports are, since a process only finds them through these paths
    /// and variables.
    private func describeEnvironment(of supervisor: PodSupervisor, to console: RunConsole) {
        console.note("pod \(supervisor.pod.metadata.name): run directory \(supervisor.runDirectory.url.path)")
        for volume in supervisor.pod.spec.volumes {
            let kind = volume.hostPath != nil ? "hostPath" : (volume.emptyDir?.medium == "Memory" ? "emptyDir, Memory" : "emptyDir")
            console.note("volume \(volume.name) (\(kind)) → \(supervisor.volumes.directory(of: volume.name).path)")
        }
        for mapping in supervisor.ports.mappings {
            let name = mapping.name.map { "/\($0)" } ?? ""
            console.note("port \(mapping.container)\(name) \(mapping.containerPort)/\(mapping.protocol.rawValue) → 127.0.0.1:\(mapping.hostPort)")
        }
    }

    func run() async throws {
        // A closed terminal or pipe must not kill podrun (and with it every container).
        signal(SIGPIPE, SIG_IGN)
        let stderrStyle = TerminalStyle.forStream(STDERR_FILENO)
        let result = PodLoader.load(path: file)
        let diagnostics = DiagnosticRenderer(style: stderrStyle)
        for diagnostic in result.diagnostics {
            FileHandle.standardError.write(Data((diagnostics.render(diagnostic) + "\n").utf8))
        }
        guard let pod = result.pod else { throw ExitCode(ExitStatusCode.invalidInput) }

        let eventsToStdout = eventsFile == "-"
        let humanOutput: Int32 = eventsToStdout ? STDERR_FILENO : STDOUT_FILENO
        let humanStyle = TerminalStyle.forStream(humanOutput)
        let renderer = RunOutputRenderer(
            containerNames: pod.spec.allContainers.map(\.name), format: output == .json ? .json : .text, style: humanStyle,
            timestamps: timestamps, logPrefix: !noLogPrefix, quiet: quiet)
        let eventsSink: EventFileSink?
        do {
            eventsSink = try eventsFile.map { try EventFileSink(path: $0) }
        } catch {
            FileHandle.standardError.write(Data("\(stderrStyle.colour(stderrStyle.bold("error:"), .red)) \(error)\n".utf8))
            throw ExitCode(ExitStatusCode.invalidInput)
        }
        let console = RunConsole(descriptor: humanOutput, renderer: renderer, eventsFile: eventsSink)

        var options = RunOptions()
        options.backOff = BackOffPolicy(initial: backoffInitial.duration, maximum: backoffMax.duration)
        options.stateRoot = stateDir.map { URL(fileURLWithPath: $0) }
        options.keepRunDirectory = keep
        options.portMode = ports
        options.cleanEnvironment = cleanEnv
        options.logRotation = LogRotation(maxSize: logMaxSize) ?? LogRotation()

        let supervisor: PodSupervisor
        do {
            supervisor = try PodSupervisor(pod: pod, options: options, onEvent: console.event, onLog: console.log)
        } catch {
            console.finish()
            FileHandle.standardError.write(Data("\(stderrStyle.colour(stderrStyle.bold("error:"), .red)) \(error)\n".utf8))
            throw ExitCode(ExitStatusCode.invalidInput)
        }
        for warning in supervisor.warnings {
            FileHandle.standardError.write(Data("\(stderrStyle.colour(stderrStyle.bold("warning:"), .magenta)) \(warning)\n".utf8))
        }
        describeEnvironment(of: supervisor, to: console)

        let interrupts = InterruptHandler { count in
            Task {
                if count == 1 { await supervisor.stop() } else { await supervisor.kill() }
            }
        }
        await supervisor.start()
        let phase = await supervisor.waitUntilFinished()
        interrupts.cancel()
        if output == .text {
            console.lines(SummaryTable(status: await supervisor.status).lines(style: humanStyle))
        }
        console.finish()
        throw ExitCode(phase == .succeeded ? ExitStatusCode.success : ExitStatusCode.failure)
    }
}
