import ArgumentParser
import Foundation
import PodRunKit

/// The `podrun` command line.
///
/// `main` is written out so usage errors exit with 2 (the project's convention for bad input,
/// shared with kubectl's "bad flag" behaviour) rather than ArgumentParser's default 64.
@main
struct Podrun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "podrun",
        abstract: "Run a Kubernetes pod's containers as local processes.",
        discussion: """
            podrun reads a Kubernetes v1 Pod (YAML or JSON) and runs its containers as plain processes on this \
            machine, with Kubernetes' lifecycle semantics: init containers in order, native sidecars, restart \
            policies with back-off, probes and hooks, shared volumes and a loopback port map, and one graceful \
            shutdown for the whole pod. No cluster, container engine or images are needed: each container's \
            `command` is a local executable.
            """,
        version: PodRunVersion.current,
        subcommands: [RunCommand.self, ValidateCommand.self, LogsCommand.self, VersionCommand.self]
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatusCode.invalidInput)
            }
            exit(withError: error)
        }
    }
}

/// Exit statuses every podrun command shares.
enum ExitStatusCode {
    static let success: Int32 = 0
    /// `run`: the pod ended Failed. `validate`: a file has errors.
    static let failure: Int32 = 1
    /// Invalid input or a usage error.
    static let invalidInput: Int32 = 2
}
