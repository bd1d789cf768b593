import ArgumentParser
import Foundation
import PodRunKit

/// `podrun logs`: print a container's logs from a pod's run directory, as `kubectl logs` does.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the logs of a container in a pod.",
        discussion: """
            Reads the log files in the pod's run directory, so it works while the pod runs and, when it \
            was run with --keep, after it ended. Lines are printed exactly as the container wrote them \
            (stdout and stderr together, in the order podrun read them). With several containers, name one \
            with -c or use --all-containers. -f keeps printing new lines, and the container's next \
            instances after restarts, until the pod ends.
            """
    )

    @Argument(help: ArgumentHelp("The pod's name (metadata.name); pod/NAME is accepted too.", valueName: "pod"))
    var pod: String

    @Option(name: [.short, .long], help: ArgumentHelp("The container to print.", valueName: "name"))
    var container: String?

    @Flag(name: [.short, .long], help: "Keep printing new lines until the pod ends.")
    var follow = false

    @Flag(name: [.short, .long], help: "Print the previous instance of the container (before its last restart).")
    var previous = false

    @Flag(help: "Start each line with its RFC 3339 time.")
    var timestamps = false

    @Option(help: ArgumentHelp("Print only the last N lines (-1: all).", valueName: "N"))
    var tail: Int = -1

    @Option(help: ArgumentHelp("Print only lines newer than this, such as 10s, 5m, 2h or 250ms.", valueName: "duration"))
    var since: String?

    @Flag(help: "Print every container's logs (init containers first).")
    var allContainers = false

    @Flag(help: "Start each line with [pod/NAME/CONTAINER].")
    var prefix = false

    @Option(help: ArgumentHelp("Where pods' run directories are (default ${XDG_STATE_HOME:-~/.local/state}/podrun).", valueName: "dir"))
    var stateDir: String?

    /// `pod/web` and `pods/web` as kubectl takes them.
    var podName: String {
        for kind in ["pod/", "pods/"] where pod.hasPrefix(kind) { return String(pod.dropFirst(kind.count)) }
        return pod
    }

    func validate() throws {
        let name = podName
        if name.isEmpty || name.contains("/") || name == "." || name == ".." {
            throw ValidationError("not a pod name: \(pod)")
        }
        if let since, DurationText.parse(since) == nil {
            throw ValidationError("invalid --since \(since): use a duration such as 10s, 5m, 2h or 250ms")
        }
        if allContainers && container != nil {
            throw ValidationError("--container cannot be given with --all-containers")
        }
    }

    func run() throws {
        let request = PodLogsRequest(
            pod: podName, container: container, follow: follow, previous: previous, timestamps: timestamps,
            tail: tail < 0 ? nil : tail, since: since.flatMap(DurationText.parse), allContainers: allContainers,
            prefix: prefix)
        let layout = PodRunDirectoryLayout(stateRoot: PodRunDirectoryLayout.stateRoot(explicit: stateDir), pod: podName)
        do {
            try PodLogsPrinter(request: request, layout: layout).run(output: STDOUT_FILENO)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }
}
