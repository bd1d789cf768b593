import ArgumentParser
import Foundation
import PodRunKit

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check pod descriptions without running them.",
        discussion: """
            Prints FILE: ok for each valid file, or every problem as FILE:LINE:COLUMN: error: MESSAGE. \
            Exits 0 when every file is valid, 1 when any has an error. Warnings (such as Kubernetes fields \
            podrun ignores) do not fail validation unless --strict is given.
            """
    )

    @Argument(help: ArgumentHelp("Pod descriptions (YAML or JSON); - reads standard input.", valueName: "file"))
    var files: [String]

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one pod description, e.g. podrun validate pod.yaml") }
    }

    func run() throws {
        let renderer = DiagnosticRenderer(style: .forStream(STDOUT_FILENO))
        var failed = false
        for file in files {
            let result = PodLoader.load(path: file)
            for diagnostic in result.diagnostics {
                print(renderer.render(diagnostic, asError: strict))
            }
            let fails = result.diagnostics.hasErrors || (strict && !result.diagnostics.isEmpty)
            if fails {
                failed = true
            } else {
                print("\(file): ok")
            }
        }
        if failed { throw ExitCode(ExitStatusCode.failure) }
    }
}
