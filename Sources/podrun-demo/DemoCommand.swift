/// One `podrun-demo` subcommand: its name and help text, which options it takes, how it reads
/// them, and the workload itself. The entry point owns parsing errors and help; a command only
/// validates its own values and runs.
protocol DemoCommand {
    /// The word after `podrun-demo`.
    static var name: String { get }
    /// One line for `podrun-demo --help`.
    static var summary: String { get }
    /// The synopsis after the name, e.g. `[--port N] [--host H]`.
    static var synopsis: String { get }
    /// What each option does, shown by `podrun-demo <name> --help`.
    static var details: String { get }
    /// Options that take a value, with their dashes.
    static var valueOptions: Set<String> { get }
    /// Options that take no value, with their dashes.
    static var flagOptions: Set<String> { get }

    /// Reads and checks the parsed command line; throws `UsageError` for bad values.
    init(_ arguments: ParsedArguments) throws

    /// Runs the workload. Every command ends the process itself, with the exit status its
    /// contract promises, so this never returns.
    func run() -> Never
}
