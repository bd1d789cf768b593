#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `podrun-demo` entry point: picks the subcommand, prints help, and turns usage errors into
/// a message on stderr and exit status 2.
enum DemoCLI {
    static var commands: [any DemoCommand.Type] {[
        ServeCommand.self, CrashCommand.self, ProxyCommand.self, TailCommand.self,
        WriteCommand.self, RefreshCommand.self, SleepCommand.self, LinesCommand.self,
    ]}

    static func main(_ arguments: [String]) -> Never {
        guard let name = arguments.first else {
            Console.err(overview)
            exit(2)
        }
        if name == "--help" || name == "-h" || name == "help" {
            if arguments.count > 1, let command = commands.first(where: { $0.name == arguments[1] }) {
                Console.out(help(for: command))
            } else {
                Console.out(overview)
            }
            exit(0)
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            Console.err("podrun-demo: unknown subcommand '\(name)'; run 'podrun-demo --help' for the list")
            exit(2)
        }
        let instance: any DemoCommand
        do {
            let parsed = try ParsedArguments(
                Array(arguments.dropFirst()), options: command.valueOptions, flags: command.flagOptions)
            if parsed.helpRequested {
                Console.out(help(for: command))
                exit(0)
            }
            instance = try command.init(parsed)
        } catch {
            Console.err("podrun-demo \(command.name): \(error)")
            Console.err("usage: podrun-demo \(command.name) \(command.synopsis)")
            exit(2)
        }
        instance.run()
    }

    /// `podrun-demo --help`: every subcommand with its one-line summary.
    static var overview: String {
        let width = commands.map { $0.name.count }.max() ?? 0
        var text = """
            usage: podrun-demo <subcommand> [options]

            Stand-in workloads for podrun examples and tests. Each subcommand logs one line per
            notable action to stdout and exits 0 on SIGTERM/SIGINT unless told otherwise.
            Durations: 250ms, 2s, 1m or a number of seconds.

            subcommands:

            """
        for command in commands {
            text += "  \(command.name + String(repeating: " ", count: width - command.name.count))  \(command.summary)\n"
        }
        text += "\nRun 'podrun-demo <subcommand> --help' for its options."
        return text
    }

    /// `podrun-demo <name> --help`.
    static func help(for command: any DemoCommand.Type) -> String {
        "usage: podrun-demo \(command.name) \(command.synopsis)\n\n\(command.summary)\n\n\(command.details)"
    }
}
